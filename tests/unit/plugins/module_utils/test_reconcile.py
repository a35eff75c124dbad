# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import build_events
from ansible_collections.huaweicloud.aom.plugins.module_utils._reconcile import (
    active_lookup,
    active_time_range,
    counts,
    history_lookup,
    near_misses,
    plan,
)

NOW = 1700000000000
EARLIER = NOW - 3600000
BASE = dict(event_name='cpu high', resource_provider='ecs', resource_type='vm', resource_id='ecs123')


def desired(*items, state='reported'):
    return build_events({'events': list(items)}, state, now=NOW)


def service_item(item, **fields):
    """An item as the list API returns it, for the event described by ``item``."""
    event = desired(item)[0]
    raw = dict(id='id-' + event['metadata']['resource_id'], event_sn=1, arrives_at=event['starts_at'],
               metadata=event['metadata'], annotations=event['annotations'], starts_at=EARLIER,
               ends_at=0, timeout=event['timeout'])
    raw.update(fields)
    return raw


def test_new_alarm_is_reported():
    [action] = plan(desired(BASE), [], 'reported')
    assert action.result == 'reported' and action.sends
    assert action.before is None
    assert action.event == action.after == action.desired
    assert 'id' not in action.event


def test_same_alarm_is_unchanged():
    active = [service_item(BASE)]
    [action] = plan(desired(BASE), active, 'reported')
    assert action.result == 'unchanged' and not action.sends
    assert action.event is None
    assert action.record['id'] == 'id-ecs123'
    assert action.record['starts_at'] == EARLIER


def test_new_starts_at_does_not_make_an_active_alarm_new():
    [action] = plan(desired(dict(BASE, starts_at=NOW + 5)), [service_item(BASE)], 'reported')
    assert action.result == 'unchanged'


def test_severity_change_updates_keeping_id_and_start():
    [action] = plan(desired(dict(BASE, event_severity='Critical')), [service_item(BASE)], 'reported')
    assert action.result == 'updated'
    assert action.event['metadata']['event_severity'] == 'Critical'
    assert action.event['starts_at'] == EARLIER
    assert 'id' not in action.event  # never sent when reporting
    assert action.after['id'] == 'id-ecs123'
    assert action.before['metadata']['event_severity'] == 'Major'


def test_annotation_change_updates():
    [action] = plan(desired(dict(BASE, annotations={'cause': 'load'})), [service_item(BASE)], 'reported')
    assert action.result == 'updated'


def test_other_identity_does_not_match():
    active = [service_item(dict(BASE, metadata={'zone': 'az1'})), service_item(dict(BASE, resource_id='other'))]
    assert plan(desired(BASE), active, 'reported')[0].result == 'reported'


def test_ended_or_non_alarm_items_are_not_active_matches():
    active = [service_item(BASE, ends_at=NOW), service_item(dict(BASE, event_type='event'))]
    assert plan(desired(BASE), active, 'reported')[0].result == 'reported'


def test_clear_sends_the_found_id_and_metadata():
    active = [service_item(dict(BASE, event_severity='Critical'), annotations={'a': 'b'})]
    [action] = plan(desired(BASE, state='cleared'), active, 'cleared')
    assert action.result == 'cleared' and action.sends
    assert action.event == {'id': 'id-ecs123', 'metadata': active[0]['metadata'], 'annotations': {'a': 'b'},
                            'starts_at': EARLIER, 'ends_at': NOW, 'timeout': active[0]['timeout']}
    assert action.before['id'] == 'id-ecs123' and action.after is None
    assert action.record['ends_at'] == NOW


def test_clear_without_active_alarm_is_absent():
    [action] = plan(desired(BASE, state='cleared'), [service_item(dict(BASE, resource_id='x'))], 'cleared')
    assert action.result == 'absent' and not action.sends
    assert action.event is None and action.before is None and action.after is None
    assert action.record['metadata']['resource_id'] == 'ecs123'


def test_point_event_already_recorded_is_unchanged():
    item = dict(BASE, event_type='event', starts_at=EARLIER)
    history = [service_item(item, starts_at=EARLIER, ends_at=EARLIER)]
    [action] = plan(desired(item), [], 'reported', history=history)
    assert action.result == 'unchanged'
    assert action.record['id'] == 'id-ecs123'


def test_point_event_at_another_time_is_reported():
    item = dict(BASE, event_type='event', starts_at=NOW)
    history = [service_item(dict(item, starts_at=EARLIER), starts_at=EARLIER)]
    assert plan(desired(item), [], 'reported', history=history)[0].result == 'reported'


def test_batch_mixes_results_in_order():
    items = [
        BASE,                                                  # unchanged
        dict(BASE, resource_id='r2', event_severity='Minor'),  # updated
        dict(BASE, resource_id='r3'),                          # reported
        dict(BASE, resource_id='r4', event_type='event'),      # reported (event)
    ]
    active = [service_item(BASE), service_item(dict(BASE, resource_id='r2'))]
    actions = plan(desired(*items), active, 'reported', history=[])
    assert [a.result for a in actions] == ['unchanged', 'updated', 'reported', 'reported']
    assert counts(actions) == {'unchanged': 1, 'updated': 1, 'reported': 2}


def test_batch_clear():
    items = [BASE, dict(BASE, resource_id='r2'), dict(BASE, resource_id='r3')]
    active = [service_item(BASE), service_item(dict(BASE, resource_id='r3'))]
    actions = plan(desired(*items, state='cleared'), active, 'cleared')
    assert [a.result for a in actions] == ['cleared', 'absent', 'cleared']
    assert [a.event['id'] for a in actions if a.sends] == ['id-ecs123', 'id-r3']


def test_newest_of_two_active_alarms_with_one_identity_wins():
    active = [service_item(BASE, id='new', starts_at=NOW), service_item(BASE, id='old', starts_at=EARLIER)]
    assert plan(desired(BASE, state='cleared'), active, 'cleared')[0].event['id'] == 'new'


def test_active_lookup_is_one_query_with_value_lists():
    items = [BASE, dict(BASE, resource_id='r2', event_name='disk'), dict(BASE, resource_id='r3', event_type='event')]
    query = active_lookup(desired(*items), now=NOW)
    assert query['event_type'] == 'active_alert'
    assert query['time_range'] == active_time_range(NOW)
    relation = dict((r['key'], r['value']) for r in query['metadata_relation'])
    # narrowed on event_name and resource_id only: the alarms differing in another key are near misses
    assert relation == {'event_name': ['cpu high', 'disk'], 'resource_id': ['ecs123', 'r2']}
    assert all(r['relation'] == 'AND' for r in query['metadata_relation'])


def window(now):
    start, end, minutes = (int(part) for part in active_time_range(now).split('.'))
    return start, end, minutes


def test_active_window_covers_the_longest_timeout_twice_and_starts_ahead_of_now():
    start, end, minutes = window(NOW)
    assert start == NOW - 2 * 1296000000
    # a report may start up to 1 day ahead (refused beyond): the window reaches past that
    assert end >= NOW + 86400000
    assert minutes * 60000 == end - start


def test_active_window_ends_after_an_alarm_started_a_few_minutes_ahead():
    # the old '-1.-1.N' ended at the service's now: an alarm from a clock 5 minutes fast was missed
    ahead = NOW + 5 * 60000
    start, end, _minutes = window(NOW)
    assert start < ahead <= end
    assert active_lookup(desired(dict(BASE, starts_at=ahead)), now=NOW)['time_range'] == active_time_range(NOW)


def test_active_lookup_of_a_clear_by_id_alone_is_not_narrowed_on_missing_keys():
    query = active_lookup(desired({'id': 'a-1'}, dict(BASE, resource_id='r2'), state='cleared'), now=NOW)
    assert query['metadata_relation'] is None


def test_active_lookup_of_a_clear_by_id_with_metadata_is_not_narrowed():
    """The list API cannot filter by id: narrowed on the metadata given with the id, the lookup missed the
    alarm the id names when that metadata differs, and the clear said absent instead of failing."""
    batch = desired(dict(BASE, id='a-1', resource_id='other'), dict(BASE, resource_id='r2'), state='cleared')
    assert active_lookup(batch, now=NOW)['metadata_relation'] is None


def test_a_different_timeout_is_an_update():
    active = [service_item(BASE, timeout=259200000)]
    [action] = plan(desired(dict(BASE, timeout='1d')), active, 'reported')
    assert action.result == 'updated'
    assert action.event['timeout'] == 86400000 and action.after['id'] == 'id-ecs123'
    [same] = plan(desired(dict(BASE, timeout='3d')), active, 'reported')
    assert same.result == 'unchanged'


def test_clear_never_ends_before_the_alarm_started():
    ahead = NOW + 5 * 60000  # reported by a controller whose clock is 5 minutes fast
    [action] = plan(desired(BASE, state='cleared'), [service_item(BASE, starts_at=ahead)], 'cleared')
    assert action.result == 'cleared'
    assert action.event['starts_at'] == ahead and action.event['ends_at'] == ahead


def test_clear_by_id_alone():
    active = [service_item(BASE, id='a-1'), service_item(dict(BASE, resource_id='r2'), id='a-2')]
    actions = plan(desired({'id': 'a-2'}, {'id': 'gone'}, state='cleared'), active, 'cleared')
    assert [a.result for a in actions] == ['cleared', 'absent']
    assert actions[0].event['id'] == 'a-2' and actions[0].event['metadata']['resource_id'] == 'r2'


def test_clear_by_id_with_metadata_of_another_alarm_is_refused():
    active = [service_item(BASE, id='a-1')]
    with pytest.raises(AOMValidationError) as caught:
        plan(desired(dict(BASE, id='a-1', resource_id='other'), state='cleared'), active, 'cleared')
    assert caught.value.path == 'events[0].id'
    assert 'differs from the given in: resource_id' in str(caught.value)


def test_two_clears_of_one_alarm_are_refused():
    active = [service_item(BASE, id='a-1')]
    with pytest.raises(AOMValidationError, match=r'events\[1\]: names the same active alarm \(id a-1\) as events\[0\]'):
        plan(desired(BASE, {'id': 'a-1'}, state='cleared'), active, 'cleared')


def test_info_results_fed_back_clear_their_alarms():
    listed = [dict(service_item(BASE, id='a-1'), enterprise_project_id='0', policy={'x': 1}),
              service_item(dict(BASE, resource_id='r2'), id='a-2')]
    wanted = desired(*listed, state='cleared')
    assert [event['ends_at'] for event in wanted] == [NOW, NOW]  # ends_at 0 (active) means now
    actions = plan(wanted, listed, 'cleared')
    assert [(a.result, a.event['id']) for a in actions] == [('cleared', 'a-1'), ('cleared', 'a-2')]


def test_near_miss_warning_names_the_differing_keys():
    active = [service_item(dict(BASE, resource_type='VM', metadata={'zone': 'az1'}), id='a-1'),
              service_item(dict(BASE, resource_id='elsewhere'), id='a-2')]
    wanted = desired(BASE, state='cleared')
    actions = plan(wanted, active, 'cleared')
    assert actions[0].result == 'absent'
    [warning] = near_misses(actions, active, [''])
    assert 'no active alarm matches' in warning and 'nothing was cleared' in warning
    assert 'a-1 (differs in: resource_type, zone)' in warning and 'a-2' not in warning


def test_no_near_miss_warning_when_nothing_is_close_or_the_clear_matched():
    active = [service_item(dict(BASE, resource_id='elsewhere'), id='a-2')]
    actions = plan(desired(BASE, state='cleared'), active, 'cleared')
    assert near_misses(actions, active) == []
    matched = [service_item(BASE, id='a-1')]
    assert near_misses(plan(desired(BASE, state='cleared'), matched, 'cleared'), matched) == []


def test_no_lookup_needed():
    assert active_lookup(desired(dict(BASE, event_type='event'))) is None
    assert history_lookup(desired(BASE)) is None


def test_history_lookup_covers_every_start():
    items = [dict(BASE, event_type='event', starts_at=EARLIER), dict(BASE, event_type='event', starts_at=NOW)]
    query = history_lookup(desired(*items))
    start, end, _minutes = (int(part) for part in query['time_range'].split('.'))
    assert start <= EARLIER and end >= NOW
    assert 'event_type' not in query
    assert {'key': 'event_type', 'value': ['event'], 'relation': 'AND'} in query['metadata_relation']


def test_every_contradicting_clear_is_refused_at_once():
    active = [service_item(BASE, id='a-1'), service_item(dict(BASE, resource_id='r2'), id='a-2')]
    with pytest.raises(AOMValidationError) as caught:
        plan(desired(dict(BASE, id='a-1', resource_id='other'), dict(BASE, resource_id='r2'), {'id': 'a-2'},
                     state='cleared'), active, 'cleared')
    assert [(e['index'], e['path'], e['field']) for e in caught.value.errors] == [
        (0, 'events[0].id', 'id'), (2, 'events[2]', '')]
    assert caught.value.errors[1]['message'] == 'names the same active alarm (id a-2) as events[1]; give it once'
    assert str(caught.value).startswith('2 problems: events[0].id: the active alarm a-1 is ')
