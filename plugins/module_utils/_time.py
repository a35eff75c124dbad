# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Times and durations as people write them, in the epoch milliseconds of the AOM API.

A time is epoch milliseconds, a digit string, an ISO 8601 string (UTC without an offset) or
``now``; a duration is milliseconds or ``45s``, ``90m``, ``2h``, ``3d``, ``1w``, ``1h30m``. A value
that is neither raises ``AOMValidationError`` naming the field and what is allowed.
"""

from __future__ import annotations

import datetime
import re
import time

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError

_DURATION_PART = re.compile(r'(\d+)\s*(ms|s|m|h|d|w)', re.IGNORECASE)
_DURATION_UNITS_MS = {'ms': 1, 's': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000, 'w': 604800000}
# Epoch milliseconds below this (March 1973) are almost certainly epoch seconds given by mistake.
_SMALLEST_PLAUSIBLE_MS = 10 ** 11
# 9999-12-31T23:59:59.999Z: later values are typos (the service's own limit is int64).
LATEST_MS = 253402300799999
_NOT_A_TIME = 'is not a time; expected epoch milliseconds, an ISO 8601 string or "now"'
_NOT_A_DURATION = 'is not a duration; expected milliseconds or a duration such as 90m, 3d'


def now_ms() -> int:
    """The current time in epoch milliseconds."""
    return int(time.time() * 1000)


def parse_time(value: object, field: str, now: int | None = None) -> int:
    """Epoch ms from an int (ms), a digit string, an ISO 8601 string (UTC when it has no offset) or ``now``."""
    if isinstance(value, bool) or value is None:
        raise AOMValidationError('%r %s' % (value, _NOT_A_TIME), path=field)
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == 'now':
            return now_ms() if now is None else now
        if text.isdigit():
            value = int(text)
        else:
            return _parse_iso8601(text, field)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise AOMValidationError('%r %s' % (value, _NOT_A_TIME), path=field)
    if value < 0:
        raise AOMValidationError('%d is negative; expected epoch milliseconds' % value, path=field)
    if 0 < value < _SMALLEST_PLAUSIBLE_MS:
        raise AOMValidationError('%d looks like epoch seconds; expected epoch milliseconds (e.g. %d000)'
                                 % (value, value), path=field)
    if value > LATEST_MS:
        raise AOMValidationError('%d is after the year 9999; expected epoch milliseconds' % value, path=field)
    return value


def _parse_iso8601(text: str, field: str) -> int:
    # before Python 3.11, fromisoformat() refuses the "Z" suffix of UTC (the modules run on 3.9+)
    if text[-1:] in ('Z', 'z'):
        text_with_offset = text[:-1] + '+00:00'
    else:
        text_with_offset = text
    try:
        moment = datetime.datetime.fromisoformat(text_with_offset)
    except ValueError:
        raise AOMValidationError('%r is not a time; expected epoch milliseconds, an ISO 8601 string '
                                 '(e.g. 2024-01-31T12:00:00Z) or "now"' % text, path=field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)


def parse_duration(value: object, field: str) -> int:
    """Milliseconds from an int (ms), a digit string (ms) or ``45s``, ``90m``, ``2h``, ``3d``, ``1w``, ``1h30m``."""
    if isinstance(value, bool) or value is None:
        raise AOMValidationError('%r %s' % (value, _NOT_A_DURATION), path=field)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise AOMValidationError('%d is negative; expected a duration' % value, path=field)
        return value
    if not isinstance(value, str):
        raise AOMValidationError('%r %s' % (value, _NOT_A_DURATION), path=field)
    text = value.strip()
    if text.isdigit():
        return int(text)
    parts = _DURATION_PART.findall(text)
    if not parts or re.sub(r'\s+', '', text).lower() != ''.join(n + u for n, u in parts).lower():
        raise AOMValidationError('%r is not a duration; expected milliseconds or a number with a unit '
                                 '(ms, s, m, h, d, w), e.g. 90m, 3d, 1h30m' % value, path=field)
    return sum(int(number) * _DURATION_UNITS_MS[unit.lower()] for number, unit in parts)


def is_duration(value: object) -> bool:
    """Whether ``value`` is a duration string with a unit (``3d``), as opposed to a time."""
    if not isinstance(value, str) or value.strip().isdigit():
        return False
    try:
        parse_duration(value, '')
    except AOMValidationError:
        return False
    return True


def parse_time_or_ago(value: object, field: str, now: int | None = None) -> int:
    """A time (``parse_time``), or a duration with a unit meaning that long before ``now`` (``3d``)."""
    now = now_ms() if now is None else now
    if is_duration(value):
        return now - parse_duration(value, field)
    return parse_time(value, field, now=now)


def time_range(start_ms: int, end_ms: int) -> str:
    """The list API's ``time_range``: ``startMs.endMs.durationMinutes``."""
    minutes = max(1, -(-(end_ms - start_ms) // 60000))
    return '%d.%d.%d' % (start_ms, end_ms, minutes)
