# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's failure says its kind as data (error_kind), so that nobody parses its msg.

``service``: AOM itself failed (an error answer, a request that could not be made); ``config``: the
connection options or the host's setup; ``input``: the module's other options. Absent when Ansible
refused the options before the module ran.
"""

from __future__ import annotations

from collections import namedtuple

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils import _client, _module, _requirements
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.modules import aom_event, aom_event_info, aom_silence, aom_silence_info
from ansible_collections.huaweicloud.aom.tests.unit.plugins.modules.module_harness import catch_module_exits, run_module

ALARM = dict(event_name='cpu high', resource_provider='ecs', resource_type='vm', resource_id='ecs123')
SHOP = dict(name='deploy_shop', match=[{'resource_id': 'shop@web1'}], duration='30m')

# Each module with options that work, options it refuses itself, and options Ansible refuses.
Case = namedtuple('Case', 'main good bad refused')
MODULES = {
    'aom_event': Case(aom_event.main, ALARM, dict(ALARM, event_severity='major'), dict(ALARM, events=[ALARM])),
    'aom_event_info': Case(aom_event_info.main, {}, {'limit': 0}, {'sort': 'sideways'}),
    'aom_silence': Case(aom_silence.main, SHOP, dict(SHOP, match=[[{'key': 'a', 'operate': 'LIKE'}]]),
                        dict(SHOP, repeat='hourly')),
    'aom_silence_info': Case(aom_silence_info.main, {}, {'name': ['not ok']}, {'colour': 'red'}),
}


@pytest.fixture(autouse=True)
def aom(fake_aom, monkeypatch):
    monkeypatch.setattr(_module, 'AOMClient', fake_aom)
    catch_module_exits(monkeypatch)
    return fake_aom


@pytest.fixture(params=sorted(MODULES))
def module(request):
    return MODULES[request.param]


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('error', [
    AOMError('AOM list failed: HTTP 503 APIG.0203: unavailable', status=503, error_code='APIG.0203', request_id='r-1'),
    AOMError('AOM list failed: could not reach aom.example.com after 3 attempt(s): timed out'),
    AOMError('IAM token request failed: HTTP 401', status=401),
])
def test_a_failing_service_is_a_service_error(aom, module, error, check_mode):
    main, good = module.main, module.good
    aom.fail(error)
    outcome = run_module(main, good, check_mode=check_mode)
    assert outcome.failed and outcome.result['error_kind'] == 'service'
    assert outcome.result['msg'] == str(error) and outcome.result['status'] == error.status


def test_bad_connection_options_are_a_config_error(aom, module):
    main, good = module.main, module.good
    outcome = run_module(main, dict(good, project_id='not-hex'))
    assert outcome.failed and outcome.result['error_kind'] == 'config' and 'project_id' in outcome.result['msg']
    assert aom.calls == []


def test_a_missing_library_is_a_config_error(aom, module, monkeypatch):
    main, good = module.main, module.good
    monkeypatch.setitem(_requirements.IMPORT_ERRORS, 'requests', ImportError('No module named requests'))
    outcome = run_module(main, good)
    assert outcome.failed and outcome.result['error_kind'] == 'config' and 'requests' in outcome.result['msg']
    assert aom.calls == []


@pytest.mark.parametrize('check_mode', [False, True])
def test_options_the_module_refuses_are_an_input_error(aom, module, check_mode):
    main, bad = module.main, module.bad
    outcome = run_module(main, bad, check_mode=check_mode)
    assert outcome.failed and outcome.result['error_kind'] == 'input' and outcome.result['errors']
    assert aom.calls == []


def test_options_ansible_refuses_have_no_kind(aom, module):
    main, refused = module.main, module.refused
    outcome = run_module(main, refused)
    assert outcome.failed and 'error_kind' not in outcome.result


def test_success_has_no_kind(module):
    main, good = module.main, module.good
    for check_mode in (True, False):
        outcome = run_module(main, good, check_mode=check_mode)
        assert not outcome.failed and 'error_kind' not in outcome.result


def test_a_full_project_is_a_service_error(aom):
    aom.add_mute_rules(*[dict(name='r%d' % i, desc='', timezone='UTC', match=[[{'key': 'a', 'operate': 'EXIST'}]],
                              mute_config={'type': 'DAILY', 'starts_at': 0, 'ends_at': 60}) for i in range(100)])
    outcome = run_module(aom_silence.main, SHOP)
    assert outcome.failed and outcome.result['error_kind'] == 'service'


def test_a_stored_time_zone_the_host_cannot_read_is_a_config_error(aom):
    aom.add_mute_rules(dict(name='far', desc='', timezone='Nowhere/City', match=[[{'key': 'a', 'operate': 'EXIST'}]],
                            mute_config={'type': 'DAILY', 'starts_at': 0, 'ends_at': 60}))
    outcome = run_module(aom_silence_info.main, {})
    assert outcome.failed and outcome.result['error_kind'] == 'config' and 'Nowhere/City' in outcome.result['msg']


def test_a_service_that_cannot_be_reached_is_a_service_error(monkeypatch):
    """The real client, against a closed port on this machine: the connection error says service."""
    monkeypatch.setattr(_module, 'AOMClient', _client.AOMClient)
    outcome = run_module(aom_event.main, dict(ALARM, endpoint='http://127.0.0.1:9', allow_http=True, retries=0))
    assert outcome.failed and outcome.result['error_kind'] == 'service'
    assert outcome.result['msg'].startswith('AOM list failed: could not reach 127.0.0.1')
