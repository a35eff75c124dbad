# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's failure: what a failed result may put into an alarm, and the end-of-run decision."""
from __future__ import annotations

import dataclasses
import json

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import REDACTED
from ansible_collections.huaweicloud.aom.plugins.plugin_utils import _failures as details
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._failures import Failure, FailureRecord


# -- what a failed result may put into an alarm: never arguments, never a no_log output, never a secret

class FakeHost:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class FakeBlock:
    def __init__(self, rescue=None, parent=None):
        self.rescue = rescue or []
        self._parent = parent


class FakeTask:
    def __init__(self, name='deploy app', action='ansible.builtin.command', no_log=False, parent=None,
                 args=None):
        self.name = name
        self.action = action
        self.no_log = no_log
        self._parent = parent
        self.args = args or {'cmd': 'deploy --password hunter2'}

    def get_name(self):
        return self.name

    def get_path(self):
        return '/src/site.yml:12'


class FakeResult:
    """Shaped like ansible-core 2.19's CallbackTaskResult (task, host, result)."""

    def __init__(self, data, task=None, host='web1'):
        self.task = task or FakeTask()
        self.host = FakeHost(host)
        self.result = data


class OldFakeResult:
    """Shaped like ansible-core 2.17's TaskResult (_task, _host, _result)."""

    def __init__(self, data, task=None, host='web1'):
        self._task = task or FakeTask()
        self._host = FakeHost(host)
        self._result = data


def test_failure_keeps_name_action_path_play_and_message_only():
    result = FakeResult({'msg': 'exit 3', 'invocation': {'module_args': {'cmd': 'deploy --password hunter2'}}})
    failure = details.failure_from_result(result, False, 'deploy play', 123)
    assert (failure.host, failure.task_name, failure.task_action, failure.task_path, failure.play, failure.message) == \
        ('web1', 'deploy app', 'ansible.builtin.command', '/src/site.yml:12', 'deploy play', 'exit 3')
    assert 'hunter2' not in repr(failure)


def test_old_result_shape_is_read_too():
    failure = details.failure_from_result(OldFakeResult({'msg': 'old'}), True, 'p', 1)
    assert failure.host == 'web1' and failure.message == 'old' and failure.unreachable


def test_no_log_task_or_result_hides_the_message():
    hidden_task = FakeResult({'msg': 'token=abc'}, task=FakeTask(no_log=True))
    hidden_result = FakeResult({'msg': 'token=abc', '_ansible_no_log': True})
    censored = FakeResult({'censored': "the output has been hidden due to the fact that 'no_log: true' was specified"})
    for result in (hidden_task, hidden_result, censored):
        assert details.failure_from_result(result, False, 'p', 1).message == details.NO_LOG_MESSAGE


def test_loop_item_message_is_preferred_to_the_generic_one():
    items = [{'failed': False, 'msg': 'fine'}, {'failed': True, 'msg': 'item 2 broke'}]
    data = {'msg': 'One or more items failed', 'results': items}
    assert details.error_message(data) == 'item 2 broke'


def test_no_log_loop_item_hides_the_message():
    data = {'msg': 'One or more items failed', 'results': [{'failed': True, 'censored': 'hidden'}]}
    assert details.error_message(data) == details.NO_LOG_MESSAGE


def test_fallbacks_reason_stderr_and_nothing():
    assert details.error_message({'reason': 'include broke'}) == 'include broke'
    assert details.error_message({'stderr': 'oops\n'}) == 'oops'
    assert details.error_message({}) == 'the task failed without a message'


def test_message_is_truncated_to_1024():
    failure = details.failure_from_result(FakeResult({'msg': 'x' * 5000}), False, 'p', 1)
    assert len(failure.message) == 1024 and failure.message.endswith('...')


def test_secrets_are_masked():
    result = FakeResult({'msg': 'auth failed for SECRETKEY123 in play'}, task=FakeTask(name='use SECRETKEY123'))
    failure = details.failure_from_result(result, False, 'p SECRETKEY123', 1, secrets=('SECRETKEY123', 'ab'))
    assert 'SECRETKEY123' not in repr(failure)
    assert failure.message == 'auth failed for %s in play' % REDACTED


def test_a_secret_with_odd_characters_is_masked_also_as_a_message_escapes_it():
    """A non-ASCII (Latin-1) letter in a secret, which a credential may hold: its escaped forms are masked too."""
    secret = 'Se-cret-\u00e9t\u00e9-KEY'
    for message in ('seen %r here' % secret, 'body: %s' % json.dumps({'sk': secret}), 'raw %s end' % secret,
                    'bytes %r' % secret.encode('utf-8')):
        failure = details.failure_from_result(FakeResult({'msg': message}), False, 'p', 1, secrets=(secret,))
        assert REDACTED in failure.message, message
        for form in (secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], 'cret-'):
            assert form not in failure.message, message


def test_a_secret_across_the_cut_is_masked_whole_before_the_message_is_cut():
    secret = 'SECRETKEY123SECRETKEY123'
    for start in range(998, 1021):  # every position where the cut at 1021 falls inside the secret
        message = 'x' * start + secret + ' and more'
        failure = details.failure_from_result(FakeResult({'msg': message}), False, 'p', 1, secrets=(secret,))
        assert len(failure.message) <= details.MAX_MESSAGE_LENGTH
        assert not any(secret[:n] in failure.message for n in range(4, len(secret) + 1)), start
        assert failure.message.startswith('x' * start)


def test_may_be_rescued_walks_the_parents():
    assert not details.may_be_rescued(FakeTask(parent=FakeBlock(parent=FakeBlock())))
    assert details.may_be_rescued(FakeTask(parent=FakeBlock(parent=FakeBlock(rescue=['t']))))
    assert not details.may_be_rescued(FakeTask(parent=None))


# -- the end-of-run decision: stats win over what was recorded on the way

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
