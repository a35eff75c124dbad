# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which hosts end a run with an alarm and which get theirs cleared: pure, no Ansible objects.

Failures are recorded as they happen, but the outcome is decided from the run's final stats:
a failure that a ``rescue`` handled is counted in ``rescued``, not ``failures``, so it leaves
no alarm, and ``ignore_errors`` failures are counted in ``ignored``. A task run in check mode
proves nothing: a host whose final failure was in check mode is neither raised nor cleared, and
a host that ran any task in check mode is not cleared.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Failure:
    """What the alarm says about one failed (or unreachable) host. Never task arguments."""

    host: str
    unreachable: bool
    task_name: str
    task_action: str
    task_path: str
    play: str
    message: str
    at_ms: int
    in_check_mode: bool = False


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The end of a run: one alarm per failed host, and the hosts whose alarm is to be cleared."""

    alarms: tuple
    cleared_hosts: tuple


class FailureRecord:
    """The last failure and the last unreachable of each host, as the run goes."""

    def __init__(self):
        self._last_failed = {}
        self._last_unreachable = {}

    def record(self, failure):
        target = self._last_unreachable if failure.unreachable else self._last_failed
        target[failure.host] = failure

    def last(self, host):
        return self._last_unreachable.get(host) or self._last_failed.get(host)

    def decide(self, summaries, unproven_hosts=()):
        """The Outcome from ``{host: stats.summarize(host)}``.

        A host with failures or unreachable > 0 gets an alarm (Critical when unreachable), unless
        that failure happened in check mode; a host that ran something (ok or changed) with
        neither gets its alarm cleared, unless it is in ``unproven_hosts`` (it ran a task in
        check mode); other hosts (only skipped) are left alone.
        """
        alarms, cleared = [], []
        for host in sorted(summaries):
            summary = summaries[host]
            if summary.get('unreachable', 0) > 0 or summary.get('failures', 0) > 0:
                failure = self._failure_for(host, unreachable=summary.get('unreachable', 0) > 0)
                if not failure.in_check_mode:
                    alarms.append(failure)
            elif (summary.get('ok', 0) > 0 or summary.get('changed', 0) > 0) and host not in unproven_hosts:
                cleared.append(host)
        return Outcome(alarms=tuple(alarms), cleared_hosts=tuple(cleared))

    def _failure_for(self, host, unreachable):
        preferred = self._last_unreachable if unreachable else self._last_failed
        recorded = preferred.get(host) or self.last(host)
        if recorded is None:
            # Counted by the stats without a callback we saw (rare): still one alarm, said plainly.
            return Failure(host=host, unreachable=unreachable, task_name='', task_action='', task_path='',
                           play='', message='the host %s; no details were recorded'
                           % ('was unreachable' if unreachable else 'failed'), at_ms=0)
        if recorded.unreachable != unreachable:
            recorded = dataclasses.replace(recorded, unreachable=unreachable)
        return recorded
