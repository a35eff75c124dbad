# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which runs may clear alarms: only those that ran the whole playbook in normal mode."""
from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._run_scope import partial_run_reason, ran_in_check_mode


@pytest.mark.parametrize('cli_args', [{}, {'tags': ['all']}, {'tags': ('all', 'deploy')}, {'tags': [], 'skip_tags': []},
                                      {'tags': ('all',), 'skip_tags': (), 'start_at_task': None, 'step': False}])
def test_a_whole_run_may_clear(cli_args):
    assert partial_run_reason(cli_args) == ''


@pytest.mark.parametrize('cli_args, words', [
    ({'tags': ['deploy', 'db']}, 'only the tasks tagged db, deploy (--tags)'),
    ({'tags': 'always'}, 'tagged always (--tags)'),
    ({'tags': ['all'], 'skip_tags': ['slow']}, 'skipped the tasks tagged slow (--skip-tags)'),
    ({'start_at_task': 'Install'}, '--start-at-task'),
    ({'step': True}, '--step'),
])
def test_a_partial_run_says_why_it_cannot_clear(cli_args, words):
    assert words in partial_run_reason(cli_args)


def test_the_opt_in_covers_tag_limited_runs_only():
    assert partial_run_reason({'tags': ['deploy'], 'skip_tags': ['db']}, clear_after_tag_limited_runs=True) == ''
    assert '--start-at-task' in partial_run_reason({'tags': ['deploy'], 'start_at_task': 'x'}, True)
    assert '--step' in partial_run_reason({'step': True}, True)


class Task:
    def __init__(self, check_mode):
        self.check_mode = check_mode


def test_only_an_explicit_true_check_mode_counts():
    assert ran_in_check_mode(Task(True))
    assert not ran_in_check_mode(Task(False)) and not ran_in_check_mode(Task(None)) and not ran_in_check_mode(object())
