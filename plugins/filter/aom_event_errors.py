# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: aom_event_errors
short_description: Validate AOM events without sending them
version_added: 1.0.0
author:
  - huaweicloud.aom maintainers (@huaweicloud)
description:
  - Checks a list of events exactly as M(huaweicloud.aom.aom_event) checks the items of its O(huaweicloud.aom.aom_event#module:events)
    option, with the same schema, and returns the problems found. Nothing is sent; no connection is needed.
  - >-
    Returns an empty list when every event is valid, else one message per invalid event (its first problem),
    starting with the path of the field, for example C(events[2].timeout: ...).
  - When every event is valid on its own, two events with the same identity are reported too.
  - An empty list has no problems.
  - Use it to refuse bad input before a play sends anything, for example in an M(ansible.builtin.assert).
requirements:
  - voluptuous (on the controller)
positional: state
options:
  _input:
    description:
      - The events, each a dictionary with the keys of an item of O(huaweicloud.aom.aom_event#module:events)
        (C(event_name), C(event_severity), C(event_type), C(resource_provider), C(resource_type), C(resource_id),
        C(metadata), C(annotations), C(starts_at), C(ends_at), C(timeout)).
    type: list
    elements: dict
    required: true
  state:
    description:
      - What the events are for, as O(huaweicloud.aom.aom_event#module:state) of M(huaweicloud.aom.aom_event).
      - With V(cleared), only alarms (C(event_type=alarm)) are valid.
    type: str
    choices: [reported, cleared]
    default: reported
seealso:
  - module: huaweicloud.aom.aom_event
'''

EXAMPLES = r'''
- name: Refuse a bad timeout before anything is sent
  vars:
    my_events:
      - event_name: disk almost full
        resource_provider: ecs
        resource_type: vm
        resource_id: ecs-web-01
        timeout: "{{ alarm_timeout }}"
  ansible.builtin.assert:
    that: my_events | huaweicloud.aom.aom_event_errors | length == 0
    fail_msg: "{{ my_events | huaweicloud.aom.aom_event_errors | join('; ') }}"
    quiet: true

- name: Check events meant to be cleared
  ansible.builtin.debug:
    msg: "{{ [{'event_name': 'cpu high', 'event_type': 'event', 'resource_provider': 'ecs', 'resource_type': 'vm',
               'resource_id': 'ecs-web-01'}] | huaweicloud.aom.aom_event_errors('cleared') }}"
  # ["events[0].metadata.event_type: 'event' cannot be cleared; only alarms (event_type: alarm) can"]
'''

RETURN = r'''
_value:
  description:
    - The problems, one message per invalid event, each starting with the path of the field
      (C(events[INDEX].FIELD)). Empty when all events are valid.
  type: list
  elements: str
'''

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import build_events
from ansible_collections.huaweicloud.aom.plugins.module_utils._requirements import missing_libraries

STATES = ('reported', 'cleared')
_FIRST_INDEX = re.compile(r'^events\[0\]')


def aom_event_errors(events, state='reported'):
    """The validation errors of ``events`` (a list of event dicts), one per invalid event; [] when all are valid."""
    if missing_libraries(('voluptuous',)):
        raise AnsibleFilterError('the huaweicloud.aom.aom_event_errors filter requires the Python library voluptuous '
                                 'on the controller (pip install voluptuous)')
    if state not in STATES:
        raise AnsibleFilterError('aom_event_errors: state must be one of %s, got %r' % (', '.join(STATES), state))
    if not isinstance(events, (list, tuple)):
        raise AnsibleFilterError('aom_event_errors: the input must be a list of events, got %s'
                                 % ('a mapping' if isinstance(events, dict) else type(events).__name__))
    errors = []
    for index, event in enumerate(events):
        error = _error_of([event], state)
        if error:
            # build_events numbers the one event 0; give it its index in the list
            errors.append(_FIRST_INDEX.sub('events[%d]' % index, error))
    if not errors and len(events) > 1:
        # each is valid on its own; the batch may still hold two with one identity
        error = _error_of(list(events), state)
        if error:
            errors.append(error)
    return errors


def _error_of(events, state):
    """The message of the first problem of ``events``, or None."""
    try:
        build_events({'events': events}, state)
    except AOMValidationError as err:
        return to_native(err.message)
    return None


class FilterModule:
    """huaweicloud.aom filters."""

    def filters(self):
        return {'aom_event_errors': aom_event_errors}
