# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the EDA source ``aom_alarms`` decides, without I/O: matching, changes, the bookmark.

``Matcher`` is the metadata matcher form (a list of condition sets: OR between them, AND
inside; each condition a value or a list of values). ``AlarmTracker`` turns successive lists
of active alarms into ``raised``/``updated``/``cleared`` changes, one per change. ``Bookmark``
keeps the tracked alarms in a file (written to a temporary name, fsynced, renamed; 0600),
holding alarm data only, never a credential.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

BOOKMARK_FORMAT = 1
# What tells an update: the severity or the annotations. The rest of the metadata is the
# alarm's identity, fixed for its id; it is compared too, so nothing that changes goes unsaid.
_COMPARED = ('metadata', 'annotations')


class MatchError(ValueError):
    """The ``match`` option is not a list of condition sets."""


class Matcher:
    """Metadata conditions: ``[{key: value or [values]}, ...]``, OR between items, AND inside."""

    def __init__(self, match, allowed_values=None, field='match'):
        self.condition_sets = _condition_sets(match, allowed_values or {}, field)

    def __call__(self, metadata):
        if not self.condition_sets:
            return True
        return any(all(metadata.get(key) in values for key, values in conditions.items())
                   for conditions in self.condition_sets)

    def narrowing(self, unstable_keys=()):
        """``{key: [values]}`` the service may filter on without losing a match, or {}.

        Only with one condition set (the list API ANDs its filters), and never on a key that
        may change for the same alarm (its severity): an alarm followed since it matched must
        stay in the listing, or it would look cleared.
        """
        if len(self.condition_sets) != 1:
            return {}
        return dict((key, list(values)) for key, values in self.condition_sets[0].items()
                    if key not in unstable_keys)

    def describe(self):
        return json.dumps([dict((k, sorted(v)) for k, v in c.items()) for c in self.condition_sets], sort_keys=True)


def _condition_sets(match, allowed_values, field):
    if match is None:
        return []
    if isinstance(match, dict):
        match = [match]
    if not isinstance(match, list):
        raise MatchError('%s: expected a list of mappings {metadata key: value or list of values}, got %s'
                         % (field, type(match).__name__))
    result = []
    for index, conditions in enumerate(match):
        path = '%s[%d]' % (field, index)
        if not isinstance(conditions, dict) or not conditions:
            raise MatchError('%s: expected a non-empty mapping {metadata key: value or list of values}' % path)
        checked = {}
        for key, value in conditions.items():
            if not isinstance(key, str) or not key:
                raise MatchError('%s: keys are metadata keys (non-empty strings), got %r' % (path, key))
            checked[key] = _values(value, '%s.%s' % (path, key), allowed_values.get(key))
        result.append(checked)
    return result


def _values(value, path, allowed):
    values = value if isinstance(value, list) else [value]
    if not values or any(isinstance(v, bool) or not isinstance(v, (str, int)) or v == '' for v in values):
        raise MatchError('%s: expected a non-empty string or a list of them' % path)
    values = frozenset(str(v) for v in values)
    for candidate in sorted(values):
        if allowed and candidate not in allowed:
            raise MatchError('%s: %r is not allowed; expected one of %s' % (path, candidate, ', '.join(allowed)))
    return values


class Change:
    """One change of one alarm: ``state`` (raised, updated, cleared), the alarm, what it was before."""

    __slots__ = ('state', 'alarm', 'previous')

    def __init__(self, state, alarm, previous=None):
        self.state = state
        self.alarm = alarm
        self.previous = previous

    def __repr__(self):
        return 'Change(%s, %s)' % (self.state, self.alarm.get('id'))


class AlarmTracker:
    """The alarms already told about, by id, and the changes a new listing brings.

    An alarm is followed once it matched: later changes are told even if its severity leaves
    the filter, and its disappearance is a ``cleared``. ``commit`` records a change as told,
    so a change is recorded only once it reached the queue.
    """

    def __init__(self, known=None):
        self.known = dict((alarm['id'], alarm) for alarm in (known or ()))

    def changes(self, active, matcher, announce_new=True, observed_at=None):
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

    def commit(self, change):
        if change.state == 'cleared':
            self.known.pop(change.alarm['id'], None)
        else:
            self.known[change.alarm['id']] = change.alarm


def _order(change):
    alarm = change.alarm
    return (alarm.get('starts_at') or 0, str(alarm.get('event_sn') or ''), alarm['id'])


def scope_key(*parts):
    """A digest naming what a bookmark is about (endpoint, project, filters): not reversible."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode('utf-8')).hexdigest()


class BookmarkError(Exception):
    """The bookmark file cannot be read or written."""


class Bookmark:
    """The alarms already told about, kept in ``path`` across restarts."""

    def __init__(self, path, scope):
        self.path = os.path.abspath(os.path.expanduser(path))
        self.scope = scope

    def load(self):
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

    def save(self, alarms):
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
