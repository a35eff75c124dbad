# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import check_alarm_options

NOW = 1700000000000
GOOD = {'event_name': 'ansible_playbook_failed', 'resource_provider': 'ansible', 'resource_type': 'host',
        'alarm_playbook_id': None}


def test_good_options_pass():
    check_alarm_options(GOOD, NOW)
    check_alarm_options(dict(GOOD, alarm_playbook_id=''), NOW)  # empty: the playbook's file name is used


@pytest.mark.parametrize('option, value, words', [
    ('event_name', '', 'event_name: is empty; expected 1 to 2048 characters'),
    ('resource_type', 'a\x00b', 'resource_type: contains a control character; only tab and newline are allowed'),
    ('alarm_playbook_id', 'p' * 2049, 'alarm_playbook_id: is 2049 characters long; at most 2048 are allowed'),
])
def test_a_bad_option_is_named(option, value, words):
    with pytest.raises(AOMConfigError) as caught:
        check_alarm_options(dict(GOOD, **{option: value}), NOW)
    assert str(caught.value) == words


def test_every_bad_option_is_named_at_once():
    with pytest.raises(AOMConfigError) as caught:
        check_alarm_options(dict(GOOD, event_name='', resource_provider=['a'], alarm_playbook_id='x\x7f'), NOW)
    assert str(caught.value) == (
        'event_name: is empty; expected 1 to 2048 characters; '
        'resource_provider: a list is not allowed; expected a string (or an integer, converted to a string); '
        'alarm_playbook_id: contains a control character; only tab and newline are allowed')
