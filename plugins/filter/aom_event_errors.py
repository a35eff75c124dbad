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
    Returns an empty list when every event is valid, else every problem of every event (an event may have several),
    each a message starting with the path of the field, for example C(events[2].timeout: ...).
  - With O(details=true), each problem is a dictionary instead, to use without parsing the message.
  - Two valid events with the same identity are reported too.
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
  details:
    description:
      - V(false) returns each problem as a message; V(true) as a dictionary with C(index) (the position of the
        event in the list), C(path) (C(events[INDEX].FIELD)), C(field) (the field inside the event, V('') for
        the event as a whole) and C(message) (what is wrong and what is allowed, without the path).
      - M(huaweicloud.aom.aom_event) returns the same dictionaries as C(errors) when it fails on invalid input.
    type: bool
    default: false
    version_added: 1.1.0
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

- name: Name the events whose timeout is wrong, from the problems as data
  ansible.builtin.debug:
    msg: >-
      {{ my_events | huaweicloud.aom.aom_event_errors(details=true)
         | selectattr('field', 'equalto', 'timeout') | map(attribute='index')
         | map('extract', my_events, 'event_name') | list }}
'''

RETURN = r'''
_value:
  description:
    - The problems, every one of every event; empty when all events are valid.
    - By default each is a message that starts with the path of the field, C(events[INDEX].FIELD).
    - With O(details=true), each is a dictionary with C(index), C(path), C(field) and C(message).
  type: list
  elements: raw
'''

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError, problem_text
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import build_events
from ansible_collections.huaweicloud.aom.plugins.module_utils._requirements import missing_libraries

STATES = ('reported', 'cleared')


def aom_event_errors(events, state='reported', details=False):
    """Every validation problem of ``events`` (a list of event dicts); [] when all are valid.

    Messages (``events[2].timeout: ...``), or with ``details`` the problems as dicts
    (``index``, ``path``, ``field``, ``message``).
    """
    if missing_libraries(('voluptuous',)):
        raise AnsibleFilterError('the huaweicloud.aom.aom_event_errors filter requires the Python library voluptuous '
                                 'on the controller (pip install voluptuous)')
    if state not in STATES:
        raise AnsibleFilterError('aom_event_errors: state must be one of %s, got %r' % (', '.join(STATES), state))
    if not isinstance(events, (list, tuple)):
        raise AnsibleFilterError('aom_event_errors: the input must be a list of events, got %s'
                                 % ('a mapping' if isinstance(events, dict) else type(events).__name__))
    if not isinstance(details, bool):
        raise AnsibleFilterError('aom_event_errors: details must be true or false, got %r' % (details,))
    if not events:
        return []
    try:
        build_events({'events': list(events)}, state)
    except AOMValidationError as err:
        found = [dict(one, message=to_native(one['message'])) for one in err.errors]
    else:
        found = []
    return found if details else [problem_text(one) for one in found]


class FilterModule:
    """huaweicloud.aom filters."""

    def filters(self):
        return {'aom_event_errors': aom_event_errors}
