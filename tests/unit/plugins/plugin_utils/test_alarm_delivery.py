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
    AlarmSettings,
    PushKind,
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


@pytest.fixture
def aom(fake_aom):
    """The shared fake AOM (tests/unit/fake_aom.py), its clock at NOW."""
    fake_aom.clock = lambda: NOW
    return fake_aom


def calls(client):
    """What ``client`` was asked, in short: ('list', type, metadata_relation), ('push'|'clear', hosts, ids)."""
    summary = []
    for name, arguments in client.calls:
        if name == 'list_events':
            summary.append(('list', arguments.get('event_type'), arguments.get('metadata_relation')))
        else:
            events, clear = arguments
            summary.append(('clear' if clear else 'push', [e['metadata']['resource_id'] for e in events],
                            [e.get('id') for e in events]))
    return summary


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


def test_start_flushes_the_spool_before_looking_up(tmp_path, aom):
    spool = Spool(str(tmp_path))
    spool.append([alarm('old')], PushKind.REPORT)
    aom.add(active('web1', 'id-1'))
    client = aom.client()
    delivery = AOMTarget(client, spool, SETTINGS)
    delivery.start()
    assert [call[0] for call in calls(client)] == ['push', 'list']
    assert calls(client)[0][1] == ['old'] and spool.entries() == [] and delivery.flushed_entries == 1
    assert calls(client)[1][1] == 'active_alert'
    assert {'key': 'playbook', 'value': ['site.yml'], 'relation': 'AND'} in calls(client)[1][2]
    assert len(delivery.active_at_start) == 2  # web1, and the spooled alarm of 'old' just delivered


def test_clear_uses_the_start_lookup_and_sends_the_found_ids(tmp_path, aom):
    aom.add(active('web1', 'id-1'), active('web9', 'id-9'))
    client = aom.client()
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    client.calls.clear()
    delivery.deliver(PushKind.CLEAR, [clear_candidate(h, SETTINGS, NOW) for h in ('web1', 'web2')])
    assert calls(client) == [('clear', ['web1'], ['id-1'])]
    assert [alarm['id'] for alarm in aom.active()] == ['id-9']


def test_clear_with_nothing_active_sends_nothing(tmp_path, aom):
    client = aom.client()
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    client.calls.clear()
    delivery.deliver(PushKind.CLEAR, [clear_candidate('web1', SETTINGS, NOW)])
    assert calls(client) == []


def test_clear_of_an_alarm_raised_in_this_run_looks_up_again(tmp_path, aom):
    client = aom.client()
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS)
    delivery.start()
    delivery.deliver(PushKind.REPORT, [alarm('web1')])
    [new_id] = [alarm['id'] for alarm in aom.active()]
    client.calls.clear()
    delivery.deliver(PushKind.CLEAR, [clear_candidate('web1', SETTINGS, NOW)])
    assert [call[0] for call in calls(client)] == ['list', 'clear'] and calls(client)[1][2] == [new_id]
    assert aom.active() == []


def test_spooled_clear_is_resolved_by_a_lookup_when_flushed(tmp_path, aom):
    spool = Spool(str(tmp_path))
    spool.append([clear_candidate('web1', SETTINGS, NOW)], PushKind.CLEAR)
    aom.add(active('web1', 'id-1'))
    client = aom.client()
    AOMTarget(client, spool, SETTINGS).start()
    assert [call[0] for call in calls(client)] == ['list', 'clear', 'list']
    assert aom.active() == []


def test_spooled_entry_refused_for_good_is_removed(tmp_path, aom):
    spool = Spool(str(tmp_path))
    spool.append([alarm('web1')], PushKind.REPORT)
    aom.fail(AOMError('HTTP 400', status=400))
    delivery = AOMTarget(aom.client(), spool, SETTINGS)
    with pytest.raises(AOMError):
        delivery.start()  # the lookup after the flush fails the same way
    assert spool.entries() == [] and delivery.refused_spool_entries == ['HTTP 400']


def test_service_down_keeps_the_spool(tmp_path, aom):
    spool = Spool(str(tmp_path))
    spool.append([alarm('web1')], PushKind.REPORT)
    aom.fail(AOMError('refused'))
    with pytest.raises(AOMError):
        AOMTarget(aom.client(), spool, SETTINGS).start()
    assert len(spool.entries()) == 1


def test_spool_or_drop():
    assert spool_or_drop(AOMValidationError('bad')) == DROP
    assert spool_or_drop(AOMError('bad', status=400)) == DROP
    for status in (None, 401, 403, 404, 429, 500, 503):
        assert spool_or_drop(AOMError('x', status=status)) == SPOOL
    assert spool_or_drop(OSError('disk')) == SPOOL


def test_one_request_never_names_an_alarm_twice(tmp_path, aom):
    client = aom.client()
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS)
    first, second = alarm('web1'), alarm('web1', unreachable=True)
    delivery.deliver(PushKind.REPORT, [first, alarm('web2'), second])
    assert calls(client) == [('push', ['web2', 'web1'], [None, None])]
    assert sorted(a['metadata']['event_severity'] for a in aom.active()) == ['Critical', 'Major']


def test_the_callback_looks_up_with_the_modules_window_and_finds_an_alarm_started_ahead(tmp_path, aom):
    from ansible_collections.huaweicloud.aom.plugins.module_utils._reconcile import active_time_range
    ahead = NOW + 5 * 60000  # left by a controller whose clock is 5 minutes fast
    aom.add(dict(active('web1', 'id-1'), starts_at=ahead))
    client = aom.client()
    delivery = AOMTarget(client, Spool(str(tmp_path)), SETTINGS, clock_ms=lambda: NOW)
    delivery.start()
    delivery._raised.add(('force', 'lookup'))  # a clear that looks up again
    delivery._clear([clear_candidate('web1', SETTINGS, NOW)], trust_active_at_start=False)
    windows = [lookup['time_range'] for lookup in client.lookups]
    # before: '-1.-1.21600', 15 days ending at the service's now, where the module used 30 days
    assert windows == [active_time_range(NOW)] * 2
    start, end, _minutes = (int(part) for part in windows[0].split('.'))
    assert start <= NOW - 30 * 86400000 and end > ahead
    [clear] = [event for events, is_clear in client.pushes if is_clear for event in events]
    assert clear['id'] == 'id-1' and clear['ends_at'] == ahead  # never before the alarm's own start
    assert aom.active() == []


# -- AlarmDelivery: the callback's one collaborator ---------------------------------------------

def started_delivery(tmp_path, aom, settings=SETTINGS, flush_timeout=5.0):
    delivery = AlarmDelivery({'conn': 'unused by the fake'}, settings, str(tmp_path / 'spool'), flush_timeout,
                             client_factory=aom)
    delivery.start(RUN, 'site.yml')
    return delivery


def test_an_alarm_is_handed_over_once_and_the_clears_follow_the_reports(tmp_path, aom):
    aom.add(active('web3', 'id-3'))
    delivery = started_delivery(tmp_path, aom)
    delivery.raise_alarm(failure_of('web1'))  # final at once (no rescue can handle it)
    report = delivery.finish([failure_of('web1'), failure_of('web2')], ['web3'])
    [client] = aom.clients
    assert calls(client) == [('list', 'active_alert', calls(client)[0][2]), ('push', ['web1', 'web2'], [None, None]),
                             ('clear', ['web3'], ['id-3'])]
    assert report.delivered == {PushKind.REPORT: 2, PushKind.CLEAR: 1} and not report.spooled
    assert sorted(alarm['metadata']['resource_id'] for alarm in aom.active()) == ['web1', 'web2']


def test_an_alarm_that_says_something_new_at_the_end_is_handed_over_again(tmp_path, aom):
    delivery = started_delivery(tmp_path, aom)
    delivery.raise_alarm(failure_of('web1', message='first'))
    delivery.finish([failure_of('web1', unreachable=True, message='then unreachable')], ())
    [last] = aom.active()
    assert last['annotations']['message'] == 'then unreachable' and last['metadata']['event_severity'] == 'Critical'


def test_the_playbook_id_option_wins_over_the_playbooks_file_name(tmp_path, aom):
    delivery = started_delivery(tmp_path, aom, settings=dataclasses.replace(SETTINGS, playbook_id=None))
    assert delivery.settings.playbook_id == 'site.yml'
    delivery.close()
    configured = dataclasses.replace(SETTINGS, playbook_id='release-train')
    delivery = started_delivery(tmp_path, aom, settings=configured)
    assert delivery.settings.playbook_id == 'release-train'
    delivery.close()


def test_the_end_of_run_deadline_reaches_the_client_and_what_is_late_is_spooled(tmp_path, aom):
    aom.fail(AOMError('could not reach 127.0.0.1:1'))
    delivery = started_delivery(tmp_path, aom, flush_timeout=4.0)
    before = time.monotonic()
    report = delivery.finish([failure_of('web1')], ['web2'])
    [client] = aom.clients
    assert before + 3 < client.deadline < before + 4  # retries stop short of flush_timeout
    assert report.spooled == {PushKind.REPORT: 1, PushKind.CLEAR: 1}
    assert len(Spool(str(tmp_path / 'spool')).entries()) == 2


def test_close_before_start_or_twice_does_nothing(tmp_path, aom):
    delivery = AlarmDelivery({}, SETTINGS, str(tmp_path), 5.0, client_factory=aom)
    assert delivery.close() is None and not delivery.started
    delivery.start(RUN, 'site.yml')
    assert delivery.close(1.0) is not None and delivery.close() is None
