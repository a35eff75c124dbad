# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.module_utils._time import (
    is_duration,
    parse_duration,
    parse_time,
    parse_time_or_ago,
    time_range,
)

NOW = 1700000000000


@pytest.mark.parametrize('value, expected', [
    (1700000000123, 1700000000123),
    ('1700000000123', 1700000000123),
    (1700000000123.0, 1700000000123),
    (0, 0),
    ('now', NOW),
    (' NOW ', NOW),
    ('2024-01-01T00:00:00Z', 1704067200000),
    ('2024-01-01T00:00:00', 1704067200000),
    ('2024-01-01T08:00:00+08:00', 1704067200000),
    ('2024-01-01T00:00:00.250Z', 1704067200250),
    ('2024-01-01', 1704067200000),
])
def test_parse_time(value, expected):
    assert parse_time(value, 'starts_at', now=NOW) == expected


@pytest.mark.parametrize('value', [None, True, 'soon', '2024-13-01', [1], 1.5, -1, 12345])
def test_parse_time_refuses(value):
    with pytest.raises(AOMValidationError) as info:
        parse_time(value, 'events[0].starts_at', now=NOW)
    assert info.value.path == 'events[0].starts_at'


@pytest.mark.parametrize('value, expected', [
    (60000, 60000), ('60000', 60000), ('45s', 45000), ('90m', 5400000), ('2h', 7200000),
    ('3d', 259200000), ('1w', 604800000), ('1h30m', 5400000), ('1h 30m', 5400000), ('250ms', 250),
    ('15D', 1296000000),
])
def test_parse_duration(value, expected):
    assert parse_duration(value, 'timeout') == expected


@pytest.mark.parametrize('value', [None, False, '', 'm', '3 days', '3d-', '-5m', -1, [], '1.5h'])
def test_parse_duration_refuses(value):
    with pytest.raises(AOMValidationError) as info:
        parse_duration(value, 'timeout')
    assert info.value.path == 'timeout'


def test_parse_time_or_ago():
    assert parse_time_or_ago('3d', 'since', now=NOW) == NOW - 259200000
    assert parse_time_or_ago('now', 'until', now=NOW) == NOW
    assert parse_time_or_ago(1600000000000, 'since', now=NOW) == 1600000000000
    assert is_duration('90m') and not is_duration('1600000000000') and not is_duration('now')


def test_time_range_rounds_minutes_up():
    assert time_range(0, 60000) == '0.60000.1'
    assert time_range(0, 60001) == '0.60001.2'
    assert time_range(5, 5) == '5.5.1'


def test_times_after_the_year_9999_are_refused():
    with pytest.raises(AOMValidationError, match='starts_at: 99999999999999999999 is after the year 9999'):
        parse_time(99999999999999999999, 'starts_at')
    assert parse_time(253402300799999, 'starts_at') == 253402300799999
