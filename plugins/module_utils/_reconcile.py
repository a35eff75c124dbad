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

from ansible_collections.huaweicloud.aom.plugins.module_utils._events import (
    MAX_TIMEOUT_MS,
    REQUIRED_METADATA,
    identity,
    listed_event,
    metadata_relation,
    time_range,
)

WRITE_RESULTS = ('reported', 'updated', 'cleared')
RESULTS = ('reported', 'updated', 'unchanged', 'cleared', 'absent')

# An alarm stays active at most its timeout (15 days at most) after its last report: look back
# twice that, so an alarm refreshed by updates is still found. ``-1.-1.N`` = the last N minutes.
ACTIVE_LOOKUP_TIME_RANGE = '-1.-1.%d' % (2 * MAX_TIMEOUT_MS // 60000)
# Margin around the starts_at values of point-in-time events when looking them up in history.
HISTORY_MARGIN_MS = 60000

# The identity keys that narrow a lookup; severity is not part of the identity.
_LOOKUP_KEYS = tuple(key for key in REQUIRED_METADATA if key != 'event_severity')


class Action(namedtuple('Action', 'result desired event before after')):
    """What to do for one desired event.

    ``result``: reported|updated|unchanged|cleared|absent. ``desired``: the normalised event asked
    for. ``event``: the payload to send (``None`` when nothing is sent; with ``id`` when clearing).
    ``before``/``after``: the alarm or event on the service before and after (``None`` = none).
    """

    __slots__ = ()

    @property
    def sends(self):
        """Whether this action writes to the service."""
        return self.result in WRITE_RESULTS

    @property
    def record(self):
        """The event as it is, or will be, after this action: what the module returns."""
        if self.result == 'cleared':
            return self.event
        return self.after or self.before or self.desired


def active_lookup(desired):
    """Keyword arguments of the ONE ``list_events`` call that finds the active alarms ``desired`` may match.

    It filters on each identity key with the list of values the batch uses (a superset of the
    identities: the exact match is done locally by ``plan``). ``None`` when no alarm is desired.
    """
    alarms = [event for event in desired if event['metadata']['event_type'] == 'alarm']
    if not alarms:
        return None
    return dict(event_type='active_alert', time_range=ACTIVE_LOOKUP_TIME_RANGE,
                metadata_relation=_relation_for(alarms))


def history_lookup(desired):
    """Keyword arguments of the ONE ``list_events`` call that finds already recorded point-in-time events.

    No ``type``: events are never active, and the service files them in its history; the time
    range covers every ``starts_at`` of the batch. ``None`` when no event is desired.
    """
    events = [event for event in desired if event['metadata']['event_type'] == 'event']
    if not events:
        return None
    starts = [event['starts_at'] for event in events]
    return dict(time_range=time_range(min(starts) - HISTORY_MARGIN_MS, max(starts) + HISTORY_MARGIN_MS),
                metadata_relation=_relation_for(events))


def _relation_for(events):
    values = {}
    for key in _LOOKUP_KEYS:
        values[key] = sorted(set(event['metadata'][key] for event in events))
    return metadata_relation(values)


def plan(desired, active, state, history=None):
    """One ``Action`` per desired event, in order.

    ``desired``: normalised events (``_events.build_events``). ``active``: the active alarms found
    (raw list API items or normalised). ``state``: ``reported`` or ``cleared``. ``history``: the
    recorded events found, for point-in-time events (``event_type: event``).
    """
    active_by_identity = _index_alarms(active)
    recorded = dict(((identity(event), event['starts_at']), event) for event in _normalised(history)
                    if event['metadata'].get('event_type') == 'event')
    actions = []
    for event in desired:
        if event['metadata']['event_type'] == 'event':
            actions.append(_plan_point_event(event, recorded))
        elif state == 'cleared':
            actions.append(_plan_clear(event, active_by_identity.get(identity(event))))
        else:
            actions.append(_plan_report(event, active_by_identity.get(identity(event))))
    return actions


def counts(actions):
    """``{result: number}`` for the results that occurred."""
    tally = {}
    for action in actions:
        tally[action.result] = tally.get(action.result, 0) + 1
    return tally


def _normalised(events):
    # listed_event() leaves an already normalised event as it is.
    return [listed_event(event) for event in events or ()]


def _index_alarms(active):
    """Active alarms by identity; when the service holds two with one identity, the newest wins."""
    index = {}
    for alarm in sorted(_normalised(active), key=lambda a: a.get('starts_at') or 0):
        if alarm['metadata'].get('event_type', 'alarm') == 'alarm' and not alarm.get('ends_at'):
            index[identity(alarm)] = alarm
    return index


def _plan_report(event, found):
    if found is None:
        return Action('reported', event, dict(event), None, dict(event))
    same = (found['metadata'].get('event_severity') == event['metadata']['event_severity']
            and found['annotations'] == event['annotations'])
    if same:
        return Action('unchanged', event, None, found, found)
    # An update keeps the alarm's id and its original start: it is the same, still-active alarm.
    update = dict(event, starts_at=found['starts_at'] or event['starts_at'])
    return Action('updated', event, update, found, dict(update, id=found['id']))


def clear_of(found, ends_at, timeout):
    """The clear of the active alarm ``found`` (normalised): its id and metadata, ended at ``ends_at``.

    ``timeout`` stands in when the service did not say the alarm's own.
    """
    clear = {
        'id': found['id'],
        'metadata': dict(found['metadata']),
        'annotations': dict(found['annotations']),
        'starts_at': found['starts_at'],
        'ends_at': ends_at,
        'timeout': found['timeout'] or timeout,
    }
    return dict((k, v) for k, v in clear.items() if v is not None)


def _plan_clear(event, found):
    if found is None:
        return Action('absent', event, None, None, None)
    return Action('cleared', event, clear_of(found, event['ends_at'], event['timeout']), found, None)


def _plan_point_event(event, recorded):
    found = recorded.get((identity(event), event['starts_at']))
    if found is not None:
        return Action('unchanged', event, None, found, found)
    return Action('reported', event, dict(event), None, dict(event))
