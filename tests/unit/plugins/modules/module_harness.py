# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's main() in-process and catch what it would return."""

from __future__ import annotations

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

CONNECTION = dict(endpoint='https://aom.example.com', project_id='0123456789abcdef0123456789abcdef',
                  access_key='AKEXAMPLE', secret_key='SKEXAMPLE-never-shown')


class ModuleExit(Exception):
    """What exit_json / fail_json were called with."""

    def __init__(self, result, failed):
        super().__init__(result)
        self.result = result
        self.failed = failed


def catch_module_exits(monkeypatch):
    """Make exit_json and fail_json raise ModuleExit instead of printing and exiting."""
    def exit_json(self, **result):
        raise ModuleExit(result, failed=False)

    def fail_json(self, **result):
        raise ModuleExit(result, failed=True)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)


def run_module(main, args, check_mode=False, diff=False):
    """``main()`` with CONNECTION plus ``args``; the ModuleExit it ended with."""
    args = dict(CONNECTION, **args)
    if check_mode:
        args['_ansible_check_mode'] = True
    if diff:
        args['_ansible_diff'] = True
    with patch_module_args(args):
        with pytest.raises(ModuleExit) as info:
            main()
    return info.value
