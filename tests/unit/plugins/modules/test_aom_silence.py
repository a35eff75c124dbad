# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils import _module
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.modules import aom_silence, aom_silence_info
from ansible_collections.huaweicloud.aom.tests.unit.plugins.modules.module_harness import (
    CONNECTION,
    catch_module_exits,
    run_module,
)

NOW = 1700000000000
MINUTE = 60000


# The names the tests give the fake's calls of the silence rule API.
SHORT = {'list_mute_rules': 'list', 'create_mute_rule': 'create', 'update_mute_rule': 'update',
         'delete_mute_rules': 'delete'}


@pytest.fixture(autouse=True)
def aom(fake_aom, monkeypatch):
    """The fake AOM service at NOW: every client the modules build is one of its."""
    fake_aom.clock = lambda: NOW
    monkeypatch.setattr(_module, 'AOMClient', fake_aom)
    monkeypatch.setattr(aom_silence, 'now_ms', lambda: NOW)
    monkeypatch.setattr(aom_silence_info, 'now_ms', lambda: NOW)
    catch_module_exits(monkeypatch)
    return fake_aom


def calls(aom):
    """Every call of the silence rule API, in order: ('list',), ('create', rule), ('delete', names)..."""
    return [(SHORT[name],) if arguments is None else (SHORT[name], arguments) for name, arguments in aom.calls]


def silence(args, check_mode=False, diff=False):
    return run_module(aom_silence.main, args, check_mode=check_mode, diff=diff)


def writes(aom):
    return [call for call in calls(aom) if call[0] != 'list']


SHOP = dict(name='deploy_shop', match=[{'resource_id': 'shop@web1', 'event_severity': ['Major', 'Critical']}],
            duration='30m')


def test_create_then_rerun_unchanged_then_delete_then_absent(aom):
    outcome = silence(SHOP)
    assert not outcome.failed and outcome.result['changed'] and outcome.result['result'] == 'created'
    assert outcome.result['silence'] == {
        'name': 'deploy_shop', 'description': '', 'timezone': 'UTC', 'repeat': 'none',
        'match': [{'resource_id': 'shop@web1', 'event_severity': ['Major', 'Critical']}],
        'starts_at': NOW, 'ends_at': NOW + 30 * MINUTE}
    [create] = writes(aom)
    assert create[1]['mute_config'] == {'type': 'FIXED', 'starts_at': NOW, 'ends_at': NOW + 30 * MINUTE, 'scope': []}

    aom.calls.clear()
    outcome = silence(SHOP)
    assert outcome.result['result'] == 'unchanged' and not outcome.result['changed']
    assert calls(aom) == [('list',)]

    outcome = silence(dict(name='deploy_shop', state='absent'))
    assert outcome.result['result'] == 'deleted' and outcome.result['changed']
    assert writes(aom) == [('delete', ['deploy_shop'])]
    assert outcome.result['silence']['name'] == 'deploy_shop'

    aom.calls.clear()
    outcome = silence(dict(name='deploy_shop', state='absent'))
    assert outcome.result == {'changed': False, 'result': 'absent'}
    assert calls(aom) == [('list',)]


def test_update_with_diff(aom):
    silence(SHOP)
    aom.calls.clear()
    outcome = silence(dict(SHOP, description='now with a reason'), diff=True)
    assert outcome.result['result'] == 'updated'
    [update] = writes(aom)
    assert update[0] == 'update' and update[1]['desc'] == 'now with a reason'
    assert outcome.result['diff']['before']['description'] == ''
    assert outcome.result['diff']['after']['description'] == 'now with a reason'
    assert outcome.result['diff']['after']['ends_at'] == NOW + 30 * MINUTE


def test_check_mode_predicts_and_writes_nothing(aom):
    outcome = silence(SHOP, check_mode=True, diff=True)
    assert outcome.result['result'] == 'created' and outcome.result['changed']
    assert outcome.result['diff'] == {'before': {}, 'after': outcome.result['silence']}
    assert writes(aom) == [] and aom.rules == []
    silence(SHOP)
    outcome = silence(dict(name='deploy_shop', state='absent'), check_mode=True)
    assert outcome.result['result'] == 'deleted' and writes(aom) == [('create', writes(aom)[0][1])]


def test_invalid_input_sends_nothing_and_lists_every_problem(aom):
    outcome = silence(dict(name='bad-name', match=[{'key': 'a', 'operate': 'LIKE'}], duration='later'))
    assert outcome.failed
    assert [e['path'] for e in outcome.result['errors']] == ['name', 'match[0].operate', 'duration']
    assert outcome.result['msg'].startswith('3 problems:')
    assert calls(aom) == []
    assert CONNECTION['secret_key'] not in str(outcome.result)


def test_absent_needs_only_a_valid_name(aom):
    outcome = silence(dict(name='_x', state='absent'))
    assert outcome.failed and outcome.result['path'] == 'name' and calls(aom) == []


def test_the_hundredth_rule_fails_before_sending(aom):
    aom.add_mute_rules(*[dict(name='r%d' % i, desc='', timezone='UTC', match=[[{'key': 'a', 'operate': 'EXIST'}]],
                              mute_config={'type': 'DAILY', 'starts_at': 0, 'ends_at': 60}) for i in range(100)])
    outcome = silence(SHOP)
    assert outcome.failed and 'already holds 100 silence rules' in outcome.result['msg']
    assert writes(aom) == []


def test_service_errors_fail_the_task(aom):
    aom.fail(AOMError('AOM list silence rules failed: HTTP 403', status=403), method='list_mute_rules')
    outcome = silence(SHOP)
    assert outcome.failed and outcome.result['status'] == 403 and writes(aom) == []


def test_info_lists_in_the_options_form_and_filters(aom):
    silence(SHOP)
    silence(dict(name='nightly', repeat='daily', starts_at='23:00', ends_at='23:30',
                 match=[[{'key': 'event_name', 'operate': 'EXIST'}]]))
    silence(dict(name='later', starts_at=NOW + 60 * MINUTE, duration='1h', match=[{'a': '1'}]))
    outcome = run_module(aom_silence_info.main, {})
    assert [s['name'] for s in outcome.result['silences']] == ['deploy_shop', 'later', 'nightly']
    assert outcome.result['silences'][2] == {
        'name': 'nightly', 'description': '', 'timezone': 'UTC', 'repeat': 'daily',
        'match': [[{'key': 'event_name', 'operate': 'EXIST'}]], 'starts_at': '23:00', 'ends_at': '23:30'}
    # NOW is 22:13 UTC: the daily window is not open, the later one has not started
    assert [r['in_force'] for r in outcome.result['rules']] == [True, False, False]
    assert outcome.result['rules'][0]['create_time'] == NOW
    assert [s['name'] for s in run_module(aom_silence_info.main, {'in_force': True}).result['silences']] == ['deploy_shop']
    assert [s['name'] for s in run_module(aom_silence_info.main, {'in_force': False}).result['silences']] == ['later', 'nightly']
    assert [s['name'] for s in run_module(aom_silence_info.main, {'name': ['nightly', 'gone']}).result['silences']] == ['nightly']
    assert writes(aom) == [call for call in writes(aom) if call[0] == 'create']


def test_info_round_trip_is_unchanged(aom):
    silence(SHOP)
    silence(dict(name='weekend', repeat='weekly', days=['Sat', 'Sun'], starts_at='02:00', ends_at='04:00',
                 timezone='Asia/Shanghai', description='backups', match=[{'event_name': 'backup'}]))
    listed = run_module(aom_silence_info.main, {}).result['silences']
    aom.calls.clear()
    for item in listed:
        outcome = silence(item)
        assert outcome.result['result'] == 'unchanged', item
    assert writes(aom) == []


def test_info_refuses_a_bad_name_before_asking(aom):
    outcome = run_module(aom_silence_info.main, {'name': ['ok', 'not ok']})
    assert outcome.failed and outcome.result['path'] == 'name[1]' and calls(aom) == []
