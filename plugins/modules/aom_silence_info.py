#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: aom_silence_info
short_description: List Huawei Cloud AOM silence (mute) rules
version_added: 1.1.0
description:
  - Lists the silence rules of a Huawei Cloud AOM project, optionally only some names, or only those in force now.
  - Returns each rule in the form of the options of M(huaweicloud.aom.aom_silence), so that a listed rule can be
    given back to it (for example to copy rules to another project) and is then V(unchanged).
author:
  - huaweicloud.aom maintainers (@huaweicloud)
requirements:
  - requests
extends_documentation_fragment:
  - huaweicloud.aom.connection
  - huaweicloud.aom.attributes
  - huaweicloud.aom.attributes.info_module
options:
  name:
    description: Only the rule of this name, or of any of these names.
    type: list
    elements: str
  in_force:
    description:
      - V(true) lists only the rules that silence alarms now, V(false) only those that do not (expired, not yet
        started, or outside their repeating window). By default, all of them.
    type: bool
notes:
  - Whether a repeating rule is in force is computed in its time zone; a zone other than UTC needs Python 3.9 or later.
  - Authentication and endpoint options fall back to the usual environment variables (E(HW_ACCESS_KEY), ...);
    see the connection options.
seealso:
  - module: huaweicloud.aom.aom_silence
'''

EXAMPLES = r'''
- name: The silences in force now
  huaweicloud.aom.aom_silence_info:
    in_force: true
  register: active_silences

- name: Say which silences mute alarms now
  ansible.builtin.debug:
    msg: "{{ active_silences.silences | map(attribute='name') | list }}"

- name: Copy the rules in force to another project (each listed rule is valid input of aom_silence)
  huaweicloud.aom.aom_silence:
    project_id: "{{ other_project_id }}"
    name: "{{ item.name }}"
    description: "{{ item.description }}"
    timezone: "{{ item.timezone }}"
    match: "{{ item.match }}"
    repeat: "{{ item.repeat }}"
    starts_at: "{{ item.starts_at }}"
    ends_at: "{{ item.ends_at }}"
    days: "{{ item.days | default(omit) }}"
  loop: "{{ active_silences.silences }}"
'''

RETURN = r'''
silences:
  description:
    - The rules found, sorted by name, each in the form of the options of M(huaweicloud.aom.aom_silence).
  returned: success
  type: list
  elements: dict
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
      sample: [{"resource_id": "shop@web1"}]
    repeat:
      description: V(none), V(daily), V(weekly) or V(monthly).
      type: str
      returned: always
      sample: none
    starts_at:
      description: Epoch milliseconds for a one-off window, else a time of day V(HH:MM) or V(HH:MM:SS).
      type: raw
      returned: always
      sample: 1714557600000
    ends_at:
      description: Epoch milliseconds for a one-off window, else a time of day.
      type: raw
      returned: always
      sample: 1714559400000
    days:
      description: The weekdays (1 = Monday) or days of the month of a weekly or monthly window.
      type: list
      elements: int
      returned: for weekly and monthly rules
      sample: [6, 7]
rules:
  description: The same rules as the service stores them, with its read-only fields, and whether each is in force now.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The rule's name.
      type: str
      returned: always
      sample: deploy_shop_web1
    in_force:
      description: Whether the rule silences matching alarms now.
      type: bool
      returned: always
      sample: true
    create_time:
      description: When the rule was created, epoch milliseconds, as the service says.
      type: int
      returned: when the service says
      sample: 1714557600000
    update_time:
      description: When the rule was last changed, epoch milliseconds, as the service says.
      type: int
      returned: when the service says
      sample: 1714557600000
    mute_config:
      description: The window as the service stores it (C(type), C(starts_at), C(ends_at), C(scope)).
      type: dict
      returned: always
      sample: {"type": "FIXED", "starts_at": 1714557600000, "ends_at": 1714559400000, "scope": []}
    match:
      description: The matchers as the service stores them, a list of lists of C(key), C(operate), C(value).
      type: list
      elements: list
      returned: always
      sample: [[{"key": "resource_id", "operate": "EQUALS", "value": ["shop@web1"]}]]
error_kind:
  description:
    - What kind of failure it was, to decide on without reading C(msg).
    - V(service) when AOM itself failed, not the task - a request that could not be made (AOM or IAM unreachable,
      a time-out, after the connection's O(retries)) or that AOM or IAM answered with an error (HTTP 503, 401, ...).
      Running the task again, once AOM is back or its answer is dealt with, may succeed.
    - V(config) when the connection options are incomplete or invalid (nothing was asked), or the host that runs
      the module lacks something it needs (a Python library; Python 3.9 or later and its time zone data, to say
      whether a rule with a time zone other than UTC is in force).
    - V(input) when O(name) is invalid; nothing was asked, and C(errors) lists every problem.
    - Absent when Ansible itself refused the options before the module ran (an unknown option, a value of the
      wrong type).
  returned: failure
  type: str
  sample: service
'''

from ansible_collections.huaweicloud.aom.plugins.module_utils._time import now_ms
from ansible_collections.huaweicloud.aom.plugins.module_utils._module import AOMModule
from ansible_collections.huaweicloud.aom.plugins.module_utils._silences import check_names, in_force, silence_options


def argument_spec():
    return dict(
        name=dict(type='list', elements='str'),
        in_force=dict(type='bool'),
    )


def run(module):
    names, wanted_in_force = module.params['name'], module.params['in_force']
    check_names(names)  # before any request: nothing is asked when invalid
    now = now_ms()
    rules = []
    for raw in sorted(module.client.list_mute_rules(), key=lambda rule: str(rule.get('name'))):
        if names and raw.get('name') not in names:
            continue
        rule = dict(raw, in_force=in_force(raw, now))
        if wanted_in_force is None or rule['in_force'] == wanted_in_force:
            rules.append(rule)
    return dict(changed=False, silences=[silence_options(rule) for rule in rules], rules=rules)


def main():
    module = AOMModule(argument_spec=argument_spec(), required_libraries=('requests',), supports_check_mode=True)
    module.run(lambda: run(module))


if __name__ == '__main__':
    main()
