# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.huaweicloud.aom.plugins.filter.aom_event_errors import FilterModule, aom_event_errors
from ansible_collections.huaweicloud.aom.plugins.module_utils import _requirements

ALARM = dict(event_name='deployment_failed', event_type='alarm', resource_provider='ansible',
             resource_type='service', resource_id='shop@web1', metadata={'service': 'shop'})
EVENT = dict(ALARM, event_name='deployment started', event_type='event', event_severity='Info')


def test_registered_under_its_name():
    assert FilterModule().filters()['aom_event_errors'] is aom_event_errors


def test_valid_events_have_no_errors():
    assert aom_event_errors([EVENT, dict(ALARM, timeout='3d', annotations={'runbook': 'wiki'})]) == []
    assert aom_event_errors([ALARM], 'cleared') == []


def test_empty_list_has_no_errors():
    assert aom_event_errors([]) == []


def test_error_names_the_index_and_field():
    errors = aom_event_errors([EVENT, EVENT, dict(ALARM, timeout='16d')])
    assert len(errors) == 2
    assert errors[0].startswith('events[2].timeout: ')
    assert 'at most 15 days' in errors[0]
    # the two valid events are one point-in-time event twice (same identity, same start: now)
    assert errors[1].startswith('events[1]: is a duplicate of events[0]')


def test_every_problem_of_every_event():
    errors = aom_event_errors([dict(ALARM, timeout=-5, event_severity='major', colour='red', shape='round'), EVENT,
                               dict(ALARM, resource_id='', annotations={'a': ['x'], 'b': 'y\x00'})])
    assert [error.split(':')[0] for error in errors] == [
        'events[0].colour', 'events[0].shape', 'events[0].timeout', 'events[0].metadata.event_severity',
        'events[2].metadata.resource_id', 'events[2].annotations.a', 'events[2].annotations.b']


def test_details_are_the_problems_as_data():
    events = [EVENT, dict(ALARM, timeout='16d', metadata={'service': ''}), ['not', 'an', 'event'], EVENT]
    details = aom_event_errors(events, details=True)
    assert [(d['index'], d['path'], d['field']) for d in details] == [
        (1, 'events[1].timeout', 'timeout'), (1, 'events[1].metadata.service', 'metadata.service'),
        (2, 'events[2]', ''), (3, 'events[3]', '')]
    assert details[1]['message'] == 'is empty; expected 1 to 2048 characters'
    assert details[3]['message'].startswith('is a duplicate of events[0]')
    assert aom_event_errors(events) == ['%s: %s' % (d['path'], d['message']) for d in details]
    assert aom_event_errors([EVENT], details=True) == [] and aom_event_errors([], details=True) == []


def test_details_must_be_a_boolean():
    with pytest.raises(AnsibleFilterError, match='details must be true or false'):
        aom_event_errors([ALARM], 'reported', 'yes')


def test_one_error_per_invalid_event():
    errors = aom_event_errors([dict(EVENT, metadata={'service': ''}), EVENT,
                               dict(ALARM, event_name='n' * 2049), dict(ALARM, timeout=-5)])
    assert [error.split(':')[0] for error in errors] == [
        'events[0].metadata.service', 'events[2].metadata.event_name', 'events[3].timeout']
    assert 'is empty' in errors[0]
    assert 'is 2049 characters long' in errors[1]
    assert 'negative' in errors[2]


@pytest.mark.parametrize('annotations, expected', [
    ({'runbook': 'see\x00wiki'}, 'events[0].annotations.runbook: contains a control character'),
    ({'runbook': ['a', 'b']}, 'events[0].annotations.runbook: a list is not allowed'),
    (dict(('key%02d' % index, 'v') for index in range(31)), 'events[0].annotations: has 31 keys'),
    ('see the runbook', 'events[0].annotations: str is not allowed; expected a mapping'),
])
def test_annotation_errors(annotations, expected):
    errors = aom_event_errors([dict(ALARM, annotations=annotations)])
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_state_cleared_refuses_point_in_time_events():
    errors = aom_event_errors([ALARM, EVENT], state='cleared')
    assert errors == ["events[1].metadata.event_type: 'event' cannot be cleared; only alarms (event_type: alarm) can"]
    assert aom_event_errors([ALARM, EVENT], state='reported') == []


def test_not_a_mapping_and_unknown_key():
    errors = aom_event_errors([ALARM, ['not', 'an', 'event'], dict(ALARM, colour='red')])
    assert errors[0].startswith('events[1]: list is not allowed')
    assert errors[1].startswith('events[2].colour: is not a field of an event')


def test_duplicates_are_reported_when_each_event_is_valid():
    errors = aom_event_errors([ALARM, EVENT, dict(ALARM, event_severity='Critical')])
    assert len(errors) == 1 and errors[0].startswith('events[2]: is a duplicate of events[0]'), errors


def test_same_as_aom_event_module_validation():
    """The filter and the module use one schema: the same input gives the same message."""
    from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError
    from ansible_collections.huaweicloud.aom.plugins.module_utils._events import build_events
    bad = dict(ALARM, event_severity='major')
    with pytest.raises(AOMValidationError) as info:
        build_events({'events': [bad]}, 'reported')
    assert aom_event_errors([bad]) == [info.value.message]
    assert aom_event_errors([bad], details=True) == info.value.errors


def test_bad_state_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match='state must be one of reported, cleared'):
        aom_event_errors([ALARM], 'absent')


@pytest.mark.parametrize('value, kind', [({'event_name': 'x'}, 'a mapping'), ('events', 'str'), (None, 'NoneType')])
def test_input_not_a_list_is_a_filter_error(value, kind):
    with pytest.raises(AnsibleFilterError, match='input must be a list of events, got %s' % kind):
        aom_event_errors(value)


def test_without_voluptuous_names_the_library(monkeypatch):
    monkeypatch.setitem(_requirements.IMPORT_ERRORS, 'voluptuous', ImportError('No module named voluptuous'))
    with pytest.raises(AnsibleFilterError, match='requires the Python library voluptuous'):
        aom_event_errors([ALARM])
