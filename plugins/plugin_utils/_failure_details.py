# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A Failure from an Ansible task result: what is safe to put in an alarm, and nothing else.

Only the task's name, action and path, the play and the error message are read; the task's
arguments never are (CVE-2019-14864), and a ``no_log`` result gives a fixed message.
"""

from __future__ import annotations

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_state import Failure

NO_LOG_MESSAGE = 'the output has been hidden due to no_log'
MAX_MESSAGE_LENGTH = 1024
REDACTED = '********'
# Secrets shorter than this are not searched for: they would match ordinary words.
_MIN_SECRET_LENGTH = 4
# Generic texts that say less than the failed loop item's own message.
_GENERIC_LOOP_MESSAGES = ('One or more items failed', 'All items completed')


def result_parts(result):
    """``(task, host_name, data)`` of a callback task result, for ansible-core 2.17 to 2.19+."""
    task = getattr(result, 'task', None) or getattr(result, '_task', None)
    host = getattr(result, 'host', None) or getattr(result, '_host', None)
    data = getattr(result, 'result', None)
    if data is None:
        data = getattr(result, '_result', None)
    host_name = host.get_name() if host is not None else 'unknown'
    return task, host_name, data if isinstance(data, dict) else {}


def failure_from_result(result, unreachable, play_name, now_ms, secrets=(), in_check_mode=False):
    """The Failure of ``result``; ``secrets`` are masked in every text kept (before any cut)."""
    task, host_name, data = result_parts(result)
    hidden = is_no_log(task, data)
    message = NO_LOG_MESSAGE if hidden else error_message(data)
    return Failure(
        host=host_name,
        unreachable=unreachable,
        task_name=redact(_text(task.get_name() if task is not None else ''), secrets),
        task_action=_text(getattr(task, 'action', '') or ''),
        task_path=_text(task.get_path() if task is not None else ''),
        play=redact(_text(play_name or ''), secrets),
        message=truncate(redact(message, secrets)),
        at_ms=now_ms,
        in_check_mode=in_check_mode,
    )


def is_no_log(task, data):
    task_no_log = getattr(task, 'no_log', False)
    return (isinstance(task_no_log, bool) and task_no_log) or bool(data.get('_ansible_no_log')) or 'censored' in data


def error_message(data):
    """The result's own words: ``msg``, else ``reason``, else ``stderr``; a failed loop item's when more precise."""
    message = _first_text(data, ('msg', 'reason', 'stderr', 'module_stderr'))
    items = data.get('results')
    if isinstance(items, list) and (not message or message in _GENERIC_LOOP_MESSAGES):
        for item in items:
            if isinstance(item, dict) and item.get('failed'):
                if item.get('_ansible_no_log') or 'censored' in item:
                    return NO_LOG_MESSAGE
                item_message = _first_text(item, ('msg', 'reason', 'stderr', 'module_stderr'))
                if item_message:
                    return item_message
    return message or 'the task failed without a message'


def truncate(text, limit=MAX_MESSAGE_LENGTH):
    return text if len(text) <= limit else text[:limit - 3] + '...'


def redact(text, secrets):
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def may_be_rescued(task):
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


def _first_text(data, keys):
    for key in keys:
        value = data.get(key)
        if value:
            return _text(value).strip()
    return ''


def _text(value):
    return value if isinstance(value, str) else str(value)
