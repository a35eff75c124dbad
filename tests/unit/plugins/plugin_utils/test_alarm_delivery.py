# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AOM side of delivery, against a fake client: one lookup, one clear, spool first."""
from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError, AOMValidationError
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_delivery import (
    CLEAR,
    REPORT,
    AlarmDelivery,
    classify,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import (
    AlarmSettings,
    RunInfo,
    alarm_event,
    clear_candidate,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_state import Failure
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
        self.fail = fail

    def push(self, events, clear=False):
        if self.fail:
            raise self.fail
        self.calls.append(('clear' if clear else 'push', [e['metadata']['resource_id'] for e in events],
                           [e.get('id') for e in events]))
        return 1

    def list_events(self, event_type=None, time_range=None, metadata_relation=None, **kwargs):
        if self.fail:
            raise self.fail
        self.calls.append(('list', event_type, metadata_relation))
        return list(self.active)


def alarm(host, unreachable=False):
    failure = Failure(host=host, unreachable=unreachable, task_name='t', task_action='fail', task_path='p:1',
                      play='p', message='m', at_ms=NOW)
    return alarm_event(failure, SETTINGS, RUN, NOW)


def standing(host, alarm_id):
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
    spool.append([alarm('old')], clear=False)
    client = FakeClient(active=[standing('web1', 'id-1')])
    delivery = AlarmDelivery(client, spool, SETTINGS)
    delivery.start()
    assert [call[0] for call in client.calls] == ['push', 'list']
    assert client.calls[0][1] == ['old'] and spool.entries() == [] and delivery.flushed_entries == 1
    assert client.calls[1][1] == 'active_alert'
    assert {'key': 'playbook', 'value': ['site.yml'], 'relation': 'AND'} in client.calls[1][2]
    assert len(delivery.standing) == 1


def test_clear_uses_the_start_lookup_and_sends_the_found_ids(tmp_path):
    client = FakeClient(active=[standing('web1', 'id-1'), standing('web9', 'id-9')])
    delivery = AlarmDelivery(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    client.calls.clear()
    delivery.deliver(CLEAR, [clear_candidate(h, SETTINGS, NOW) for h in ('web1', 'web2')])
    assert client.calls == [('clear', ['web1'], ['id-1'])]


def test_clear_with_nothing_standing_sends_nothing(tmp_path):
    client = FakeClient()
    delivery = AlarmDelivery(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    client.calls.clear()
    delivery.deliver(CLEAR, [clear_candidate('web1', SETTINGS, NOW)])
    assert client.calls == []


def test_clear_of_an_alarm_raised_in_this_run_looks_up_again(tmp_path):
    client = FakeClient()
    delivery = AlarmDelivery(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    delivery.deliver(REPORT, [alarm('web1')])
    client.active = [standing('web1', 'id-new')]
    client.calls.clear()
    delivery.deliver(CLEAR, [clear_candidate('web1', SETTINGS, NOW)])
    assert [call[0] for call in client.calls] == ['list', 'clear'] and client.calls[1][2] == ['id-new']


def test_spooled_clear_is_resolved_by_a_lookup_when_flushed(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([clear_candidate('web1', SETTINGS, NOW)], clear=True)
    client = FakeClient(active=[standing('web1', 'id-1')])
    AlarmDelivery(client, spool, SETTINGS).start()
    assert [call[0] for call in client.calls] == ['list', 'clear', 'list']


def test_spooled_entry_refused_for_good_is_removed(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([alarm('web1')], clear=False)
    client = FakeClient(fail=AOMError('HTTP 400', status=400))
    delivery = AlarmDelivery(client, spool, SETTINGS)
    with pytest.raises(AOMError):
        delivery.start()  # the lookup after the flush fails the same way
    assert spool.entries() == [] and delivery.dropped == ['HTTP 400']


def test_service_down_keeps_the_spool(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([alarm('web1')], clear=False)
    with pytest.raises(AOMError):
        AlarmDelivery(FakeClient(fail=AOMError('refused')), spool, SETTINGS).start()
    assert len(spool.entries()) == 1


def test_classify():
    assert classify(AOMValidationError('bad')) == DROP
    assert classify(AOMError('bad', status=400)) == DROP
    for status in (None, 401, 403, 404, 429, 500, 503):
        assert classify(AOMError('x', status=status)) == SPOOL
    assert classify(OSError('disk')) == SPOOL


def test_one_request_never_names_an_alarm_twice(tmp_path):
    client = FakeClient()
    delivery = AlarmDelivery(client, Spool(str(tmp_path)), SETTINGS)
    first, second = alarm('web1'), alarm('web1', unreachable=True)
    delivery.deliver(REPORT, [first, alarm('web2'), second])
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
    client = WindowRecordingClient(active=[dict(standing('web1', 'id-1'), starts_at=ahead)])
    delivery = AlarmDelivery(client, Spool(str(tmp_path)), SETTINGS, clock_ms=lambda: NOW)
    delivery.start()
    delivery._raised.add(('force', 'lookup'))  # a clear that looks up again
    delivery._clear([clear_candidate('web1', SETTINGS, NOW)], trust_standing=False)
    # before: '-1.-1.21600', 15 days ending at the service's now, where the module used 30 days
    assert client.windows == [active_time_range(NOW)] * 2
    start, end, _minutes = (int(part) for part in client.windows[0].split('.'))
    assert start <= NOW - 30 * 86400000 and end > ahead
    [clear] = client.clears
    assert clear['id'] == 'id-1' and clear['ends_at'] == ahead  # never before the alarm's own start
