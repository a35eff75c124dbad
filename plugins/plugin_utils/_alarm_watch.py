# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the EDA source ``aom_alarms`` decides, without I/O: changes and the bookmark.

``AlarmTracker`` turns successive lists of active alarms into ``raised``/``updated``/``cleared``
changes, one per change, for the alarms a matcher (``module_utils._match.Matcher``, the form the
silence rules use) accepts. ``Bookmark``
keeps the tracked alarms in a file (written to a temporary name, fsynced, renamed; 0600),
holding alarm data only, never a credential.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import typing as t

BOOKMARK_FORMAT = 1
# What tells an update: the severity or the annotations. The rest of the metadata is the
# alarm's identity, fixed for its id; it is compared too, so nothing that changes goes unsaid.
_COMPARED = ('metadata', 'annotations')


class Change:
    """One change of one alarm: ``state`` (raised, updated, cleared), the alarm, what it was before."""

    __slots__ = ('state', 'alarm', 'previous')

    def __init__(self, state: str, alarm: dict, previous: dict | None = None) -> None:
        self.state = state
        self.alarm = alarm
        self.previous = previous

    def __repr__(self) -> str:
        return 'Change(%s, %s)' % (self.state, self.alarm.get('id'))


class AlarmTracker:
    """The alarms already told about, by id, and the changes a new listing brings.

    An alarm is followed once it matched: later changes are told even if its severity leaves
    the filter, and its disappearance is a ``cleared``. ``commit`` records a change as told,
    so a change is recorded only once it reached the queue.
    """

    def __init__(self, known: t.Iterable[dict] | None = None) -> None:
        self.known = dict((alarm['id'], alarm) for alarm in (known or ()))

    def changes(self, active: t.Iterable[dict], matcher: t.Callable[[dict], bool], announce_new: bool = True,
                observed_at: int | None = None) -> list[Change]:
        """The changes between what is known and ``active`` (alarms in ``listed_event`` shape).

        ``announce_new=False``: alarms not yet known are taken in silently (the alarms already
        active when a source starts without a bookmark, when asked to skip them).
        """
        current = {}
        for alarm in active:
            if alarm.get('id'):
                current[alarm['id']] = alarm
        found, silent = [], []
        for alarm_id, alarm in current.items():
            before = self.known.get(alarm_id)
            if before is None:
                if matcher(alarm['metadata']):
                    (found if announce_new else silent).append(Change('raised', alarm))
            elif any(before.get(key) != alarm.get(key) for key in _COMPARED):
                found.append(Change('updated', alarm, previous=before))
        found.sort(key=_order)
        for change in silent:
            self.commit(change)
        cleared = []
        for alarm_id, before in self.known.items():
            if alarm_id not in current:
                gone = dict(before, ends_at=before.get('ends_at') or observed_at or 0)
                cleared.append(Change('cleared', gone, previous=before))
        cleared.sort(key=_order)
        return cleared + found

    def commit(self, change: Change) -> None:
        if change.state == 'cleared':
            self.known.pop(change.alarm['id'], None)
        else:
            self.known[change.alarm['id']] = change.alarm


def _order(change: Change) -> tuple[int, str, str]:
    alarm = change.alarm
    return (alarm.get('starts_at') or 0, str(alarm.get('event_sn') or ''), alarm['id'])


def scope_key(*parts: t.Any) -> str:
    """A digest naming what a bookmark is about (endpoint, project, filters): not reversible."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode('utf-8')).hexdigest()


class BookmarkError(Exception):
    """The bookmark file cannot be read or written."""


class Bookmark:
    """The alarms already told about, kept in ``path`` across restarts."""

    def __init__(self, path: str, scope: str) -> None:
        self.path = os.path.abspath(os.path.expanduser(path))
        self.scope = scope

    def load(self) -> tuple[list[dict] | None, str | None]:
        """The saved alarms, or None when there is no usable bookmark (with the reason)."""
        try:
            with open(self.path, encoding='utf-8') as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return None, 'no bookmark yet'
        except (OSError, ValueError) as exc:
            return None, 'the bookmark could not be read (%s)' % type(exc).__name__
        if not isinstance(data, dict) or data.get('format') != BOOKMARK_FORMAT or not isinstance(data.get('alarms'), list):
            return None, 'the bookmark is not in a known format'
        if data.get('scope') != self.scope:
            return None, 'the bookmark was written for another endpoint, project or match'
        alarms = [alarm for alarm in data['alarms'] if isinstance(alarm, dict) and alarm.get('id')]
        return alarms, None

    def save(self, alarms: t.Iterable[dict]) -> None:
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix='.tmp-', dir=directory)  # created 0600
            try:
                with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
                    json.dump({'format': BOOKMARK_FORMAT, 'scope': self.scope, 'alarms': list(alarms)},
                              handle, separators=(',', ':'))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except OSError as exc:
            raise BookmarkError('could not write the bookmark %s: %s' % (self.path, exc.strerror or type(exc).__name__))
