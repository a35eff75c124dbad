# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether the spool directory will outlive the job: AWX, AAP and ansible-navigator jobs.

These run each playbook under ansible-runner, which always sets ``AWX_ISOLATED_DATA_DIR`` to the
job's artifact directory (``<private data dir>/artifacts/<ident>``), and, in AWX and AAP, in a
fresh execution-environment container that is thrown away after the job. A spool there is
lost with the job when it is:

- inside the job's private data directory (``/runner`` in an execution environment): AWX and
  AAP make a new one for every job and remove it afterwards;
- on the container's own writable layer: the file system mounted at ``/`` is an overlay (no
  volume is mounted at the spool or above it), which is where ``~/.ansible`` is by default;
- on a tmpfs inside such a container.

A path exposed to isolated jobs on an execution node, or a volume of a container group's pod
spec, is a mount of its own and passes. Outside ansible-runner nothing is said: a plain
``ansible-playbook`` keeps its spool under the user's home. Only ``/proc/self/mountinfo`` and
the environment are read; when they cannot be read, nothing is said.
"""

from __future__ import annotations

import os
import typing as t

RUNNER_ARTIFACT_DIR_ENV = 'AWX_ISOLATED_DATA_DIR'
MOUNTINFO = '/proc/self/mountinfo'
# the writable layer of a container (docker, podman, containerd, CRI-O)
CONTAINER_LAYER_TYPES = frozenset(('overlay', 'fuse.fuse-overlayfs', 'aufs'))
MEMORY_TYPES = frozenset(('tmpfs', 'ramfs'))
README_SECTION = 'Keeping undelivered alarms across AWX jobs'

_warned: set[str] = set()  # spool directories already warned about in this process


def runner_artifact_dir(environ: t.Mapping[str, str] | None = None) -> str | None:
    """The artifact directory of the ansible-runner job this process runs in, or None."""
    environ = os.environ if environ is None else environ
    value = environ.get(RUNNER_ARTIFACT_DIR_ENV) or ''
    return os.path.normpath(value) if os.path.isabs(value) else None


def runner_private_data_dir(artifact_dir: str | None) -> str | None:
    """The private data directory holding ``artifact_dir`` (``<it>/artifacts/<ident>``), or None."""
    if not artifact_dir:
        return None
    parent = os.path.dirname(artifact_dir)
    if os.path.basename(parent) == 'artifacts':
        return os.path.dirname(parent)
    return None


def parse_mountinfo(text: str) -> list[tuple[str, str]]:
    """``[(mount point, file system type)]`` from the text of ``/proc/<pid>/mountinfo``, in its order."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 7 or '-' not in fields[6:]:
            continue
        separator = fields.index('-', 6)
        if separator + 1 >= len(fields):
            continue
        mounts.append((_unescape(fields[4]), fields[separator + 1]))
    return mounts


def mount_of(path: str, mounts: t.Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """The ``(mount point, type)`` of ``mounts`` that holds ``path`` (the last of the deepest), or None."""
    found = None
    for point, fstype in mounts:
        if _within(path, point) and (found is None or len(point) >= len(found[0])):
            found = (point, fstype)
    return found


def ephemeral_reason(spool_dir: str, environ: t.Mapping[str, str] | None = None, mountinfo: str = MOUNTINFO) -> str:
    """Why ``spool_dir`` will be gone after this ansible-runner job, or '' (it persists, or unknown)."""
    artifact_dir = runner_artifact_dir(environ)
    if artifact_dir is None:
        return ''
    path = os.path.realpath(os.path.expanduser(spool_dir))
    for job_dir in (runner_private_data_dir(artifact_dir), artifact_dir):
        if job_dir and _within(path, os.path.realpath(job_dir)):
            return ('it is inside the private data directory of this ansible-runner job (%s), which AWX and '
                    'AAP create for each job and remove after it' % job_dir)
    try:
        with open(mountinfo, encoding='utf-8', errors='replace') as handle:
            mounts = parse_mountinfo(handle.read())
    except OSError:
        return ''
    root = mount_of('/', [mount for mount in mounts if mount[0] == '/'])
    if root is None or root[1] not in CONTAINER_LAYER_TYPES:
        return ''  # not in a container, as far as can be told
    holder = mount_of(path, mounts)
    if holder is None or holder[0] == '/':
        return ("it is on the writable layer of this job's container (%s file system at /, no volume mounted "
                'there), which is discarded with the execution environment after the job' % root[1])
    if holder[1] in MEMORY_TYPES:
        return 'it is on a %s (%s) of this job\'s container, which is discarded with it' % (holder[1], holder[0])
    return ''


def warn_if_ephemeral(spool_dir: str, warn: t.Callable[[str], None], name: str,
                      environ: t.Mapping[str, str] | None = None, mountinfo: str = MOUNTINFO) -> str:
    """Say once per process and spool directory, loudly, that undelivered alarms would be lost."""
    try:
        reason = ephemeral_reason(spool_dir, environ, mountinfo)
    except Exception:  # a guess that fails must never stop the callback
        return ''
    if reason and spool_dir not in _warned:
        _warned.add(spool_dir)
        warn('%s callback: UNDELIVERED ALARMS WILL BE LOST WITH THIS JOB: spool_dir %s will not outlive the job, '
             'as %s; an alarm AOM does not take during the job would go with it. Set spool_dir '
             '(AOM_ALARM_SPOOL_DIR) to a persistent path: a path exposed to isolated jobs, or a volume of the '
             'container group (README: "%s").' % (name, spool_dir, reason, README_SECTION))
    return reason


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip('/') + '/')


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (``\\040``)."""
    for escaped, plain in (('\\040', ' '), ('\\011', '\t'), ('\\012', '\n'), ('\\134', '\\')):
        field = field.replace(escaped, plain)
    return field
