# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A directory of undelivered AOM pushes, sent again in order by a later run.

Each entry is one file holding events only (the pushed event dicts and whether they clear:
``"clear": true`` for ``PushKind.CLEAR``, a format older runs read too),
never credentials. Files are written to a temporary name and renamed, so a reader never sees
half an entry; they are named by the time their events were produced, so a report spooled
before a clear is always sent before it. Flushing holds an exclusive ``flock`` on the
directory's lock file, so two runs at once never send the same entry or mix their order;
the kernel drops the lock if a run dies. Directory 0700, files 0600.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import time
import typing as t
import uuid

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import PushKind

ENTRY_SUFFIX = '.json'
LOCK_NAME = '.lock'
FORMAT = 1
_sequence = itertools.count()


class SpoolError(Exception):
    """The spool directory cannot be used safely."""


class Spool:

    def __init__(self, directory: str, clock: t.Callable[[], float] = time.monotonic,
                 sleep: t.Callable[[float], None] = time.sleep) -> None:
        self.directory = os.path.abspath(os.path.expanduser(directory))
        self._clock = clock
        self._sleep = sleep

    def append(self, events: t.Iterable[dict], kind: PushKind, created_ns: int | None = None) -> str:
        """Write one entry; ``created_ns`` (when its events were produced) orders it among the others."""
        self._ensure_directory()
        created_ns = time.time_ns() if created_ns is None else created_ns
        entry = {'format': FORMAT, 'created_ms': created_ns // 1000000, 'clear': PushKind(kind) is PushKind.CLEAR,
                 'events': list(events)}
        name = '%020d-%08d-%06d-%s%s' % (created_ns, os.getpid(), next(_sequence) % 1000000,
                                         uuid.uuid4().hex[:8], ENTRY_SUFFIX)
        temporary = os.path.join(self.directory, '.tmp-' + name)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
                json.dump(entry, handle, separators=(',', ':'))
                handle.flush()
                os.fsync(handle.fileno())
            os.rename(temporary, os.path.join(self.directory, name))
        except BaseException:
            _remove(temporary)
            raise
        return os.path.join(self.directory, name)

    def prepare(self) -> None:
        """Create the directory (0700) if needed and check that this user can write entries there.

        Called when the callback starts, so that an unusable spool_dir is found before any alarm
        depends on it. Raises SpoolError or OSError saying why.
        """
        if os.path.lexists(self.directory) and not os.path.isdir(self.directory):
            raise SpoolError('%s exists and is not a directory' % self.directory)
        self._ensure_directory()
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise SpoolError('%s is not writable' % self.directory)

    def entries(self) -> list[str]:
        """The paths of the spooled entries, oldest first."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        return [os.path.join(self.directory, name) for name in sorted(names)
                if name.endswith(ENTRY_SUFFIX) and not name.startswith('.')]

    def flush(self, deliver: t.Callable[[list[dict], PushKind], None], lock_timeout: float = 5.0) -> int | None:
        """Hand each entry, oldest first, to ``deliver(events, kind)`` and remove it once delivered.

        Stops at the first entry ``deliver`` raises on (the exception propagates; that entry and
        the later ones stay). Returns the number of entries delivered, or None when another run
        held the spool for longer than ``lock_timeout`` seconds (that run is flushing it).
        """
        if not self.entries():
            return 0
        self._ensure_directory()
        lock = os.open(os.path.join(self.directory, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if not self._lock(lock, lock_timeout):
                return None
            delivered = 0
            for path in self.entries():
                entry = self._read(path)
                if entry is not None:
                    deliver(entry['events'], PushKind.CLEAR if entry['clear'] else PushKind.REPORT)
                    delivered += 1
                _remove(path)
            return delivered
        finally:
            os.close(lock)  # also releases the flock

    def _lock(self, descriptor: int, timeout: float) -> bool:
        deadline = self._clock() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if self._clock() >= deadline:
                    return False
                self._sleep(0.05)

    def _read(self, path: str) -> dict | None:
        """The entry at ``path``; a damaged one is set aside as ``.corrupt`` (never retried forever)."""
        try:
            with open(path, encoding='utf-8') as handle:
                entry = json.load(handle)
            if entry.get('format') == FORMAT and isinstance(entry.get('events'), list):
                return entry
        except FileNotFoundError:
            return None
        except (OSError, ValueError, AttributeError):
            pass
        os.rename(path, path + '.corrupt')
        return None

    def _ensure_directory(self) -> None:
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        status = os.stat(self.directory)
        if status.st_uid != os.getuid():
            raise SpoolError('spool_dir %s belongs to another user; refusing to write alarms there' % self.directory)
        if status.st_mode & 0o077:
            os.chmod(self.directory, 0o700)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
