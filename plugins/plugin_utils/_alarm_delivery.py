# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the sender thread does with AOM: flush the spool, learn the standing alarms, report, clear.

Runs on the sender thread only (see _sender.py), so nothing here has to be quick.
"""

from __future__ import annotations

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError, AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import identity
from ansible_collections.huaweicloud.aom.plugins.module_utils._time import now_ms
from ansible_collections.huaweicloud.aom.plugins.module_utils._wire import listed_event
from ansible_collections.huaweicloud.aom.plugins.module_utils._reconcile import active_time_range
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import (
    clears_for,
    lookup_filter,
    standing_filter,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._sender import DROP, SPOOL

REPORT = 'report'
CLEAR = 'clear'


def classify(exc):
    """DROP what the service will never accept (invalid events); SPOOL the rest to try again later.

    401/403/404 are spooled too: they are fixed by correcting the configuration, after which
    the next run delivers what was kept.
    """
    if isinstance(exc, AOMValidationError):
        return DROP
    if isinstance(exc, AOMError) and exc.status == 400:
        return DROP
    return SPOOL


class AlarmDelivery:

    def __init__(self, client, spool, settings, clock_ms=now_ms, spool_lock_timeout=5.0):
        self._client = client
        self._spool = spool
        self._settings = settings
        self._clock_ms = clock_ms
        self._spool_lock_timeout = spool_lock_timeout
        self._raised = set()
        # identity -> active alarm of this playbook, looked up once at the start; None: unknown.
        self.standing = None
        self.flushed_entries = 0
        self.dropped = []  # messages about spooled entries the service refused for good

    # -- the sender's callables --------------------------------------------------------------

    def start(self):
        """First the earlier runs' spool, in order; then which alarms this playbook left standing."""
        self.flushed_entries = self._spool.flush(self._deliver_spooled, self._spool_lock_timeout) or 0
        active = self._client.list_events(event_type='active_alert', time_range=active_time_range(self._clock_ms()),
                                          metadata_relation=standing_filter(self._settings))
        self.standing = dict((_identity_of(alarm), alarm) for alarm in active)

    def deliver(self, kind, events):
        if kind == REPORT:
            events = latest_per_identity(events)
            self._client.push(events)
            self._raised.update(identity(event) for event in events)
        else:
            self._clear(events, trust_standing=True)

    def spool(self, kind, events, created_ns):
        self._spool.append(events, clear=(kind == CLEAR), created_ns=created_ns)

    # -- internals -------------------------------------------------------------------------

    def _clear(self, candidates, trust_standing):
        """One lookup (skipped when the start's is still right), then one clear push if anything stands."""
        wanted = set(identity(candidate) for candidate in candidates)
        if trust_standing and self.standing is not None and not wanted & self._raised:
            active = [alarm for key, alarm in self.standing.items() if key in wanted]
        else:
            active = self._client.list_events(event_type='active_alert',
                                              time_range=active_time_range(self._clock_ms()),
                                              metadata_relation=lookup_filter(candidates))
        clears = clears_for(active, candidates, self._clock_ms())
        if clears:
            self._client.push(clears, clear=True)
            for clear in clears:
                self._raised.discard(identity(clear))
                if self.standing is not None:
                    self.standing.pop(identity(clear), None)

    def _deliver_spooled(self, events, clear):
        try:
            if clear:
                self._clear(events, trust_standing=False)
            else:
                self._client.push(latest_per_identity(events))
        except Exception as exc:
            if classify(exc) == SPOOL:
                raise
            self.dropped.append(str(exc))


def latest_per_identity(events):
    """The last report of each alarm, in order: one request must not name an alarm twice."""
    latest = dict((identity(event), index) for index, event in enumerate(events))
    return [event for index, event in enumerate(events) if latest[identity(event)] == index]


def _identity_of(alarm):
    return identity(listed_event(alarm))
