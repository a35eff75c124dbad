# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether a run can prove a host healthy, from what ansible-core shows a callback.

An alarm is cleared only by a run that ran the whole playbook for the host in normal mode.
A run that ran part of it (``--tags``, ``--skip-tags``, ``--start-at-task``, ``--step``) says
nothing about the tasks it left out, and a task run in check mode changed nothing, so neither
proves that what failed before works now.
"""

from __future__ import annotations

import typing as t


def partial_run_reason(cli_args: t.Mapping[str, t.Any], clear_after_tag_limited_runs: bool = False) -> str:
    """Why the run of ``cli_args`` (``context.CLIARGS``) cannot clear alarms; '' when it can.

    ``clear_after_tag_limited_runs`` lets ``--tags``/``--skip-tags`` runs clear (an opt-in);
    ``--start-at-task`` and ``--step`` runs never do.
    """
    if cli_args.get('start_at_task'):
        return 'it started at a task (--start-at-task)'
    if cli_args.get('step'):
        return 'it ran step by step (--step), where tasks may have been skipped'
    if clear_after_tag_limited_runs:
        return ''
    tags = _names(cli_args.get('tags')) or ['all']
    if 'all' not in tags:
        return 'it ran only the tasks tagged %s (--tags)' % ', '.join(tags)
    skip_tags = _names(cli_args.get('skip_tags'))
    if skip_tags:
        return 'it skipped the tasks tagged %s (--skip-tags)' % ', '.join(skip_tags)
    return ''


def ran_in_check_mode(task: t.Any) -> bool:
    """Whether ``task`` ran in check mode: its own, its block's or its play's ``check_mode``, or ``--check``."""
    return getattr(task, 'check_mode', None) is True


def _names(value: t.Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(',')
    return sorted(set(str(name).strip() for name in value) - {''})
