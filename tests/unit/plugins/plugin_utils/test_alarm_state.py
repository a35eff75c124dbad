# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The end-of-run decision: stats win over what was recorded on the way."""
from __future__ import annotations

import dataclasses

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_state import Failure, FailureRecord


def failure(host, unreachable=False, task='t', message='boom'):
    return Failure(host=host, unreachable=unreachable, task_name=task, task_action='fail', task_path='pb.yml:3',
                   play='p', message=message, at_ms=1700000000000)


def summary(ok=0, failures=0, unreachable=0, changed=0, skipped=0, rescued=0, ignored=0):
    return dict(ok=ok, failures=failures, unreachable=unreachable, changed=changed, skipped=skipped,
                rescued=rescued, ignored=ignored)


def test_failed_host_gets_its_last_failure_and_clean_host_is_cleared():
    record = FailureRecord()
    record.record(failure('a', task='first'))
    record.record(failure('a', task='second'))
    outcome = record.decide({'a': summary(ok=1, failures=1), 'b': summary(ok=3)})
    assert [f.task_name for f in outcome.alarms] == ['second']
    assert outcome.cleared_hosts == ('b',)


def test_rescued_failure_leaves_no_alarm_and_clears():
    record = FailureRecord()
    record.record(failure('a'))  # recorded when it happened, then rescued
    outcome = record.decide({'a': summary(ok=2, rescued=1)})
    assert outcome.alarms == ()
    assert outcome.cleared_hosts == ('a',)


def test_ignored_failure_counts_as_ok():
    outcome = FailureRecord().decide({'a': summary(ok=2, ignored=1)})
    assert outcome.alarms == () and outcome.cleared_hosts == ('a',)


def test_unreachable_wins_and_is_marked_unreachable():
    record = FailureRecord()
    record.record(failure('a', message='task failed'))
    record.record(failure('a', unreachable=True, message='ssh: connect refused'))
    (alarm,) = record.decide({'a': summary(failures=1, unreachable=1)}).alarms
    assert alarm.unreachable and alarm.message == 'ssh: connect refused'


def test_unreachable_in_stats_without_unreachable_record_is_still_unreachable():
    record = FailureRecord()
    record.record(failure('a'))
    (alarm,) = record.decide({'a': summary(unreachable=1)}).alarms
    assert alarm.unreachable and alarm.task_name == 't'


def test_failure_counted_without_a_record_still_raises():
    (alarm,) = FailureRecord().decide({'a': summary(failures=1)}).alarms
    assert alarm.host == 'a' and not alarm.unreachable and 'no details' in alarm.message


def test_skipped_only_hosts_are_left_alone():
    outcome = FailureRecord().decide({'a': summary(skipped=4)})
    assert outcome.alarms == () and outcome.cleared_hosts == ()


def test_a_host_that_ran_a_task_in_check_mode_is_not_cleared():
    outcome = FailureRecord().decide({'b': summary(ok=3), 'c': summary(ok=1, changed=1)}, unproven_hosts={'b'})
    assert outcome.alarms == () and outcome.cleared_hosts == ('c',)


def test_a_failure_in_check_mode_neither_raises_nor_clears():
    record = FailureRecord()
    record.record(dataclasses.replace(failure('c'), in_check_mode=True))
    record.record(dataclasses.replace(failure('d', unreachable=True), in_check_mode=True))
    outcome = record.decide({'c': summary(ok=1, failures=1), 'd': summary(unreachable=1)}, unproven_hosts={'c', 'd'})
    assert outcome.alarms == () and outcome.cleared_hosts == ()


def test_a_real_failure_after_check_mode_tasks_still_raises():
    record = FailureRecord()
    record.record(dataclasses.replace(failure('a', task='rescued check'), in_check_mode=True))
    record.record(failure('a', task='real'))
    (alarm,) = record.decide({'a': summary(ok=1, failures=1, rescued=1)}, unproven_hosts={'a'}).alarms
    assert alarm.task_name == 'real'


def test_outcome_is_sorted_by_host():
    record = FailureRecord()
    for host in ('z', 'a', 'm'):
        record.record(failure(host))
    outcome = record.decide({'z': summary(failures=1), 'a': summary(failures=1), 'm': summary(failures=1),
                             'y': summary(ok=1), 'b': summary(changed=1)})
    assert [f.host for f in outcome.alarms] == ['a', 'm', 'z']
    assert outcome.cleared_hosts == ('b', 'y')
