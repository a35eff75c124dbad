# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The spool: order, permissions, locking between runs, damage."""
from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import stat
import threading

import pytest

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import PushKind
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._spool import Spool


def event(name):
    return {'metadata': {'resource_id': name}, 'annotations': {}, 'starts_at': 1, 'ends_at': 0, 'timeout': 1}


def test_files_are_private_and_hold_events_only(tmp_path):
    directory = tmp_path / 'spool'
    spool = Spool(str(directory))
    path = spool.append([event('a')], PushKind.REPORT)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        entry = json.load(handle)
    assert set(entry) == {'format', 'created_ms', 'clear', 'events'}
    assert entry['events'] == [event('a')] and entry['clear'] is False


def test_existing_open_directory_is_tightened(tmp_path):
    directory = tmp_path / 'spool'
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    Spool(str(directory)).append([event('a')], PushKind.REPORT)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_flush_sends_in_production_order_and_removes(tmp_path):
    spool = Spool(str(tmp_path))
    # written out of order (e.g. the main thread spooling after the sender): read in created order
    spool.append([event('clear-b')], PushKind.CLEAR, created_ns=3000)
    spool.append([event('report-b')], PushKind.REPORT, created_ns=1000)
    spool.append([event('report-c')], PushKind.REPORT, created_ns=2000)
    seen = []
    assert spool.flush(lambda events, action: seen.append((events[0]['metadata']['resource_id'], action))) == 3
    assert seen == [('report-b', PushKind.REPORT), ('report-c', PushKind.REPORT), ('clear-b', PushKind.CLEAR)]
    assert spool.entries() == []


def test_flush_stops_at_the_first_failure_and_keeps_the_rest(tmp_path):
    spool = Spool(str(tmp_path))
    for index in range(3):
        spool.append([event(str(index))], PushKind.REPORT, created_ns=index + 1)
    sent = []

    def deliver(events, action):
        if events[0]['metadata']['resource_id'] == '1':
            raise ConnectionError('down')
        sent.append(events[0]['metadata']['resource_id'])

    with pytest.raises(ConnectionError):
        spool.flush(deliver)
    assert sent == ['0'] and len(spool.entries()) == 2


def test_corrupt_entry_is_set_aside(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([event('good')], PushKind.REPORT, created_ns=2)
    (tmp_path / ('%020d-bad.json' % 1)).write_text('{"format": 1, "events": [')
    sent = []
    assert spool.flush(lambda events, action: sent.append(events)) == 1
    assert len(sent) == 1 and spool.entries() == []
    assert any(name.endswith('.corrupt') for name in os.listdir(tmp_path))


def test_flush_yields_to_a_run_holding_the_lock(tmp_path):
    spool = Spool(str(tmp_path))
    spool.append([event('a')], PushKind.REPORT)
    holder = os.open(str(tmp_path / '.lock'), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        assert spool.flush(lambda events, action: None, lock_timeout=0.2) is None
        assert len(spool.entries()) == 1
    finally:
        os.close(holder)
    assert spool.flush(lambda events, action: None) == 1


def test_nothing_to_flush_touches_nothing(tmp_path):
    directory = tmp_path / 'absent'
    assert Spool(str(directory)).flush(lambda events, action: None) == 0
    assert not directory.exists()


def _flush_in_process(directory, out_path):
    delivered = []
    Spool(directory).flush(lambda events, action: delivered.append(events[0]['metadata']['resource_id']),
                           lock_timeout=30)
    with open(out_path, 'w') as handle:
        json.dump(delivered, handle)


def test_two_processes_flushing_at_once_deliver_each_entry_exactly_once(tmp_path):
    directory = str(tmp_path / 'spool')
    spool = Spool(directory)
    for index in range(200):
        spool.append([event('h%03d' % index)], PushKind.REPORT, created_ns=index + 1)
    context = multiprocessing.get_context('fork')
    outputs = [str(tmp_path / ('out%d.json' % n)) for n in range(2)]
    processes = [context.Process(target=_flush_in_process, args=(directory, out)) for out in outputs]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    delivered = []
    for out in outputs:
        with open(out) as handle:
            delivered.extend(json.load(handle))
    assert sorted(delivered) == ['h%03d' % index for index in range(200)]
    assert spool.entries() == []


def test_threads_appending_while_flushing_lose_nothing(tmp_path):
    spool = Spool(str(tmp_path))
    names = ['t%d-%d' % (thread, n) for thread in range(4) for n in range(50)]

    def writer(thread):
        for n in range(50):
            spool.append([event('t%d-%d' % (thread, n))], PushKind.REPORT)

    delivered = []
    threads = [threading.Thread(target=writer, args=(thread,)) for thread in range(4)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        spool.flush(lambda events, action: delivered.append(events[0]['metadata']['resource_id']))
    spool.flush(lambda events, action: delivered.append(events[0]['metadata']['resource_id']))
    assert sorted(delivered) == sorted(names)
