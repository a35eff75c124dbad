# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AOM EventModel: one voluptuous schema, the normalisation of what a user writes, identity.

Everything a plugin sends to ``PUT /push/events`` is built by ``build_events`` and so has passed
``event_schema()``. Invalid input raises one ``AOMValidationError`` holding every problem of the
batch (``errors``: ``index``, ``path``, ``field``, ``message``), each naming the field
(``events[3].metadata.event_severity``) and saying what is allowed.

Times and durations are parsed by ``_time``; the list API's shapes are in ``_wire``.
"""

from __future__ import annotations

import functools
from typing import Callable, Mapping

try:
    import voluptuous as vol
except ImportError:  # the caller reports it with missing_required_lib() / AnsibleError
    vol = None
    HAS_VOLUPTUOUS = False
else:
    HAS_VOLUPTUOUS = True

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMValidationError, Problems
from ansible_collections.huaweicloud.aom.plugins.module_utils._match import CONTROL_CHARS, type_name
from ansible_collections.huaweicloud.aom.plugins.module_utils._time import LATEST_MS, now_ms, parse_duration, parse_time

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

# voluptuous's own messages, in the collection's words
_SCHEMA_MESSAGES = {'required key not provided': 'is required', 'extra keys not allowed': 'is not a field of an event'}


def _join(prefix: str, key: str) -> str:
    """The path of ``key`` under ``prefix`` (either may be '')."""
    if not key:
        return prefix
    return '%s.%s' % (prefix, key) if prefix else str(key)


# ---------------------------------------------------------------------------------------------
# the schema of one normalised event

def _checked_text(value: object, allow_empty: bool = False) -> str:
    """A metadata/annotation value as a str; ints are converted (YAML ``resource_id: 123``)."""
    if isinstance(value, bytes):
        try:
            value = value.decode('utf-8')
        except UnicodeDecodeError:
            raise vol.Invalid('is not valid UTF-8') from None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise vol.Invalid('%s is not allowed; expected a string (or an integer, converted to a string)'
                          % ('a list' if isinstance(value, list) else 'a mapping' if isinstance(value, dict)
                             else '%r (%s)' % (value, type_name(value))))
    text = str(value)
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        raise vol.Invalid('is not valid UTF-8') from None
    if CONTROL_CHARS.search(text):
        raise vol.Invalid('contains a control character; only tab and newline are allowed')
    if not text and not allow_empty:
        raise vol.Invalid('is empty; expected 1 to %d characters' % MAX_VALUE_LEN)
    if len(text) > MAX_VALUE_LEN:
        raise vol.Invalid('is %d characters long; at most %d are allowed' % (len(text), MAX_VALUE_LEN))
    return text


def _metadata_value(value: object) -> str:
    return _checked_text(value)


def _annotation_value(value: object) -> str:
    return _checked_text(value, allow_empty=True)


def _one_of(allowed: tuple[str, ...]) -> Callable[[object], object]:
    def validator(value: object) -> object:
        if value not in allowed:
            raise vol.Invalid('%r is not allowed; expected one of %s' % (value, ', '.join(allowed)))
        return value
    return validator


def _mapping_of_text(kind: str, value_validator: Callable[[object], str], required: tuple[str, ...] = (),
                     closed: Mapping[str, Callable[[object], object]] | None = None) -> Callable[[object], dict]:
    """A dict of at most MAX_KEYS text keys, each value checked by ``value_validator``.

    ``required``: keys that must be there (the required metadata). ``closed``: ``{key: validator}``
    of the keys with a closed set of values, checked when given. Every problem is raised, as one
    ``MultipleInvalid``.
    """
    closed = closed or {}

    def validator(value: object) -> dict:
        if not isinstance(value, dict):
            raise vol.Invalid('%s is not allowed; expected a mapping' % type_name(value))
        errors = []
        if len(value) > MAX_KEYS:
            errors.append(vol.Invalid('has %d keys; %s allows at most %d' % (len(value), kind, MAX_KEYS)))
        result = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key or CONTROL_CHARS.search(key):
                errors.append(vol.Invalid('key %r is not allowed; keys are non-empty strings without control '
                                          'characters' % (key,)))
                continue
            try:
                result[key] = value_validator(item)
                if key in closed:
                    closed[key](result[key])
            except vol.Invalid as err:
                err.prepend([key])
                errors.append(err)
        errors.extend(vol.Invalid('is required', path=[key]) for key in required if value.get(key) is None)
        if errors:
            raise vol.MultipleInvalid(errors)
        return result
    return validator


# The metadata keys with a closed set of values, checked when given (a clear by ``id`` need not).
_CLOSED_METADATA = {'event_severity': _one_of(SEVERITIES), 'event_type': _one_of(EVENT_TYPES)}


def _epoch_ms(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LATEST_MS:
        raise vol.Invalid('%r is not allowed; expected epoch milliseconds up to the year 9999' % (value,))
    return value


def _timeout_ms(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_TIMEOUT_MS:
        raise vol.Invalid('%r is not allowed; expected 1 to %d milliseconds (15 days)' % (value, MAX_TIMEOUT_MS))
    return value


@functools.lru_cache(maxsize=None)
def event_schema(by_id: bool = False):
    """The voluptuous Schema of one normalised EventModel (times in ms, metadata all strings).

    ``by_id``: a clear that names its alarm by ``id``, whose metadata may be incomplete. Built
    once per kind and shared (a Schema holds no state): compiling it cost more than using it.
    """
    return vol.Schema({
        vol.Required('starts_at'): _epoch_ms,
        vol.Required('ends_at'): _epoch_ms,
        vol.Required('timeout'): _timeout_ms,
        vol.Required('metadata'): _mapping_of_text('metadata', _metadata_value,
                                                   required=() if by_id else REQUIRED_METADATA,
                                                   closed=_CLOSED_METADATA),
        vol.Required('annotations'): _mapping_of_text('annotations', _annotation_value),
        vol.Optional('id'): _metadata_value,
    })


# ---------------------------------------------------------------------------------------------
# from module-style parameters to normalised events

class _Place:
    """Where one event is in the input: ``events[index]``, or the module's top level (index None)."""

    def __init__(self, index: int | None, problems: Problems) -> None:
        self.index = index
        self.path = '' if index is None else 'events[%d]' % index
        self._problems = problems
        self.failed = False

    def add(self, field: str, message: str) -> None:
        """A problem of the field ``field`` of this event ('' for the event as a whole)."""
        self.failed = True
        self._problems.add(_join(self.path, field), message, index=self.index, field=field)

    def attempt(self, parse: Callable[..., int], value: object, field: str, *args: object) -> int | None:
        """``parse(value, path, *args)``, or None with its problem recorded."""
        try:
            return parse(value, _join(self.path, field), *args)
        except AOMValidationError as err:
            for found in err.errors:
                self.add(field, found['message'])
            return None


def build_events(params: dict, state: str = 'reported', now: int | None = None) -> list[dict]:
    """Normalised, validated events from module-style ``params``.

    ``params`` holds either ``events`` (a list of event dicts) or the event keys at top level
    (``EVENT_INPUT_KEYS``). ``state`` is ``reported`` or ``cleared``. ``now`` (ms) is the one
    "now" of the whole batch. Raises ``AOMValidationError`` with every problem of every event;
    returns a list of dicts with ``starts_at``, ``ends_at``, ``timeout``, ``metadata`` (all str)
    and ``annotations``.
    """
    if not HAS_VOLUPTUOUS:
        raise AOMValidationError('the Python library voluptuous is required to validate events')
    now = now_ms() if now is None else now
    if params.get('events') is not None:
        items = params['events']
        if not isinstance(items, list) or not items:
            raise AOMValidationError('expected a non-empty list of events', path='events')
        indexes = range(len(items))
    else:
        items = [dict((key, params.get(key)) for key in EVENT_INPUT_KEYS)]
        indexes = [None]
    problems = Problems()
    events, places = [], []
    for item, index in zip(items, indexes):
        place = _Place(index, problems)
        event = _event_from_input(item, place, state, now)
        if event is not None:
            event = _validated(event, place)
        if event is not None and not place.failed:
            _check_state_allows(event, place, state)
        if not place.failed:
            events.append(event)
            places.append(place)
    _check_no_duplicates(events, places)
    problems.check()
    return events


def input_paths(params: dict) -> list[str]:
    """The path of each event ``build_events`` makes of ``params``: ``events[N]``, or '' for the top level."""
    if params.get('events') is not None:
        return ['events[%d]' % index for index in range(len(params['events']))]
    return ['']


def _event_from_input(item: object, place: _Place, state: str, now: int) -> dict | None:
    """The event as it will be sent, built from what the user wrote (not yet schema-checked).

    A field that cannot be read is recorded as a problem and replaced by a valid stand-in, so
    that the schema still checks the others. None when ``item`` is not a mapping.
    """
    if not isinstance(item, dict):
        place.add('', '%s is not allowed; expected a mapping with the keys %s'
                  % (type_name(item), ', '.join(EVENT_INPUT_KEYS)))
        return None
    for key in sorted(str(key) for key in item if key not in EVENT_INPUT_KEYS + LISTED_ONLY_KEYS):
        place.add(key, 'is not a field of an event; allowed: %s (and, ignored, the read-only %s)'
                  % (', '.join(EVENT_INPUT_KEYS), ', '.join(LISTED_ONLY_KEYS)))
    starts_at = _starts_at(item, place, state, now)
    event = {
        'metadata': _merged_metadata(item, place),
        'annotations': {} if item.get('annotations') is None else item['annotations'],
        'starts_at': now if starts_at is None else starts_at,
        'ends_at': _ends_at(item, place, state, now, starts_at),
        'timeout': _timeout(item, place),
    }
    if state == 'cleared' and item.get('id') is not None:
        event['id'] = item['id']  # a report never sends an id: the service gives it
    return event


def _validated(event: dict, place: _Place) -> dict | None:
    """``event`` checked by the schema, or None with every problem recorded."""
    try:
        return event_schema(by_id='id' in event)(event)
    except vol.MultipleInvalid as errors:
        for error in errors.errors:
            place.add('.'.join(str(part) for part in error.path),
                      _SCHEMA_MESSAGES.get(error.error_message, error.error_message))
        return None


def _starts_at(item: dict, place: _Place, state: str, now: int) -> int | None:
    """The start given (None when not given, or unreadable: a problem is recorded then)."""
    if item.get('starts_at') is None:
        return None
    starts_at = place.attempt(parse_time, item['starts_at'], 'starts_at', now)
    # A clear sends the start of the alarm it finds, not this one: only a report is held to it.
    if starts_at is not None and state == 'reported' and starts_at > now + MAX_START_AHEAD_MS:
        place.add('starts_at', '%d is %s ahead of now (%d); at most 1 day ahead is allowed (check the time, '
                               'its unit, epoch milliseconds, and the clock)' % (starts_at, _ahead(starts_at - now), now))
    return starts_at


def _ahead(ms: int) -> str:
    hours = ms / 3600000.0
    return '%.1f days' % (hours / 24) if hours >= 48 else '%.1f hours' % hours


def _timeout(item: dict, place: _Place) -> int:
    if item.get('timeout') is None:
        return DEFAULT_TIMEOUT_MS
    timeout = place.attempt(parse_duration, item['timeout'], 'timeout')
    if timeout is None:
        return DEFAULT_TIMEOUT_MS
    if not 0 < timeout <= MAX_TIMEOUT_MS:
        place.add('timeout', '%r (%d ms) is not allowed; expected more than 0 and at most 15 days (%d ms)'
                  % (item['timeout'], timeout, MAX_TIMEOUT_MS))
        return DEFAULT_TIMEOUT_MS
    return timeout


def _merged_metadata(item: dict, place: _Place) -> dict:
    """``metadata`` plus the required keys given beside it; the same key twice must agree."""
    metadata = item.get('metadata')
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        place.add('metadata', '%s is not allowed; expected a mapping' % type_name(metadata))
        metadata = {}
    merged = dict(metadata)
    for key in REQUIRED_METADATA:
        value = item.get(key)
        if value is None:
            if key in _INPUT_DEFAULTS:
                merged.setdefault(key, _INPUT_DEFAULTS[key])
        elif key in metadata and str(metadata[key]) != str(value):
            place.add('metadata.' + key, '%r differs from %s: %r; give it once' % (metadata[key], key, value))
        else:
            merged[key] = value
    return merged


def _ends_at(item: dict, place: _Place, state: str, now: int, starts_at: int | None) -> int:
    """The end: given, else now for a clear and 0 (not ended) for a report.

    0 given with a clear (an active alarm as aom_event_info returns it) means now as well. An end
    before the start is refused; with a clear, only against a start that was given (a clear
    sends the start of the alarm it finds). ``starts_at``: the start given, None when not given
    or unreadable.
    """
    ends_at = 0 if item.get('ends_at') is None else place.attempt(parse_time, item['ends_at'], 'ends_at', now)
    if ends_at is None:
        return 0
    if ends_at == 0:
        return now if state == 'cleared' else 0  # 0: not ended
    start = now if starts_at is None and item.get('starts_at') is None else starts_at
    if start is not None and (state == 'reported' or item.get('starts_at') is not None) and ends_at < start:
        place.add('ends_at', '%d is before starts_at (%d); an alarm cannot end before it starts' % (ends_at, start))
    return ends_at


def _check_state_allows(event: dict, place: _Place, state: str) -> None:
    if state == 'cleared' and event['metadata']['event_type'] != 'alarm':
        place.add('metadata.event_type',
                  "'%s' cannot be cleared; only alarms (event_type: alarm) can" % event['metadata']['event_type'])


def _check_no_duplicates(events: list[dict], places: list[_Place]) -> None:
    """Two alarms with one identity (or two events with one identity and start) in one batch are an error."""
    seen = {}
    for event, place in zip(events, places):
        key = dedup_key(event)
        if key in seen:
            same = 'id: %s' % event['id'] if event.get('id') is not None else 'identity: %s' % identity_label(event)
            place.add('', 'is a duplicate of %s (same %s)' % (seen[key], same))
        seen[key] = place.path


# ---------------------------------------------------------------------------------------------
# identity

def identity(event: dict) -> tuple:
    """An alarm's identity: its metadata minus ``event_severity``, as a sorted tuple of items."""
    return tuple(sorted((key, value) for key, value in event['metadata'].items() if key != 'event_severity'))


def dedup_key(event: dict) -> tuple:
    """What makes an event unique: the id of a clear by id; else the identity, plus ``starts_at`` for events."""
    if event.get('id') is not None:
        return (('id', event['id']),)
    if event['metadata'].get('event_type') == 'event':
        return identity(event) + (('starts_at', event['starts_at']),)
    return identity(event)


def identity_label(event: dict) -> str:
    """A readable, unique string for an identity: ``alarm 'cpu high' on ecs/vm/ecs123 [zone=az1]``."""
    metadata = event['metadata']
    extras = sorted((key, value) for key, value in metadata.items() if key not in REQUIRED_METADATA)
    label = '%s %r on %s/%s/%s' % (metadata.get('event_type'), metadata.get('event_name'),
                                   metadata.get('resource_provider'), metadata.get('resource_type'),
                                   metadata.get('resource_id'))
    if extras:
        label += ' [%s]' % ', '.join('%s=%s' % item for item in extras)
    return label
