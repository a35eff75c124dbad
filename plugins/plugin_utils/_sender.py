# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Delivery on a daemon thread, so that the playbook never waits on the network.

The one place where the callback's events are batched and its end-of-run deadline is kept.
Jobs (a kind and a list of events) are delivered in the order they were submitted. Events
submitted one by one join the job queued before them while it is of the same kind, not yet
taken and not full (``max_batch`` events, one request); the thread lingers on the job at the
head of the queue until it is full, until no event has joined it for ``linger`` seconds (the
other failures of the same task come close together), or ``max_linger`` seconds after its
first event, whichever comes first; ``close`` ends any linger at once.

Once a delivery fails in a way worth retrying later, that job and every later one are spooled
instead of tried (the service is down; keeping the order keeps a later clear behind an earlier
report). ``close(timeout)`` sets the deadline: it tells the target to stop retrying shortly
before it, waits until it, then spools whatever the thread has not finished, from the caller's
thread. A job is spooled by one side only: both take ``_lock``.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
import typing as t

SPOOL = 'spool'
DROP = 'drop'
LINGER = 1.0  # seconds without a new event after which a batch is sent
MAX_LINGER = 30.0  # seconds after its first event by which a batch is sent while events keep coming
MAX_BATCH = 100  # events in one delivery: one push request of the AOM API
MAX_QUEUE = 1000  # jobs waiting in memory; more are spooled by the caller's thread
DEADLINE_MARGIN = 0.3  # seconds left to the thread, after the target gives up, to spool

_QUEUED, _DONE, _SPOOLED, _DROPPED, _LOST = 'queued', 'done', 'spooled', 'dropped', 'lost'


class SenderTarget(t.Protocol):
    """What the sender delivers to (``_alarm_delivery.AOMTarget``); every method runs on the thread but ``spool``."""

    def start(self) -> None:
        """Runs first on the thread; if it fails with an error worth retrying later, every job is spooled."""

    def deliver(self, kind: str, events: list[dict]) -> None:
        """Send ``events``; raise on failure."""

    def spool(self, kind: str, events: list[dict], created_ns: int) -> None:
        """Keep ``events`` for a later run (called by the thread or, past the deadline, by ``close``)."""

    def spool_or_drop(self, exc: Exception) -> str:
        """``SPOOL`` (worth retrying later) or ``DROP`` (never deliverable, e.g. refused as invalid)."""

    def set_deadline(self, deadline: float) -> None:
        """Stop retrying at ``deadline`` (a ``time.monotonic()`` value), leaving the thread time to spool."""


class _Job:
    __slots__ = ('kind', 'events', 'created_ns', 'first_at', 'last_at', 'state')

    def __init__(self, kind: str, events: t.Iterable[dict]) -> None:
        self.kind = kind
        self.events = list(events)
        self.created_ns = time.time_ns()
        self.first_at = self.last_at = time.monotonic()
        self.state = _QUEUED


@dataclasses.dataclass
class SenderReport:
    """What became of the submitted events, counted per kind: ``{'report': 3, 'clear': 1}``."""

    delivered: dict[str, int]
    spooled: dict[str, int]
    dropped: dict[str, int]
    lost: dict[str, int]
    errors: list[str]
    timed_out: bool


class BackgroundSender:
    """Deliver jobs to ``target`` on a daemon thread, in batches; spool what cannot be delivered.

    At most ``max_queue`` jobs wait in memory; more are spooled at once by the caller's thread.
    """

    def __init__(self, target: SenderTarget, linger: float = LINGER, max_linger: float = MAX_LINGER,
                 max_batch: int = MAX_BATCH, max_queue: int = MAX_QUEUE, name: str = 'aom-alarm-sender') -> None:
        self._target = target
        self._linger = linger
        self._max_linger = max_linger
        self._max_batch = max_batch
        self._max_queue = max_queue
        self._queue: collections.deque[_Job] = collections.deque()
        self._jobs: list[_Job] = []
        self._condition = threading.Condition()
        self._lock = threading.Lock()  # who spools a job: the thread, or close() after the deadline
        self._closing = False
        self._abandoned = False
        self._degraded = False
        self._overflowing = False
        self._errors: list[str] = []
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, kind: str, events: t.Sequence[dict]) -> None:
        """Queue ``events`` (joining the last queued job when it can); never blocks. Ignored after ``close``."""
        if not events or self._closing:
            return
        with self._condition:
            last = self._queue[-1] if self._queue else None
            if (last is not None and last.kind == kind and not self._overflowing
                    and len(last.events) + len(events) <= self._max_batch):
                last.events.extend(events)
                last.last_at = time.monotonic()
                self._condition.notify()
                return
            job = _Job(kind, events)
            self._jobs.append(job)
            # Once over the bound, stay over: spooled jobs must not overtake queued ones' order.
            if not self._overflowing and len(self._queue) < self._max_queue:
                self._queue.append(job)
                self._condition.notify()
                return
            self._overflowing = True
        self._spool_jobs([job], owner_is_thread=False)

    def close(self, timeout: float) -> SenderReport:
        """Deliver what is queued, at once, until ``timeout`` seconds from now; spool the rest."""
        deadline = time.monotonic() + max(0.0, timeout)
        # The target's retries stop short of the deadline, so that the thread spools what it holds itself.
        self._target.set_deadline(deadline - min(DEADLINE_MARGIN, max(0.0, timeout)))
        with self._condition:
            self._closing = True
            self._condition.notify()
        timed_out = False
        if self._thread.is_alive():
            self._thread.join(max(0.0, deadline - time.monotonic()))
            timed_out = self._thread.is_alive()
        with self._lock:
            self._abandoned = True
            unfinished = [job for job in self._jobs if job.state == _QUEUED]
        # A job still in flight at the deadline is spooled too: resending an alarm only updates it.
        self._spool_jobs(unfinished, owner_is_thread=False)
        return self._report(timed_out)

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._target.start()
        except Exception as exc:
            self._note_failure(exc)
        while True:
            job = self._next_job()
            if job is None:
                return
            if self._degraded:
                self._spool_jobs([job], owner_is_thread=True)
                continue
            try:
                self._target.deliver(job.kind, job.events)
            except Exception as exc:
                if self._note_failure(exc) == SPOOL:
                    self._spool_jobs([job], owner_is_thread=True)
                else:
                    self._set_state([job], _DROPPED)
            else:
                self._set_state([job], _DONE)

    def _next_job(self) -> _Job | None:
        """The job at the head of the queue once its linger is over; None when closed and empty."""
        with self._condition:
            while not self._queue and not self._closing:
                self._condition.wait()
            while self._queue and not self._closing:
                head = self._queue[0]
                if len(self._queue) > 1 or len(head.events) >= self._max_batch:
                    break  # nothing more can join it
                left = min(head.last_at + self._linger, head.first_at + self._max_linger) - time.monotonic()
                if left <= 0:
                    break
                self._condition.wait(left)
            return self._queue.popleft() if self._queue else None

    def _note_failure(self, exc: Exception) -> str:
        verdict = self._target.spool_or_drop(exc)
        if verdict == SPOOL:
            self._degraded = True
        self._errors.append(str(exc) or type(exc).__name__)
        return verdict

    # -- shared ----------------------------------------------------------------------------

    def _set_state(self, jobs: list[_Job], state: str) -> None:
        with self._lock:
            for job in jobs:
                if job.state == _QUEUED:
                    job.state = state

    def _spool_jobs(self, jobs: list[_Job], owner_is_thread: bool) -> None:
        """Spool ``jobs`` (consecutive ones of a kind together) unless the other side already has."""
        with self._lock:
            if owner_is_thread and self._abandoned:
                return
            pending = [job for job in jobs if job.state == _QUEUED]
            for group in _runs_of_one_kind(pending):
                try:
                    self._target.spool(group[0].kind, [e for job in group for e in job.events], group[0].created_ns)
                    state = _SPOOLED
                except Exception as exc:
                    self._errors.append('could not spool: %s' % (str(exc) or type(exc).__name__))
                    state = _LOST
                for job in group:
                    job.state = state

    def _report(self, timed_out: bool) -> SenderReport:
        counts = dict((state, collections.Counter()) for state in (_DONE, _SPOOLED, _DROPPED, _LOST))
        for job in self._jobs:
            if job.state in counts:
                counts[job.state][job.kind] += len(job.events)
        return SenderReport(delivered=dict(counts[_DONE]), spooled=dict(counts[_SPOOLED]),
                            dropped=dict(counts[_DROPPED]), lost=dict(counts[_LOST]),
                            errors=list(self._errors), timed_out=timed_out)


def _runs_of_one_kind(jobs: list[_Job]) -> list[list[_Job]]:
    groups: list[list[_Job]] = []
    for job in jobs:
        if groups and groups[-1][0].kind == job.kind:
            groups[-1].append(job)
        else:
            groups.append([job])
    return groups
