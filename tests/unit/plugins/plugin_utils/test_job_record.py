# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an ansible-runner job could not deliver goes into its own record: a warning and its artifacts."""
from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._job_record import (
    COPY_DIR,
    MAX_LISTED,
    README_NAME,
    JobRecord,
    describe,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import PushKind
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._spool import Spool

NAME = 'huaweicloud.aom.aom_alarm'


def event(host, severity='Major', playbook='deploy.yml'):
    return {'metadata': {'event_name': 'ansible_playbook_failed', 'event_type': 'alarm', 'resource_id': host,
                         'event_severity': severity, 'playbook': playbook}, 'annotations': {'task': 't'}}


@pytest.fixture
def job(tmp_path):
    """A job whose spools under tmp_path persist: not in a container (ext4 at /), whatever runs the test."""
    artifacts = tmp_path / 'pdd' / 'artifacts' / 'job-1'
    artifacts.mkdir(parents=True)
    mountinfo = tmp_path / 'mountinfo'
    mountinfo.write_text('27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n')
    return JobRecord({'AWX_ISOLATED_DATA_DIR': str(artifacts)}, str(mountinfo)), artifacts


def test_outside_ansible_runner_nothing_changes(tmp_path):
    record = JobRecord({})
    spool = Spool(str(tmp_path / 'spool'))
    assert not record.enabled and record.watch(spool) is spool
    spool.append([event('h1')], PushKind.REPORT)
    warnings = []
    assert record.finish(warnings.append, NAME) == '' and warnings == []


def test_nothing_undelivered_says_nothing(job, tmp_path):
    record, artifacts = job
    record.watch(Spool(str(tmp_path / 'spool')))
    warnings = []
    assert record.finish(warnings.append, NAME) == ''
    assert warnings == [] and not (artifacts / COPY_DIR).exists()


def test_undelivered_entries_are_listed_and_copied(job, tmp_path):
    record, artifacts = job
    spool = Spool(str(tmp_path / 'spool'))
    spool.append([event('old')], PushKind.REPORT)  # an earlier run's entry, still waiting
    watched = record.watch(spool)
    assert watched.directory == spool.directory  # the rest of the spool is the spool's
    first = watched.append([event('h1'), event('down1', 'Critical')], PushKind.REPORT)
    second = watched.append([event('h6')], PushKind.CLEAR)
    assert record.entries == [first, second]

    warnings = []
    copy = record.finish(warnings.append, NAME)
    assert copy == str(artifacts / COPY_DIR)
    (warning,) = warnings
    assert warning.startswith(NAME + ' callback: not delivered to AOM in this job: ')
    assert 'raise h1 (Major, deploy.yml), raise down1 (Critical, deploy.yml), clear h6 (deploy.yml)' in warning
    assert 'raise old' not in warning
    assert 'Kept in spool_dir %s for the next run; copied to %s' % (spool.directory, copy) in warning
    assert '1 older entr(ies) of earlier runs also wait in spool_dir' in warning

    copied = sorted(os.listdir(copy))
    assert copied == sorted([os.path.basename(first), os.path.basename(second), README_NAME])
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o700
    for name in (os.path.basename(first), os.path.basename(second)):
        assert stat.S_IMODE(os.stat(os.path.join(copy, name)).st_mode) == 0o600
        with open(os.path.join(copy, name), encoding='utf-8') as handle, \
                open(os.path.join(spool.directory, name), encoding='utf-8') as original:
            assert json.load(handle) == json.load(original)
    with open(os.path.join(copy, README_NAME), encoding='utf-8') as handle:
        assert 'spool_dir' in handle.read()


def test_the_copy_can_be_resent_from_another_spool(job, tmp_path):
    """The copied files are spool entries: a spool made of them sends them, oldest first."""
    record, _artifacts = job
    watched = record.watch(Spool(str(tmp_path / 'spool')))
    watched.append([event('h1')], PushKind.REPORT, created_ns=2)
    watched.append([event('h1')], PushKind.CLEAR, created_ns=3)
    copy = record.finish(lambda message: None, NAME)
    sent = []
    assert Spool(copy).flush(lambda events, action: sent.append((events[0]['metadata']['resource_id'], action))) == 2
    assert sent == [('h1', PushKind.REPORT), ('h1', PushKind.CLEAR)]


def test_a_spool_that_dies_with_the_job_is_said(tmp_path):
    artifacts = tmp_path / 'pdd' / 'artifacts' / 'job-1'
    artifacts.mkdir(parents=True)
    record = JobRecord({'AWX_ISOLATED_DATA_DIR': str(artifacts)})
    spool_dir = str(tmp_path / 'pdd' / '.ansible' / 'spool')
    record.watch(Spool(spool_dir)).append([event('h1')], PushKind.REPORT)
    warnings = []
    copy = record.finish(warnings.append, NAME)
    assert 'Left in spool_dir %s, which dies with this job: resend them from the copy; copied to %s' % (
        spool_dir, copy) in warnings[0]


def test_an_entry_another_run_delivered_meanwhile_is_left_out(job, tmp_path):
    record, _artifacts = job
    watched = record.watch(Spool(str(tmp_path / 'spool')))
    gone = watched.append([event('h1')], PushKind.REPORT)
    watched.append([event('h2')], PushKind.REPORT)
    os.unlink(gone)
    warnings = []
    record.finish(warnings.append, NAME)
    assert 'raise h2' in warnings[0] and 'h1' not in warnings[0]


def test_a_long_list_is_cut(job, tmp_path):
    record, _artifacts = job
    watched = record.watch(Spool(str(tmp_path / 'spool')))
    watched.append([event('h%d' % number) for number in range(MAX_LISTED + 5)], PushKind.REPORT)
    warnings = []
    record.finish(warnings.append, NAME)
    assert 'and 5 more' in warnings[0] and 'h%d ' % (MAX_LISTED - 1) in warnings[0]
    assert 'h%d ' % MAX_LISTED not in warnings[0]


def test_artifacts_that_cannot_be_written_are_said(tmp_path):
    blocker = tmp_path / 'artifacts'
    blocker.write_text('a file where the artifact directory should be')
    record = JobRecord({'AWX_ISOLATED_DATA_DIR': str(blocker)})
    record.watch(Spool(str(tmp_path / 'spool'))).append([event('h1')], PushKind.REPORT)
    warnings = []
    assert record.finish(warnings.append, NAME) == ''
    assert 'raise h1' in warnings[0] and 'not copied into the job artifacts' in warnings[0]


def test_describe_is_robust():
    assert describe({'events': [event('h1')]}) == ['raise h1 (Major, deploy.yml)']
    assert describe({'clear': True, 'events': [event('h1')]}) == ['clear h1 (deploy.yml)']
    assert describe({'events': ['junk', {'metadata': 'junk'}, {'metadata': {}}]}) == ['raise ? (?, ?)']
    assert describe({}) == []
