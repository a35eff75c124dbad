# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AOM EventModel: one voluptuous schema, normalisation, identity, time and duration parsing.

Everything a plugin sends to ``PUT /push/events`` is built by ``build_events`` and so has passed
``event_schema()``. Errors are ``AOMValidationError`` whose message starts with the path of the
offending field (``events[3].metadata.event_severity: ...``) and says what is allowed.
"""

from __future__ import annotations

import datetime
import functools
import re
import time

try:
    import voluptuous as vol
except ImportError:  # the caller reports it with missing_required_lib() / AnsibleError
    vol = None
    HAS_VOLUPTUOUS = False
else:
    HAS_VOLUPTUOUS = True

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError

SEVERITIES = ('Critical', 'Major', 'Minor', 'Info')
EVENT_TYPES = ('event', 'alarm')
REQUIRED_METADATA = ('event_name', 'event_severity', 'event_type', 'resource_provider', 'resource_type', 'resource_id')
MAX_KEYS = 30
MAX_VALUE_LEN = 2048
DEFAULT_TIMEOUT_MS = 259200000  # 3 days
MAX_TIMEOUT_MS = 1296000000  # 15 days
DEFAULT_SEVERITY = 'Major'
DEFAULT_EVENT_TYPE = 'alarm'
_INPUT_DEFAULTS = {'event_severity': DEFAULT_SEVERITY, 'event_type': DEFAULT_EVENT_TYPE}

# The keys of one event as a user writes it (module top level, or one item of ``events``).
# ``id`` names an active alarm to clear; with state=reported it is ignored (identity decides).
EVENT_INPUT_KEYS = REQUIRED_METADATA + ('metadata', 'annotations', 'starts_at', 'ends_at', 'timeout', 'id')
# Read-only fields of a listed event (aom_event_info's results), accepted in ``events`` and ignored,
# so that what the list returns can be fed back (to clear it, for instance).
LISTED_ONLY_KEYS = ('event_sn', 'arrives_at', 'enterprise_project_id', 'policy')
# A report may start at most this far ahead of now: a controller clock a little fast is fine, a
# typo of a year is not (and the lookup of active alarms must reach every start it allows).
MAX_START_AHEAD_MS = 86400000  # 1 day

# Control characters other than tab and newline (C0, DEL, C1) are refused in keys and values.
_CONTROL_CHARS = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f]')
_DURATION_PART = re.compile(r'(\d+)\s*(ms|s|m|h|d|w)', re.IGNORECASE)
_DURATION_UNITS_MS = {'ms': 1, 's': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000, 'w': 604800000}
# Epoch milliseconds below this (March 1973) are almost certainly epoch seconds given by mistake.
_SMALLEST_PLAUSIBLE_MS = 10 ** 11
# 9999-12-31T23:59:59.999Z: later values are typos (the service's own limit is int64).
LATEST_MS = 253402300799999


def now_ms():
    """The current time in epoch milliseconds."""
    return int(time.time() * 1000)


def _fail(path, detail):
    raise AOMValidationError('%s: %s' % (path, detail) if path else detail, path=path)


def _join(prefix, key):
    return '%s.%s' % (prefix, key) if prefix else str(key)


def _type_name(value):
    return 'null' if value is None else type(value).__name__


# ---------------------------------------------------------------------------------------------
# time and duration

def parse_time(value, field, now=None):
    """Epoch ms from an int (ms), a digit string, an ISO 8601 string (UTC when it has no offset) or ``now``."""
    if isinstance(value, bool) or value is None:
        _fail(field, '%r is not a time; expected epoch milliseconds, an ISO 8601 string or "now"' % (value,))
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
        _fail(field, '%r is not a time; expected epoch milliseconds, an ISO 8601 string or "now"' % (value,))
    if value < 0:
        _fail(field, '%d is negative; expected epoch milliseconds' % value)
    if 0 < value < _SMALLEST_PLAUSIBLE_MS:
        _fail(field, '%d looks like epoch seconds; expected epoch milliseconds (e.g. %d000)' % (value, value))
    if value > LATEST_MS:
        _fail(field, '%d is after the year 9999; expected epoch milliseconds' % value)
    return value


def _parse_iso8601(text, field):
    # before Python 3.11, fromisoformat() refuses the "Z" suffix of UTC (the modules run on 3.8+)
    if text[-1:] in ('Z', 'z'):
        text_with_offset = text[:-1] + '+00:00'
    else:
        text_with_offset = text
    try:
        moment = datetime.datetime.fromisoformat(text_with_offset)
    except ValueError:
        _fail(field, '%r is not a time; expected epoch milliseconds, an ISO 8601 string '
                     '(e.g. 2024-01-31T12:00:00Z) or "now"' % text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)


def parse_duration(value, field):
    """Milliseconds from an int (ms), a digit string (ms) or ``45s``, ``90m``, ``2h``, ``3d``, ``1w``, ``1h30m``."""
    if isinstance(value, bool) or value is None:
        _fail(field, '%r is not a duration; expected milliseconds or a duration such as 90m, 3d' % (value,))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            _fail(field, '%d is negative; expected a duration' % value)
        return value
    if not isinstance(value, str):
        _fail(field, '%r is not a duration; expected milliseconds or a duration such as 90m, 3d' % (value,))
    text = value.strip()
    if text.isdigit():
        return int(text)
    parts = _DURATION_PART.findall(text)
    if not parts or re.sub(r'\s+', '', text).lower() != ''.join(n + u for n, u in parts).lower():
        _fail(field, '%r is not a duration; expected milliseconds or a number with a unit '
                     '(ms, s, m, h, d, w), e.g. 90m, 3d, 1h30m' % value)
    return sum(int(number) * _DURATION_UNITS_MS[unit.lower()] for number, unit in parts)


def is_duration(value):
    """Whether ``value`` is a duration string with a unit (``3d``), as opposed to a time."""
    if not isinstance(value, str) or value.strip().isdigit():
        return False
    try:
        parse_duration(value, '')
    except AOMValidationError:
        return False
    return True


def parse_time_or_ago(value, field, now=None):
    """A time (``parse_time``), or a duration with a unit meaning that long before ``now`` (``3d``)."""
    now = now_ms() if now is None else now
    if is_duration(value):
        return now - parse_duration(value, field)
    return parse_time(value, field, now=now)


def time_range(start_ms, end_ms):
    """The list API's ``time_range``: ``startMs.endMs.durationMinutes``."""
    minutes = max(1, -(-(end_ms - start_ms) // 60000))
    return '%d.%d.%d' % (start_ms, end_ms, minutes)


# ---------------------------------------------------------------------------------------------
# the schema of one normalised event

def _checked_text(value, allow_empty=False):
    """A metadata/annotation value as a str; ints are converted (YAML ``resource_id: 123``)."""
    if isinstance(value, bytes):
        try:
            value = value.decode('utf-8')
        except UnicodeDecodeError:
            raise vol.Invalid('is not valid UTF-8')
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise vol.Invalid('%s is not allowed; expected a string (or an integer, converted to a string)'
                          % ('a list' if isinstance(value, list) else 'a mapping' if isinstance(value, dict)
                             else '%r (%s)' % (value, _type_name(value))))
    text = str(value)
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        raise vol.Invalid('is not valid UTF-8')
    if _CONTROL_CHARS.search(text):
        raise vol.Invalid('contains a control character; only tab and newline are allowed')
    if not text and not allow_empty:
        raise vol.Invalid('is empty; expected 1 to %d characters' % MAX_VALUE_LEN)
    if len(text) > MAX_VALUE_LEN:
        raise vol.Invalid('is %d characters long; at most %d are allowed' % (len(text), MAX_VALUE_LEN))
    return text


def _metadata_value(value):
    return _checked_text(value)


def _annotation_value(value):
    return _checked_text(value, allow_empty=True)


def _one_of(allowed):
    def validator(value):
        if value not in allowed:
            raise vol.Invalid('%r is not allowed; expected one of %s' % (value, ', '.join(allowed)))
        return value
    return validator


def _mapping_of_text(kind, value_validator):
    """A dict of at most MAX_KEYS text keys, each value checked by ``value_validator``."""
    def validator(value):
        if not isinstance(value, dict):
            raise vol.Invalid('%s is not allowed; expected a mapping' % _type_name(value))
        if len(value) > MAX_KEYS:
            raise vol.Invalid('has %d keys; %s allows at most %d' % (len(value), kind, MAX_KEYS))
        result = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key or _CONTROL_CHARS.search(key):
                raise vol.Invalid('key %r is not allowed; keys are non-empty strings without control characters'
                                  % (key,))
            try:
                result[key] = value_validator(item)
            except vol.Invalid as err:
                err.prepend([key])
                raise
        return result
    return validator


def _required_metadata(value):
    """Check the six required keys and their values; the rest is left to the mapping check."""
    for key in REQUIRED_METADATA:
        if value.get(key) is None:
            raise vol.Invalid('is required', path=[key])
    return _known_metadata(value)


def _known_metadata(value):
    """The keys with a closed set of values, when given (a clear by ``id`` need not give them)."""
    for key, allowed in (('event_severity', SEVERITIES), ('event_type', EVENT_TYPES)):
        if key in value:
            try:
                _one_of(allowed)(value[key])
            except vol.Invalid as err:
                err.prepend([key])
                raise
    return value


def _epoch_ms(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LATEST_MS:
        raise vol.Invalid('%r is not allowed; expected epoch milliseconds up to the year 9999' % (value,))
    return value


def _timeout_ms(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_TIMEOUT_MS:
        raise vol.Invalid('%r is not allowed; expected 1 to %d milliseconds (15 days)' % (value, MAX_TIMEOUT_MS))
    return value


@functools.lru_cache(maxsize=None)
def event_schema(by_id=False):
    """The voluptuous Schema of one normalised EventModel (times in ms, metadata all strings).

    ``by_id``: a clear that names its alarm by ``id``, whose metadata may be incomplete. Built
    once per kind and shared (a Schema holds no state): compiling it cost more than using it.
    """
    return vol.Schema({
        vol.Required('starts_at'): _epoch_ms,
        vol.Required('ends_at'): _epoch_ms,
        vol.Required('timeout'): _timeout_ms,
        vol.Required('metadata'): vol.All(_mapping_of_text('metadata', _metadata_value),
                                          _known_metadata if by_id else _required_metadata),
        vol.Required('annotations'): _mapping_of_text('annotations', _annotation_value),
        vol.Optional('id'): _metadata_value,
    })


def _validate(schema, event, prefix):
    try:
        return schema(event)
    except vol.MultipleInvalid as errors:
        first = errors.errors[0]
        path = '.'.join([prefix] + [str(p) for p in first.path]) if prefix else '.'.join(str(p) for p in first.path)
        detail = first.error_message
        if detail == 'required key not provided':
            detail = 'is required'
        elif detail == 'extra keys not allowed':
            detail = 'is not a field of an event'
        _fail(path, detail)


# ---------------------------------------------------------------------------------------------
# from module-style parameters to normalised events

def build_events(params, state='reported', now=None):
    """Normalised, validated events from module-style ``params``.

    ``params`` holds either ``events`` (a list of event dicts) or the event keys at top level
    (``EVENT_INPUT_KEYS``). ``state`` is ``reported`` or ``cleared``. ``now`` (ms) is the one
    "now" of the whole batch. Raises ``AOMValidationError``; returns a list of dicts with
    ``starts_at``, ``ends_at``, ``timeout``, ``metadata`` (all str) and ``annotations``.
    """
    if not HAS_VOLUPTUOUS:
        raise AOMValidationError('the Python library voluptuous is required to validate events')
    now = now_ms() if now is None else now
    if params.get('events') is not None:
        items = params['events']
        if not isinstance(items, list) or not items:
            _fail('events', 'expected a non-empty list of events')
    else:
        items = [dict((key, params.get(key)) for key in EVENT_INPUT_KEYS)]
    paths = input_paths(params)
    events = []
    for item, path in zip(items, paths):
        event = _event_from_input(item, path, state, now)
        event = _validate(event_schema(by_id='id' in event), event, path)
        _check_state_allows(event, path, state)
        events.append(event)
    _check_no_duplicates(events, paths)
    return events


def input_paths(params):
    """The path of each event ``build_events`` makes of ``params``: ``events[N]``, or '' for the top level."""
    if params.get('events') is not None:
        return ['events[%d]' % index for index in range(len(params['events']))]
    return ['']


def _event_from_input(item, path, state, now):
    """The event as it will be sent, built from what the user wrote (not yet schema-checked)."""
    if not isinstance(item, dict):
        _fail(path, '%s is not allowed; expected a mapping with the keys %s' % (_type_name(item), ', '.join(EVENT_INPUT_KEYS)))
    unknown = sorted(str(key) for key in item if key not in EVENT_INPUT_KEYS + LISTED_ONLY_KEYS)
    if unknown:
        _fail(_join(path, unknown[0]), 'is not a field of an event; allowed: %s (and, ignored, the read-only %s)'
              % (', '.join(EVENT_INPUT_KEYS), ', '.join(LISTED_ONLY_KEYS)))
    starts_at = _starts_at(item, path, state, now)
    event = {
        'metadata': _merged_metadata(item, path),
        'annotations': {} if item.get('annotations') is None else item['annotations'],
        'starts_at': starts_at,
        'ends_at': _ends_at(item, path, state, now, starts_at),
        'timeout': _timeout(item, path),
    }
    if state == 'cleared' and item.get('id') is not None:
        event['id'] = item['id']  # a report never sends an id: the service gives it
    return event


def _starts_at(item, path, state, now):
    if item.get('starts_at') is None:
        return now
    field = _join(path, 'starts_at')
    starts_at = parse_time(item['starts_at'], field, now)
    # A clear sends the start of the alarm it finds, not this one: only a report is held to it.
    if state == 'reported' and starts_at > now + MAX_START_AHEAD_MS:
        _fail(field, '%d is %s ahead of now (%d); at most 1 day ahead is allowed (check the time, '
                     'its unit, epoch milliseconds, and the clock)' % (starts_at, _ahead(starts_at - now), now))
    return starts_at


def _ahead(ms):
    hours = ms / 3600000.0
    return '%.1f days' % (hours / 24) if hours >= 48 else '%.1f hours' % hours


def _timeout(item, path):
    if item.get('timeout') is None:
        return DEFAULT_TIMEOUT_MS
    field = _join(path, 'timeout')
    timeout = parse_duration(item['timeout'], field)
    if not 0 < timeout <= MAX_TIMEOUT_MS:
        _fail(field, '%r (%d ms) is not allowed; expected more than 0 and at most 15 days (%d ms)'
              % (item['timeout'], timeout, MAX_TIMEOUT_MS))
    return timeout


def _merged_metadata(item, path):
    """``metadata`` plus the required keys given beside it; the same key twice must agree."""
    metadata = item.get('metadata')
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        _fail(_join(path, 'metadata'), '%s is not allowed; expected a mapping' % _type_name(metadata))
    merged = dict(metadata)
    for key in REQUIRED_METADATA:
        value = item.get(key)
        if value is None:
            if key in _INPUT_DEFAULTS:
                merged.setdefault(key, _INPUT_DEFAULTS[key])
        elif key in metadata and str(metadata[key]) != str(value):
            _fail(_join(path, 'metadata.' + key), '%r differs from %s: %r; give it once' % (metadata[key], key, value))
        else:
            merged[key] = value
    return merged


def _ends_at(item, path, state, now, starts_at):
    """The end: given, else now for a clear and 0 (not ended) for a report.

    0 given with a clear (an active alarm as aom_event_info returns it) means now as well. An end
    before the start is refused; with a clear, only against a start that was given (a clear
    sends the start of the alarm it finds).
    """
    field = _join(path, 'ends_at')
    ends_at = 0 if item.get('ends_at') is None else parse_time(item['ends_at'], field, now)
    if ends_at == 0:
        return now if state == 'cleared' else 0  # 0: not ended
    if (state == 'reported' or item.get('starts_at') is not None) and ends_at < starts_at:
        _fail(field, '%d is before starts_at (%d); an alarm cannot end before it starts' % (ends_at, starts_at))
    return ends_at


def _check_state_allows(event, path, state):
    if state == 'cleared' and event['metadata']['event_type'] != 'alarm':
        _fail(_join(path, 'metadata.event_type'),
              "'%s' cannot be cleared; only alarms (event_type: alarm) can" % event['metadata']['event_type'])


def _check_no_duplicates(events, paths):
    """Two alarms with one identity (or two events with one identity and start) in one batch are an error."""
    seen = {}
    for event, path in zip(events, paths):
        key = dedup_key(event)
        if key in seen:
            same = 'id: %s' % event['id'] if event.get('id') is not None else 'identity: %s' % identity_label(event)
            _fail(path, 'is a duplicate of %s (same %s)' % (seen[key], same))
        seen[key] = path


# ---------------------------------------------------------------------------------------------
# identity and the shapes the list API returns

def identity(event):
    """An alarm's identity: its metadata minus ``event_severity``, as a sorted tuple of items."""
    return tuple(sorted((key, value) for key, value in event['metadata'].items() if key != 'event_severity'))


def dedup_key(event):
    """What makes an event unique: the id of a clear by id; else the identity, plus ``starts_at`` for events."""
    if event.get('id') is not None:
        return (('id', event['id']),)
    if event['metadata'].get('event_type') == 'event':
        return identity(event) + (('starts_at', event['starts_at']),)
    return identity(event)


def identity_label(event):
    """A readable, unique string for an identity: ``alarm 'cpu high' on ecs/vm/ecs123 [zone=az1]``."""
    metadata = event['metadata']
    extras = sorted((key, value) for key, value in metadata.items() if key not in REQUIRED_METADATA)
    label = '%s %r on %s/%s/%s' % (metadata.get('event_type'), metadata.get('event_name'),
                                   metadata.get('resource_provider'), metadata.get('resource_type'),
                                   metadata.get('resource_id'))
    if extras:
        label += ' [%s]' % ', '.join('%s=%s' % item for item in extras)
    return label


def listed_event(raw):
    """A ListEventModel from the service in the collection's shape (missing fields as None, {} or 0)."""
    return {
        'id': raw.get('id'),
        'event_sn': raw.get('event_sn'),
        'metadata': dict((str(k), str(v)) for k, v in (raw.get('metadata') or {}).items()),
        'annotations': dict(raw.get('annotations') or {}),
        'starts_at': raw.get('starts_at'),
        'ends_at': raw.get('ends_at') or 0,
        'arrives_at': raw.get('arrives_at'),
        'timeout': raw.get('timeout'),
    }


def metadata_relation(filters, relation='AND'):
    """The list API's ``metadata_relation`` from ``{key: [values]}``: each key must have one of its values."""
    return [{'key': key, 'value': list(values), 'relation': relation}
            for key, values in filters.items() if values]
