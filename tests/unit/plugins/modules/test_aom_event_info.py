# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils import _module
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.modules import aom_event_info
from ansible_collections.huaweicloud.aom.tests.unit.plugins.modules.module_harness import (
    catch_module_exits,
    run_module,
)

NOW = 1700000000000
RAW = {'id': 'a1', 'event_sn': 3, 'starts_at': NOW - 1000, 'ends_at': 0, 'arrives_at': NOW - 900,
       'timeout': 259200000, 'enterprise_project_id': '0', 'policy': {},
       'metadata': {'event_name': 'cpu high', 'event_severity': 'Major', 'event_type': 'alarm',
                    'resource_provider': 'ecs', 'resource_type': 'vm', 'resource_id': 'ecs123'},
       'annotations': {'cause': 'load'}}


@pytest.fixture(autouse=True)
def aom(fake_aom, monkeypatch):
    """The fake AOM service at NOW, holding RAW: every client the module builds is one of its."""
    fake_aom.clock = lambda: NOW
    fake_aom.add(RAW)
    monkeypatch.setattr(_module, 'AOMClient', fake_aom)
    monkeypatch.setattr(aom_event_info, 'now_ms', lambda: NOW)
    catch_module_exits(monkeypatch)
    yield fake_aom
    assert [name for name, _arguments in fake_aom.calls if name != 'list_events'] == [], 'an info module never writes'


def queries(aom):
    """The keyword arguments of every list_events call."""
    return [arguments for name, arguments in aom.calls if name == 'list_events']


def run(args, check_mode=False):
    return run_module(aom_event_info.main, args, check_mode=check_mode)


def test_defaults_list_active_alarms_of_the_last_three_days(aom):
    outcome = run({})
    assert not outcome.failed and outcome.result['changed'] is False
    [query] = queries(aom)
    assert query == {'event_type': 'active_alert', 'time_range': '%d.%d.4320' % (NOW - 259200000, NOW),
                     'metadata_relation': None, 'search': None,
                     'sort': {'order_by': ['starts_at'], 'order': 'desc'}, 'limit': None}
    assert outcome.result['events'] == [{
        'id': 'a1', 'event_sn': 3, 'metadata': RAW['metadata'], 'annotations': {'cause': 'load'},
        'starts_at': NOW - 1000, 'ends_at': 0, 'arrives_at': NOW - 900, 'timeout': 259200000}]


def test_filters_become_metadata_relations(aom):
    run({'type': 'all', 'event_severity': ['Critical', 'Major'], 'resource_id': 'ecs,123',
         'metadata': {'cluster': ['a', 'b'], 'port': 8080}, 'search': 'cpu', 'limit': 5, 'sort': 'asc'})
    [query] = queries(aom)
    assert query['event_type'] is None
    assert query['metadata_relation'] == [
        {'key': 'cluster', 'value': ['a', 'b'], 'relation': 'AND'},
        {'key': 'port', 'value': ['8080'], 'relation': 'AND'},
        {'key': 'event_severity', 'value': ['Critical', 'Major'], 'relation': 'AND'},
        {'key': 'resource_id', 'value': ['ecs,123'], 'relation': 'AND'},  # a comma is not a separator
    ]
    assert query['search'] == 'cpu' and query['limit'] == 5 and query['sort']['order'] == 'asc'


def test_time_window_accepts_durations_and_times(aom):
    run({'type': 'history', 'since': '2023-11-14T00:00:00Z', 'until': '1h'})
    [query] = queries(aom)
    assert query['event_type'] == 'history_alert'
    assert query['time_range'].startswith('1699920000000.%d.' % (NOW - 3600000))


@pytest.mark.parametrize('args, fragment', [
    ({'event_severity': 'major'}, "event_severity: 'major' is not allowed; expected one of Critical"),
    ({'metadata': {'event_type': 'Alarm'}}, "metadata.event_type: 'Alarm' is not allowed"),
    ({'resource_id': {'a': 1}}, 'resource_id: expected a non-empty string or a list'),
    ({'resource_id': []}, 'resource_id: expected a non-empty string or a list'),
    ({'resource_id': 'a', 'metadata': {'resource_id': 'b'}}, 'give it once'),
    ({'since': 'yesterday'}, "since: 'yesterday' is not a time"),
    ({'since': 'now', 'until': '1d'}, 'is after until'),
    ({'limit': 0}, 'limit: expected a positive number'),
])
def test_invalid_filters_fail_before_any_request(args, fragment, aom):
    outcome = run(args)
    assert outcome.failed and fragment in outcome.result['msg']
    assert queries(aom) == []


def test_every_invalid_option_is_named_in_one_failure(aom):
    outcome = run({'event_severity': ['Major', 'major'], 'event_type': 'Alarm', 'since': 'yesterday', 'limit': 0})
    assert outcome.failed and queries(aom) == []
    assert [(e['path'], e['message']) for e in outcome.result['errors']] == [
        ('since', "'yesterday' is not a time; expected epoch milliseconds, an ISO 8601 string "
                  '(e.g. 2024-01-31T12:00:00Z) or "now"'),
        ('limit', 'expected a positive number'),
        ('event_severity', "'major' is not allowed; expected one of Critical, Major, Minor, Info"),
        ('event_type', "'Alarm' is not allowed; expected one of event, alarm"),
    ]
    assert all(e['index'] is None and e['field'] == e['path'] for e in outcome.result['errors'])
    assert outcome.result['msg'].startswith("4 problems: since: 'yesterday' is not a time")


@pytest.mark.parametrize('name', ['scope', 'type'])
def test_scope_is_also_accepted_as_type(name, aom):
    outcome = run({name: 'history'})
    assert not outcome.failed and queries(aom)[0]['event_type'] == 'history_alert'


def test_check_mode_is_supported(aom):
    outcome = run({}, check_mode=True)
    assert not outcome.failed and outcome.result['changed'] is False and len(queries(aom)) == 1


def test_client_error_is_reported(aom):
    aom.fail(AOMError('AOM list failed: HTTP 401', status=401, error_code='APIG.0301', request_id='r'),
             method='list_events')
    outcome = run({})
    assert outcome.failed and outcome.result['status'] == 401 and outcome.result['error_code'] == 'APIG.0301'
    assert 'SKEXAMPLE' not in repr(outcome.result)


def test_the_filters_select_what_the_service_holds(aom):
    """RAW (Major, ecs123) and three more: the options narrow the answer as the service filters."""
    for resource_id, severity, extra in (('ecs124', 'Critical', {}), ('ecs125', 'Minor', {'cluster': 'a'}),
                                         ('ecs126', 'Major', {'cluster': 'b'})):
        aom.add(dict(RAW, id='id-' + resource_id, event_sn=None, starts_at=NOW - 2000,
                     metadata=dict(RAW['metadata'], resource_id=resource_id, event_severity=severity, **extra)))

    def listed(args):
        return sorted(event['metadata']['resource_id'] for event in run(args).result['events'])
    assert listed({}) == ['ecs123', 'ecs124', 'ecs125', 'ecs126']
    assert listed({'event_severity': ['Critical', 'Major']}) == ['ecs123', 'ecs124', 'ecs126']
    assert listed({'resource_id': ['ecs125', 'ecs126'], 'metadata': {'cluster': 'b'}}) == ['ecs126']
    assert listed({'type': 'history'}) == []
    assert listed({'limit': 2}) == ['ecs123', 'ecs126']  # the newest first: RAW, then the last of the same start
