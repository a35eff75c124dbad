# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The background sender: batching, order, spooling when down, the deadline, the bound."""
from __future__ import annotations

import threading
import time

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._sender import DROP, SPOOL, BackgroundSender


class BadRequest(Exception):
    pass


class Recorder:
    """A sender target recording what it is given; ``start`` fails with ``start_fails`` when set."""

    def __init__(self, fail_with=None, gate=None, start_fails=None, deliver=None):
        self.delivered = []
        self.spooled = []
        self.deadlines = []
        self.fail_with = fail_with
        self.gate = gate
        self.start_fails = start_fails
        if deliver is not None:
            self.deliver = deliver

    def start(self):
        if self.start_fails is not None:
            raise self.start_fails

    def spool_or_drop(self, exc):
        return DROP if isinstance(exc, BadRequest) else SPOOL

    def set_deadline(self, deadline):
        self.deadlines.append(deadline)

    def deliver(self, kind, events):
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail_with is not None:
            raise self.fail_with
        self.delivered.append((kind, list(events)))

    def spool(self, kind, events, created_ns):
        self.spooled.append((kind, list(events), created_ns))


def sender_for(recorder, **kwargs):
    """A started sender without linger unless asked: these tests are about order, failures and bounds."""
    kwargs.setdefault('linger', 0)
    sender = BackgroundSender(recorder, **kwargs)
    sender.start()
    return sender


def test_jobs_queued_while_busy_go_out_together_in_order():
    gate = threading.Event()
    recorder = Recorder(gate=gate)
    sender = sender_for(recorder)
    sender.submit('report', ['a'])
    time.sleep(0.1)  # 'a' is in flight, held by the gate
    sender.submit('report', ['b'])
    sender.submit('report', ['c'])
    sender.submit('clear', ['x'])
    sender.submit('report', ['d'])
    gate.set()
    report = sender.close(5)
    assert recorder.delivered == [('report', ['a']), ('report', ['b', 'c']), ('clear', ['x']), ('report', ['d'])]
    assert report.delivered == {'report': 4, 'clear': 1} and not report.spooled and not report.timed_out


def test_a_failed_start_spools_everything_in_order():
    recorder = Recorder(start_fails=ConnectionError('refused'))
    sender = sender_for(recorder)
    sender.submit('report', ['a'])
    sender.submit('clear', ['b'])
    report = sender.close(5)
    assert recorder.delivered == []
    assert [(kind, events) for kind, events, _created in recorder.spooled] == [('report', ['a']), ('clear', ['b'])]
    assert report.spooled == {'report': 1, 'clear': 1} and report.errors == ['refused']
    assert recorder.spooled[0][2] <= recorder.spooled[1][2]  # named in production order


def test_after_one_failure_later_jobs_are_spooled_without_trying():
    calls = []

    def deliver(kind, events):
        calls.append(events)
        raise TimeoutError('slow')

    recorder = Recorder(deliver=deliver)
    sender = sender_for(recorder)
    sender.submit('report', ['a'])
    time.sleep(0.1)
    sender.submit('clear', ['b'])
    sender.close(5)
    assert calls == [['a']]
    assert [events for _kind, events, _created in recorder.spooled] == [['a'], ['b']]


def test_rejected_jobs_are_dropped_not_spooled():
    recorder = Recorder(fail_with=BadRequest('HTTP 400'))
    sender = sender_for(recorder)
    sender.submit('report', ['a'])
    report = sender.close(5)
    assert recorder.spooled == [] and report.dropped == {'report': 1} and report.errors == ['HTTP 400']


def test_deadline_spools_in_flight_and_queued_jobs_once():
    gate = threading.Event()
    recorder = Recorder(gate=gate)
    sender = sender_for(recorder)
    sender.submit('report', ['a'])
    time.sleep(0.05)
    sender.submit('clear', ['b'])
    started = time.monotonic()
    report = sender.close(0.3)
    assert time.monotonic() - started < 1.0
    assert report.timed_out
    assert [(kind, events) for kind, events, _created in recorder.spooled] == [('report', ['a']), ('clear', ['b'])]
    gate.set()  # the late delivery of 'a' neither spools it again nor changes the report
    time.sleep(0.2)
    assert len(recorder.spooled) == 2
    assert report.spooled == {'report': 1, 'clear': 1}


def test_bounded_queue_spools_overflow_on_the_callers_thread():
    gate = threading.Event()
    recorder = Recorder(gate=gate)
    sender = sender_for(recorder, max_queue=2, max_batch=1)  # one event per job: no job takes in another
    sender.submit('report', ['a'])
    time.sleep(0.05)  # 'a' in flight
    sender.submit('report', ['b'])
    sender.submit('report', ['c'])
    sender.submit('report', ['d'])  # over the bound: spooled now
    sender.submit('report', ['e'])  # and everything after it, to keep the order
    assert [events for _kind, events, _created in recorder.spooled] == [['d'], ['e']]
    gate.set()
    report = sender.close(5)
    assert recorder.delivered == [('report', ['a']), ('report', ['b']), ('report', ['c'])]
    assert report.delivered == {'report': 3} and report.spooled == {'report': 2}


def test_close_without_jobs_returns_at_once_and_submit_after_close_is_ignored():
    recorder = Recorder()
    sender = sender_for(recorder)
    started = time.monotonic()
    report = sender.close(5)
    assert time.monotonic() - started < 1
    sender.submit('report', ['late'])
    assert report.delivered == {} and recorder.delivered == [] and recorder.spooled == []


# -- batching: the one place where the callback's events are grouped --------------------------

def test_events_submitted_one_by_one_within_the_linger_go_out_in_one_delivery():
    recorder = Recorder()
    sender = sender_for(recorder, linger=0.3, max_linger=5)
    for name in 'abc':
        sender.submit('report', [name])
        time.sleep(0.05)
    time.sleep(0.6)  # the linger is over: delivered without waiting for close
    assert recorder.delivered == [('report', ['a', 'b', 'c'])]
    report = sender.close(5)
    assert report.delivered == {'report': 3}


def test_a_full_batch_goes_at_once_and_a_batch_never_exceeds_it():
    recorder = Recorder()
    sender = sender_for(recorder, linger=30, max_linger=30, max_batch=3)
    started = time.monotonic()
    for name in 'abcd':
        sender.submit('report', [name])
    while not recorder.delivered and time.monotonic() - started < 5:
        time.sleep(0.01)
    assert time.monotonic() - started < 2  # not held for the 30 s linger
    assert recorder.delivered == [('report', ['a', 'b', 'c'])]
    sender.close(5)
    assert recorder.delivered == [('report', ['a', 'b', 'c']), ('report', ['d'])]


def test_max_linger_bounds_the_wait_while_events_keep_coming():
    recorder = Recorder()
    sender = sender_for(recorder, linger=0.3, max_linger=0.5)
    started = time.monotonic()
    while time.monotonic() - started < 1.2:  # a new event every 0.1 s: the quiet linger never ends
        sender.submit('report', ['e'])
        time.sleep(0.1)
    assert len(recorder.delivered) >= 2
    assert len(recorder.delivered[0][1]) < 9  # cut at about 0.5 s, not held until the events stop
    sender.close(5)


def test_close_ends_the_linger_at_once_and_a_clear_waits_behind_the_reports():
    recorder = Recorder()
    sender = sender_for(recorder, linger=30, max_linger=30)
    sender.submit('report', ['a'])
    sender.submit('report', ['b'])
    sender.submit('clear', ['x'])
    started = time.monotonic()
    report = sender.close(5)
    assert time.monotonic() - started < 2
    assert recorder.delivered == [('report', ['a', 'b']), ('clear', ['x'])]
    assert report.delivered == {'report': 2, 'clear': 1}


def test_close_gives_the_target_a_deadline_short_of_its_own():
    recorder = Recorder()
    sender = sender_for(recorder)
    before = time.monotonic()
    sender.close(10)
    (deadline,) = recorder.deadlines
    assert before + 9 < deadline < time.monotonic() + 10  # the margin leaves the thread time to spool
    recorder = Recorder()
    sender = sender_for(recorder)
    sender.close(0)
    (deadline,) = recorder.deadlines
    assert deadline <= time.monotonic()  # no budget: nothing more is sent, everything is spooled
