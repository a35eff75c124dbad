# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ansible-rulebook event source: Huawei Cloud AOM alarms, one event per change."""

from __future__ import annotations

import asyncio
import importlib
import logging
import math
import os
import random
import sys
import time
import types
import typing as t
from pathlib import Path

DOCUMENTATION = r"""
---
short_description: Receive Huawei Cloud AOM alarms as events, one per change
description:
  - An ansible-rulebook event source plugin that polls the active alarms of Huawei Cloud AOM
    (C(POST /v2/{project_id}/events), every page) every O(interval) seconds and puts one event on
    the queue for each change. An alarm that appears is V(raised), one whose severity or annotations
    change is V(updated), one that leaves the active list (cleared, or timed out) is V(cleared).
  - Each event is C({"aom_alarm": {"state", "id", "event_sn", "metadata", "annotations", "starts_at",
    "ends_at", "arrives_at", "timeout", "previous"}, "meta": {"project_id", "observed_at", "hosts"}}).
    C(previous) (on V(updated) and V(cleared)) is the alarm as last told. C(ends_at) of a V(cleared)
    alarm is when this source saw it gone (within one interval), unless AOM gave one.
    C(meta.hosts) is set only with O(host_key).
  - Once an alarm matched O(match), all its changes are told until it is cleared, even when its
    severity leaves the filter.
  - When AOM cannot be reached or answers errors, the source emits nothing (an outage is not a
    mass clear), keeps its bookmark, logs why (never a credential), and polls again after a
    growing delay (doubling from O(interval), at most O(max_backoff) seconds).
  - Connection options have the same names and environment variables as the modules'
    (E(HW_ACCESS_KEY), E(HW_SECRET_KEY), E(HW_PROJECT_ID), E(HW_REGION_NAME), E(HW_AOM_ENDPOINT),
    E(HUAWEICLOUD_SDK_AK) ...); an argument given in the rulebook wins over the environment.
    See the C(huaweicloud.aom.connection) documentation fragment.
  - Needs the Python library C(requests) where ansible-rulebook runs.
options:
  interval:
    description: Seconds between two polls.
    type: float
    default: 30
  match:
    description:
      - Only alarms whose metadata match, in the form of the O(huaweicloud.aom.aom_silence#module:match)
        option of the silence modules. Without it, every alarm.
      - A list of items; an alarm matches when it matches any item (OR). A single mapping is one item.
      - "An item is either a mapping of metadata keys to a value or a list of values, for example
        C({resource_id: web1, event_severity: [Major, Critical]}): every key must hold one of its values (AND);"
      - "or a full condition C({key: resource_id, operate: REGEX, value: ['web.*']}), or a list of full
        conditions that must all hold. C(operate) is V(EQUALS) (any of the values), V(REGEX) (any of
        the regular expressions matches the whole value) or V(EXIST) (the key is present; no value)."
      - The values of C(event_severity) (V(Critical), V(Major), V(Minor), V(Info)) and C(event_type)
        (V(event), V(alarm)) are checked, so that a typo does not silently match nothing.
    type: list
    elements: raw
  emit_existing:
    description:
      - When the source starts without a bookmark, whether the alarms already active are told as
        V(raised) (V(true)) or only followed from then on (V(false)).
    type: bool
    default: true
  state_file:
    description:
      - A file where the source keeps the alarms it has told about (written atomically, mode 0600,
        alarm data only), so a restart neither tells a change twice nor misses one that happened
        while it was down. Without it, every start is a first start.
    type: path
  host_key:
    description:
      - A metadata key whose value is put in C(meta.hosts) (ansible-rulebook then limits
        C(run_playbook) to that host), e.g. V(resource_id).
    type: str
  max_backoff:
    description: The longest wait between two polls while AOM is unreachable, in seconds.
    type: float
    default: 300
  region:
    description: Region, e.g. V(cn-north-4). Or E(HW_REGION_NAME).
    type: str
  endpoint:
    description: AOM endpoint URL. Or E(HW_AOM_ENDPOINT).
    type: str
  project_id:
    description: Project ID. Or E(HW_PROJECT_ID), E(HUAWEICLOUD_SDK_PROJECT_ID).
    type: str
  access_key:
    description: Access key. Or E(HW_ACCESS_KEY), E(HUAWEICLOUD_SDK_AK).
    type: str
  secret_key:
    description: Secret key. Or E(HW_SECRET_KEY), E(HUAWEICLOUD_SDK_SK). Prefer the environment.
    type: str
notes:
  - The other connection options are accepted too, with the modules' names and environment
    variables - C(cloud), C(identity_endpoint), C(project_name), C(enterprise_project_id),
    C(security_token), C(auth_token), C(user), C(password), C(domain), C(validate_certs),
    C(ca_path), C(request_timeout), C(retries), C(allow_http).
"""

EXAMPLES = r"""
- name: Remediate AOM alarms
  hosts: localhost
  sources:
    - huaweicloud.aom.aom_alarms:
        region: cn-north-4
        interval: 30
        state_file: /var/lib/eda/aom_alarms.json
        match:
          - resource_type: vm
            event_severity: [Major, Critical]
          - event_name: disk full
  rules:
    - name: A VM alarm is raised
      condition: event.aom_alarm.state == "raised"
      action:
        run_playbook:
          name: remediate.yml
"""

SOURCE_OPTIONS = ('interval', 'match', 'emit_existing', 'state_file', 'host_key', 'max_backoff')
# Given by ansible-rulebook to every source; this one does not use it.
IGNORED_ARGS = ('eda_feedback_queue',)
DEFAULT_INTERVAL = 30.0
DEFAULT_MAX_BACKOFF = 300.0
# The severity of an alarm may change under the same id; the rest of its metadata cannot.
UNSTABLE_KEYS = ('event_severity',)

logger = logging.getLogger('huaweicloud.aom.aom_alarms')


def _collection_root() -> Path:
    # extensions/eda/plugins/event_source/aom_alarms.py -> the collection root; not resolved,
    # so a collection linked into an ansible_collections tree is imported from that tree
    return Path(os.path.abspath(__file__)).parents[4]


def _import_collection() -> Path:
    """Make this file's collection importable as ``ansible_collections.huaweicloud.aom``.

    ansible-rulebook runs this file by path (``runpy``), without the collection on
    ``sys.path``. In an ``ansible_collections/huaweicloud/aom`` tree, the directory above
    ``ansible_collections`` goes first on ``sys.path``; in a checkout under another name, the
    package is registered with the checkout as its path. One client, one copy.
    """
    root = _collection_root()
    name = 'ansible_collections.huaweicloud.aom'
    if root.name == 'aom' and root.parent.name == 'huaweicloud' and root.parent.parent.name == 'ansible_collections':
        base = str(root.parent.parent.parent)
        if base not in sys.path:
            sys.path.insert(0, base)
    try:
        importlib.import_module(name + '.plugins.module_utils._client')
    except ImportError:
        parent = None
        for package_name in ('ansible_collections', 'ansible_collections.huaweicloud', name):
            try:
                if package_name == name:
                    raise ImportError(name)
                package = importlib.import_module(package_name)
            except ImportError:
                package = sys.modules[package_name] = types.ModuleType(package_name)
                package.__path__ = [str(root)] if package_name == name else []
                if parent is not None:
                    setattr(parent, package_name.rpartition('.')[2], package)
            parent = package
    return root


_import_collection()

# pylint: disable=wrong-import-position
from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient  # noqa: E402
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError  # noqa: E402
from ansible_collections.huaweicloud.aom.plugins.module_utils._match import MatchError, parse_match  # noqa: E402
from ansible_collections.huaweicloud.aom.plugins.module_utils._reconcile import active_time_range  # noqa: E402
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import (  # noqa: E402
    CONNECTION_OPTIONS,
    OptionGetter,
    resolve_connection,
)
from ansible_collections.huaweicloud.aom.plugins.module_utils._wire import listed_event, metadata_relation  # noqa: E402
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_watch import (  # noqa: E402
    AlarmTracker,
    Bookmark,
    BookmarkError,
    Change,
    scope_key,
)

# A closed set: a typo in a filter would silently match nothing.
ALLOWED_MATCH_VALUES = {'event_severity': ('Critical', 'Major', 'Minor', 'Info'), 'event_type': ('event', 'alarm')}


class SourceConfigError(ValueError):
    """An argument of the source is missing or invalid (the message names it)."""


def connection_getter(args: t.Mapping[str, t.Any], environ: t.Mapping[str, str] | None = None) -> OptionGetter:
    """``get_option`` for ``resolve_connection``: the rulebook argument, else the first set environment variable."""
    environ = os.environ if environ is None else environ

    def get_option(name: str) -> t.Any:
        value = args.get(name)
        if value is None or value == '':
            for variable in CONNECTION_OPTIONS[name]['env']:
                if environ.get(variable):
                    return environ[variable]
        return value
    return get_option


class SourceConfig:
    """The checked arguments of the source."""

    def __init__(self, args: t.Mapping[str, t.Any], environ: t.Mapping[str, str] | None = None) -> None:
        unknown = sorted(str(key) for key in args if key not in SOURCE_OPTIONS + IGNORED_ARGS
                         and key not in CONNECTION_OPTIONS)
        if unknown:
            raise SourceConfigError('aom_alarms: unknown argument %s; allowed: %s'
                                    % (unknown[0], ', '.join(SOURCE_OPTIONS + tuple(CONNECTION_OPTIONS))))
        self.interval = _positive_number(args, 'interval', DEFAULT_INTERVAL)
        self.max_backoff = max(self.interval, _positive_number(args, 'max_backoff', DEFAULT_MAX_BACKOFF))
        self.emit_existing = _boolean(args, 'emit_existing', True)
        try:
            self.matcher = parse_match(args.get('match'), allowed_values=ALLOWED_MATCH_VALUES)
        except MatchError as exc:
            raise SourceConfigError('aom_alarms: %s' % exc)
        self.state_file = args.get('state_file') or None
        if self.state_file is not None and not isinstance(self.state_file, str):
            raise SourceConfigError('aom_alarms: state_file: expected a file path')
        self.host_key = args.get('host_key') or None
        if self.host_key is not None and not isinstance(self.host_key, str):
            raise SourceConfigError('aom_alarms: host_key: expected a metadata key (a string)')
        try:
            self.connection = resolve_connection(connection_getter(args, environ))
        except AOMError as exc:
            raise SourceConfigError('aom_alarms: %s' % exc)
        self.secrets = list(self.connection.secrets)

    def scope(self) -> str:
        conn = self.connection
        return scope_key(conn.endpoint, conn.project, conn.enterprise_project_id, self.matcher.describe())


def _positive_number(args: t.Mapping[str, t.Any], name: str, default: float) -> float:
    value = args.get(name, default)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise SourceConfigError('aom_alarms: %s: expected a number of seconds above 0, got %r' % (name, value))
    return float(value)


def _boolean(args: t.Mapping[str, t.Any], name: str, default: bool) -> bool:
    value = args.get(name, default)
    if isinstance(value, str) and value.strip().lower() in ('true', 'yes', 'on', '1', 'false', 'no', 'off', '0'):
        return value.strip().lower() in ('true', 'yes', 'on', '1')
    if not isinstance(value, bool):
        raise SourceConfigError('aom_alarms: %s: expected true or false, got %r' % (name, value))
    return value


def redact(text: str, secrets: t.Iterable[str]) -> str:
    """``text`` with every secret value replaced, whatever characters it holds."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, '***')
    return text


class AlarmSource:
    """Polls AOM and puts one event per change on ``queue``; ``client`` is an ``AOMClient``."""

    def __init__(self, config: SourceConfig, client: AOMClient, clock: t.Callable[[], float] = time.time) -> None:
        self.config = config
        self.client = client
        self._clock = clock
        self._bookmark = Bookmark(config.state_file, config.scope()) if config.state_file else None
        self._narrowing = metadata_relation(config.matcher.narrowing(UNSTABLE_KEYS)) or None
        self.failures = 0
        self.polls = 0
        self._dirty = False
        known, reason = (None, 'no state_file') if self._bookmark is None else self._bookmark.load()
        self._resumed = known is not None
        if self._bookmark is not None and not self._resumed:
            logger.info('aom_alarms: starting without a bookmark (%s); alarms already active are %s',
                        reason, 'told as raised' if config.emit_existing else 'followed without an event')
        elif self._resumed:
            logger.info('aom_alarms: resuming from %s (%d alarms already told)', self._bookmark.path, len(known))
        self.tracker = AlarmTracker(known)

    async def run(self, queue: asyncio.Queue) -> None:
        try:
            while True:
                ok = await self.poll_once(queue)
                await asyncio.sleep(self.config.interval if ok else self.backoff_delay())
        finally:
            self._save()

    async def poll_once(self, queue: asyncio.Queue) -> bool:
        """One poll; True when AOM answered (the events are then on ``queue``)."""
        try:
            raw = await asyncio.to_thread(self._list_active)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            self._report_failure(exc)
            return False
        if self.failures:
            logger.info('aom_alarms: AOM answers again after %d failed poll(s)', self.failures)
            self.failures = 0
        observed_at = int(self._clock() * 1000)
        announce = self.config.emit_existing or self._resumed or self.polls > 0
        changes = self.tracker.changes([listed_event(item) for item in raw], self.config.matcher,
                                       announce_new=announce, observed_at=observed_at)
        self._dirty = self._dirty or self.polls == 0 or bool(changes)
        self.polls += 1
        for change in changes:
            await queue.put(self.event(change, observed_at))
            self.tracker.commit(change)
        self._save()
        return True

    def _list_active(self) -> list[dict]:
        return self.client.list_events(event_type='active_alert', time_range=active_time_range(),
                                       metadata_relation=self._narrowing)

    def event(self, change: Change, observed_at: int) -> dict:
        alarm = dict(change.alarm, state=change.state)
        if change.previous is not None:
            alarm['previous'] = dict((key, change.previous.get(key)) for key in ('metadata', 'annotations'))
        meta = {'project_id': self.client.project_id, 'observed_at': observed_at}
        if self.config.host_key and alarm['metadata'].get(self.config.host_key):
            meta['hosts'] = [alarm['metadata'][self.config.host_key]]
        return {'aom_alarm': alarm, 'meta': meta}

    def backoff_ceiling(self) -> float:
        """The longest wait after the failed polls so far: doubling from ``interval``, capped at ``max_backoff``."""
        return min(self.config.max_backoff, self.config.interval * (2 ** min(self.failures, 30)))

    def backoff_delay(self) -> float:
        """``backoff_ceiling``, with jitter (between half of it and all of it)."""
        ceiling = self.backoff_ceiling()
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _report_failure(self, exc: Exception) -> None:
        self.failures += 1
        if isinstance(exc, AOMError):
            reason = str(exc)
        else:
            reason = '%s: %s' % (type(exc).__name__, exc)
        reason = redact(reason, self.config.secrets)
        status = getattr(exc, 'status', None)
        level = logging.ERROR if status in (400, 401, 403, 404) else logging.WARNING
        # Said on the first failure and then at growing gaps, not on every poll of an outage.
        if self.failures & (self.failures - 1) == 0:
            logger.log(level, 'aom_alarms: poll failed (%d in a row); no alarm is told cleared while AOM does '
                       'not answer; next poll in up to %.1f s: %s', self.failures, self.backoff_ceiling(), reason)

    def _save(self) -> None:
        if self._bookmark is None or not self._dirty:
            return
        try:
            self._bookmark.save(self.tracker.known.values())
            self._dirty = False
        except BookmarkError as exc:
            logger.error('aom_alarms: %s; a restart may tell some changes again', exc)


async def main(queue: asyncio.Queue, args: t.Mapping[str, t.Any]) -> None:
    """Poll Huawei Cloud AOM for active alarms and put one event per change on ``queue``."""
    config = SourceConfig(args)
    await AlarmSource(config, AOMClient(config.connection)).run(queue)


if __name__ == '__main__':
    # A quick try: python aom_alarms.py (connection from the HW_* variables) prints the events.

    class MockQueue(asyncio.Queue):
        async def put(self, item: t.Any) -> None:
            print(item)  # noqa: T201

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(MockQueue(), {'interval': float(os.environ.get('AOM_ALARMS_INTERVAL', 5))}))
