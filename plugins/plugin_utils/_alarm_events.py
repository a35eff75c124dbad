# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The callback's AOM events: one alarm per (playbook, host), its clear, and the lookup filters.

Events are built and validated by module_utils/_events.py, like the module's. ``PushKind`` is the
one way the callback's layers say whether events report alarms or clear them.
"""

from __future__ import annotations

import dataclasses
import enum
import typing as t

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError, AOMValidationError, problem_text
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import build_events, identity
from ansible_collections.huaweicloud.aom.plugins.module_utils._wire import listed_event, metadata_relation
from ansible_collections.huaweicloud.aom.plugins.module_utils._reconcile import clear_of

if t.TYPE_CHECKING:
    from ansible_collections.huaweicloud.aom.plugins.plugin_utils._failures import Failure


class PushKind(str, enum.Enum):
    """What a push to AOM does: report (raise or update) alarms, or clear them."""

    REPORT = 'report'
    CLEAR = 'clear'


@dataclasses.dataclass(frozen=True)
class AlarmSettings:
    """The alarm options of the callback, checked and converted once, when it is configured.

    ``playbook_id`` is None until the playbook is known when the option ``alarm_playbook_id`` is
    unset (see ``for_playbook``).
    """

    event_name: str
    failed_severity: str
    unreachable_severity: str
    resource_provider: str
    resource_type: str
    playbook_id: str | None
    timeout_ms: int

    def for_playbook(self, default_playbook_id: str) -> AlarmSettings:
        """These settings with ``default_playbook_id`` when no playbook ID was configured."""
        return self if self.playbook_id else dataclasses.replace(self, playbook_id=default_playbook_id)


@dataclasses.dataclass(frozen=True)
class RunInfo:
    """What every alarm of a run says about the run itself."""

    run_id: str
    started_at: str
    controller: str
    ansible_version: str


# The callback options that become metadata of every alarm, and the metadata key each one fills.
OPTION_METADATA = (
    ('event_name', 'event_name'),
    ('resource_provider', 'resource_provider'),
    ('resource_type', 'resource_type'),
    ('alarm_playbook_id', 'playbook'),
)


def check_alarm_options(values: t.Mapping[str, t.Any], now_ms: int) -> None:
    """Check the options of OPTION_METADATA (``values``: option name -> value) as alarm metadata.

    The same validation as every alarm's, done once when the callback starts, so that a value AOM
    would refuse disables the callback before anything is sent. An unset or empty
    ``alarm_playbook_id`` is skipped (the playbook's file name is used then). Raises AOMConfigError
    naming every option refused.
    """
    metadata = {'event_type': 'alarm', 'resource_id': 'probe'}
    for option, key in OPTION_METADATA:
        if option != 'alarm_playbook_id' or values.get(option):
            metadata[key] = values.get(option)
    try:
        build_events({'events': [{'metadata': metadata}]}, 'reported', now=now_ms)
    except AOMValidationError as exc:
        options = dict(('metadata.' + key, option) for option, key in OPTION_METADATA)
        raise AOMConfigError('; '.join('%s: %s' % (options[found['field']], found['message'])
                                       if found['field'] in options else problem_text(found)
                                       for found in exc.errors)) from None


def identity_metadata(host: str, settings: AlarmSettings) -> dict[str, str | None]:
    """The metadata that names the alarm of ``host`` for this playbook (all but the severity)."""
    return {
        'event_name': settings.event_name,
        'event_type': 'alarm',
        'resource_provider': settings.resource_provider,
        'resource_type': settings.resource_type,
        'resource_id': host,
        'playbook': settings.playbook_id,
    }


def alarm_event(failure: Failure, settings: AlarmSettings, run: RunInfo, now_ms: int) -> dict:
    """The validated alarm event reporting ``failure``."""
    metadata = identity_metadata(failure.host, settings)
    metadata['event_severity'] = settings.unreachable_severity if failure.unreachable else settings.failed_severity
    annotations = {
        'failure': 'unreachable' if failure.unreachable else 'failed',
        'task': failure.task_name,
        'task_action': failure.task_action,
        'task_path': failure.task_path,
        'play': failure.play,
        'message': failure.message,
        'run_id': run.run_id,
        'run_started_at': run.started_at,
        'controller': run.controller,
        'ansible_version': run.ansible_version,
    }
    item = {'metadata': metadata, 'annotations': annotations, 'starts_at': failure.at_ms or now_ms,
            'timeout': settings.timeout_ms}
    return build_events({'events': [item]}, 'reported', now=now_ms)[0]


def clear_candidate(host: str, settings: AlarmSettings, now_ms: int) -> dict:
    """A clear of the alarm of ``host``, by identity; the delivery adds the id it looks up."""
    metadata = identity_metadata(host, settings)
    metadata['event_severity'] = settings.failed_severity
    item = {'metadata': metadata, 'starts_at': now_ms, 'timeout': settings.timeout_ms}
    return build_events({'events': [item]}, 'cleared', now=now_ms)[0]


def same_apart_from_times(first: dict, second: dict) -> bool:
    """Whether two alarms have the same metadata and annotations (their times aside): then the second need not be sent."""
    return first['metadata'] == second['metadata'] and first['annotations'] == second['annotations']


def identities_filter(events: t.Sequence[dict]) -> list[dict]:
    """``metadata_relation`` finding the active alarms that could match ``events`` (narrowed by identity later)."""
    keys = ('event_name', 'playbook', 'resource_provider', 'resource_type', 'resource_id')
    values = dict((key, sorted(set(event['metadata'].get(key) for event in events) - {None})) for key in keys)
    return metadata_relation(values)


def playbook_alarms_filter(settings: AlarmSettings) -> list[dict]:
    """``metadata_relation`` for every active alarm this playbook may have left (any host)."""
    return metadata_relation({
        'event_name': [settings.event_name],
        'playbook': [settings.playbook_id],
        'resource_provider': [settings.resource_provider],
        'resource_type': [settings.resource_type],
    })


def clears_for(active: t.Iterable[dict], candidates: t.Sequence[dict], now_ms: int) -> list[dict]:
    """Clear events (with the service's ``id``) for the ``active`` alarms one of ``candidates`` names."""
    wanted = set(identity(candidate) for candidate in candidates)
    clears, seen = [], set()
    for alarm in (listed_event(raw) for raw in active):
        key = identity(alarm)
        if key not in wanted or (alarm['id'], key) in seen:
            continue
        seen.add((alarm['id'], key))
        # every active alarm of a wanted identity: the service may hold two of one
        clears.append(clear_of(dict(alarm, starts_at=alarm['starts_at'] or now_ms), now_ms, candidates[0]['timeout']))
    return clears
