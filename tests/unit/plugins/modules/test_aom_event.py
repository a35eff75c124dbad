# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.huaweicloud.aom.plugins.module_utils import _module
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.modules import aom_event
from ansible_collections.huaweicloud.aom.tests.unit.plugins.modules.module_harness import (
    CONNECTION,
    ModuleExit,
    catch_module_exits,
    run_module,
)

ALARM = dict(event_name='cpu high', resource_provider='ecs', resource_type='vm', resource_id='ecs123')


@pytest.fixture(autouse=True)
def aom(fake_aom, monkeypatch):
    """The fake AOM service: every client the module builds is one of its."""
    monkeypatch.setattr(_module, 'AOMClient', fake_aom)
    catch_module_exits(monkeypatch)
    return fake_aom


def run(args, check_mode=False, diff=False):
    return run_module(aom_event.main, args, check_mode=check_mode, diff=diff)


def client(aom):
    [only] = aom.clients
    return only


def active_alarm(resource_id='ecs123', severity='Major', annotations=None, alarm_id=None):
    return {'id': alarm_id or 'id-' + resource_id, 'event_sn': 1,
            'starts_at': 1600000000000, 'ends_at': 0, 'timeout': 259200000,
            'metadata': dict(ALARM, resource_id=resource_id, event_severity=severity, event_type='alarm'),
            'annotations': annotations or {}}


def test_reports_a_new_alarm_with_one_lookup_and_one_push(aom):
    outcome = run(ALARM)
    assert not outcome.failed
    assert outcome.result['changed'] is True
    assert outcome.result['counts'] == {'reported': 1}
    [event] = outcome.result['events']
    assert event['result'] == 'reported' and 'id' not in event
    assert event['timeout'] == 259200000 and event['ends_at'] == 0
    fake = client(aom)
    assert len(fake.lookups) == 1 and fake.lookups[0]['event_type'] == 'active_alert'
    [(sent, clear)] = fake.pushes
    assert clear is False and sent[0]['metadata']['event_severity'] == 'Major' and 'id' not in sent[0]


def test_second_run_is_unchanged_and_sends_nothing(aom):
    aom.add(active_alarm())
    outcome = run(ALARM)
    assert outcome.result['changed'] is False
    assert outcome.result['events'][0]['result'] == 'unchanged'
    assert outcome.result['events'][0]['id'] == 'id-ecs123'
    assert client(aom).pushes == []


def test_severity_change_updates(aom):
    aom.add(active_alarm())
    outcome = run(dict(ALARM, event_severity='Critical'))
    assert outcome.result['changed'] is True
    assert outcome.result['events'][0]['result'] == 'updated'
    assert outcome.result['events'][0]['id'] == 'id-ecs123'
    [(sent, clear)] = client(aom).pushes
    assert not clear and sent[0]['metadata']['event_severity'] == 'Critical'


def test_clear_sends_id_with_clear_action(aom):
    aom.add(active_alarm(severity='Critical'))
    outcome = run(dict(ALARM, state='cleared'))
    assert outcome.result['changed'] is True
    assert outcome.result['counts'] == {'cleared': 1}
    [(sent, clear)] = client(aom).pushes
    assert clear is True
    assert sent[0]['id'] == 'id-ecs123' and sent[0]['metadata']['event_severity'] == 'Critical'
    assert sent[0]['ends_at'] > 0


def test_clear_of_nothing_is_absent_and_unchanged(aom):
    outcome = run(dict(ALARM, state='cleared'))
    assert outcome.result['changed'] is False
    assert outcome.result['events'][0]['result'] == 'absent'
    assert client(aom).pushes == []


def test_check_mode_looks_up_but_never_writes(aom):
    aom.add(active_alarm('r1'))
    items = [dict(ALARM, resource_id='r%d' % i) for i in range(3)]
    outcome = run({'events': items, 'state': 'cleared'}, check_mode=True)
    assert outcome.result['changed'] is True
    assert outcome.result['counts'] == {'cleared': 1, 'absent': 2}
    assert len(client(aom).lookups) == 1 and client(aom).pushes == []

    aom.clients.clear()
    outcome = run(ALARM, check_mode=True)
    assert outcome.result['changed'] is True and client(aom).pushes == []


def test_batch_of_250_takes_one_lookup_and_one_push_call(aom):
    items = [dict(ALARM, resource_id='r%03d' % i) for i in range(250)]
    aom.add(active_alarm('r000'), active_alarm('r001', severity='Minor'))
    outcome = run({'events': items})
    assert outcome.result['counts'] == {'unchanged': 1, 'updated': 1, 'reported': 248}
    fake = client(aom)
    assert len(fake.lookups) == 1
    values = dict((r['key'], r['value']) for r in fake.lookups[0]['metadata_relation'])
    assert len(values['resource_id']) == 250
    [(sent, clear)] = fake.pushes
    assert len(sent) == 249 and not clear


def test_point_events_are_looked_up_in_history(aom):
    event = dict(ALARM, event_type='event', starts_at=1700000000000)
    aom.add(dict(active_alarm(), starts_at=1700000000000, ends_at=1700000000000,
                 metadata=dict(ALARM, event_type='event', event_severity='Major')))
    outcome = run(event)
    assert outcome.result['changed'] is False
    fake = client(aom)
    assert len(fake.lookups) == 1 and 'event_type' not in fake.lookups[0]
    assert fake.pushes == []


def test_mixed_batch_takes_at_most_two_lookups(aom):
    items = [ALARM, dict(ALARM, event_type='event', starts_at=1700000000000)]
    outcome = run({'events': items})
    assert outcome.result['counts'] == {'reported': 2}
    assert len(client(aom).lookups) == 2 and len(client(aom).pushes) == 1


def test_diff_shows_alarms_before_and_after(aom):
    aom.add(active_alarm())
    outcome = run(dict(ALARM, event_severity='Critical'), diff=True)
    key = "alarm 'cpu high' on ecs/vm/ecs123"
    diff = outcome.result['diff']
    assert diff['before'][key]['metadata']['event_severity'] == 'Major'
    assert diff['after'][key]['metadata']['event_severity'] == 'Critical'
    assert diff['after'][key]['id'] == 'id-ecs123'


def test_diff_of_a_clear_has_nothing_after(aom):
    aom.add(active_alarm())
    diff = run(dict(ALARM, state='cleared'), diff=True).result['diff']
    assert list(diff['before']) == ["alarm 'cpu high' on ecs/vm/ecs123"] and diff['after'] == {}


def test_invalid_event_fails_with_path_and_sends_nothing(aom):
    items = [ALARM, dict(ALARM, resource_id='r2', event_severity='major')]
    outcome = run({'events': items})
    assert outcome.failed
    assert outcome.result['msg'] == ("events[1].metadata.event_severity: 'major' is not allowed; "
                                     "expected one of Critical, Major, Minor, Info")
    assert outcome.result['path'] == 'events[1].metadata.event_severity'
    assert outcome.result['errors'] == [{'index': 1, 'path': 'events[1].metadata.event_severity',
                                         'field': 'metadata.event_severity',
                                         'message': "'major' is not allowed; expected one of Critical, Major, Minor, Info"}]
    assert aom.clients == []


def test_every_invalid_field_of_the_batch_fails_in_one_failure(aom):
    items = [dict(ALARM, timeout='16d'), ALARM, dict(ALARM, resource_id='r2', event_severity='major', colour='red')]
    outcome = run({'events': items})
    assert outcome.failed and aom.clients == []
    assert [(e['index'], e['path']) for e in outcome.result['errors']] == [
        (0, 'events[0].timeout'), (2, 'events[2].colour'), (2, 'events[2].metadata.event_severity')]
    assert outcome.result['msg'].startswith("3 problems: events[0].timeout: '16d' (1382400000 ms) is not allowed")
    assert "; events[2].colour: is not a field of an event" in outcome.result['msg']
    assert outcome.result['path'] == 'events[0].timeout'


def test_top_level_mapping_value_is_refused():
    outcome = run(dict(ALARM, resource_id={'a': 1}))
    assert outcome.failed and outcome.result['path'] == 'metadata.resource_id'


def test_events_and_top_level_keys_are_mutually_exclusive():
    outcome = run({'events': [ALARM], 'event_name': 'x'})
    assert outcome.failed and 'mutually exclusive' in outcome.result['msg']


def test_client_error_is_reported_without_secrets(aom):
    aom.fail(AOMError('AOM list failed: HTTP 403 AOM.30001005: no permission', status=403,
                      error_code='AOM.30001005', request_id='req-1'), method='list_events')
    outcome = run(ALARM)
    assert outcome.failed
    assert outcome.result['status'] == 403 and outcome.result['error_code'] == 'AOM.30001005'
    assert outcome.result['request_id'] == 'req-1'
    assert 'SKEXAMPLE' not in repr(outcome.result)


def test_missing_connection_fails_before_any_request(aom, monkeypatch):
    for name in ('HW_AOM_ENDPOINT', 'HW_REGION_NAME'):
        monkeypatch.delenv(name, raising=False)
    with patch_module_args(dict(ALARM)):
        with pytest.raises(ModuleExit) as info:
            aom_event.main()
    assert info.value.failed and 'endpoint' in info.value.result['msg']
    assert aom.clients == []


def test_returned_fields():
    outcome = run(dict(ALARM, annotations={'cause': 'load'}, timeout='1d', starts_at=1700000000000))
    [event] = outcome.result['events']
    assert set(event) == {'metadata', 'annotations', 'starts_at', 'ends_at', 'timeout', 'result'}
    assert event['timeout'] == 86400000 and event['starts_at'] == 1700000000000


def test_endpoint_credentials_never_echoed(aom, monkeypatch, capsys):
    """The real fail_json (not the fixture's): the invocation it returns must not hold the password."""
    monkeypatch.undo()
    args = dict(CONNECTION, endpoint='https://admin:hunter2-s3cret@aom.example', **ALARM)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            aom_event.main()
    printed = capsys.readouterr().out
    result = json.loads(printed)
    assert result['failed'] and 'must not contain credentials' in result['msg']
    assert result['invocation']['module_args']['endpoint'] != args['endpoint']
    assert 'hunter2-s3cret' not in printed


@pytest.mark.parametrize('token', ['tok-s3cr3t-nl\nX-Injected: yes', 'tok-s3cr3t-\u20ac-euro'])
def test_a_token_http_cannot_carry_is_refused_by_name_and_never_printed(monkeypatch, capsys, token):
    """The real module end to end: before, a newline put the token whole in msg (requests' InvalidHeader
    echoes it, escaped, so no_log did not hide it), and a non-Latin-1 character crashed with a codec error."""
    monkeypatch.undo()
    args = dict(ALARM, endpoint='https://127.0.0.1:9', project_id=CONNECTION['project_id'], auth_token=token,
                retries=0, request_timeout=1)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            aom_event.main()
    printed = capsys.readouterr().out
    result = json.loads(printed)
    assert result['failed'] and result['msg'].startswith('auth_token (HW_AUTH_TOKEN) contains ')
    assert 'tok-s3cr3t' not in printed


def warnings_of(monkeypatch):
    said = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: said.append(text))
    return said


def test_a_different_timeout_updates_the_alarm(aom):
    aom.add(active_alarm())  # timeout 259200000 (3 days)
    outcome = run(dict(ALARM, timeout='1d'))
    assert outcome.result['changed'] is True and outcome.result['events'][0]['result'] == 'updated'
    [(sent, clear)] = client(aom).pushes
    assert not clear and sent[0]['timeout'] == 86400000
    [updated] = aom.active()
    assert updated['id'] == 'id-ecs123' and updated['timeout'] == 86400000
    aom.clients.clear()
    assert run(dict(ALARM, timeout='1d')).result['events'][0]['result'] == 'unchanged'
    aom.drop_events()  # the alarm as it was: with its own timeout of 3 days
    aom.add(active_alarm())
    aom.clients.clear()
    assert run(dict(ALARM, timeout='3d')).result['events'][0]['result'] == 'unchanged'


def test_starts_at_more_than_a_day_ahead_is_refused_before_anything_is_sent(aom):
    outcome = run(dict(ALARM, starts_at='2999-01-01T00:00:00Z'))
    assert outcome.failed and outcome.result['path'] == 'starts_at'
    assert 'at most 1 day ahead' in outcome.result['msg']
    assert aom.clients == []


def test_the_lookup_window_reaches_past_now(aom):
    run(dict(ALARM, starts_at='now'))
    start, end, _minutes = (int(part) for part in client(aom).lookups[0]['time_range'].split('.'))
    assert end - start >= 30 * 86400000 and end > aom_event_now() + 86400000


def aom_event_now():
    from ansible_collections.huaweicloud.aom.plugins.module_utils._time import now_ms
    return now_ms()


def test_ends_at_before_starts_at_is_refused_naming_ends_at(aom):
    outcome = run(dict(ALARM, starts_at=1700000000000, ends_at=1699999999999))
    assert outcome.failed and outcome.result['path'] == 'ends_at'
    assert outcome.result['msg'].startswith('ends_at: 1699999999999 is before starts_at (1700000000000)')
    assert aom.clients == []


def test_clear_by_id_alone(aom):
    aom.add(active_alarm(alarm_id='a-1'), active_alarm(resource_id='r2', alarm_id='a-2'))
    outcome = run({'state': 'cleared', 'id': 'a-2'}, diff=True)
    assert outcome.result['changed'] is True and outcome.result['counts'] == {'cleared': 1}
    [(sent, clear)] = client(aom).pushes
    assert clear and [event['id'] for event in sent] == ['a-2'] and sent[0]['metadata']['resource_id'] == 'r2'
    assert client(aom).lookups[0]['metadata_relation'] is None  # nothing to narrow on: found by id
    assert list(outcome.result['diff']['before']) == ['alarm id a-2']


def test_clear_by_an_id_no_longer_active_is_absent():
    outcome = run({'state': 'cleared', 'id': 'gone'})
    assert outcome.result['changed'] is False and outcome.result['events'][0]['result'] == 'absent'


def test_clear_by_id_whose_metadata_differs_fails_and_clears_nothing(aom):
    aom.add(active_alarm(alarm_id='a-1'))
    outcome = run(dict(ALARM, state='cleared', id='a-1', resource_id='other'))
    assert outcome.failed and outcome.result['path'] == 'id'
    assert client(aom).pushes == []


def test_what_aom_event_info_returns_clears_when_fed_back(aom):
    listed = aom.add(dict(active_alarm(alarm_id='a-1'), enterprise_project_id='0', policy={'k': 'v'}),
                     dict(active_alarm(resource_id='r2', alarm_id='a-2'), enterprise_project_id='0'))
    outcome = run({'state': 'cleared', 'events': [dict(item) for item in listed]})
    assert not outcome.failed, outcome.result
    assert outcome.result['counts'] == {'cleared': 2}
    [(sent, clear)] = client(aom).pushes
    assert clear and sorted(event['id'] for event in sent) == ['a-1', 'a-2']
    assert all(event['ends_at'] > event['starts_at'] for event in sent)


def test_a_clear_that_matches_nothing_warns_about_near_misses(aom, monkeypatch):
    said = warnings_of(monkeypatch)
    aom.add(active_alarm(alarm_id='a-1'))
    outcome = run(dict(ALARM, state='cleared', resource_provider='ECS'))
    assert outcome.result['events'][0]['result'] == 'absent' and client(aom).pushes == []
    [warning] = said
    assert 'no active alarm matches' in warning and 'a-1 (differs in: resource_provider)' in warning
    aom.clients.clear()
    said[:] = []
    run(dict(ALARM, state='cleared', resource_id='unrelated'))
    assert said == []


def test_a_whole_lifecycle_against_the_fake_service(aom):
    """Each run's lookup sees what the runs before it stored (the fake keeps state and filters as the service)."""
    assert run(ALARM).result['events'][0]['result'] == 'reported'
    assert run(ALARM).result['events'][0]['result'] == 'unchanged'
    assert run(dict(ALARM, resource_id='other')).result['events'][0]['result'] == 'reported'
    assert run(dict(ALARM, event_severity='Critical')).result['events'][0]['result'] == 'updated'
    [alarm_id] = [event['id'] for event in aom.active() if event['metadata']['resource_id'] == 'ecs123']
    cleared = run(dict(ALARM, state='cleared')).result['events'][0]
    assert cleared['result'] == 'cleared' and cleared['id'] == alarm_id
    assert run(dict(ALARM, state='cleared')).result['events'][0]['result'] == 'absent'
    assert [event['metadata']['resource_id'] for event in aom.active()] == ['other']
    [history] = aom.events('history')
    assert history['id'] == alarm_id and history['metadata']['event_severity'] == 'Critical'
    point = dict(ALARM, event_type='event', starts_at=aom_event_now() - 1000)
    assert run(point).result['events'][0]['result'] == 'reported'
    assert run(point).result['events'][0]['result'] == 'unchanged'
    assert len(aom.events('history')) == 2
