# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a job could not deliver, put into the job's own record (ansible-runner jobs: AWX, AAP).

The spool keeps undelivered events for the next run, but an AWX job's spool may die with its
container, and an operator looks at the job, not at a directory. So, in a job run by
ansible-runner (``AWX_ISOLATED_DATA_DIR`` names its artifact directory), at the end of the run:

- a warning in the job's output lists the alarms and clears this run spooled (host, severity,
  playbook), and how many older entries still wait in the spool;
- the spool entries this run wrote are copied, unchanged, into
  ``<artifact dir>/aom_alarm_undelivered/`` (directory 0700, files 0600, events only), with a
  README saying how to resend them: put the files into the ``spool_dir`` of a run with the
  callback enabled, which sends them first, oldest first.

Entries another run delivered meanwhile (a shared spool) are gone from the spool and left out.
"""

from __future__ import annotations

import json
import os
import typing as t

from ansible_collections.huaweicloud.aom.plugins.plugin_utils._spool_place import ephemeral_reason, runner_artifact_dir

if t.TYPE_CHECKING:
    from ansible_collections.huaweicloud.aom.plugins.plugin_utils._spool import Spool

COPY_DIR = 'aom_alarm_undelivered'
MAX_LISTED = 20
README_NAME = 'README.txt'
README_TEXT = '''These files are AOM events the huaweicloud.aom.aom_alarm callback could not deliver during
this job (one JSON file per request: {"clear": false|true, "events": [...]}; events only, no
credentials). The same files were left in the job's spool_dir, which sends them at the start of
its next run if it still exists.

To resend them from anywhere: copy the *.json files into the spool_dir (AOM_ALARM_SPOOL_DIR,
default ~/.ansible/aom_alarm_spool) of a controller where the callback is enabled with the same
AOM project, and run any playbook there; the callback sends them first, oldest first, and
removes each once AOM took it. Clears look up the alarm first, so a stale clear does no harm.
'''


class JobRecord:
    """Collects the spool entries of this run; ``finish`` puts them into the job's record."""

    def __init__(self, environ: t.Mapping[str, str] | None = None, mountinfo: str | None = None) -> None:
        self._environ = environ
        self._mountinfo = mountinfo
        self.artifact_dir = runner_artifact_dir(environ)
        self.entries: list[str] = []  # paths of the spool entries this run wrote, in order
        self._spool: Spool | None = None

    @property
    def enabled(self) -> bool:
        return self.artifact_dir is not None

    def watch(self, spool: Spool) -> Spool | _RecordingSpool:
        """``spool`` itself when not in an ansible-runner job, else a stand-in noting what it appends."""
        self._spool = spool
        return _RecordingSpool(spool, self.entries) if self.enabled else spool

    def finish(self, warn: t.Callable[[str], None], name: str) -> str:
        """Warn with the list of what this run left undelivered and copy it into the artifacts.

        Returns the path of the copy ('' when there was nothing to copy or no job to copy into).
        Never raises: a record that cannot be written is said in the warning instead.
        """
        if not self.enabled:
            return ''
        entries = [(path, entry) for path, entry in ((path, _read(path)) for path in self.entries) if entry]
        if not entries:
            return ''
        copy = os.path.join(self.artifact_dir, COPY_DIR)
        try:
            _copy(entries, copy)
            where = 'copied to %s' % copy
        except OSError as exc:
            where, copy = 'not copied into the job artifacts (%s)' % exc, ''
        older = self._older_entries()
        items = [item for _path, entry in entries for item in describe(entry)]
        listed = ', '.join(items[:MAX_LISTED])
        if len(items) > MAX_LISTED:
            listed += ' and %d more' % (len(items) - MAX_LISTED)
        if self._spool_dies():
            kept = 'Left in spool_dir %s, which dies with this job: resend them from the copy' % self._spool.directory
        else:
            kept = 'Kept in spool_dir %s for the next run' % self._spool.directory
        warn('%s callback: not delivered to AOM in this job: %s. %s; %s (its README says how to resend them).%s'
             % (name, listed, kept, where,
                ' %d older entr(ies) of earlier runs also wait in spool_dir.' % older if older else ''))
        return copy

    def _spool_dies(self) -> bool:
        try:
            arguments = (self._spool.directory, self._environ) + ((self._mountinfo,) if self._mountinfo else ())
            return bool(ephemeral_reason(*arguments))
        except Exception:
            return False

    def _older_entries(self) -> int:
        try:
            return len(set(self._spool.entries()) - set(self.entries))
        except Exception:
            return 0


def describe(entry: dict) -> list[str]:
    """One short text per event of a spool entry: ``raise h1 (Major, deploy.yml)``, ``clear h2 (deploy.yml)``."""
    texts = []
    for event in entry.get('events') or ():
        metadata = event.get('metadata') if isinstance(event, dict) else None
        if not isinstance(metadata, dict):
            continue
        host = metadata.get('resource_id') or '?'
        playbook = metadata.get('playbook') or '?'
        if entry.get('clear'):
            texts.append('clear %s (%s)' % (host, playbook))
        else:
            texts.append('raise %s (%s, %s)' % (host, metadata.get('event_severity') or '?', playbook))
    return texts


class _RecordingSpool:
    """The spool, noting the path of each entry appended through it."""

    def __init__(self, spool: Spool, paths: list[str]) -> None:
        self._spool = spool
        self._paths = paths

    def append(self, *args: t.Any, **kwargs: t.Any) -> str:
        path = self._spool.append(*args, **kwargs)
        self._paths.append(path)
        return path

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self._spool, name)


def _read(path: str) -> dict | None:
    try:
        with open(path, encoding='utf-8') as handle:
            entry = json.load(handle)
    except (OSError, ValueError):
        return None  # delivered by another run meanwhile, or unreadable: nothing to record
    return entry if isinstance(entry, dict) and isinstance(entry.get('events'), list) else None


def _copy(entries: t.Iterable[tuple[str, dict]], directory: str) -> None:
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    for path, entry in entries:  # as read: the spool file may be gone by now (another run sent it)
        target = os.path.join(directory, os.path.basename(path))
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, 'w', encoding='utf-8') as out:
            json.dump(entry, out, separators=(',', ':'))
    readme = os.path.join(directory, README_NAME)
    with open(readme, 'w', encoding='utf-8') as handle:
        handle.write(README_TEXT)
