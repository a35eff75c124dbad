# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Delivery on a daemon thread, so that the playbook never waits on the network.

Jobs (a kind and a list of events) are delivered in the order they were submitted;
consecutive jobs of one kind that queued up while the thread was busy go out together.
Once a delivery fails in a way worth retrying later, that job and every later one are
spooled instead of tried (the service is down; keeping the order keeps a later clear behind
an earlier report). ``close`` waits until a deadline, then spools whatever the thread has not
finished, from the main thread. A job is spooled by one side only: both take ``_lock``.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time

SPOOL = 'spool'
DROP = 'drop'

_QUEUED, _DONE, _SPOOLED, _DROPPED, _LOST = 'queued', 'done', 'spooled', 'dropped', 'lost'


class _Job:
    __slots__ = ('kind', 'events', 'created_ns', 'state')

    def __init__(self, kind, events):
        self.kind = kind
        self.events = list(events)
        self.created_ns = time.time_ns()
        self.state = _QUEUED


@dataclasses.dataclass
class SenderReport:
    """What became of the submitted events, counted per kind: ``{'report': 3, 'clear': 1}``."""

    delivered: dict
    spooled: dict
    dropped: dict
    lost: dict
    errors: list
    timed_out: bool


class BackgroundSender:
    """Deliver jobs on a daemon thread; spool what cannot be delivered.

    ``deliver(kind, events)`` sends (raises on failure); ``spool(kind, events, created_ns)``
    keeps them for a later run; ``classify(exc)`` says ``SPOOL`` (worth retrying later) or
    ``DROP`` (never deliverable, e.g. rejected as invalid). ``on_start()`` runs first on the
    thread (flushing an earlier run's spool); if it fails with a SPOOL error, every job is spooled.
    At most ``max_queue`` jobs wait in memory; more are spooled at once by the caller's thread.
    """

    def __init__(self, deliver, spool, classify, on_start=None, max_queue=1000, name='aom-alarm-sender'):
        self._deliver = deliver
        self._spool = spool
        self._classify = classify
        self._on_start = on_start
        self._max_queue = max_queue
        self._queue = collections.deque()
        self._jobs = []
        self._condition = threading.Condition()
        self._lock = threading.Lock()  # who spools a job: the thread, or close() after the deadline
        self._closing = False
        self._abandoned = False
        self._degraded = False
        self._overflowing = False
        self._errors = []
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self):
        self._thread.start()

    def submit(self, kind, events):
        """Queue a job; never blocks. Ignored after ``close``."""
        if not events or self._closing:
            return
        job = _Job(kind, events)
        self._jobs.append(job)
        with self._condition:
            # Once over the bound, stay over: spooled jobs must not overtake queued ones' order.
            if not self._overflowing and len(self._queue) < self._max_queue:
                self._queue.append(job)
                self._condition.notify()
                return
            self._overflowing = True
        self._spool_jobs([job], owner_is_thread=False)

    @property
    def degraded(self):
        return self._degraded

    def close(self, timeout):
        """Stop after delivering what is queued, waiting at most ``timeout`` seconds; spool the rest."""
        with self._condition:
            self._closing = True
            self._condition.notify()
        timed_out = False
        if self._thread.is_alive():
            self._thread.join(max(0.0, timeout))
            timed_out = self._thread.is_alive()
        with self._lock:
            self._abandoned = True
            unfinished = [job for job in self._jobs if job.state == _QUEUED]
        # A job still in flight at the deadline is spooled too: resending an alarm only updates it.
        self._spool_jobs(unfinished, owner_is_thread=False)
        return self._report(timed_out)

    # -- the thread ------------------------------------------------------------------------

    def _run(self):
        if self._on_start is not None:
            try:
                self._on_start()
            except Exception as exc:
                self._note_failure(exc)
        while True:
            batch = self._next_batch()
            if not batch:
                return
            if self._degraded:
                self._spool_jobs(batch, owner_is_thread=True)
                continue
            events = [event for job in batch for event in job.events]
            try:
                self._deliver(batch[0].kind, events)
            except Exception as exc:
                if self._note_failure(exc) == SPOOL:
                    self._spool_jobs(batch, owner_is_thread=True)
                else:
                    self._set_state(batch, _DROPPED)
            else:
                self._set_state(batch, _DONE)

    def _next_batch(self):
        """The next job and the queued jobs of the same kind right behind it; [] when closed and empty."""
        with self._condition:
            while not self._queue and not self._closing:
                self._condition.wait()
            if not self._queue:
                return []
            batch = [self._queue.popleft()]
            while self._queue and self._queue[0].kind == batch[0].kind:
                batch.append(self._queue.popleft())
            return batch

    def _note_failure(self, exc):
        verdict = self._classify(exc)
        if verdict == SPOOL:
            self._degraded = True
        self._errors.append(str(exc) or type(exc).__name__)
        return verdict

    # -- shared ----------------------------------------------------------------------------

    def _set_state(self, jobs, state):
        with self._lock:
            for job in jobs:
                if job.state == _QUEUED:
                    job.state = state

    def _spool_jobs(self, jobs, owner_is_thread):
        """Spool ``jobs`` (consecutive ones of a kind together) unless the other side already has."""
        with self._lock:
            if owner_is_thread and self._abandoned:
                return
            pending = [job for job in jobs if job.state == _QUEUED]
            for group in _runs_of_one_kind(pending):
                try:
                    self._spool(group[0].kind, [e for job in group for e in job.events], group[0].created_ns)
                    state = _SPOOLED
                except Exception as exc:
                    self._errors.append('could not spool: %s' % (str(exc) or type(exc).__name__))
                    state = _LOST
                for job in group:
                    job.state = state

    def _report(self, timed_out):
        counts = dict((state, collections.Counter()) for state in (_DONE, _SPOOLED, _DROPPED, _LOST))
        for job in self._jobs:
            if job.state in counts:
                counts[job.state][job.kind] += len(job.events)
        return SenderReport(delivered=dict(counts[_DONE]), spooled=dict(counts[_SPOOLED]),
                            dropped=dict(counts[_DROPPED]), lost=dict(counts[_LOST]),
                            errors=list(self._errors), timed_out=timed_out)


def _runs_of_one_kind(jobs):
    groups = []
    for job in jobs:
        if groups and groups[-1][0].kind == job.kind:
            groups[-1].append(job)
        else:
            groups.append([job])
    return groups
