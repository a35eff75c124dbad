#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: aom_event
short_description: Report or clear Huawei Cloud AOM events and alarms, idempotently
version_added: 1.0.0
description:
  - Reports events and alarms to Huawei Cloud AOM (Application Operations Management), or clears alarms.
  - Give one event with the top-level event options, or a batch with O(events).
  - Every event is validated before anything is sent; invalid input fails the task and nothing is sent.
    The failure names every problem of the batch, not only the first, each with its path (for example
    C(events[3].metadata.event_severity)) and the allowed values; C(errors) lists them as data.
  - Idempotent. Before writing, one lookup finds the active alarms the events may match. An alarm's
    identity is its metadata minus C(event_severity). With O(state=reported), an alarm that is already
    active with the same severity and annotations is left alone; one whose severity or annotations differ
    is updated (it keeps its id and start time); otherwise it is reported. With O(state=cleared), an
    active alarm is cleared (its id is sent along) and a missing one is reported as C(absent).
  - The lookup finds every active alarm of an identity whatever its start, also one whose O(starts_at)
    a controller clock ahead of the service put in the service's future. It covers alarms that started
    up to 30 days before and 2 days after the controller's now (aom_alarm's callback uses the same window).
  - A clear that matches no active alarm while active alarms with the same C(event_name) and C(resource_id)
    exist says so in a warning that names the metadata keys that differ (a typo must not look like success).
  - What M(huaweicloud.aom.aom_event_info) returns can be given as O(events), for instance to clear the
    alarms it found; its read-only fields are accepted (see O(events)).
  - A point-in-time event (O(event_type=event)) is left alone when one with the same identity and
    O(starts_at) is already recorded (one lookup in the history).
  - A batch takes one lookup and as few write requests as its size allows (up to 100 events per request).
author:
  - huaweicloud.aom maintainers (@huaweicloud)
requirements:
  - requests
  - voluptuous
extends_documentation_fragment:
  - huaweicloud.aom.connection
  - huaweicloud.aom.attributes
  - huaweicloud.aom.attributes.changes
attributes:
  diff_mode:
    description: Returns the alarms before and after, keyed by a readable identity.
    support: full
options:
  state:
    description:
      - V(reported) reports the events (or updates active alarms); V(cleared) clears active alarms.
      - Only alarms can be cleared, not events with O(event_type=event).
    type: str
    choices: [reported, cleared]
    default: reported
  event_name:
    description:
      - Name of the event or alarm (metadata key C(event_name)).
      - A string of 1 to 2048 characters; an integer is converted to a string.
    type: raw
  event_severity:
    description:
      - Severity (metadata key C(event_severity)), exactly one of V(Critical), V(Major), V(Minor), V(Info).
      - Defaults to V(Major).
      - Not part of the identity of an alarm; a different severity updates an active alarm.
    type: str
  event_type:
    description:
      - V(alarm) has a lifecycle (active until cleared or timed out); V(event) is a point in time.
      - Defaults to V(alarm).
    type: str
  resource_provider:
    description:
      - The cloud service or system that owns the resource, for example V(ecs) (metadata key C(resource_provider)).
      - A string; an integer is converted to a string.
    type: raw
  resource_type:
    description:
      - The kind of resource, for example V(vm) (metadata key C(resource_type)).
      - A string; an integer is converted to a string.
    type: raw
  resource_id:
    description:
      - The resource, for example V(ecs123) (metadata key C(resource_id)).
      - A string; an integer is converted to a string.
    type: raw
  metadata:
    description:
      - Extra metadata keys, part of the identity of the event. Values are strings (integers are converted),
        1 to 2048 characters, without control characters other than tab and newline.
      - At most 30 keys counting the six required ones, which may also be given here instead of as options.
    type: dict
  annotations:
    description:
      - Free extra fields, for example a probable cause and a fix suggestion. At most 30 keys.
      - Not part of the identity; different annotations update an active alarm.
    type: dict
  id:
    description:
      - With O(state=cleared), the service's ID of the active alarm to clear (as M(huaweicloud.aom.aom_event_info)
        returns it). The alarm can be cleared by its O(id) alone; metadata given beside it must match the alarm's,
        or the task fails and nothing is cleared. An O(id) that names no active alarm gives C(absent).
      - With O(state=reported) it is ignored (the service gives the ID; an alarm is found by its identity).
    type: str
    version_added: 1.1.0
  starts_at:
    description:
      - When it happened; epoch milliseconds, an ISO 8601 string (UTC without an offset), or V(now).
      - Defaults to now. A repeated run finds an active alarm by its identity, not by O(starts_at).
      - With O(state=reported), at most 1 day ahead of the controller's now; a later one is refused before anything is
        sent. A few minutes ahead (a clock a little fast) is fine, the alarm is still found, updated and cleared.
    type: raw
  ends_at:
    description:
      - When the alarm ended, with O(state=cleared); same formats as O(starts_at). Defaults to now (so does V(0),
        the end of an active alarm as M(huaweicloud.aom.aom_event_info) returns it).
      - With O(state=reported) it defaults to V(0) (not ended).
      - An O(ends_at) before O(starts_at) is refused (with O(state=cleared), when O(starts_at) is given). A clear
        never ends before the start of the alarm it clears; an earlier end is sent as that start.
    type: raw
  timeout:
    description:
      - After this long the service clears the alarm by itself; milliseconds or a duration such as V(90m), V(3d), V(1h30m).
      - Defaults to 3 days (V(259200000)); at most 15 days (V(1296000000)). It is always sent.
      - Not part of the identity; a different timeout updates an active alarm.
    type: raw
  events:
    description:
      - A batch of events, sent with one lookup and as few requests as possible.
      - Each item is a dictionary with the keys of the top-level event options (O(event_name), O(event_severity),
        O(event_type), O(resource_provider), O(resource_type), O(resource_id), O(metadata), O(annotations),
        O(starts_at), O(ends_at), O(timeout), O(id)), with the same defaults.
      - The events M(huaweicloud.aom.aom_event_info) returns can be given as they are. Their read-only fields
        C(event_sn), C(arrives_at), C(enterprise_project_id) and C(policy) are accepted and ignored (the enterprise
        project is the connection's O(enterprise_project_id)); C(id) is used with O(state=cleared) (see O(id)).
      - Mutually exclusive with the top-level event options. Two items with the same identity (or the same O(id))
        are an error.
    type: list
    elements: dict
notes:
  - Authentication and endpoint options fall back to the usual environment variables (E(HW_ACCESS_KEY), ...);
    see the connection options.
seealso:
  - module: huaweicloud.aom.aom_event_info
'''

EXAMPLES = r'''
- name: Raise an alarm (credentials from HW_ACCESS_KEY, HW_SECRET_KEY, HW_PROJECT_ID, HW_REGION_NAME)
  huaweicloud.aom.aom_event:
    event_name: disk almost full
    event_severity: Critical
    resource_provider: ecs
    resource_type: vm
    resource_id: ecs-web-01
    annotations:
      alarm_probableCause_en_us: /var is 95% full
      alarm_fix_suggestion_en_us: rotate the logs
    timeout: 1d

- name: Clear it once the disk is cleaned up
  huaweicloud.aom.aom_event:
    state: cleared
    event_name: disk almost full
    resource_provider: ecs
    resource_type: vm
    resource_id: ecs-web-01

- name: Record a deployment as a point-in-time event
  huaweicloud.aom.aom_event:
    event_type: event
    event_severity: Info
    event_name: deployed shop 2.4.1
    resource_provider: ansible
    resource_type: application
    resource_id: shop
    starts_at: '2024-05-01T10:00:00Z'

- name: Find the alarms of a host that is gone
  huaweicloud.aom.aom_event_info:
    resource_id: ecs-web-03
  register: found

- name: Clear every one of them
  huaweicloud.aom.aom_event:
    state: cleared
    events: "{{ found.events }}"
  when: found.events | length > 0

- name: Clear one alarm by its ID alone
  huaweicloud.aom.aom_event:
    state: cleared
    id: 6a4b2c3d-0000-4000-8000-000000000001

- name: Report a batch in one task, with explicit connection options
  huaweicloud.aom.aom_event:
    region: cn-north-4
    project_id: 0123456789abcdef0123456789abcdef
    access_key: "{{ lookup('ansible.builtin.env', 'HW_ACCESS_KEY') }}"
    secret_key: "{{ lookup('ansible.builtin.env', 'HW_SECRET_KEY') }}"
    events:
      - event_name: service down
        resource_provider: ecs
        resource_type: vm
        resource_id: ecs-web-01
      - event_name: service down
        event_severity: Minor
        resource_provider: ecs
        resource_type: vm
        resource_id: ecs-web-02
        metadata:
          cluster: shop
  register: reported

- name: Show what happened to each
  ansible.builtin.debug:
    msg: "{{ reported.counts }}"
'''

RETURN = r'''
events:
  description: The events, in the order given, as they are (or would be, in check mode) after the task.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The service's ID of the alarm, when known (a lookup found it). Absent for newly reported events.
      type: str
      returned: when known
      sample: 6a4b2c3d-0000-4000-8000-000000000001
    metadata:
      description: The metadata, all values strings.
      type: dict
      returned: always
      sample: {"event_name": "disk almost full", "event_severity": "Critical", "event_type": "alarm",
               "resource_provider": "ecs", "resource_type": "vm", "resource_id": "ecs-web-01"}
    annotations:
      description: The annotations.
      type: dict
      returned: always
      sample: {"alarm_fix_suggestion_en_us": "rotate the logs"}
    starts_at:
      description: Start, epoch milliseconds.
      type: int
      returned: always
      sample: 1714557600000
    ends_at:
      description: End, epoch milliseconds; V(0) while an alarm is active.
      type: int
      returned: always
      sample: 0
    timeout:
      description: Milliseconds after which the service clears the alarm by itself.
      type: int
      returned: always
      sample: 259200000
    result:
      description:
        - V(reported) (new), V(updated) (severity, annotations or timeout changed), V(unchanged) (already so),
          V(cleared), or V(absent) (nothing active to clear).
      type: str
      returned: always
      sample: reported
counts:
  description: How many events had each result.
  returned: success
  type: dict
  sample: {"reported": 2, "unchanged": 1}
error_kind:
  description:
    - What kind of failure it was, to decide on without reading C(msg).
    - V(service) when AOM itself failed, not the task - a request that could not be made (AOM or IAM unreachable,
      a time-out, after the connection's O(retries)) or that AOM or IAM answered with an error (HTTP 503, 401, ...).
      Running the task again, once AOM is back or its answer is dealt with, may succeed.
    - V(config) when the connection options are incomplete or invalid, or the host that runs the module lacks
      something it needs (a Python library); nothing was sent.
    - V(input) when the module's other options are invalid; nothing was sent, and C(errors) lists every problem.
    - Absent when Ansible itself refused the options before the module ran (an unknown option, a value of the
      wrong type, mutually exclusive options).
  returned: failure
  type: str
  sample: service
errors:
  description:
    - When the input is invalid (nothing was sent), every problem found in the whole batch; C(msg) names them.
  returned: failure
  type: list
  elements: dict
  contains:
    index:
      description: The position of the event in O(events), or V(null) for the top-level event options.
      type: int
      returned: always
      sample: 3
    path:
      description: Where the problem is, as written in the task.
      type: str
      returned: always
      sample: events[3].metadata.event_severity
    field:
      description:
        - The field inside that event (V('') for the event as a whole, for example a duplicate).
        - For the top-level event options, the same as C(path).
      type: str
      returned: always
      sample: metadata.event_severity
    message:
      description: What is wrong and what is allowed.
      type: str
      returned: always
      sample: "'major' is not allowed; expected one of Critical, Major, Minor, Info"
  sample: [{"index": 3, "path": "events[3].metadata.event_severity", "field": "metadata.event_severity",
            "message": "'major' is not allowed; expected one of Critical, Major, Minor, Info"}]
'''

from ansible_collections.huaweicloud.aom.plugins.module_utils._events import (
    EVENT_INPUT_KEYS,
    build_events,
    identity_label,
    input_paths,
)
from ansible_collections.huaweicloud.aom.plugins.module_utils._module import AOMModule
from ansible_collections.huaweicloud.aom.plugins.module_utils._reconcile import (
    active_lookup,
    counts,
    history_lookup,
    near_misses,
    plan,
)

# The fields of an event that the module returns (and shows in a diff).
RETURNED_FIELDS = ('id', 'metadata', 'annotations', 'starts_at', 'ends_at', 'timeout')


def argument_spec():
    return dict(
        state=dict(type='str', default='reported', choices=['reported', 'cleared']),
        # raw, not str: AnsibleModule would turn a mapping into its repr; the event schema refuses it.
        event_name=dict(type='raw'),
        event_severity=dict(type='str'),
        event_type=dict(type='str'),
        resource_provider=dict(type='raw'),
        resource_type=dict(type='raw'),
        resource_id=dict(type='raw'),
        metadata=dict(type='dict'),
        annotations=dict(type='dict'),
        starts_at=dict(type='raw'),
        ends_at=dict(type='raw'),
        timeout=dict(type='raw'),
        id=dict(type='str'),
        events=dict(type='list', elements='dict'),
    )


def lookup_existing(client, desired, state):
    """The active alarms (one list call) and, for point-in-time events, the recorded ones (one more)."""
    active_query = active_lookup(desired)
    active = client.list_events(**active_query) if active_query else []
    history_query = history_lookup(desired) if state == 'reported' else None
    history = client.list_events(**history_query) if history_query else []
    return active, history


def apply(client, actions):
    """Send the writes of ``actions``: one push for reports and updates, one for clears (chunked by the client)."""
    reports = [action.event for action in actions if action.result in ('reported', 'updated')]
    clears = [action.event for action in actions if action.result == 'cleared']
    if reports:
        client.push(reports)
    if clears:
        client.push(clears, clear=True)


def returned_event(action):
    record = action.record
    event = dict((key, record[key]) for key in RETURNED_FIELDS if record.get(key) is not None)
    event['result'] = action.result
    return event


def diff_key(event):
    if event.get('id') is not None and 'event_name' not in event['metadata']:
        return 'alarm id %s' % event['id']  # a clear by id alone
    label = identity_label(event)
    if event['metadata'].get('event_type') == 'event':
        label += ' at %s' % event['starts_at']
    return label


def diff(actions):
    """Before and after, as dicts keyed by a readable identity (YAML-friendly)."""
    before, after = {}, {}
    for action in actions:
        key = diff_key(action.desired)
        if action.before is not None:
            before[key] = dict((k, action.before[k]) for k in RETURNED_FIELDS if action.before.get(k) is not None)
        if action.after is not None:
            after[key] = dict((k, action.after[k]) for k in RETURNED_FIELDS if action.after.get(k) is not None)
    return {'before': before, 'after': after}


def run(module):
    """Validate, look up, plan, and write unless in check mode: the module's result."""
    state = module.params['state']
    desired = build_events(module.params, state)  # before any request: nothing is sent when invalid
    active, history = lookup_existing(module.client, desired, state)
    paths = input_paths(module.params)
    # raises AOMValidationError (a clear by id that contradicts its alarm) before anything is sent
    actions = plan(desired, active, state, history=history, paths=paths)
    for warning in near_misses(actions, active, paths):
        module.warn(warning)
    if not module.check_mode:
        apply(module.client, actions)
    result = dict(
        changed=any(action.sends for action in actions),
        events=[returned_event(action) for action in actions],
        counts=counts(actions),
    )
    if module._diff:
        result['diff'] = diff(actions)
    return result


def main():
    module = AOMModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[('events', key) for key in EVENT_INPUT_KEYS],
        supports_check_mode=True,
    )
    module.run(lambda: run(module))


if __name__ == '__main__':
    main()
