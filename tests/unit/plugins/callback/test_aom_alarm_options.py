# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The callback's options as ansible-core really hands them over (environment, ansible.cfg).

Each case loads the callback through ansible-core's plugin loader in a fresh interpreter, as
ansible-playbook does, so that ansible-core's own reading of the declared option types is part
of what is tested: a boolean it would coerce leniently, or a choice it would refuse without
naming the allowed values, shows here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.huaweicloud.aom.plugins.callback import aom_alarm

SECRET = 'DEMOSECRETKEYdemosecretkeydemosecretkey00'
# the directory holding ansible_collections/huaweicloud/aom
COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(aom_alarm.__file__), *(['..'] * 5)))

# For each environment of a JSON list: load the callback afresh, set its options, and say what it
# made of them and which warnings it gave (recorded per case: ansible-core prints a warning once).
LOAD_AND_CONFIGURE = r'''
import dataclasses, json, os, sys
from ansible.plugins.loader import callback_loader, init_plugin_loader
from ansible.utils.display import Display
init_plugin_loader()
warned, deprecated = [], []
Display.warning = lambda self, msg, *args, **kwargs: warned.append(msg)
Display.deprecated = lambda self, msg, *args, **kwargs: deprecated.append(msg)
outcomes = []
for env in json.loads(sys.argv[1]):
    saved = dict(os.environ)
    for name, value in env.items():  # null: the variable is unset
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    del warned[:], deprecated[:]
    callback = callback_loader.get('huaweicloud.aom.aom_alarm')
    try:
        callback.set_options()
        delivery = callback._delivery
        settings = delivery.settings if delivery is not None else None
        outcomes.append({'disabled': bool(callback.disabled), 'verify': getattr(callback._conn, 'verify', None),
                         'access_key': getattr(callback._conn, 'access_key', None),
                         'endpoint': getattr(callback._conn, 'endpoint', None),
                         'project_id': getattr(callback._conn, 'project_id', None),
                         'switches': dataclasses.asdict(callback._switches) if delivery is not None else None,
                         'severities': {'failed_severity': settings.failed_severity,
                                        'unreachable_severity': settings.unreachable_severity} if settings else None,
                         'timeout_ms': settings.timeout_ms if settings else None,
                         'warnings': list(warned), 'deprecated': list(deprecated)})
    except Exception as exc:  # what ansible-core would turn into "Failed to load callback plugin"
        outcomes.append({'disabled': True, 'raised': '%s: %s' % (type(exc).__name__, exc), 'warnings': list(warned)})
    os.environ.clear()
    os.environ.update(saved)
print(json.dumps(outcomes))
'''


def configure_all(tmp_path, envs, ini=None, sections=None):
    """What the callback made of its options in each environment of ``envs`` (a null value unsets a
    variable), with ``ini`` in ansible.cfg's [callback_aom_alarm] and ``sections`` ({section: {key: value}}) before it."""
    config = tmp_path / 'ansible.cfg'
    text = ''.join('[%s]\n' % section + ''.join('%s = %s\n' % item for item in keys.items())
                   for section, keys in (sections or {}).items())
    config.write_text(text + '[callback_aom_alarm]\n' + ''.join('%s = %s\n' % item for item in (ini or {}).items()))
    child_env = dict((name, value) for name, value in os.environ.items()
                     if not name.startswith(('HW_', 'HUAWEICLOUD_', 'AOM_ALARM_', 'ANSIBLE_')))
    child_env.update({
        'HOME': str(tmp_path), 'ANSIBLE_CONFIG': str(config), 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'tmp'),
        'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS_ROOT, 'ANSIBLE_NOCOLOR': '1',
        'HW_AOM_ENDPOINT': 'https://127.0.0.1:1', 'HW_PROJECT_ID': '0123456789abcdef0123456789abcdef',
        'HW_ACCESS_KEY': 'DEMOACCESSKEY0000000', 'HW_SECRET_KEY': SECRET,
        'AOM_ALARM_SPOOL_DIR': str(tmp_path / 'spool'),
    })
    done = subprocess.run([sys.executable, '-c', LOAD_AND_CONFIGURE, json.dumps(envs)], env=child_env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert SECRET not in done.stdout + done.stderr and 'Traceback' not in done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_disabled_with_one_warning(outcome, words):
    assert 'raised' not in outcome, outcome['raised']
    assert outcome['disabled']
    (warning,) = outcome['warnings']
    assert warning.startswith('huaweicloud.aom.aom_alarm callback disabled: ')
    for word in words:
        assert word in warning


BAD_ENVIRONMENTS = [
    ({'HW_AOM_VALIDATE_CERTS': 'ture'}, ["validate_certs: 'ture' is not a boolean", 'true/false, yes/no']),
    ({'HW_AOM_ALLOW_HTTP': 'yess'}, ["allow_http: 'yess' is not a boolean", 'true/false']),
    ({'AOM_ALARM_CLEAR_ON_SUCCESS': 'maybe'}, ["clear_on_success: 'maybe' is not a boolean", 'true/false']),
    ({'AOM_ALARM_SEND_IN_CHECK_MODE': 'nope'}, ["send_in_check_mode: 'nope' is not a boolean", 'true/false']),
    ({'AOM_ALARM_CLEAR_AFTER_TAG_LIMITED_RUNS': 'sure'}, ['clear_after_tag_limited_runs', 'true/false']),
    ({'AOM_ALARM_FAILED_SEVERITY': 'major'},
     ["failed_severity: 'major' is not one of the allowed values: Critical, Major, Minor, Info"]),
]
GOOD_ENVIRONMENTS = [
    ({}, dict(verify=True, switches={'clear_on_success': True, 'send_in_check_mode': False, 'clear_after_tag_limited_runs': False},
              severities={'failed_severity': 'Major', 'unreachable_severity': 'Critical'})),
    ({'HW_AOM_VALIDATE_CERTS': 'no'}, dict(verify=False)),
    ({'HW_AOM_VALIDATE_CERTS': 'YES'}, dict(verify=True)),
    ({'AOM_ALARM_CLEAR_ON_SUCCESS': 'off', 'AOM_ALARM_FAILED_SEVERITY': 'Minor', 'AOM_ALARM_SEND_IN_CHECK_MODE': '1',
      'AOM_ALARM_CLEAR_AFTER_TAG_LIMITED_RUNS': 'yes'},
     dict(switches={'clear_on_success': False, 'send_in_check_mode': True, 'clear_after_tag_limited_runs': True},
          severities={'failed_severity': 'Minor', 'unreachable_severity': 'Critical'})),
]


def test_options_from_the_environment_are_parsed_strictly(tmp_path):
    outcomes = configure_all(tmp_path, [env for env, _expected in BAD_ENVIRONMENTS + GOOD_ENVIRONMENTS])
    for (env, words), outcome in zip(BAD_ENVIRONMENTS, outcomes):
        assert_disabled_with_one_warning(outcome, words)
    for (env, expected), outcome in zip(GOOD_ENVIRONMENTS, outcomes[len(BAD_ENVIRONMENTS):]):
        assert outcome['warnings'] == [] and not outcome['disabled'], env
        for key, value in expected.items():
            assert outcome[key] == value, (env, key)


@pytest.mark.parametrize('ini, words', [
    ({'validate_certs': 'ture'}, ["validate_certs: 'ture' is not a boolean", 'true/false, yes/no']),
    ({'unreachable_severity': 'Fatal'}, ["unreachable_severity: 'Fatal'", 'Critical, Major, Minor, Info']),
])
def test_options_from_ansible_cfg_are_parsed_strictly(tmp_path, ini, words):
    (outcome,) = configure_all(tmp_path, [{}], ini)
    assert_disabled_with_one_warning(outcome, words)


def test_a_valid_boolean_in_ansible_cfg_is_read(tmp_path):
    (outcome,) = configure_all(tmp_path, [{}], {'validate_certs': 'False', 'clear_on_success': 'no'})
    assert outcome['warnings'] == [] and outcome['verify'] is False and outcome['switches']['clear_on_success'] is False


OTHER_PROJECT = 'fedcba9876543210fedcba9876543210'


def test_hw_variables_win_over_the_sdk_ones_as_in_the_modules(tmp_path):
    """The modules take the first set of HW_*, HUAWEICLOUD_SDK_* (env_fallback); ansible-core takes the last."""
    both = {'HUAWEICLOUD_SDK_AK': 'SDKACCESSKEY00000000', 'HUAWEICLOUD_SDK_PROJECT_ID': OTHER_PROJECT}
    sdk_only = dict(both, HW_ACCESS_KEY=None, HW_PROJECT_ID=None)
    with_hw, without_hw = configure_all(tmp_path, [both, sdk_only])
    assert not with_hw['disabled'] and not without_hw['disabled']
    assert (with_hw['access_key'], with_hw['project_id']) == ('DEMOACCESSKEY0000000', '0123456789abcdef0123456789abcdef')
    assert (without_hw['access_key'], without_hw['project_id']) == ('SDKACCESSKEY00000000', OTHER_PROJECT)


def test_the_collection_wide_ini_section_is_read_and_the_callback_section_wins(tmp_path):
    unset = {'HW_ACCESS_KEY': None, 'HW_AOM_ENDPOINT': None}
    collection = {'huaweicloud_aom': {'access_key': 'COLLECTIONAK00000000', 'endpoint': 'https://aom.collection.example'}}
    (outcome,) = configure_all(tmp_path, [unset], sections=collection)
    assert outcome['warnings'] == [] and (outcome['access_key'], outcome['endpoint']) == (
        'COLLECTIONAK00000000', 'https://aom.collection.example')
    (outcome,) = configure_all(tmp_path, [unset], ini={'access_key': 'CALLBACKAK0000000000'}, sections=collection)
    assert (outcome['access_key'], outcome['endpoint']) == ('CALLBACKAK0000000000', 'https://aom.collection.example')
    # the environment wins over both sections
    (outcome,) = configure_all(tmp_path, [{'HW_AOM_ENDPOINT': 'https://aom.env.example'}],
                               ini={'endpoint': 'https://aom.callback.example'}, sections=collection)
    assert outcome['endpoint'] == 'https://aom.env.example'


def test_an_empty_connection_variable_leaves_the_value_of_ansible_cfg(tmp_path):
    """AWX injects an empty variable for each empty field of a credential; ansible-core would take it."""
    empty = {'HW_AOM_ENDPOINT': '', 'HW_ACCESS_KEY': ''}
    collection = {'huaweicloud_aom': {'endpoint': 'https://aom.collection.example'}}
    (outcome,) = configure_all(tmp_path, [empty], ini={'access_key': 'CALLBACKAK0000000000'}, sections=collection)
    assert outcome['warnings'] == [] and (outcome['access_key'], outcome['endpoint']) == (
        'CALLBACKAK0000000000', 'https://aom.collection.example')
    # HW_ACCESS_KEY empty: HUAWEICLOUD_SDK_AK, as the aom_alarms event source takes it
    (outcome,) = configure_all(tmp_path, [dict(empty, HUAWEICLOUD_SDK_AK='SDKACCESSKEY00000000')], sections=collection)
    assert outcome['access_key'] == 'SDKACCESSKEY00000000'


def test_alarm_timeout_is_read_from_its_new_and_its_deprecated_environment_variable(tmp_path):
    """AOM_ALARM_ALARM_TIMEOUT (before 1.1.0) still works, deprecated; AOM_ALARM_TIMEOUT wins over it."""
    default, new, old, both = configure_all(tmp_path, [
        {}, {'AOM_ALARM_TIMEOUT': '1d'}, {'AOM_ALARM_ALARM_TIMEOUT': '2h'},
        {'AOM_ALARM_ALARM_TIMEOUT': '2h', 'AOM_ALARM_TIMEOUT': '1d'},
    ])
    for outcome in (default, new, old, both):
        assert outcome['warnings'] == [] and not outcome['disabled'], outcome
    assert default['timeout_ms'] == 3 * 86400000 and default['deprecated'] == []
    assert new['timeout_ms'] == 86400000 and new['deprecated'] == []
    assert old['timeout_ms'] == 2 * 3600000
    (message,) = old['deprecated']
    assert 'AOM_ALARM_ALARM_TIMEOUT' in message and 'AOM_ALARM_TIMEOUT' in message
    assert both['timeout_ms'] == 86400000
