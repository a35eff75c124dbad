# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The background sender: batching, order, spooling when down, the deadline, the bound."""
from __future__ import annotations

import threading
import time

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._sender import DROP, SPOOL, BackgroundSender


class Recorder:
    def __init__(self, fail_with=None, gate=None):
        self.delivered = []
        self.spooled = []
        self.fail_with = fail_with
        self.gate = gate

    def deliver(self, kind, events):
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail_with is not None:
            raise self.fail_with
        self.delivered.append((kind, list(events)))

    def spool(self, kind, events, created_ns):
        self.spooled.append((kind, list(events), created_ns))


class BadRequest(Exception):
    pass


def classify(exc):
    return DROP if isinstance(exc, BadRequest) else SPOOL


def test_jobs_queued_while_busy_go_out_together_in_order():
    gate = threading.Event()
    recorder = Recorder(gate=gate)
    sender = BackgroundSender(recorder.deliver, recorder.spool, classify)
    sender.start()
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
    recorder = Recorder()

    def start():
        raise ConnectionError('refused')

    sender = BackgroundSender(recorder.deliver, recorder.spool, classify, on_start=start)
    sender.start()
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

    recorder = Recorder()
    sender = BackgroundSender(deliver, recorder.spool, classify)
    sender.start()
    sender.submit('report', ['a'])
    time.sleep(0.1)
    sender.submit('clear', ['b'])
    sender.close(5)
    assert calls == [['a']]
    assert [events for _kind, events, _created in recorder.spooled] == [['a'], ['b']]


def test_rejected_jobs_are_dropped_not_spooled():
    recorder = Recorder(fail_with=BadRequest('HTTP 400'))
    sender = BackgroundSender(recorder.deliver, recorder.spool, classify)
    sender.start()
    sender.submit('report', ['a'])
    report = sender.close(5)
    assert recorder.spooled == [] and report.dropped == {'report': 1} and report.errors == ['HTTP 400']


def test_deadline_spools_in_flight_and_queued_jobs_once():
    gate = threading.Event()
    recorder = Recorder(gate=gate)
    sender = BackgroundSender(recorder.deliver, recorder.spool, classify)
    sender.start()
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
    sender = BackgroundSender(recorder.deliver, recorder.spool, classify, max_queue=2)
    sender.start()
    sender.submit('report', ['a'])
    time.sleep(0.05)  # 'a' in flight
    sender.submit('report', ['b'])
    sender.submit('report', ['c'])
    sender.submit('report', ['d'])  # over the bound: spooled now
    sender.submit('report', ['e'])  # and everything after it, to keep the order
    assert [events for _kind, events, _created in recorder.spooled] == [['d'], ['e']]
    gate.set()
    report = sender.close(5)
    assert recorder.delivered == [('report', ['a']), ('report', ['b', 'c'])]
    assert report.delivered == {'report': 3} and report.spooled == {'report': 2}


def test_close_without_jobs_returns_at_once_and_submit_after_close_is_ignored():
    recorder = Recorder()
    sender = BackgroundSender(recorder.deliver, recorder.spool, classify)
    sender.start()
    started = time.monotonic()
    report = sender.close(5)
    assert time.monotonic() - started < 1
    sender.submit('report', ['late'])
    assert report.delivered == {} and recorder.delivered == [] and recorder.spooled == []
