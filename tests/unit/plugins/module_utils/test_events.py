# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import (
    DEFAULT_TIMEOUT_MS,
    MAX_TIMEOUT_MS,
    build_events,
    dedup_key,
    event_schema,
    identity,
    identity_label,
)

NOW = 1700000000000
BASE = dict(event_name='cpu high', resource_provider='ecs', resource_type='vm', resource_id='ecs123')


def one(**overrides):
    return build_events(dict(BASE, **overrides), now=NOW)[0]


def batch(*items, state='reported'):
    return build_events({'events': list(items)}, state, now=NOW)


def error_of(params, state='reported'):
    with pytest.raises(AOMValidationError) as info:
        build_events(params, state, now=NOW)
    return info.value


# ---------------------------------------------------------------------------------------------
# normalisation


def test_top_level_event_gets_defaults():
    assert one() == {
        'metadata': {'event_name': 'cpu high', 'event_severity': 'Major', 'event_type': 'alarm',
                     'resource_provider': 'ecs', 'resource_type': 'vm', 'resource_id': 'ecs123'},
        'annotations': {},
        'starts_at': NOW,
        'ends_at': 0,
        'timeout': DEFAULT_TIMEOUT_MS,
    }


def test_cleared_defaults_ends_at_to_now():
    assert build_events(BASE, 'cleared', now=NOW)[0]['ends_at'] == NOW


def test_integer_metadata_values_become_strings():
    event = one(resource_id=123, metadata={'port': 8080})
    assert event['metadata']['resource_id'] == '123'
    assert event['metadata']['port'] == '8080'


def test_required_keys_may_be_given_inside_metadata():
    params = {'metadata': dict(BASE, event_severity='Critical')}
    assert build_events(params, now=NOW)[0]['metadata']['event_severity'] == 'Critical'


def test_same_key_in_metadata_and_option_must_agree():
    assert one(metadata={'resource_id': 'ecs123'})['metadata']['resource_id'] == 'ecs123'
    err = error_of(dict(BASE, metadata={'resource_id': 'other'}))
    assert err.path == 'metadata.resource_id'


def test_times_and_timeout_are_parsed():
    event = one(starts_at='2023-11-14T00:00:00Z', ends_at='1699920060000', timeout='90m')
    assert event['starts_at'] == 1699920000000
    assert event['ends_at'] == 1699920060000
    assert event['timeout'] == 90 * 60000


def test_starts_at_a_little_ahead_is_kept_and_more_than_a_day_ahead_is_refused():
    assert one(starts_at=NOW + 5 * 60000)['starts_at'] == NOW + 5 * 60000
    assert one(starts_at=NOW + 86400000)['starts_at'] == NOW + 86400000
    err = error_of(dict(BASE, starts_at=NOW + 86400001))
    assert err.path == 'starts_at'
    assert str(err).startswith('starts_at: %d is 24.0 hours ahead of now' % (NOW + 86400001))
    assert 'at most 1 day ahead' in str(err)
    err = error_of({'events': [BASE, dict(BASE, resource_id='r2', starts_at='2024-06-01T00:00:00Z')]})
    assert err.path == 'events[1].starts_at' and 'days ahead' in str(err)


def test_a_clear_is_not_held_to_the_start_limit():
    # a clear sends the start of the alarm it finds: an alarm reported by another tool stays clearable
    assert build_events(dict(BASE, starts_at=NOW + 10 * 86400000, ends_at=NOW + 10 * 86400000), 'cleared', now=NOW)


def test_ends_at_before_starts_at_is_refused_naming_ends_at():
    err = error_of(dict(BASE, starts_at=NOW, ends_at=NOW - 1))
    assert err.path == 'ends_at' and 'is before starts_at' in str(err)
    err = error_of({'events': [dict(BASE, starts_at=NOW, ends_at=NOW - 60000)]}, 'cleared')
    assert err.path == 'events[0].ends_at'
    err = error_of(dict(BASE, ends_at=NOW - 1))  # a report starts now by default
    assert err.path == 'ends_at'
    assert one(starts_at=NOW - 1, ends_at=NOW)['ends_at'] == NOW


def test_a_clear_with_only_an_earlier_end_is_allowed():
    # the clear sends the found alarm's start, so its own default start (now) is not compared
    assert build_events(dict(BASE, ends_at=NOW - 60000), 'cleared', now=NOW)[0]['ends_at'] == NOW - 60000


def test_ends_at_zero_means_now_in_a_clear():
    assert build_events(dict(BASE, ends_at=0), 'cleared', now=NOW)[0]['ends_at'] == NOW
    assert one(ends_at=0)['ends_at'] == 0


def test_listed_events_are_accepted_as_input():
    listed = {'id': 'a-1', 'event_sn': 7, 'arrives_at': NOW, 'enterprise_project_id': '0', 'policy': {'p': 1},
              'metadata': dict(BASE, event_severity='Minor', event_type='alarm'), 'annotations': {'a': 'b'},
              'starts_at': NOW - 60000, 'ends_at': 0, 'timeout': 86400000}
    [clear] = batch(listed, state='cleared')
    assert clear == {'id': 'a-1', 'metadata': listed['metadata'], 'annotations': {'a': 'b'},
                     'starts_at': NOW - 60000, 'ends_at': NOW, 'timeout': 86400000}
    [report] = batch(listed)
    assert 'id' not in report and report['ends_at'] == 0  # a report never sends an id


def test_a_clear_by_id_alone_needs_no_metadata():
    clear, _second = batch({'id': 'a-1'}, {'id': 'a-2'}, state='cleared')
    assert clear['id'] == 'a-1' and clear['metadata'] == {'event_severity': 'Major', 'event_type': 'alarm'}
    assert error_of({'events': [{'id': 'a-1'}]}).path == 'events[0].metadata.event_name'  # a report needs its identity
    assert error_of({'events': [{'id': 'a-1'}, {'id': 'a-1'}]}, 'cleared').path == 'events[1]'
    assert error_of({'events': [{'id': 'a-1', 'event_severity': 'major'}]}, 'cleared').path == \
        'events[0].metadata.event_severity'


def test_batch_items_are_normalised_in_order():
    events = batch(BASE, dict(BASE, resource_id='ecs456', event_severity='Minor', annotations={'why': 'load'}))
    assert [e['metadata']['resource_id'] for e in events] == ['ecs123', 'ecs456']
    assert events[1]['annotations'] == {'why': 'load'}
    assert events[1]['metadata']['event_severity'] == 'Minor'


def test_tab_and_newline_are_allowed():
    assert one(annotations={'text': 'a\tb\nc'})['annotations'] == {'text': 'a\tb\nc'}


def test_thirty_metadata_keys_counting_the_six_are_allowed():
    extra = dict(('k%02d' % i, 'v') for i in range(24))
    assert len(one(metadata=extra)['metadata']) == 30


def test_events_may_repeat_an_identity_at_different_times():
    events = batch(dict(BASE, event_type='event', starts_at=NOW), dict(BASE, event_type='event', starts_at=NOW + 1))
    assert len(events) == 2


# ---------------------------------------------------------------------------------------------
# invalid input: exact paths and messages


def test_wrong_severity_case_names_path_and_allowed_values():
    items = [dict(BASE, resource_id='r%d' % i) for i in range(3)] + [dict(BASE, event_severity='major')]
    err = error_of({'events': items})
    assert err.path == 'events[3].metadata.event_severity'
    assert str(err) == ("events[3].metadata.event_severity: 'major' is not allowed; "
                        "expected one of Critical, Major, Minor, Info")


@pytest.mark.parametrize('overrides, path, fragment', [
    (dict(event_type='Alarm'), 'metadata.event_type', "'Alarm' is not allowed; expected one of event, alarm"),
    (dict(resource_id=None), 'metadata.resource_id', 'is required'),
    (dict(event_name=''), 'metadata.event_name', 'is empty'),
    (dict(resource_id='x' * 2049), 'metadata.resource_id', 'at most 2048'),
    (dict(resource_id={'a': 1}), 'metadata.resource_id', 'a mapping is not allowed; expected a string'),
    (dict(resource_id=['a']), 'metadata.resource_id', 'a list is not allowed'),
    (dict(resource_id=True), 'metadata.resource_id', 'True (bool) is not allowed'),
    (dict(resource_id=1.5), 'metadata.resource_id', '1.5 (float) is not allowed'),
    (dict(metadata={'zone': None}), 'metadata.zone', 'None (null) is not allowed'),
    (dict(metadata={'zone': 'a\x00b'}), 'metadata.zone', 'control character'),
    (dict(metadata={'zone': 'a\rb'}), 'metadata.zone', 'control character'),
    (dict(metadata={'zone': 'a\udcffb'}), 'metadata.zone', 'not valid UTF-8'),
    (dict(metadata={'zone': b'\xff'}), 'metadata.zone', 'not valid UTF-8'),
    (dict(metadata={'': 'x'}), 'metadata', "key '' is not allowed"),
    (dict(metadata={1: 'x'}), 'metadata', 'key 1 is not allowed'),
    (dict(metadata=dict(('k%02d' % i, 'v') for i in range(25))), 'metadata', 'has 31 keys; metadata allows at most 30'),
    (dict(metadata='zone=a'), 'metadata', 'str is not allowed; expected a mapping'),
    (dict(annotations=dict(('k%02d' % i, 'v') for i in range(31))), 'annotations', 'at most 30'),
    (dict(annotations={'a': {'b': 'c'}}), 'annotations.a', 'a mapping is not allowed'),
    (dict(annotations={'a': 'x' * 2049}), 'annotations.a', 'at most 2048'),
    (dict(annotations='text'), 'annotations', 'expected a mapping'),
    (dict(starts_at='yesterday'), 'starts_at', 'is not a time'),
    (dict(starts_at=1700000000), 'starts_at', 'looks like epoch seconds'),
    (dict(starts_at=-5), 'starts_at', 'is negative'),
    (dict(ends_at=True), 'ends_at', 'is not a time'),
    (dict(timeout='16d'), 'timeout', "'16d' (1382400000 ms) is not allowed"),
    (dict(timeout=0), 'timeout', 'more than 0'),
    (dict(timeout='3 days'), 'timeout', 'is not a duration'),
])
def test_invalid_top_level_event(overrides, path, fragment):
    err = error_of(dict(BASE, **overrides))
    assert err.path == path
    assert str(err).startswith(path + ': ')
    assert fragment in str(err)


@pytest.mark.parametrize('item, path, fragment', [
    (dict(BASE, severity='Major'), 'events[1].severity', 'is not a field of an event; allowed: event_name'),
    ('cpu high', 'events[1]', 'str is not allowed; expected a mapping'),
    (dict(BASE, resource_type=None), 'events[1].metadata.resource_type', 'is required'),
    (dict(BASE, resource_id='r2', timeout='2w 2d'), 'events[1].timeout', 'is not allowed'),
    (dict(BASE, resource_id='r2', metadata={'k': []}), 'events[1].metadata.k', 'a list is not allowed'),
])
def test_invalid_batch_item(item, path, fragment):
    err = error_of({'events': [dict(BASE, resource_id='r1'), item]})
    assert err.path == path
    assert fragment in str(err)


def test_empty_events_list_is_refused():
    assert error_of({'events': []}).path == 'events'


def test_duplicate_identity_in_batch_is_refused():
    err = error_of({'events': [BASE, dict(BASE, resource_id='other'), dict(BASE, event_severity='Critical')]})
    assert err.path == 'events[2]'
    assert str(err) == "events[2]: is a duplicate of events[0] (same identity: alarm 'cpu high' on ecs/vm/ecs123)"


def test_duplicate_point_event_at_the_same_time_is_refused():
    item = dict(BASE, event_type='event', starts_at=NOW)
    assert error_of({'events': [item, item]}).path == 'events[1]'


def test_events_cannot_be_cleared():
    err = error_of({'events': [BASE, dict(BASE, resource_id='x', event_type='event')]}, state='cleared')
    assert err.path == 'events[1].metadata.event_type'
    assert "'event' cannot be cleared" in str(err)


def test_event_schema_refuses_unknown_fields_and_big_timeouts():
    schema = event_schema()
    good = one()
    assert schema(dict(good, id='abc')) == dict(good, id='abc')
    with pytest.raises(Exception):
        schema(dict(good, colour='red'))
    with pytest.raises(Exception):
        schema(dict(good, timeout=MAX_TIMEOUT_MS + 1))


# ---------------------------------------------------------------------------------------------
# identity


def test_identity_ignores_severity_only():
    assert identity(one()) == identity(one(event_severity='Critical'))
    assert identity(one()) != identity(one(metadata={'zone': 'a'}))
    assert ('event_severity', 'Major') not in identity(one())


def test_dedup_key_adds_start_for_point_events():
    assert dedup_key(one()) == identity(one())
    assert dedup_key(one(event_type='event'))[-1] == ('starts_at', NOW)


def test_identity_label_is_readable():
    assert identity_label(one(metadata={'zone': 'az1'})) == "alarm 'cpu high' on ecs/vm/ecs123 [zone=az1]"


def test_times_after_the_year_9999_are_refused_before_sending():
    with pytest.raises(AOMValidationError) as caught:
        build_events({'events': [{'event_name': 'x', 'resource_provider': 'p', 'resource_type': 't', 'resource_id': 'i',
                                  'starts_at': '99999999999999999999'}]}, 'reported')
    assert caught.value.path == 'events[0].starts_at'


# ---------------------------------------------------------------------------------------------
# every problem at once, as data


def test_every_problem_of_the_batch_is_reported_at_once():
    err = error_of({'events': [
        dict(BASE, event_severity='major', timeout='16d', colour='red'),
        BASE,
        'not an event',
        dict(BASE, resource_id='', metadata={'zone': None, 'rack': ['a']}, starts_at='soon', ends_at='never'),
        dict(BASE, event_severity='Critical'),  # a duplicate of events[1]
    ]})
    assert [(e['index'], e['path'], e['field']) for e in err.errors] == [
        (0, 'events[0].colour', 'colour'),
        (0, 'events[0].timeout', 'timeout'),
        (0, 'events[0].metadata.event_severity', 'metadata.event_severity'),
        (2, 'events[2]', ''),
        (3, 'events[3].starts_at', 'starts_at'),
        (3, 'events[3].ends_at', 'ends_at'),
        (3, 'events[3].metadata.zone', 'metadata.zone'),
        (3, 'events[3].metadata.rack', 'metadata.rack'),
        (3, 'events[3].metadata.resource_id', 'metadata.resource_id'),
        (4, 'events[4]', ''),
    ]
    assert err.errors[2]['message'] == "'major' is not allowed; expected one of Critical, Major, Minor, Info"
    assert err.errors[-1]['message'].startswith('is a duplicate of events[1] (same identity: ')
    assert err.path == 'events[0].colour'
    assert str(err).startswith('10 problems: events[0].colour: is not a field of an event; ')
    assert "events[3].metadata.resource_id: is empty; expected 1 to 2048 characters" in str(err)
    assert err.to_dict() == {'error_kind': 'input', 'path': 'events[0].colour', 'errors': err.errors}


def test_the_top_level_event_has_no_index():
    err = error_of(dict(BASE, event_type='Alarm', timeout=-1, metadata={'a': ''}))
    assert [(e['index'], e['path'], e['field']) for e in err.errors] == [
        (None, 'timeout', 'timeout'), (None, 'metadata.a', 'metadata.a'),
        (None, 'metadata.event_type', 'metadata.event_type')]
    assert str(err) == ("3 problems: timeout: -1 is negative; expected a duration; "
                        "metadata.a: is empty; expected 1 to 2048 characters; "
                        "metadata.event_type: 'Alarm' is not allowed; expected one of event, alarm")


def test_every_missing_required_key_and_bad_key_is_named():
    err = error_of({'events': [{'metadata': {'': 'x', 'event_name': 'n'}}]})
    assert [e['path'] for e in err.errors] == [
        'events[0].metadata', 'events[0].metadata.resource_provider', 'events[0].metadata.resource_type',
        'events[0].metadata.resource_id']
    assert [e['message'] for e in err.errors][1:] == ['is required'] * 3


def test_duplicates_are_found_among_the_valid_events_of_an_invalid_batch():
    err = error_of({'events': [BASE, dict(BASE, timeout='16d'), BASE]})
    assert [e['path'] for e in err.errors] == ['events[1].timeout', 'events[2]']


def test_a_long_list_of_problems_is_summarised():
    err = error_of({'events': [dict(BASE, resource_id='r%d' % i, timeout=-1) for i in range(25)]})
    assert len(err.errors) == 25 and [e['index'] for e in err.errors] == list(range(25))
    assert str(err).startswith('25 problems: events[0].timeout: -1 is negative')
    assert str(err).endswith('events[9].timeout: -1 is negative; expected a duration; and 15 more (see errors)')
