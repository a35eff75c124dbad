#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: aom_silence
short_description: Create, update or delete Huawei Cloud AOM silence (mute) rules, idempotently
version_added: 1.1.0
description:
  - Manages one silence rule of Huawei Cloud AOM (Application Operations Management). While a rule is in force,
    alarms whose metadata match it notify nobody; they still show in the alarm list.
  - Idempotent by O(name). One lookup lists the project's rules; the rule is created or updated only when
    something differs, and deleted only when it exists.
  - A one-off window is given as absolute times (O(starts_at), O(ends_at)) or as a O(duration). A rule whose
    window already covers the one asked for is left alone, so a rerun does not rewrite it; an expired rule of
    the same name is replaced.
  - Every option is validated before anything is sent; the failure names each invalid field
    (for example C(match[1].operate)) and what is allowed, all of them at once.
  - A project holds at most 100 silence rules; creating one more fails before anything is sent.
author:
  - huaweicloud.aom maintainers (@huaweicloud)
requirements:
  - requests
extends_documentation_fragment:
  - huaweicloud.aom.connection
  - huaweicloud.aom.attributes
  - huaweicloud.aom.attributes.changes
attributes:
  diff_mode:
    description: Returns the rule before and after, in the form of this module's options.
    support: full
options:
  name:
    description:
      - Name of the rule, its identity. Letters, digits and V(_), not starting or ending with V(_), at most 100.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the rule; V(absent) deletes it (a missing rule is left alone).
      - With V(absent), only O(name) is used.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: A free text kept with the rule.
    type: str
  timezone:
    description:
      - IANA time zone of the rule, for example V(Asia/Shanghai). The times of day of a repeating window are
        in this zone.
    type: str
    default: UTC
  match:
    description:
      - Which alarms the rule silences, by their metadata. Required with O(state=present).
      - A list of items; an alarm is silenced when it matches any item (OR).
      - "An item is either a mapping of metadata keys to a value or a list of values, for example
        C({resource_id: shop@web1, event_severity: [Major, Critical]}): every key must hold one of its values (AND);"
      - "or a full condition C({key: resource_id, operate: REGEX, value: ['shop@.*']}), or a list of full
        conditions that must all hold. C(operate) is V(EQUALS) (any of the values), V(REGEX) (any of
        the regular expressions) or V(EXIST) (the key is present; no value)."
      - A mapping item with a key C(operate) is read as a full condition.
      - At most 10 items, 10 conditions in an item and 5 values in a condition.
    type: list
    elements: raw
  repeat:
    description:
      - V(none) is a one-off window from O(starts_at) to O(ends_at) (or for O(duration)).
      - V(daily), V(weekly) and V(monthly) repeat the window from the time of day O(starts_at) to the time of
        day O(ends_at), on the O(days) of the week or of the month for V(weekly) and V(monthly). A window whose
        end is before its start runs over midnight.
    type: str
    choices: [none, daily, weekly, monthly]
    default: none
  starts_at:
    description:
      - With O(repeat=none), the start, as epoch milliseconds, an ISO 8601 string (UTC when it has no offset)
        or V(now). Defaults to now.
      - With a repeating window, the time of day it starts, V(HH:MM), V(HH:MM:SS) or seconds after midnight.
    type: raw
  ends_at:
    description:
      - With O(repeat=none), the end, in the formats of O(starts_at); it must be in the future. Give O(ends_at) or
        O(duration).
      - With a repeating window, the time of day it ends.
    type: raw
  duration:
    description:
      - With O(repeat=none), how long the window lasts from O(starts_at) (or from now), such as V(30m), V(2h),
        V(1h30m), or milliseconds.
      - Without O(starts_at), a rule of this name in force now is left as it is (a rerun within the window
        does not extend it); an expired one is replaced by a window from now.
    type: raw
  days:
    description:
      - With O(repeat=weekly), the weekdays, V(1) (Monday) to V(7) (Sunday), or names such as V(Mon), V(friday).
      - With O(repeat=monthly), the days of the month, V(1) to V(31).
    type: list
    elements: raw
notes:
  - The service's documentation says silences apply to the notifications of alarms; the alarms still show in the
    alarm list.
  - Authentication and endpoint options fall back to the usual environment variables (E(HW_ACCESS_KEY), ...);
    see the connection options.
seealso:
  - module: huaweicloud.aom.aom_silence_info
  - module: huaweicloud.aom.aom_event
'''

EXAMPLES = r'''
- name: Silence the alarms of one host for the next 30 minutes
  huaweicloud.aom.aom_silence:
    name: deploy_shop_web1
    description: deployment of shop on web1
    match:
      - resource_id: shop@web1
        event_severity: [Major, Critical]
    duration: 30m

- name: Silence a fixed window, given in ISO 8601
  huaweicloud.aom.aom_silence:
    name: db_migration
    match:
      - [{key: resource_id, operate: REGEX, value: ['db-.*']}, {key: cluster, operate: EXIST}]
    starts_at: "2030-05-01T22:00:00+02:00"
    ends_at: "2030-05-02T01:00:00+02:00"

- name: A standing maintenance window, Saturdays and Sundays 02:00 to 04:00 in Shanghai
  huaweicloud.aom.aom_silence:
    name: weekend_backup
    timezone: Asia/Shanghai
    repeat: weekly
    days: [Sat, Sun]
    starts_at: "02:00"
    ends_at: "04:00"
    match:
      - event_name: backup running

- name: End the silence
  huaweicloud.aom.aom_silence:
    name: deploy_shop_web1
    state: absent
'''

RETURN = r'''
result:
  description: What was done, V(created), V(updated), V(unchanged), V(deleted) or V(absent) (nothing to delete).
  returned: always
  type: str
  sample: created
silence:
  description:
    - The rule after the task (before it, for V(deleted)), in the form of this module's options; absent when there
      is no rule.
  returned: when there is a rule
  type: dict
  contains:
    name:
      description: The rule's name.
      type: str
      returned: always
      sample: deploy_shop_web1
    description:
      description: The rule's description.
      type: str
      returned: always
      sample: deployment of shop on web1
    timezone:
      description: The rule's time zone.
      type: str
      returned: always
      sample: UTC
    match:
      description: The matchers, as mappings where they are all V(EQUALS), else as lists of full conditions.
      type: list
      elements: raw
      returned: always
      sample: [{"resource_id": "shop@web1", "event_severity": ["Major", "Critical"]}]
    repeat:
      description: V(none), V(daily), V(weekly) or V(monthly).
      type: str
      returned: always
      sample: none
    starts_at:
      description: Epoch milliseconds with O(repeat=none), else a time of day V(HH:MM) or V(HH:MM:SS).
      type: raw
      returned: always
      sample: 1714557600000
    ends_at:
      description: Epoch milliseconds with O(repeat=none), else a time of day.
      type: raw
      returned: always
      sample: 1714559400000
    days:
      description: The weekdays (1 = Monday) or days of the month of a weekly or monthly window.
      type: list
      elements: int
      returned: with O(repeat=weekly) or O(repeat=monthly)
      sample: [6, 7]
error_kind:
  description:
    - What kind of failure it was, to decide on without reading C(msg).
    - V(service) when AOM itself failed, not the task - a request that could not be made (AOM or IAM unreachable,
      a time-out, after the connection's O(retries)) or that AOM or IAM answered with an error (HTTP 503, 401, ...);
      also a new silence when the project already holds the most silence rules AOM allows (nothing was sent).
      Running the task again, once AOM is back or its answer is dealt with, may succeed.
    - V(config) when the connection options are incomplete or invalid, or the host that runs the module lacks
      something it needs (a Python library); nothing was sent.
    - V(input) when the module's other options are invalid; nothing was sent, and C(errors) lists every problem.
    - Absent when Ansible itself refused the options before the module ran (an unknown option, a value of the
      wrong type, a value not in the choices).
  returned: failure
  type: str
  sample: service
errors:
  description:
    - On invalid options, every problem found, each with the C(path) of the option (also in C(field)), a C(message)
      saying what is wrong and what is allowed, and C(index) (always V(null) here).
  returned: failure
  type: list
  elements: dict
  sample: [{"index": null, "path": "match[0].operate", "field": "match[0].operate",
            "message": "'LIKE' is not allowed; expected one of EQUALS, REGEX, EXIST"}]
'''

from ansible_collections.huaweicloud.aom.plugins.module_utils._time import now_ms
from ansible_collections.huaweicloud.aom.plugins.module_utils._module import AOMModule
from ansible_collections.huaweicloud.aom.plugins.module_utils._silences import (
    build_rule,
    check_absent_options,
    plan_absent,
    plan_present,
    silence_options,
)


def argument_spec():
    return dict(
        name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        description=dict(type='str'),
        timezone=dict(type='str', default='UTC'),
        match=dict(type='list', elements='raw'),
        repeat=dict(type='str', default='none', choices=['none', 'daily', 'weekly', 'monthly']),
        # raw: a time, a time of day or a duration, each checked by _silences with the field named
        starts_at=dict(type='raw'),
        ends_at=dict(type='raw'),
        duration=dict(type='raw'),
        days=dict(type='list', elements='raw'),
    )


def plan(client, params, now):
    """Validate (nothing is asked when invalid), list the rules once, and say what to do."""
    if params['state'] == 'absent':
        check_absent_options(params)
        return plan_absent(params['name'], client.list_mute_rules())
    rule, window = build_rule(params, now)
    return plan_present(rule, window, client.list_mute_rules(), now)


def apply(client, result, rule, name):
    if result == 'created':
        client.create_mute_rule(rule)
    elif result == 'updated':
        client.update_mute_rule(rule)
    elif result == 'deleted':
        client.delete_mute_rules([name])


def run(module):
    result, before, after = plan(module.client, module.params, now_ms())
    if not module.check_mode:
        apply(module.client, result, after, module.params['name'])
    shown = after if after is not None else before
    outcome = dict(changed=result in ('created', 'updated', 'deleted'), result=result)
    if shown is not None:
        outcome['silence'] = silence_options(shown)
    if module._diff:
        outcome['diff'] = {'before': silence_options(before) if before else {},
                           'after': silence_options(after) if after else {}}
    return outcome


def main():
    module = AOMModule(argument_spec=argument_spec(), required_libraries=('requests',), supports_check_mode=True)
    module.run(lambda: run(module))


if __name__ == '__main__':
    main()
