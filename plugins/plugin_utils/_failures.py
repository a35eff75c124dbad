# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A host's failure: what a failed task result may tell an alarm, and which hosts end the run with one.

``failure_from_result`` reads only the task's name, action and path, the play and the error
message; the task's arguments never (CVE-2019-14864), and a ``no_log`` result gives a fixed
message. Secrets are masked before the message is cut.

``FailureRecord`` keeps failures as they happen, but the outcome is decided from the run's final
stats: a failure that a ``rescue`` handled is counted in ``rescued``, not ``failures``, so it
leaves no alarm, and ``ignore_errors`` failures are counted in ``ignored``. A task run in check
mode proves nothing: a host whose final failure was in check mode is neither raised nor cleared,
and a host that ran any task in check mode is not cleared. No Ansible object is kept.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import redact as _redact

NO_LOG_MESSAGE = 'the output has been hidden due to no_log'
MAX_MESSAGE_LENGTH = 1024
# Secrets shorter than this are not searched for: they would match ordinary words.
_MIN_SECRET_LENGTH = 4
# Generic texts that say less than the failed loop item's own message.
_GENERIC_LOOP_MESSAGES = ('One or more items failed', 'All items completed')
_MESSAGE_KEYS = ('msg', 'reason', 'stderr', 'module_stderr')


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

    alarms: tuple[Failure, ...]
    cleared_hosts: tuple[str, ...]


# -- from a task result ------------------------------------------------------------------------

def result_parts(result: t.Any) -> tuple[t.Any, str, dict]:
    """``(task, host_name, data)`` of a callback task result, for ansible-core 2.17 to 2.19+."""
    task = getattr(result, 'task', None) or getattr(result, '_task', None)
    host = getattr(result, 'host', None) or getattr(result, '_host', None)
    data = getattr(result, 'result', None)
    if data is None:
        data = getattr(result, '_result', None)
    host_name = host.get_name() if host is not None else 'unknown'
    return task, host_name, data if isinstance(data, dict) else {}


def failure_from_result(result: t.Any, unreachable: bool, play_name: str, now_ms: int,
                        secrets: t.Sequence[str] = (), in_check_mode: bool = False) -> Failure:
    """The Failure of ``result``; ``secrets`` are masked in every text kept (before any cut)."""
    task, host_name, data = result_parts(result)
    hidden = is_no_log(task, data)
    message = NO_LOG_MESSAGE if hidden else error_message(data)
    return Failure(
        host=host_name,
        unreachable=unreachable,
        task_name=redact(_as_text(task.get_name() if task is not None else ''), secrets),
        task_action=_as_text(getattr(task, 'action', '') or ''),
        task_path=_as_text(task.get_path() if task is not None else ''),
        play=redact(_as_text(play_name or ''), secrets),
        message=truncate(redact(message, secrets)),
        at_ms=now_ms,
        in_check_mode=in_check_mode,
    )


def is_no_log(task: t.Any, data: dict) -> bool:
    task_no_log = getattr(task, 'no_log', False)
    return (isinstance(task_no_log, bool) and task_no_log) or bool(data.get('_ansible_no_log')) or 'censored' in data


def error_message(data: dict) -> str:
    """The result's own words: ``msg``, else ``reason``, else ``stderr``; a failed loop item's when more precise."""
    message = _first_text(data, _MESSAGE_KEYS)
    items = data.get('results')
    if isinstance(items, list) and (not message or message in _GENERIC_LOOP_MESSAGES):
        for item in items:
            if isinstance(item, dict) and item.get('failed'):
                if item.get('_ansible_no_log') or 'censored' in item:
                    return NO_LOG_MESSAGE
                item_message = _first_text(item, _MESSAGE_KEYS)
                if item_message:
                    return item_message
    return message or 'the task failed without a message'


def truncate(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    return text if len(text) <= limit else text[:limit - 3] + '...'


def redact(text: str, secrets: t.Sequence[str]) -> str:
    """``text`` without ``secrets`` (as written, or escaped as Python or JSON would: _errors.redact)."""
    return _redact(text, [secret for secret in secrets if secret and len(secret) >= _MIN_SECRET_LENGTH])


def may_be_rescued(task: t.Any) -> bool:
    """Whether a failure of ``task`` might still be handled by a ``rescue`` of an enclosing block.

    Conservative: any enclosing block with a rescue section counts, so such failures wait for
    the run's final stats instead of raising an alarm at once.
    """
    parent, depth = getattr(task, '_parent', None), 0
    while parent is not None and depth < 100:
        if getattr(parent, 'rescue', None):
            return True
        parent, depth = getattr(parent, '_parent', None), depth + 1
    return False


def _first_text(data: dict, keys: t.Sequence[str]) -> str:
    for key in keys:
        value = data.get(key)
        if value:
            return _as_text(value).strip()
    return ''


def _as_text(value: t.Any) -> str:
    """``value`` as a string, as Ansible shows it (results may hold numbers or lists where text is expected)."""
    return value if isinstance(value, str) else str(value)


# -- at the end of the run ---------------------------------------------------------------------

class FailureRecord:
    """The last failure and the last unreachable of each host, as the run goes."""

    def __init__(self) -> None:
        self._last_failed: dict[str, Failure] = {}
        self._last_unreachable: dict[str, Failure] = {}

    def record(self, failure: Failure) -> None:
        target = self._last_unreachable if failure.unreachable else self._last_failed
        target[failure.host] = failure

    def last(self, host: str) -> Failure | None:
        return self._last_unreachable.get(host) or self._last_failed.get(host)

    def decide(self, summaries: t.Mapping[str, t.Mapping[str, int]], unproven_hosts: t.Container[str] = ()) -> Outcome:
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

    def _failure_for(self, host: str, unreachable: bool) -> Failure:
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
