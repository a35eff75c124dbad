#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: aom_event_info
short_description: List Huawei Cloud AOM events and alarms
version_added: 1.0.0
description:
  - Lists the active alarms, or the history of events and alarms, of Huawei Cloud AOM.
  - Filters on any metadata key; a filter given a list matches any of its values, and all filters must match.
  - Follows the service's pages to the end, or until O(limit) events are found.
author:
  - huaweicloud.aom maintainers (@huaweicloud)
requirements:
  - requests
extends_documentation_fragment:
  - huaweicloud.aom.connection
  - huaweicloud.aom.attributes
  - huaweicloud.aom.attributes.info_module
options:
  scope:
    description:
      - Which events to list. V(active) lists the active alarms, V(history) the cleared alarms and recorded
        events, V(all) both.
      - Not to be confused with O(event_type), a filter on the kind of event (alarm or event).
      - Called C(type) in version 1.0.0; that name is still accepted as an alias.
    type: str
    choices: [active, history, all]
    default: active
    aliases: [type]
  event_name:
    description: Only events with this name, or any of these names.
    type: raw
  event_severity:
    description: Only events of this severity, or any of these (V(Critical), V(Major), V(Minor), V(Info)).
    type: raw
  event_type:
    description: Only V(alarm) or only V(event) (or a list of both).
    type: raw
  resource_provider:
    description: Only events of this resource provider, or any of these.
    type: raw
  resource_type:
    description: Only events of this resource type, or any of these.
    type: raw
  resource_id:
    description: Only events of this resource, or any of these.
    type: raw
  metadata:
    description:
      - Filters on any metadata key, each a string or a list of strings (any of them matches).
    type: dict
  search:
    description: A text the service looks for (fuzzy) in the required metadata fields.
    type: str
  since:
    description:
      - Start of the time window; a duration such as V(3d) or V(90m) meaning that long ago, or a time
        (epoch milliseconds, an ISO 8601 string, V(now)).
    type: raw
    default: 3d
  until:
    description: End of the time window; same formats as O(since).
    type: raw
    default: now
  limit:
    description: At most this many events. By default, all of them (the pages are followed to the end).
    type: int
  sort:
    description: Order by start time, V(desc) (newest first) or V(asc).
    type: str
    choices: [asc, desc]
    default: desc
notes:
  - Authentication and endpoint options fall back to the usual environment variables (E(HW_ACCESS_KEY), ...);
    see the connection options.
seealso:
  - module: huaweicloud.aom.aom_event
'''

EXAMPLES = r'''
- name: List the active alarms of the last 3 days (credentials from the HW_* environment variables)
  huaweicloud.aom.aom_event_info:
  register: active

- name: The critical and major alarms of two VMs over the last week
  huaweicloud.aom.aom_event_info:
    scope: all
    event_severity: [Critical, Major]
    resource_id: [ecs-web-01, ecs-web-02]
    since: 7d
  register: recent

- name: The ten latest deployment events of one cluster
  huaweicloud.aom.aom_event_info:
    scope: history
    event_type: event
    metadata:
      cluster: shop
    limit: 10

- name: Fail when anything critical is active
  ansible.builtin.assert:
    that: active.events | selectattr('metadata.event_severity', 'equalto', 'Critical') | list | length == 0
'''

RETURN = r'''
events:
  description:
    - The events and alarms found, in the order asked for.
    - They can be given as they are to the O(huaweicloud.aom.aom_event#module:events) option of
      M(huaweicloud.aom.aom_event), for instance with O(huaweicloud.aom.aom_event#module:state=cleared)
      to clear the alarms found.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The service's ID of the event or alarm.
      type: str
      returned: always
      sample: 6a4b2c3d-0000-4000-8000-000000000001
    event_sn:
      description: The service's serial number.
      type: raw
      returned: always
      sample: 2025
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
      sample: {}
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
    arrives_at:
      description: When the service received it, epoch milliseconds.
      type: int
      returned: always
      sample: 1714557600123
    timeout:
      description: Milliseconds after which the service clears the alarm by itself.
      type: int
      returned: always
      sample: 259200000
error_kind:
  description:
    - What kind of failure it was, to decide on without reading C(msg).
    - V(service) when AOM itself failed, not the task - a request that could not be made (AOM or IAM unreachable,
      a time-out, after the connection's O(retries)) or that AOM or IAM answered with an error (HTTP 503, 401, ...).
      Running the task again, once AOM is back or its answer is dealt with, may succeed.
    - V(config) when the connection options are incomplete or invalid, or the host that runs the module lacks
      something it needs (a Python library); nothing was asked.
    - V(input) when the module's other options are invalid; nothing was asked, and C(errors) lists every problem.
    - Absent when Ansible itself refused the options before the module ran (an unknown option, a value of the
      wrong type, a value not in the choices).
  returned: failure
  type: str
  sample: service
errors:
  description:
    - When the options are invalid (nothing was asked), every problem found, each with the C(path) of the option
      (also in C(field)), a C(message) saying what is wrong and what is allowed, and C(index) (always V(null) here).
  returned: failure
  type: list
  elements: dict
  sample: [{"index": null, "path": "event_severity", "field": "event_severity",
            "message": "'major' is not allowed; expected one of Critical, Major, Minor, Info"}]
'''

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import Problems
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import EVENT_TYPES, REQUIRED_METADATA, SEVERITIES
from ansible_collections.huaweicloud.aom.plugins.module_utils._module import AOMModule
from ansible_collections.huaweicloud.aom.plugins.module_utils._time import now_ms, parse_time_or_ago, time_range
from ansible_collections.huaweicloud.aom.plugins.module_utils._wire import listed_event, metadata_relation

# The list API's ``type`` query for each value of the ``scope`` option.
LIST_TYPES = {'active': 'active_alert', 'history': 'history_alert', 'all': None}
# Filters whose values are a closed set: a typo would silently match nothing.
ALLOWED_FILTER_VALUES = {'event_severity': SEVERITIES, 'event_type': EVENT_TYPES}


def argument_spec():
    spec = dict(
        # ``type`` was its first name; it reads as if it were the event_type filter beside it.
        scope=dict(type='str', default='active', choices=list(LIST_TYPES), aliases=['type']),
        # raw, not list: a list option would split a plain string on commas.
        **dict((key, dict(type='raw')) for key in REQUIRED_METADATA)
    )
    spec.update(
        metadata=dict(type='dict'),
        search=dict(type='str'),
        since=dict(type='raw', default='3d'),
        until=dict(type='raw', default='now'),
        limit=dict(type='int'),
        sort=dict(type='str', default='desc', choices=['asc', 'desc']),
    )
    return spec


def filter_values(value, name, problems):
    """A filter option (a string or a list of strings; integers converted) as a list of strings.

    None, with the problem recorded in ``problems``, when it is not.
    """
    values = value if isinstance(value, list) else [value]
    if not values or any(isinstance(v, bool) or not isinstance(v, (str, int)) or v == '' for v in values):
        problems.add(name, 'expected a non-empty string or a list of them')
        return None
    values = [str(v) for v in values]
    allowed = ALLOWED_FILTER_VALUES.get(name.rsplit('.', 1)[-1])
    wrong = [candidate for candidate in values if allowed and candidate not in allowed]
    for candidate in wrong:
        problems.add(name, '%r is not allowed; expected one of %s' % (candidate, ', '.join(allowed)))
    return None if wrong else values


def metadata_filters(params, problems):
    """``{metadata key: [values]}`` from the per-key options and the ``metadata`` dict (problems recorded)."""
    filters = {}
    for key, value in (params.get('metadata') or {}).items():
        filters[key] = filter_values(value, 'metadata.%s' % key, problems)
    for key in REQUIRED_METADATA:
        if params.get(key) is not None:
            if key in filters:
                problems.add(key, 'is given both as an option and in metadata; give it once')
            filters[key] = filter_values(params[key], key, problems)
    return filters


def query(params, now):
    """The keyword arguments of ``AOMClient.list_events`` for the module's options.

    Raises AOMValidationError with every problem of the options.
    """
    problems = Problems()
    since = problems.attempt(parse_time_or_ago, params['since'], 'since', now)
    until = problems.attempt(parse_time_or_ago, params['until'], 'until', now)
    if since is not None and until is not None and since > until:
        problems.add('since', '%d is after until (%d)' % (since, until))
    if params['limit'] is not None and params['limit'] < 1:
        problems.add('limit', 'expected a positive number')
    filters = metadata_filters(params, problems)
    problems.check()
    return dict(
        event_type=LIST_TYPES[params['scope']],
        time_range=time_range(since, until),
        metadata_relation=metadata_relation(filters) or None,
        search=params['search'] or None,
        sort={'order_by': ['starts_at'], 'order': params['sort']},
        limit=params['limit'],
    )


def run(module):
    list_query = query(module.params, now_ms())  # before any request: nothing is asked when invalid
    return dict(changed=False, events=[listed_event(raw) for raw in module.client.list_events(**list_query)])


def main():
    module = AOMModule(argument_spec=argument_spec(), required_libraries=('requests',), supports_check_mode=True)
    module.run(lambda: run(module))


if __name__ == '__main__':
    main()
