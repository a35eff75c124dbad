# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AOM silence (mute) rules: validation, window conversions, in-force and planning (the matcher is ``_match``).

Three forms of a rule meet here:

- the *options* a person writes for ``aom_silence`` (``match`` as easy mappings or full conditions,
  ``repeat``, ``starts_at``/``ends_at`` as times or times of day, ``duration``, ``days``);
- the *API rule* the service stores (``match`` a list of lists of ``{key, operate, value}``,
  ``mute_config`` ``{type, starts_at, ends_at, scope}``);
- the *silence*, the options of one stored rule, which ``aom_silence_info`` returns so that a
  listed rule can be given back to ``aom_silence`` unchanged.

Every unit the service leaves unsaid is converted in the ``units`` section below, and only there.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Iterable, Mapping, Sequence

try:
    import zoneinfo
except ImportError:  # Python 3.8: only UTC can be checked and computed
    zoneinfo = None

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import (
    AOMConfigError,
    AOMError,
    AOMValidationError,
    Problems,
)
from ansible_collections.huaweicloud.aom.plugins.module_utils._match import (
    MatchError,
    MatchLimits,
    canonical_match,
    match_from_api,
    parse_match,
)
from ansible_collections.huaweicloud.aom.plugins.module_utils._time import parse_duration, parse_time

MAX_RULES = 100  # per project, says the service's documentation
MAX_CONDITION_SETS = 10
MAX_CONDITIONS = 10
MAX_VALUES = 5
MAX_NAME_LEN = 100
# the API reference's limits for the free texts (as the emulator enforces them)
MAX_DESCRIPTION_LEN = 1024
MAX_TIMEZONE_LEN = 32
MAX_KEY_LEN = 128
MAX_VALUE_LEN = 256
MUTE_RULE_LIMITS = MatchLimits(condition_sets=MAX_CONDITION_SETS, conditions=MAX_CONDITIONS, values=MAX_VALUES,
                               key_length=MAX_KEY_LEN, value_length=MAX_VALUE_LEN)
NAME_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9_]*[A-Za-z0-9])?$')
# option ``repeat`` -> mute_config.type
REPEATS = {'none': 'FIXED', 'daily': 'DAILY', 'weekly': 'WEEKLY', 'monthly': 'MONTHLY'}
WEEKDAYS = ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')
SECONDS_PER_DAY = 86400
DEFAULT_TIMEZONE = 'UTC'
SILENCE_OPTIONS = ('name', 'description', 'timezone', 'match', 'repeat', 'starts_at', 'ends_at', 'days')
_TIME_OF_DAY_RE = re.compile(r'^(\d{1,2}):(\d{2})(?::(\d{2}))?$')


# ---------------------------------------------------------------------------------------------
# units: the one place where the collection's times become the API's and back, the same choice
# as the emulator's (aom_emulator/README.md, "Silence rules"; the service's documentation leaves
# them unsaid):
# FIXED windows: epoch milliseconds, like every other time of the AOM API.
# DAILY/WEEKLY/MONTHLY windows: milliseconds after midnight in the rule's timezone. (The Terraform
# provider's documentation says seconds, 0 to 86399: were that confirmed, set the constant to 1.)

FIXED_TIME_UNIT_MS = 1  # milliseconds in one unit of a FIXED starts_at/ends_at
TIME_OF_DAY_UNITS_PER_SECOND = 1000  # units of a recurring starts_at/ends_at in one second


def fixed_time_to_api(epoch_ms: int) -> int:
    return epoch_ms // FIXED_TIME_UNIT_MS


def fixed_time_from_api(value: int | str) -> int:
    return int(value) * FIXED_TIME_UNIT_MS


def time_of_day_to_api(seconds: int) -> int:
    return seconds * TIME_OF_DAY_UNITS_PER_SECOND


def time_of_day_from_api(value: int | str) -> int:
    return int(value) // TIME_OF_DAY_UNITS_PER_SECOND


# ---------------------------------------------------------------------------------------------
# errors: every problem of the input, not only the first

class SilenceValidationError(AOMValidationError):
    """The options of a silence are invalid; ``errors`` lists every problem (see AOMValidationError)."""


class _Problems(Problems):
    """Problems of a silence's options, raised as a SilenceValidationError."""

    def __init__(self) -> None:
        super().__init__(SilenceValidationError)


# ---------------------------------------------------------------------------------------------
# matchers: the collection's one matcher form (_match), within the service's limits for a rule

def match_to_api(match: Any, problems: Problems, path: str = 'match') -> list[list[dict]]:
    """The ``match`` option -> the API's list of lists (items OR, conditions of an item AND).

    An item is a mapping ``{metadata key: value or list of values}`` (each key EQUALS any of its
    values), a single full condition ``{key, operate, value}``, or a list of full conditions.
    """
    try:
        return parse_match(match, path, limits=MUTE_RULE_LIMITS, required=True).api()
    except MatchError as err:
        for problem in err.problems:
            problems.add(*problem)
        return []


# ---------------------------------------------------------------------------------------------
# windows

def parse_time_of_day(value: object, path: str) -> int:
    """Seconds after midnight from ``HH:MM``, ``HH:MM:SS`` or an integer 0 to 86399."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < SECONDS_PER_DAY:
            return value
    elif isinstance(value, str):
        found = _TIME_OF_DAY_RE.match(value.strip())
        if found:
            hours, minutes, seconds = (int(part or 0) for part in found.groups())
            if hours < 24 and minutes < 60 and seconds < 60:
                return hours * 3600 + minutes * 60 + seconds
    raise AOMValidationError('%r is not a time of day; expected HH:MM, HH:MM:SS or seconds after midnight '
                             '(0 to 86399)' % (value,), path=path)


def format_time_of_day(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return '%02d:%02d' % (hours, minutes) if not secs else '%02d:%02d:%02d' % (hours, minutes, secs)


def _days(value: object, repeat: str, path: str, problems: Problems) -> list[int]:
    """``days`` -> the API's scope: weekdays 1 (Monday) to 7 (Sunday) or days of the month 1 to 31."""
    if repeat not in ('weekly', 'monthly'):
        if value not in (None, []):
            problems.add(path, 'is only for repeat=weekly or repeat=monthly')
        return []
    if not isinstance(value, list) or not value:
        problems.add(path, 'is required with repeat=%s: %s' % (
            repeat, 'a list of weekdays (1 = Monday to 7 = Sunday, or names such as Mon)' if repeat == 'weekly'
            else 'a list of days of the month (1 to 31)'))
        return []
    highest = 7 if repeat == 'weekly' else 31
    found = set()
    for index, day in enumerate(value):
        day_path = '%s[%d]' % (path, index)
        if repeat == 'weekly' and isinstance(day, str) and not day.strip().isdigit():
            names = [number for number, name in enumerate(WEEKDAYS, 1) if len(day.strip()) >= 3 and name.startswith(day.strip().lower())]
            if names:
                found.add(names[0])
                continue
        elif isinstance(day, str) and day.strip().isdigit():
            day = int(day)
        if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= highest:
            found.add(day)
            continue
        problems.add(day_path, '%r is not allowed; expected %s' % (
            day, '1 (Monday) to 7 (Sunday) or a weekday name' if repeat == 'weekly' else '1 to 31'))
    return sorted(found)


class FixedWindow:
    """A FIXED window asked for: ``[start, end]`` (epoch ms) to create, and the part of it an existing
    rule must cover to be left alone (``must_cover_until``): all of it for absolute times, only now
    for a duration from now (a rerun while the rule is in force does not move it)."""

    def __init__(self, start: int, end: int, must_cover_until: int) -> None:
        self.start = start
        self.end = end
        self.must_cover_until = must_cover_until

    def covered_by(self, mute_config: Mapping[str, Any] | None, now: int) -> bool:
        """Whether an existing rule's mute_config (API form) already holds this window."""
        if not mute_config or mute_config.get('type') != 'FIXED':
            return False
        try:
            start = fixed_time_from_api(mute_config.get('starts_at'))
            end = fixed_time_from_api(mute_config.get('ends_at'))
        except (TypeError, ValueError):
            return False
        return start <= self.start and end >= self.must_cover_until and end > now


def _fixed_window(params: Mapping[str, Any], now: int, problems: Problems) -> FixedWindow | None:
    starts_at, ends_at, duration = params.get('starts_at'), params.get('ends_at'), params.get('duration')
    start = now if starts_at is None else problems.attempt(parse_time, starts_at, 'starts_at', now)
    if (ends_at is None) == (duration is None):
        problems.add('ends_at', 'give either ends_at (a time) or duration (e.g. 30m), not %s'
                     % ('both' if ends_at is not None else 'neither'))
        return None
    if duration is not None:
        length = problems.attempt(parse_duration, duration, 'duration')
        if length == 0:
            problems.add('duration', 'must be longer than 0')
        if start is None or not length:
            return None
        return FixedWindow(start, start + length, start + length if starts_at is not None else now + 1)
    end = problems.attempt(parse_time, ends_at, 'ends_at', now)
    if start is None or end is None:
        return None
    if end <= start:
        problems.add('ends_at', '%d is not after starts_at (%d)' % (end, start))
    elif end <= now:
        problems.add('ends_at', '%d has already passed (now is %d); a silence must end in the future' % (end, now))
    return FixedWindow(start, end, end)


def _check_timezone(value: object, problems: Problems) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.add('timezone', '%r is not allowed; expected an IANA time zone name such as UTC or Asia/Shanghai'
                     % (value,))
        return
    if len(value) > MAX_TIMEZONE_LEN:
        problems.add('timezone', '%d characters are too many; at most %d' % (len(value), MAX_TIMEZONE_LEN))
        return
    if value == DEFAULT_TIMEZONE or zoneinfo is None:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        if zoneinfo.available_timezones():  # with no time zone database at all, trust the name
            problems.add('timezone', '%r is not a known time zone; expected an IANA name such as UTC, '
                                     'Europe/Paris or Asia/Shanghai' % value)


def check_name(name: object, problems: Problems, path: str = 'name') -> None:
    if not isinstance(name, str) or not NAME_RE.match(name) or len(name) > MAX_NAME_LEN:
        problems.add(path, '%r is not allowed; expected 1 to %d letters, digits and _, not starting or ending with _'
                     % (name, MAX_NAME_LEN))


# ---------------------------------------------------------------------------------------------
# the options of aom_silence -> the API rule

def build_rule(params: Mapping[str, Any], now: int) -> tuple[dict, FixedWindow | None]:
    """``(rule, window)`` from the module's options: the API rule to store and, for a FIXED rule,
    its ``FixedWindow`` (None for a recurring one). Raises SilenceValidationError with every problem."""
    problems = _Problems()
    check_name(params.get('name'), problems)
    description = params.get('description')
    if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LEN):
        problems.add('description', 'expected a string of at most %d characters' % MAX_DESCRIPTION_LEN)
    timezone = params.get('timezone') or DEFAULT_TIMEZONE
    _check_timezone(timezone, problems)
    match = match_to_api(params.get('match'), problems)
    repeat = params.get('repeat') or 'none'
    window = None
    if repeat not in REPEATS:
        problems.add('repeat', '%r is not allowed; expected one of %s' % (repeat, ', '.join(REPEATS)))
    elif repeat == 'none':
        if params.get('days') not in (None, []):
            problems.add('days', 'is only for repeat=weekly or repeat=monthly')
        window = _fixed_window(params, now, problems)
        mute_config = window and {'type': 'FIXED', 'starts_at': fixed_time_to_api(window.start),
                                  'ends_at': fixed_time_to_api(window.end), 'scope': []}
    else:
        mute_config = _recurring_config(params, repeat, problems)
    problems.check()
    rule = {'name': params['name'], 'desc': description or '', 'timezone': timezone, 'match': match,
            'mute_config': mute_config}
    return rule, window


def _recurring_config(params: Mapping[str, Any], repeat: str, problems: Problems) -> dict | None:
    if params.get('duration') is not None:
        problems.add('duration', 'is only for repeat=none; a repeating window is starts_at to ends_at each day')
    bounds = []
    for field in ('starts_at', 'ends_at'):
        if params.get(field) is None:
            problems.add(field, 'is required with repeat=%s: a time of day such as 22:00' % repeat)
            bounds.append(None)
        else:
            bounds.append(problems.attempt(parse_time_of_day, params[field], field))
    if None not in bounds and bounds[0] == bounds[1]:
        problems.add('ends_at', 'is the same time of day as starts_at; the window would be empty')
    scope = _days(params.get('days'), repeat, 'days', problems)
    if None in bounds:
        return None
    return {'type': REPEATS[repeat], 'starts_at': time_of_day_to_api(bounds[0]),
            'ends_at': time_of_day_to_api(bounds[1]), 'scope': scope}


# ---------------------------------------------------------------------------------------------
# the API rule -> comparable, listed and in-force forms

def stored_rule(raw: Mapping[str, Any]) -> dict:
    """The writable fields of a rule as the service lists it (read-only fields dropped)."""
    config = raw.get('mute_config') or {}
    return {
        'name': raw.get('name'),
        'desc': raw.get('desc') or '',
        'timezone': raw.get('timezone') or DEFAULT_TIMEZONE,
        'match': [[{'key': c.get('key'), 'operate': c.get('operate'), 'value': list(c.get('value') or [])}
                   for c in conditions or []] for conditions in raw.get('match') or []],
        'mute_config': {'type': config.get('type'), 'starts_at': config.get('starts_at'),
                        'ends_at': config.get('ends_at'), 'scope': sorted(config.get('scope') or [])},
    }


def same_rule(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    """Whether two API rules say the same (orders of matchers and days mean nothing)."""
    return (left['desc'] == right['desc'] and left['timezone'] == right['timezone']
            and canonical_match(left['match']) == canonical_match(right['match'])
            and dict(left['mute_config'], scope=sorted(left['mute_config'].get('scope') or []))
            == dict(right['mute_config'], scope=sorted(right['mute_config'].get('scope') or [])))


def silence_options(rule: Mapping[str, Any]) -> dict:
    """An API rule as the options of ``aom_silence`` (what ``aom_silence_info`` returns)."""
    config = rule.get('mute_config') or {}
    repeat = dict((api, option) for option, api in REPEATS.items()).get(config.get('type'), config.get('type'))
    silence = {'name': rule.get('name'), 'description': rule.get('desc') or '',
               'timezone': rule.get('timezone') or DEFAULT_TIMEZONE, 'match': match_from_api(rule.get('match')),
               'repeat': repeat}
    if repeat == 'none':
        silence['starts_at'] = fixed_time_from_api(config.get('starts_at') or 0)
        silence['ends_at'] = fixed_time_from_api(config.get('ends_at') or 0)
    else:
        silence['starts_at'] = format_time_of_day(time_of_day_from_api(config.get('starts_at') or 0))
        silence['ends_at'] = format_time_of_day(time_of_day_from_api(config.get('ends_at') or 0))
    if repeat in ('weekly', 'monthly'):
        silence['days'] = sorted(config.get('scope') or [])
    return silence


def in_force(rule: Mapping[str, Any], now: int) -> bool:
    """Whether an API rule mutes alarms at ``now`` (epoch ms)."""
    config = rule.get('mute_config') or {}
    kind = config.get('type')
    if kind == 'FIXED':  # an ends_at of 0 (or none) is no end, as rules made elsewhere may have
        end = fixed_time_from_api(config.get('ends_at') or 0)
        return fixed_time_from_api(config.get('starts_at') or 0) <= now and (not end or now < end)
    if kind not in ('DAILY', 'WEEKLY', 'MONTHLY'):
        return False
    local = _local_time(now, rule.get('timezone') or DEFAULT_TIMEZONE)
    start = time_of_day_from_api(config.get('starts_at') or 0)
    end = time_of_day_from_api(config.get('ends_at') or 0)
    second = local.hour * 3600 + local.minute * 60 + local.second
    if start < end:
        opened_on = local if start <= second < end else None
    else:  # the window runs over midnight: after the start today, or before the end, opened yesterday
        opened_on = local if second >= start else (local - datetime.timedelta(days=1) if second < end else None)
    if opened_on is None:
        return False
    if kind == 'DAILY':
        return True
    day = opened_on.isoweekday() if kind == 'WEEKLY' else opened_on.day
    return day in (config.get('scope') or [])


def _local_time(now: int, timezone: str) -> datetime.datetime:
    moment = datetime.datetime.fromtimestamp(now / 1000.0, tz=datetime.timezone.utc)
    if timezone == DEFAULT_TIMEZONE:
        return moment
    # Both failures are the setup of the host that runs the module (its Python, its time zone
    # data), not AOM's: AOMConfigError.
    if zoneinfo is None:
        raise AOMConfigError('the time zone %s needs Python 3.9 or later (zoneinfo) to say whether a rule is in force'
                             % timezone)
    try:
        return moment.astimezone(zoneinfo.ZoneInfo(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise AOMConfigError('the time zone %s of a stored rule is unknown here; cannot say whether it is in force'
                             % timezone)


# ---------------------------------------------------------------------------------------------
# planning

def find_rule(rules: Iterable[dict], name: str) -> dict | None:
    return next((raw for raw in rules if raw.get('name') == name), None)


def plan_present(rule: dict, window: FixedWindow | None, rules: Sequence[dict],
                 now: int) -> tuple[str, dict | None, dict]:
    """``(result, before, after)`` for a rule that should exist: ``created``, ``updated`` or ``unchanged``.

    ``rules`` is the one listing of the project. A FIXED rule whose window already covers the
    one asked for keeps its window; an expired one is replaced. A new name when the project
    already holds MAX_RULES rules fails before anything is sent.
    """
    raw = find_rule(rules, rule['name'])
    if raw is None:
        if len(rules) >= MAX_RULES:
            raise AOMError('cannot create the silence %s: the project already holds %d silence rules, the most AOM '
                           'allows; delete rules that are no longer needed (aom_silence_info lists them)'
                           % (rule['name'], len(rules)))
        return 'created', None, rule
    before = stored_rule(raw)
    wanted = dict(rule)
    if window is not None and window.covered_by(before['mute_config'], now):
        wanted['mute_config'] = before['mute_config']
    if same_rule(before, wanted):
        return 'unchanged', before, before
    return 'updated', before, wanted


def plan_absent(name: str, rules: Iterable[dict]) -> tuple[str, dict | None, None]:
    """``(result, before, after)`` for a rule that should not exist: ``deleted`` or ``absent``."""
    raw = find_rule(rules, name)
    return ('absent', None, None) if raw is None else ('deleted', stored_rule(raw), None)


def check_names(names: Sequence[object] | None) -> None:
    """The ``name`` filter of aom_silence_info: each a valid rule name."""
    problems = _Problems()
    for index, name in enumerate(names or []):
        check_name(name, problems, path='name[%d]' % index)
    problems.check()


def check_absent_options(params: Mapping[str, Any]) -> None:
    """The options of state=absent: a valid name (the rest is ignored)."""
    problems = _Problems()
    check_name(params.get('name'), problems)
    problems.check()
