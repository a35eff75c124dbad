# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AOM side of delivery, against a fake client: one lookup, one clear, spool first."""
from __future__ import annotations

import dataclasses
import time

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError, AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_delivery import (
    AlarmDelivery,
    AOMTarget,
    spool_or_drop,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import (
    Action,
    AlarmSettings,
    RunInfo,
    alarm_event,
    clear_candidate,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._failures import Failure
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._sender import DROP, SPOOL
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._spool import Spool

SETTINGS = AlarmSettings(event_name='ansible_playbook_failed', failed_severity='Major', unreachable_severity='Critical',
                         resource_provider='ansible', resource_type='host', playbook_id='site.yml',
                         timeout_ms=259200000)
RUN = RunInfo(run_id='r1', started_at='2024-01-01T00:00:00+00:00', controller='ctl', ansible_version='2.19.0')
NOW = 1700000000000


class FakeClient:
    def __init__(self, active=(), fail=None):
        self.active = [dict(alarm) for alarm in active]
        self.calls = []
        self.pushed = []  # the events of each push, whole
        self.fail = fail
        self.deadline = None

    def push(self, events, clear=False):
        if self.fail:
            raise self.fail
        self.pushed.append(list(events))
        self.calls.append(('clear' if clear else 'push', [e['metadata']['resource_id'] for e in events],
                           [e.get('id') for e in events]))
        return 1

    def list_events(self, event_type=None, time_range=None, metadata_relation=None, **kwargs):
        if self.fail:
            raise self.fail
        self.calls.append(('list', event_type, metadata_relation))
        return list(self.active)


def failure_of(host, unreachable=False, message='m'):
    return Failure(host=host, unreachable=unreachable, task_name='t', task_action='fail', task_path='p:1',
                   play='p', message=message, at_ms=NOW)


def alarm(host, unreachable=False):
    return alarm_event(failure_of(host, unreachable), SETTINGS, RUN, NOW)


def active(host, alarm_id):
    event = alarm(host)
    return {'id': alarm_id, 'metadata': event['metadata'], 'starts_at': NOW - 1000, 'timeout': 259200000}


def test_alarm_event_shape():
    event = alarm('web1', unreachable=True)
    assert event['metadata'] == {'event_name': 'ansible_playbook_failed', 'event_type': 'alarm',
                                 'event_severity': 'Critical', 'resource_provider': 'ansible',
                                 'resource_type': 'host', 'resource_id': 'web1', 'playbook': 'site.yml'}
    assert event['annotations']['failure'] == 'unreachable' and event['annotations']['run_id'] == 'r1'
    assert event['timeout'] == 259200000 and event['ends_at'] == 0


def test_start_flushes_the_spool_before_looking_up(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([alarm('old')], Action.REPORT)
    client = FakeClient(active=[active('web1', 'id-1')])
    delivery = AOMTarget(client, spool, SETTINGS)
    delivery.start()
    assert [call[0] for call in client.calls] == ['push', 'list']
    assert client.calls[0][1] == ['old'] and spool.entries() == [] and delivery.flushed_entries == 1
    assert client.calls[1][1] == 'active_alert'
    assert {'key': 'playbook', 'value': ['site.yml'], 'relation': 'AND'} in client.calls[1][2]
    assert len(delivery.active_at_start) == 1


def test_clear_uses_the_start_lookup_and_sends_the_found_ids(tmp_path):
    client = FakeClient(active=[active('web1', 'id-1'), active('web9', 'id-9')])
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    client.calls.clear()
    delivery.deliver(Action.CLEAR, [clear_candidate(h, SETTINGS, NOW) for h in ('web1', 'web2')])
    assert client.calls == [('clear', ['web1'], ['id-1'])]


def test_clear_with_nothing_active_sends_nothing(tmp_path):
    client = FakeClient()
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    client.calls.clear()
    delivery.deliver(Action.CLEAR, [clear_candidate('web1', SETTINGS, NOW)])
    assert client.calls == []


def test_clear_of_an_alarm_raised_in_this_run_looks_up_again(tmp_path):
    client = FakeClient()
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    delivery.deliver(Action.REPORT, [alarm('web1')])
    client.active = [active('web1', 'id-new')]
    client.calls.clear()
    delivery.deliver(Action.CLEAR, [clear_candidate('web1', SETTINGS, NOW)])
    assert [call[0] for call in client.calls] == ['list', 'clear'] and client.calls[1][2] == ['id-new']


def test_spooled_clear_is_resolved_by_a_lookup_when_flushed(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([clear_candidate('web1', SETTINGS, NOW)], Action.CLEAR)
    client = FakeClient(active=[active('web1', 'id-1')])
    AOMTarget(client, spool, SETTINGS).start()
    assert [call[0] for call in client.calls] == ['list', 'clear', 'list']


def test_spooled_entry_refused_for_good_is_removed(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([alarm('web1')], Action.REPORT)
    client = FakeClient(fail=AOMError('HTTP 400', status=400))
    delivery = AOMTarget(client, spool, SETTINGS)
    with pytest.raises(AOMError):
        delivery.start()  # the lookup after the flush fails the same way
    assert spool.entries() == [] and delivery.refused_spool_entries == ['HTTP 400']


def test_service_down_keeps_the_spool(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([alarm('web1')], Action.REPORT)
    with pytest.raises(AOMError):
        AOMTarget(FakeClient(fail=AOMError('refused')), spool, SETTINGS).start()
    assert len(spool.entries()) == 1


def test_spool_or_drop():
    assert spool_or_drop(AOMValidationError('bad')) == DROP
    assert spool_or_drop(AOMError('bad', status=400)) == DROP
    for status in (None, 401, 403, 404, 429, 500, 503):
        assert spool_or_drop(AOMError('x', status=status)) == SPOOL
    assert spool_or_drop(OSError('disk')) == SPOOL


def test_one_request_never_names_an_alarm_twice(tmp_path):
    client = FakeClient()
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS)
    first, second = alarm('web1'), alarm('web1', unreachable=True)
    delivery.deliver(Action.REPORT, [first, alarm('web2'), second])
    assert client.calls == [('push', ['web2', 'web1'], [None, None])]


class WindowRecordingClient(FakeClient):
    """Also records the time_range of each lookup, and what each clear sends."""

    def __init__(self, active=()):
        super().__init__(active)
        self.windows, self.clears = [], []

    def list_events(self, event_type=None, time_range=None, metadata_relation=None, **kwargs):
        self.windows.append(time_range)
        return super().list_events(event_type, time_range, metadata_relation, **kwargs)

    def push(self, events, clear=False):
        if clear:
            self.clears.extend(events)
        return super().push(events, clear)


def test_the_callback_looks_up_with_the_modules_window_and_finds_an_alarm_started_ahead(tmp_path):
    from ansible_collections.huaweicloud.aom.plugins.module_utils._reconcile import active_time_range
    ahead = NOW + 5 * 60000  # left by a controller whose clock is 5 minutes fast
    client = WindowRecordingClient(active=[dict(active('web1', 'id-1'), starts_at=ahead)])
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS, clock_ms=lambda: NOW)
    delivery.start()
    delivery._raised.add(('force', 'lookup'))  # a clear that looks up again
    delivery._clear([clear_candidate('web1', SETTINGS, NOW)], trust_active_at_start=False)
    # before: '-1.-1.21600', 15 days ending at the service's now, where the module used 30 days
    assert client.windows == [active_time_range(NOW)] * 2
    start, end, _minutes = (int(part) for part in client.windows[0].split('.'))
    assert start <= NOW - 30 * 86400000 and end > ahead
    [clear] = client.clears
    assert clear['id'] == 'id-1' and clear['ends_at'] == ahead  # never before the alarm's own start


# -- AlarmDelivery: the callback's one collaborator ---------------------------------------------

def started_delivery(tmp_path, client, settings=SETTINGS, flush_timeout=5.0):
    delivery = AlarmDelivery({'conn': 'unused by the fake'}, settings, str(tmp_path / 'spool'), flush_timeout,
                             client_factory=lambda conn: client)
    delivery.start(RUN, 'site.yml')
    return delivery


def test_an_alarm_is_handed_over_once_and_the_clears_follow_the_reports(tmp_path):
    client = FakeClient(active=[active('web3', 'id-3')])
    delivery = started_delivery(tmp_path, client)
    delivery.raise_alarm(failure_of('web1'))  # final at once (no rescue can handle it)
    report = delivery.finish([failure_of('web1'), failure_of('web2')], ['web3'])
    assert client.calls == [('list', 'active_alert', client.calls[0][2]), ('push', ['web1', 'web2'], [None, None]),
                            ('clear', ['web3'], ['id-3'])]
    assert report.delivered == {Action.REPORT: 2, Action.CLEAR: 1} and not report.spooled


def test_an_alarm_that_says_something_new_at_the_end_is_handed_over_again(tmp_path):
    client = FakeClient()
    delivery = started_delivery(tmp_path, client)
    delivery.raise_alarm(failure_of('web1', message='first'))
    delivery.finish([failure_of('web1', unreachable=True, message='then unreachable')], ())
    last = [event for events in client.pushed for event in events if event['metadata']['resource_id'] == 'web1'][-1]
    assert last['annotations']['message'] == 'then unreachable' and last['metadata']['event_severity'] == 'Critical'


def test_the_playbook_id_option_wins_over_the_playbooks_file_name(tmp_path):
    delivery = started_delivery(tmp_path, FakeClient(), settings=dataclasses.replace(SETTINGS, playbook_id=None))
    assert delivery.settings.playbook_id == 'site.yml'
    delivery.close()
    configured = dataclasses.replace(SETTINGS, playbook_id='release-train')
    delivery = started_delivery(tmp_path, FakeClient(), settings=configured)
    assert delivery.settings.playbook_id == 'release-train'
    delivery.close()


def test_the_end_of_run_deadline_reaches_the_client_and_what_is_late_is_spooled(tmp_path):
    client = FakeClient(fail=AOMError('could not reach 127.0.0.1:1'))
    delivery = started_delivery(tmp_path, client, flush_timeout=4.0)
    before = time.monotonic()
    report = delivery.finish([failure_of('web1')], ['web2'])
    assert before + 3 < client.deadline < before + 4  # retries stop short of flush_timeout
    assert report.spooled == {Action.REPORT: 1, Action.CLEAR: 1}
    assert len(Spool(str(tmp_path / 'spool')).entries()) == 2


def test_close_before_start_or_twice_does_nothing(tmp_path):
    delivery = AlarmDelivery({}, SETTINGS, str(tmp_path), 5.0, client_factory=lambda conn: FakeClient())
    assert delivery.close() is None and not delivery.started
    delivery.start(RUN, 'site.yml')
    assert delivery.close(1.0) is not None and delivery.close() is None
