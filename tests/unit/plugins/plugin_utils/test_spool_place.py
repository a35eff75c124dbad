# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Telling a spool directory that dies with an ansible-runner job (AWX, AAP) from one that persists."""
from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.aom.plugins.plugin_utils import _spool_place
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._spool_place import (
    ephemeral_reason,
    mount_of,
    parse_mountinfo,
    runner_artifact_dir,
    runner_private_data_dir,
    warn_if_ephemeral,
)

# an execution-environment container of an AWX job: overlay root, /runner bind-mounted, a
# path exposed to isolated jobs (/srv/aom-spool), a tmpfs, and a name with a space
EE_MOUNTINFO = '''\
1021 985 0:94 / / rw,relatime master:300 - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w
1022 1021 0:97 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1030 1021 253:1 /home/awx/job_42 /runner rw,relatime - xfs /dev/mapper/root rw
1031 1021 253:1 /srv/aom-spool /srv/aom-spool rw,relatime - xfs /dev/mapper/root rw
1032 1021 0:99 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw,size=65536k
1033 1021 253:1 /data /mnt/with\\040space rw,relatime - xfs /dev/mapper/root rw
'''
HOST_MOUNTINFO = '''\
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw
'''
RUNNER_ENV = {'AWX_ISOLATED_DATA_DIR': '/runner/artifacts/42'}


@pytest.fixture
def mountinfo(tmp_path):
    def write(text):
        path = tmp_path / 'mountinfo'
        path.write_text(text)
        return str(path)
    return write


def test_runner_directories():
    assert runner_artifact_dir({}) is None
    assert runner_artifact_dir({'AWX_ISOLATED_DATA_DIR': ''}) is None
    assert runner_artifact_dir({'AWX_ISOLATED_DATA_DIR': 'relative/dir'}) is None
    assert runner_artifact_dir({'AWX_ISOLATED_DATA_DIR': '/runner/artifacts/42/'}) == '/runner/artifacts/42'
    assert runner_private_data_dir('/runner/artifacts/42') == '/runner'
    assert runner_private_data_dir('/tmp/pdd/artifacts/abc-123') == '/tmp/pdd'
    assert runner_private_data_dir('/somewhere/else') is None
    assert runner_private_data_dir(None) is None


def test_parse_mountinfo_and_the_deepest_mount():
    mounts = parse_mountinfo(EE_MOUNTINFO + 'garbage line\n\n')
    assert mounts[0] == ('/', 'overlay')
    assert ('/mnt/with space', 'xfs') in mounts
    assert mount_of('/runner/.ansible/spool', mounts) == ('/runner', 'xfs')
    assert mount_of('/srv/aom-spool', mounts) == ('/srv/aom-spool', 'xfs')
    assert mount_of('/srv/aom-spool-other', mounts) == ('/', 'overlay')
    assert mount_of('/tmp/x', mounts) == ('/tmp', 'tmpfs')
    # mounted over: the later entry is the one on top
    assert mount_of('/srv/x', [('/', 'ext4'), ('/srv', 'xfs'), ('/srv', 'tmpfs')]) == ('/srv', 'tmpfs')


def test_outside_ansible_runner_nothing_is_said(mountinfo):
    assert ephemeral_reason('/root/.ansible/aom_alarm_spool', {}, mountinfo(EE_MOUNTINFO)) == ''


@pytest.mark.parametrize('spool_dir', ['/runner/.ansible/aom_alarm_spool', '/runner/artifacts/42/spool', '/runner'])
def test_inside_the_private_data_dir(spool_dir, mountinfo):
    reason = ephemeral_reason(spool_dir, RUNNER_ENV, mountinfo(HOST_MOUNTINFO))
    assert 'private data directory of this ansible-runner job (/runner)' in reason


def test_inside_a_private_data_dir_on_the_host(tmp_path, mountinfo):
    """ansible-runner without a container: the job's directory is on the host, and still the job's."""
    artifacts = tmp_path / 'pdd' / 'artifacts' / 'abc'
    artifacts.mkdir(parents=True)
    env = {'AWX_ISOLATED_DATA_DIR': str(artifacts)}
    assert 'private data directory' in ephemeral_reason(str(tmp_path / 'pdd' / 'spool'), env, mountinfo(HOST_MOUNTINFO))
    assert ephemeral_reason(str(tmp_path / 'persistent'), env, mountinfo(HOST_MOUNTINFO)) == ''
    # through a symbolic link into the job's directory
    (tmp_path / 'link').symlink_to(tmp_path / 'pdd')
    assert 'private data directory' in ephemeral_reason(str(tmp_path / 'link' / 'spool'), env, mountinfo(HOST_MOUNTINFO))


@pytest.mark.parametrize('spool_dir, words', [
    ('/root/.ansible/aom_alarm_spool', 'writable layer of this job\'s container (overlay file system at /'),
    ('/srv/aom-spool-other', 'writable layer'),
    ('/tmp/aom_spool', 'tmpfs (/tmp)'),
])
def test_in_a_container_without_a_volume(spool_dir, words, mountinfo):
    assert words in ephemeral_reason(spool_dir, RUNNER_ENV, mountinfo(EE_MOUNTINFO))


@pytest.mark.parametrize('spool_dir', ['/srv/aom-spool', '/srv/aom-spool/nested', '/mnt/with space/spool'])
def test_a_mounted_volume_persists(spool_dir, mountinfo):
    assert ephemeral_reason(spool_dir, RUNNER_ENV, mountinfo(EE_MOUNTINFO)) == ''


def test_not_in_a_container_the_home_persists(mountinfo):
    assert ephemeral_reason('/home/awx/.ansible/aom_alarm_spool', RUNNER_ENV, mountinfo(HOST_MOUNTINFO)) == ''
    assert ephemeral_reason('/dev/shm/spool', RUNNER_ENV, mountinfo(HOST_MOUNTINFO)) == ''


def test_unreadable_mountinfo_says_nothing(tmp_path):
    assert ephemeral_reason('/root/.ansible/spool', RUNNER_ENV, str(tmp_path / 'absent')) == ''


def test_warns_once_and_loudly(monkeypatch, mountinfo):
    monkeypatch.setattr(_spool_place, '_warned', set())
    # the home of an execution environment's user, in the container's writable layer (not the tester's
    # HOME, which may well be under /tmp, a tmpfs in EE_MOUNTINFO)
    monkeypatch.setenv('HOME', '/home/runner')
    warnings = []
    path = mountinfo(EE_MOUNTINFO)
    for _attempt in range(3):
        reason = warn_if_ephemeral('~/.ansible/aom_alarm_spool', warnings.append, 'huaweicloud.aom.aom_alarm',
                                   RUNNER_ENV, path)
        assert 'writable layer' in reason
    (warning,) = warnings
    assert warning.startswith('huaweicloud.aom.aom_alarm callback: UNDELIVERED ALARMS WILL BE LOST WITH THIS JOB')
    assert '~/.ansible/aom_alarm_spool' in warning and 'AOM_ALARM_SPOOL_DIR' in warning
    assert 'Keeping undelivered alarms across AWX jobs' in warning
    assert warn_if_ephemeral('/srv/aom-spool', warnings.append, 'x', RUNNER_ENV, path) == ''
    assert len(warnings) == 1


def test_a_failing_guess_never_raises(monkeypatch):
    def broken(*args):
        raise RuntimeError('boom')
    monkeypatch.setattr(_spool_place, 'ephemeral_reason', broken)
    assert warn_if_ephemeral('/x', pytest.fail, 'x', RUNNER_ENV) == ''
