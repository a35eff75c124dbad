# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The callback's one collaborator: from a host's Failure to an alarm in AOM, or in the spool.

``AlarmDelivery`` runs on the callback's (main) thread and never waits on the network: it turns
failures into alarm events and hosts into clears, hands each alarm over once (exactly once: an
alarm saying what was already handed over is not handed over again), and leaves batching, the
order, spooling and the end-of-run deadline to the ``BackgroundSender`` (see _sender.py).

``AOMTarget`` is what the sender's thread does with AOM: flush the spool of earlier runs, learn
the alarms this playbook left active, report, clear. Nothing there has to be quick.
"""

from __future__ import annotations

import typing as t

from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError, AOMError, AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import identity
from ansible_collections.huaweicloud.aom.plugins.module_utils._time import now_ms
from ansible_collections.huaweicloud.aom.plugins.module_utils._wire import listed_event
from ansible_collections.huaweicloud.aom.plugins.module_utils._reconcile import active_time_range
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import (
    AlarmSettings,
    PushKind,
    RunInfo,
    alarm_event,
    clear_candidate,
    clears_for,
    identities_filter,
    playbook_alarms_filter,
    same_apart_from_times,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._job_record import JobRecord
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._sender import DROP, SPOOL, BackgroundSender, SenderReport
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._spool import Spool, SpoolError

if t.TYPE_CHECKING:
    from ansible_collections.huaweicloud.aom.plugins.plugin_utils._failures import Failure


def spool_or_drop(exc: Exception) -> str:
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
    """Alarms and clears of one run, handed to a background sender; built when the callback is configured.

    Building it makes the spool directory ready (``Spool.prepare``; AOMConfigError when it cannot be
    used), so that an unusable one is found before any alarm depends on it.

    ``start`` (when the playbook starts) starts the sender; ``raise_alarm`` hands over the alarm of a
    failure that no rescue can handle; ``finish`` hands over the run's final alarms and clears and
    waits for them at most ``flush_timeout`` seconds; ``close`` does the same for an interrupted run;
    ``record_undelivered`` then puts what is left into an ansible-runner job's record (_job_record.py).
    """

    def __init__(self, conn: t.Any, settings: AlarmSettings, spool_dir: str, flush_timeout: float,
                 client_factory: t.Callable[[t.Any], AOMClient] | None = None) -> None:
        try:
            Spool(spool_dir).prepare()
        except (OSError, SpoolError) as exc:
            raise AOMConfigError('spool_dir cannot be used: %s' % exc)
        self._conn = conn
        self.settings = settings
        self.spool_dir = spool_dir
        self._flush_timeout = flush_timeout
        self._client_factory = client_factory
        self._run: RunInfo | None = None
        self._target: AOMTarget | None = None
        self._sender: BackgroundSender | None = None
        self._handed_over: dict[tuple, dict] = {}  # identity -> the alarm event last handed to the sender
        self._job_record: JobRecord | None = None  # ansible-runner jobs: what is left undelivered goes there
        self._closed = False

    @property
    def started(self) -> bool:
        return self._sender is not None

    @property
    def flushed_entries(self) -> int:
        """Spool entries of earlier runs delivered at the start."""
        return self._target.flushed_entries if self._target is not None else 0

    @property
    def refused_spool_entries(self) -> list[str]:
        """Why the service refused spooled entries for good (they were removed)."""
        return self._target.refused_spool_entries if self._target is not None else []

    def start(self, run: RunInfo, default_playbook_id: str, may_clear: bool = True) -> None:
        """Start the sender; its thread first flushes the spool and looks up this playbook's active alarms.

        ``may_clear=False`` (a run that clears nothing): no lookup, as nothing would use it.
        """
        self.settings = self.settings.for_playbook(default_playbook_id)
        self._run = run
        client = (self._client_factory or AOMClient)(self._conn)
        self._job_record = JobRecord()
        self._target = AOMTarget(client, self._job_record.watch(Spool(self.spool_dir)), self.settings,
                                 look_up_active=may_clear)
        self._sender = BackgroundSender(self._target)
        self._sender.start()

    def raise_alarm(self, failure: Failure) -> None:
        """Hand over the alarm of ``failure`` now (it is final: no rescue can handle it)."""
        self._hand_over(alarm_event(failure, self.settings, self._run, now_ms()))

    def finish(self, alarms: t.Iterable[Failure], cleared_hosts: t.Sequence[str]) -> SenderReport | None:
        """Hand over the run's final alarms (unless already handed over as they are) and clears; then ``close``."""
        now = now_ms()
        for failure in alarms:
            event = alarm_event(failure, self.settings, self._run, now)
            handed_over = self._handed_over.get(identity(event))
            if handed_over is None or not same_apart_from_times(handed_over, event):
                self._hand_over(event)
        if cleared_hosts:
            self._sender.submit(PushKind.CLEAR, [clear_candidate(host, self.settings, now) for host in cleared_hosts])
        return self.close()

    def close(self, timeout: float | None = None) -> SenderReport | None:
        """Wait at most ``flush_timeout`` (or ``timeout``, if less) seconds for delivery, then spool the rest.

        None when there was nothing to close (not started, or closed already).
        """
        if self._closed or self._sender is None:
            return None
        self._closed = True
        budget = self._flush_timeout if timeout is None else min(timeout, self._flush_timeout)
        return self._sender.close(budget)

    def record_undelivered(self, warn: t.Callable[[str], t.Any], name: str) -> None:
        """In an ansible-runner job, list what this run spooled in a warning and copy it into the job's artifacts."""
        if self._job_record is not None:
            self._job_record.finish(warn, name)

    def _hand_over(self, event: dict) -> None:
        self._handed_over[identity(event)] = event
        self._sender.submit(PushKind.REPORT, [event])


class AOMTarget:
    """What the sender's thread does with AOM (see ``_sender.SenderTarget``)."""

    def __init__(self, client: AOMClient, spool: Spool, settings: AlarmSettings,
                 clock_ms: t.Callable[[], int] = now_ms, spool_lock_timeout: float = 5.0,
                 look_up_active: bool = True) -> None:
        self._client = client
        self._spool = spool
        self._settings = settings
        self._clock_ms = clock_ms
        self._spool_lock_timeout = spool_lock_timeout
        self._look_up_active = look_up_active
        self._raised: set[tuple] = set()
        # identity -> active alarm of this playbook, looked up once at the start; None: unknown.
        self.active_at_start: dict[tuple, dict] | None = None
        self.flushed_entries = 0
        self.refused_spool_entries: list[str] = []  # messages about spooled entries the service refused for good

    # -- the sender's calls ------------------------------------------------------------------

    def start(self) -> None:
        """First the earlier runs' spool, in order; then which alarms this playbook left active (if asked)."""
        self.flushed_entries = self._spool.flush(self._deliver_spooled, self._spool_lock_timeout) or 0
        if not self._look_up_active:
            return
        active = self._client.list_events(event_type='active_alert', time_range=active_time_range(self._clock_ms()),
                                          metadata_relation=playbook_alarms_filter(self._settings))
        self.active_at_start = dict((_identity_of(alarm), alarm) for alarm in active)

    def deliver(self, kind: PushKind, events: list[dict]) -> None:
        if kind is PushKind.REPORT:
            events = latest_per_identity(events)
            self._client.push(events)
            self._raised.update(identity(event) for event in events)
        else:
            self._clear(events, trust_active_at_start=True)

    def spool(self, kind: PushKind, events: list[dict], created_ns: int) -> None:
        self._spool.append(events, kind, created_ns=created_ns)

    def spool_or_drop(self, exc: Exception) -> str:
        return spool_or_drop(exc)

    def set_deadline(self, deadline: float) -> None:
        self._client.deadline = deadline

    # -- internals -------------------------------------------------------------------------

    def _clear(self, candidates: list[dict], trust_active_at_start: bool) -> None:
        """One lookup (skipped when the start's is still right), then one clear push if anything is active."""
        wanted = set(identity(candidate) for candidate in candidates)
        if trust_active_at_start and self.active_at_start is not None and not wanted & self._raised:
            active = [alarm for key, alarm in self.active_at_start.items() if key in wanted]
        else:
            active = self._client.list_events(event_type='active_alert',
                                              time_range=active_time_range(self._clock_ms()),
                                              metadata_relation=identities_filter(candidates))
        clears = clears_for(active, candidates, self._clock_ms())
        if clears:
            self._client.push(clears, clear=True)
            for clear in clears:
                self._raised.discard(identity(clear))
                if self.active_at_start is not None:
                    self.active_at_start.pop(identity(clear), None)

    def _deliver_spooled(self, events: list[dict], kind: PushKind) -> None:
        try:
            if kind is PushKind.CLEAR:
                self._clear(events, trust_active_at_start=False)
            else:
                self._client.push(latest_per_identity(events))
        except Exception as exc:
            if spool_or_drop(exc) == SPOOL:
                raise
            self.refused_spool_entries.append(str(exc))


def latest_per_identity(events: t.Sequence[dict]) -> list[dict]:
    """The last report of each alarm, in order: one request must not name an alarm twice."""
    latest = dict((identity(event), index) for index, event in enumerate(events))
    return [event for index, event in enumerate(events) if latest[identity(event)] == index]


def _identity_of(alarm: dict) -> tuple:
    return identity(listed_event(alarm))
