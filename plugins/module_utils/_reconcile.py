# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Idempotency decisions for aom_event: pure functions, no I/O.

The module looks up what exists (``active_lookup`` / ``history_lookup`` say how, in one list
call each), then ``plan`` compares it with the desired events and says, per event, what to
send and what the result is.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Iterable, Sequence

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import Problems
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import (
    MAX_START_AHEAD_MS,
    MAX_TIMEOUT_MS,
    identity,
    identity_label,
)
from ansible_collections.huaweicloud.aom.plugins.module_utils._time import now_ms, time_range
from ansible_collections.huaweicloud.aom.plugins.module_utils._wire import listed_event, metadata_relation

WRITE_RESULTS = ('reported', 'updated', 'cleared')
RESULTS = ('reported', 'updated', 'unchanged', 'cleared', 'absent')

# THE window of every lookup of active alarms (the module's and the callback's), around the
# caller's now, never the service's (``-1.-1.N`` ends at the service's now, and misses an alarm
# whose start a clock ahead put in the service's future). Back: an alarm stays active at most its
# timeout (15 days at most) after its last report; twice that finds one refreshed by updates.
# Ahead: a report may start up to MAX_START_AHEAD_MS ahead of its controller's now; as much
# again for another controller whose clock is ahead of this one.
ACTIVE_LOOKBACK_MS = 2 * MAX_TIMEOUT_MS
ACTIVE_LOOKAHEAD_MS = 2 * MAX_START_AHEAD_MS
# Margin around the starts_at values of point-in-time events when looking them up in history.
HISTORY_MARGIN_MS = 60000

# The keys that narrow the lookup of active alarms: wide enough to find the alarms that differ in
# another key, for the near-miss warning of a clear (the exact match is done locally by ``plan``).
NEAR_MISS_KEYS = ('event_name', 'resource_id')
_HISTORY_LOOKUP_KEYS = ('event_name', 'event_type', 'resource_provider', 'resource_type', 'resource_id')


def active_time_range(now: int | None = None) -> str:
    """The list API's ``time_range`` that finds every active alarm whatever its start (see above)."""
    now = now_ms() if now is None else now
    return time_range(now - ACTIVE_LOOKBACK_MS, now + ACTIVE_LOOKAHEAD_MS)


class Action(namedtuple('Action', 'result desired event before after')):
    """What to do for one desired event.

    ``result``: reported|updated|unchanged|cleared|absent. ``desired``: the normalised event asked
    for. ``event``: the payload to send (``None`` when nothing is sent; with ``id`` when clearing).
    ``before``/``after``: the alarm or event on the service before and after (``None`` = none).
    """

    __slots__ = ()

    @property
    def sends(self) -> bool:
        """Whether this action writes to the service."""
        return self.result in WRITE_RESULTS

    @property
    def record(self) -> dict:
        """The event as it is, or will be, after this action: what the module returns."""
        if self.result == 'cleared':
            return self.event
        return self.after or self.before or self.desired


def active_lookup(desired: Sequence[dict], now: int | None = None) -> dict | None:
    """Keyword arguments of the ONE ``list_events`` call that finds the active alarms ``desired`` may match.

    It filters on NEAR_MISS_KEYS with the values the batch uses (a superset of the identities:
    the exact match is done locally by ``plan``). Not at all when the batch clears an alarm by
    ``id``: the list API cannot filter by id, and the metadata given with an id is checked against
    the alarm the id names (``plan``), so it must not hide that alarm. ``None`` when no alarm is desired.
    """
    alarms = [event for event in desired if event['metadata'].get('event_type') == 'alarm']
    if not alarms:
        return None
    by_id = any(event.get('id') is not None for event in alarms)
    return dict(event_type='active_alert', time_range=active_time_range(now),
                metadata_relation=None if by_id else _relation_for(alarms, NEAR_MISS_KEYS) or None)


def history_lookup(desired: Sequence[dict]) -> dict | None:
    """Keyword arguments of the ONE ``list_events`` call that finds already recorded point-in-time events.

    No ``type``: events are never active, and the service files them in its history; the time
    range covers every ``starts_at`` of the batch. ``None`` when no event is desired.
    """
    events = [event for event in desired if event['metadata']['event_type'] == 'event']
    if not events:
        return None
    starts = [event['starts_at'] for event in events]
    return dict(time_range=time_range(min(starts) - HISTORY_MARGIN_MS, max(starts) + HISTORY_MARGIN_MS),
                metadata_relation=_relation_for(events, _HISTORY_LOOKUP_KEYS))


def _relation_for(events: Sequence[dict], keys: Sequence[str]) -> list[dict]:
    values = {}
    for key in keys:
        if all(key in event['metadata'] for event in events):
            values[key] = sorted(set(event['metadata'][key] for event in events))
    return metadata_relation(values)


def plan(desired: Sequence[dict], active: Iterable[dict] | None, state: str, history: Iterable[dict] | None = None,
         paths: Sequence[str] | None = None) -> list[Action]:
    """One ``Action`` per desired event, in order.

    ``desired``: normalised events (``_events.build_events``). ``active``: the active alarms found
    (raw list API items or normalised). ``state``: ``reported`` or ``cleared``. ``history``: the
    recorded events found, for point-in-time events (``event_type: event``). ``paths``: where each
    desired event was given (``_events.input_paths``), for errors. Raises AOMValidationError, with
    every problem of the batch, when a clear by ``id`` contradicts its alarm, or two clears name one alarm.
    """
    alarms = _active_alarms(active)
    active_by_identity = dict((identity(alarm), alarm) for alarm in alarms)  # the newest wins
    active_by_id = dict((alarm['id'], alarm) for alarm in alarms if alarm.get('id'))
    recorded = dict(((identity(event), event['starts_at']), event) for event in _normalised(history)
                    if event['metadata'].get('event_type') == 'event')
    paths = paths or ['events[%d]' % index for index in range(len(desired))]
    problems = Problems()
    actions, cleared_by = [], {}
    for position, (event, path) in enumerate(zip(desired, paths)):
        index = position if path else None  # '' is the module's top level, one event
        if event['metadata'].get('event_type') == 'event':
            actions.append(_plan_point_event(event, recorded))
        elif state == 'cleared':
            if event.get('id') is not None:
                found = _found_by_id(event, active_by_id.get(event['id']), path, index, problems)
            else:
                found = active_by_identity.get(identity(event))
            action = _plan_clear(event, found)
            if action.sends and found.get('id'):
                if found['id'] in cleared_by:
                    problems.add(path or 'id', 'names the same active alarm (id %s) as %s; give it once'
                                 % (found['id'], cleared_by[found['id']] or 'the top level'),
                                 index=index, field='' if path else 'id')
                cleared_by[found['id']] = path
            actions.append(action)
        else:
            actions.append(_plan_report(event, active_by_identity.get(identity(event))))
    problems.check()
    return actions


def _found_by_id(event: dict, found: dict | None, path: str, index: int | None, problems: Problems) -> dict | None:
    """The active alarm named by the clear's ``id``, checked against the metadata the clear also gives.

    None when there is none, or when its metadata contradicts the clear's (a problem is recorded then).
    """
    if found is None:
        return None
    differ = _differing_keys(event['metadata'], found['metadata'], only_given=True)
    if differ:
        problems.add('%s.id' % path if path else 'id',
                     'the active alarm %s is %s, whose metadata differs from the given in: %s; nothing was cleared'
                     % (found['id'], identity_label(found), ', '.join(differ)), index=index, field='id')
        return None
    return found


def _differing_keys(given: dict, found: dict, only_given: bool = False) -> list[str]:
    """The metadata keys (severity aside) whose values differ; ``only_given``: of the keys in ``given``."""
    keys = set(given) if only_given else set(given) | set(found)
    return sorted(key for key in keys - {'event_severity'} if given.get(key) != found.get(key))


def near_misses(actions: Sequence[Action], active: Iterable[dict] | None, paths: Sequence[str] | None = None) -> list[str]:
    """Warnings for the clears that matched nothing while active alarms share their NEAR_MISS_KEYS.

    A typo in one metadata key must not look like success: each warning names the keys that differ.
    """
    alarms = _active_alarms(active)
    paths = paths or ['events[%d]' % index for index in range(len(actions))]
    warnings = []
    for action, path in zip(actions, paths):
        if action.result != 'absent' or action.desired.get('id') is not None:
            continue
        metadata = action.desired['metadata']
        close = [alarm for alarm in alarms
                 if all(alarm['metadata'].get(key) == metadata.get(key) for key in NEAR_MISS_KEYS)]
        if not close:
            continue
        described = ['%s (differs in: %s)' % (alarm['id'], ', '.join(_differing_keys(metadata, alarm['metadata'])))
                     for alarm in close[:5]]
        warnings.append('%sno active alarm matches %s, so nothing was cleared; %d active alarm(s) with the same '
                        'event_name and resource_id differ in other metadata keys: %s%s'
                        % ('%s: ' % path if path else '', identity_label(action.desired), len(close),
                           '; '.join(described), '; ...' if len(close) > 5 else ''))
    return warnings


def counts(actions: Iterable[Action]) -> dict[str, int]:
    """``{result: number}`` for the results that occurred."""
    tally = {}
    for action in actions:
        tally[action.result] = tally.get(action.result, 0) + 1
    return tally


def _normalised(events: Iterable[dict] | None) -> list[dict]:
    # listed_event() leaves an already normalised event as it is.
    return [listed_event(event) for event in events or ()]


def _active_alarms(active: Iterable[dict] | None) -> list[dict]:
    """The active alarms found, normalised, oldest first (so that indexing them keeps the newest)."""
    return [alarm for alarm in sorted(_normalised(active), key=lambda a: a.get('starts_at') or 0)
            if alarm['metadata'].get('event_type', 'alarm') == 'alarm' and not alarm.get('ends_at')]


def _plan_report(event: dict, found: dict | None) -> Action:
    if found is None:
        return Action('reported', event, dict(event), None, dict(event))
    # The timeout is compared when the service says it: a new one is applied by an update.
    same = (found['metadata'].get('event_severity') == event['metadata']['event_severity']
            and found['annotations'] == event['annotations']
            and found.get('timeout') in (None, event['timeout']))
    if same:
        return Action('unchanged', event, None, found, found)
    # An update keeps the alarm's id and its original start: it is the same, still-active alarm.
    update = dict(event, starts_at=found['starts_at'] or event['starts_at'])
    return Action('updated', event, update, found, dict(update, id=found['id']))


def clear_of(found: dict, ends_at: int, timeout: int | None) -> dict:
    """The clear of the active alarm ``found`` (normalised): its id and metadata, ended at ``ends_at``.

    ``timeout`` stands in when the service did not say the alarm's own. A clear never ends before
    the alarm started (its start may come from a clock ahead of this one): it ends at the start then.
    """
    clear = {
        'id': found['id'],
        'metadata': dict(found['metadata']),
        'annotations': dict(found['annotations']),
        'starts_at': found['starts_at'],
        'ends_at': max(ends_at, found['starts_at'] or 0),
        'timeout': found['timeout'] or timeout,
    }
    return dict((k, v) for k, v in clear.items() if v is not None)


def _plan_clear(event: dict, found: dict | None) -> Action:
    if found is None:
        return Action('absent', event, None, None, None)
    return Action('cleared', event, clear_of(found, event['ends_at'], event['timeout']), found, None)


def _plan_point_event(event: dict, recorded: dict[tuple, dict]) -> Action:
    found = recorded.get((identity(event), event['starts_at']))
    if found is not None:
        return Action('unchanged', event, None, found, found)
    return Action('reported', event, dict(event), None, dict(event))
