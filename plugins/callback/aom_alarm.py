# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: aom_alarm
type: notification
short_description: Raise a Huawei Cloud AOM alarm for each host a playbook fails on, clear it when it succeeds
version_added: 1.0.0
description:
  - Raises one AOM alarm per (playbook, host) when a task fails on the host (loop items and async tasks
    included) or the host is unreachable, and clears that alarm at the end of a later run in which the
    whole playbook ran for the host, in normal mode, without failure.
  - "Which runs clear an alarm: a run of the whole playbook clears the alarm of each host that ran
    tasks (ok or changed) and neither failed nor was unreachable. A C(--limit) run clears the hosts it
    ran on; hosts that only skipped tasks (every task's C(when) was false) are left alone."
  - "Which runs do not clear: a run limited by C(--tags) or C(--skip-tags) (unless
    O(clear_after_tag_limited_runs) is set), a C(--start-at-task) run, a C(--step) run, a C(--check)
    run and, for the hosts concerned, a play, block or task with C(check_mode: true) (unless
    O(send_in_check_mode) is set). They did not run
    the whole playbook for real, so they cannot prove that what failed works now: the alarms stay
    as they are. Such runs still raise the alarms of the hosts that fail in them (a task run in check
    mode raises nothing). With C(-v), the callback says why it cleared nothing."
  - The outcome of each host is decided from the run's final statistics, so a failure with
    C(ignore_errors) or one that a C(rescue) section handled leaves no alarm.
  - The alarm names the failed task, its action and path, the play, the error message (at most 1024
    characters), the run's start time and ID, the controller and the ansible-core version. It never
    contains the task's arguments; the message of a C(no_log) result is replaced by a fixed text.
  - Events are sent from a background thread, the alarms of hosts that fail close together (such as the
    other failures of the same task) in one request. The run is never failed by this callback, and at its end
    it waits at most O(flush_timeout) seconds. What could not be delivered is kept in O(spool_dir) and
    sent first, in order, by the next run.
  - "Runs in check mode (C(--check)) send nothing unless O(send_in_check_mode) is set. A play, block or
    task with C(check_mode: true) in a normal run neither raises nor clears the alarm of its hosts."
  - Enable it with C(callbacks_enabled = huaweicloud.aom.aom_alarm) in C(ansible.cfg) or
    E(ANSIBLE_CALLBACKS_ENABLED). When its connection settings are incomplete, or an option has a value
    that is not allowed, it disables itself with one warning naming the option and what is allowed.
  - Boolean options and the severities are read as text and parsed by the collection, with the rule the
    modules use (booleans V(true)/V(false), V(yes)/V(no), V(on)/V(off), V(y)/V(n), V(t)/V(f), V(1)/V(0)
    in any case; severities spelled exactly), so that a misspelled value is refused instead of being
    taken as false.
author:
  - huaweicloud.aom maintainers (@huaweicloud)
requirements:
  - requests
  - voluptuous
extends_documentation_fragment:
  - huaweicloud.aom.connection.plugins
  - huaweicloud.aom.connection
options:
  event_name:
    description: The C(event_name) metadata of the alarms.
    type: str
    default: ansible_playbook_failed
    env:
      - name: AOM_ALARM_EVENT_NAME
    ini:
      - section: callback_aom_alarm
        key: event_name
  failed_severity:
    description:
      - Severity of the alarm of a host on which a task failed.
      - One of V(Critical), V(Major), V(Minor), V(Info), spelled exactly so; another value disables the callback
        with one warning listing them.
    type: str
    default: Major
    env:
      - name: AOM_ALARM_FAILED_SEVERITY
    ini:
      - section: callback_aom_alarm
        key: failed_severity
  unreachable_severity:
    description:
      - Severity of the alarm of a host that was unreachable.
      - One of V(Critical), V(Major), V(Minor), V(Info), spelled exactly so; another value disables the callback
        with one warning listing them.
    type: str
    default: Critical
    env:
      - name: AOM_ALARM_UNREACHABLE_SEVERITY
    ini:
      - section: callback_aom_alarm
        key: unreachable_severity
  resource_provider:
    description: The C(resource_provider) metadata of the alarms.
    type: str
    default: ansible
    env:
      - name: AOM_ALARM_RESOURCE_PROVIDER
    ini:
      - section: callback_aom_alarm
        key: resource_provider
  resource_type:
    description: The C(resource_type) metadata of the alarms; their C(resource_id) is the inventory hostname.
    type: str
    default: host
    env:
      - name: AOM_ALARM_RESOURCE_TYPE
    ini:
      - section: callback_aom_alarm
        key: resource_type
  alarm_playbook_id:
    description:
      - The C(playbook) metadata of the alarms, which tells the alarms of different playbooks apart.
      - Defaults to the playbook's file name without its directory (the names of all of them, joined
        with commas, when one run is given several), so that it does not change between checkouts.
      - Set it when two different playbooks share a file name.
    type: str
    env:
      - name: AOM_ALARM_ALARM_PLAYBOOK_ID
    ini:
      - section: callback_aom_alarm
        key: alarm_playbook_id
  alarm_timeout:
    description:
      - How long an alarm stays active in AOM without being cleared, after which the service clears it
        by itself. Milliseconds, or a duration such as V(3d), V(12h). At most 15 days.
      - Its environment variable was called E(AOM_ALARM_ALARM_TIMEOUT) before 1.1.0; that name still works,
        deprecated.
    type: str
    default: 3d
    env:
      - name: AOM_ALARM_ALARM_TIMEOUT
        deprecated:
          why: Renamed to AOM_ALARM_TIMEOUT (the old name said alarm twice).
          version: 2.0.0
          collection_name: huaweicloud.aom
          alternatives: AOM_ALARM_TIMEOUT, which wins when both are set.
      - name: AOM_ALARM_TIMEOUT
        version_added: 1.1.0
    ini:
      - section: callback_aom_alarm
        key: alarm_timeout
  clear_on_success:
    description:
      - Clear the standing alarm of this playbook of each host that completes a run of the whole playbook
        with no failure and no unreachable (see the description for the runs that do not clear).
      - A boolean (V(true), V(false), V(yes), V(no), ...); another value disables the callback with one warning.
    type: str
    default: 'true'
    env:
      - name: AOM_ALARM_CLEAR_ON_SUCCESS
    ini:
      - section: callback_aom_alarm
        key: clear_on_success
  clear_after_tag_limited_runs:
    description:
      - Also clear alarms after runs limited by C(--tags) or C(--skip-tags), which otherwise clear nothing.
      - For playbooks whose tags select independent parts, where a tagged run that succeeds does prove the
        host healthy. C(--start-at-task), C(--step) and check-mode runs still clear nothing.
      - A boolean (V(true), V(false), V(yes), V(no), ...); another value disables the callback with one warning.
    type: str
    default: 'false'
    version_added: 1.1.0
    env:
      - name: AOM_ALARM_CLEAR_AFTER_TAG_LIMITED_RUNS
    ini:
      - section: callback_aom_alarm
        key: clear_after_tag_limited_runs
  send_in_check_mode:
    description:
      - "Also raise and clear alarms in runs in check mode (C(--check), or plays, blocks and tasks with
        C(check_mode: true)), which otherwise neither raise nor clear."
      - A boolean (V(true), V(false), V(yes), V(no), ...); another value disables the callback with one warning.
    type: str
    default: 'false'
    env:
      - name: AOM_ALARM_SEND_IN_CHECK_MODE
    ini:
      - section: callback_aom_alarm
        key: send_in_check_mode
  spool_dir:
    description:
      - Directory (mode 0700, files 0600) where events that could not be delivered are kept until
        the next run sends them. It holds events only, never credentials.
      - It is created when the callback starts. When it cannot be created or written, the callback
        disables itself with one warning.
      - In a job run by ansible-runner (AWX, AAP, ansible-navigator), a warning says so when the directory
        will not outlive the job (inside the job's private data directory, or on the container's own
        file system), and what is left undelivered at the end is listed in a warning and copied into the
        job's artifacts (C(<artifact dir>/aom_alarm_undelivered/)).
    type: path
    default: ~/.ansible/aom_alarm_spool
    env:
      - name: AOM_ALARM_SPOOL_DIR
    ini:
      - section: callback_aom_alarm
        key: spool_dir
  flush_timeout:
    description:
      - At the end of the run, the most seconds to wait for the delivery of the alarms and clears.
        What is not delivered by then is spooled. Retries and request timeouts are cut to fit.
      - From V(0) (spool what is not delivered at once) to V(3600).
    type: float
    default: 10
    env:
      - name: AOM_ALARM_FLUSH_TIMEOUT
    ini:
      - section: callback_aom_alarm
        key: flush_timeout
notes:
  - Alarm identity is the metadata C(event_name), C(event_type), C(resource_provider), C(resource_type),
    C(resource_id) and C(playbook); reporting the same identity again updates the active alarm.
  - Two runs may share a spool directory; entries are locked while sent and kept in order.
seealso:
  - module: huaweicloud.aom.aom_event
'''

EXAMPLES = r'''
# ansible.cfg
# [defaults]
# callbacks_enabled = huaweicloud.aom.aom_alarm
#
# [callback_aom_alarm]
# region = cn-north-4
# project_id = 0123456789abcdef0123456789abcdef
# flush_timeout = 5
#
# Credentials from the environment (AWX: a credential injecting these variables):
#   HW_ACCESS_KEY=... HW_SECRET_KEY=... ansible-playbook site.yml
'''

import atexit
import dataclasses
import datetime
import functools
import os
import socket
import typing as t
import uuid

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase
from ansible.release import __version__ as ansible_version

from ansible_collections.huaweicloud.aom.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError, AOMError
from ansible_collections.huaweicloud.aom.plugins.module_utils._events import HAS_VOLUPTUOUS, MAX_TIMEOUT_MS, SEVERITIES
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import (
    CONNECTION_OPTIONS,
    resolve_connection,
    strict_bool,
    strict_choice,
)
from ansible_collections.huaweicloud.aom.plugins.module_utils._time import now_ms, parse_duration
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_delivery import AlarmDelivery
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._alarm_events import (
    AlarmSettings,
    PushKind,
    RunInfo,
    check_alarm_options,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._failures import (
    FailureRecord,
    failure_from_result,
    may_be_rescued,
    redact,
    result_parts,
)
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._run_scope import partial_run_reason, ran_in_check_mode
from ansible_collections.huaweicloud.aom.plugins.plugin_utils._spool_place import warn_if_ephemeral

NAME = 'huaweicloud.aom.aom_alarm'
MAX_FLUSH_TIMEOUT = 3600.0  # seconds
INTERRUPTED_FLUSH_TIMEOUT = 2.0  # seconds an interrupted run (no stats) waits at most
# Read as text by ansible-core (which would take a misspelled boolean as false or refuse a choice
# without naming the allowed values) and parsed strictly here: option -> default.
BOOLEAN_OPTIONS = {'clear_on_success': True, 'send_in_check_mode': False, 'clear_after_tag_limited_runs': False}
SEVERITY_OPTIONS = {'failed_severity': 'Major', 'unreachable_severity': 'Critical'}


@dataclasses.dataclass(frozen=True)
class Switches:
    """The callback's boolean options, parsed strictly."""

    clear_on_success: bool = BOOLEAN_OPTIONS['clear_on_success']
    send_in_check_mode: bool = BOOLEAN_OPTIONS['send_in_check_mode']
    clear_after_tag_limited_runs: bool = BOOLEAN_OPTIONS['clear_after_tag_limited_runs']


def _guarded(hook):
    """Run ``hook`` only while the callback is active, and never let it fail the playbook."""
    @functools.wraps(hook)
    def wrapper(self, *args, **kwargs):
        if self.disabled or (not self._sending and hook.__name__ not in _STARTING_HOOKS):
            return None
        try:
            return hook(self, *args, **kwargs)
        except Exception as exc:
            self._internal_error(hook.__name__, exc)
            return None
    return wrapper


_STARTING_HOOKS = ('v2_playbook_on_start',)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = NAME
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._conn = None
        self._secrets = ()
        self._switches = Switches()
        self._delivery: AlarmDelivery | None = None  # the one collaborator: alarms and clears go there
        self._started = False
        self._partial_run = ''  # why this run cannot clear alarms ('' when it can)
        self._failures = FailureRecord()
        self._unproven_hosts: set[str] = set()  # hosts that ran a task in check mode: not cleared
        self._play_name = ''
        self._reported_internal_error = False

    @property
    def _sending(self) -> bool:
        return self._delivery is not None and self._delivery.started

    # -- configuration ---------------------------------------------------------------------

    def set_options(self, task_keys=None, var_options=None, direct=None):
        # An empty connection variable is unset for the collection (AWX injects one for each empty
        # field of a credential), but ansible-core would take it over ansible.cfg: hidden meanwhile.
        empty = dict((name, os.environ.pop(name)) for option in CONNECTION_OPTIONS.values()
                     for name in option['env'] if os.environ.get(name) == '')
        try:
            super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        finally:
            os.environ.update(empty)
        self._report_deprecated_settings()
        try:
            self._configure()
        except AOMError as exc:
            self._disable(str(exc))
        except Exception as exc:
            self._disable('invalid configuration (%s: %s)' % (type(exc).__name__, exc))

    def _configure(self) -> None:
        """Check every option once and build what the run needs: the switches and the delivery."""
        missing = [name for name, present in (('requests', HAS_REQUESTS), ('voluptuous', HAS_VOLUPTUOUS)) if not present]
        if missing:
            self._disable('the Python libraries %s are required on the controller (pip install %s)'
                          % (' and '.join(missing), ' '.join(missing)))
            return
        switches = {}
        for name, default in BOOLEAN_OPTIONS.items():
            value = strict_bool(name, self.get_option(name))
            switches[name] = default if value is None else value
        self._switches = Switches(**switches)
        severities = dict((name, strict_choice(name, self.get_option(name), SEVERITIES) or default)
                          for name, default in SEVERITY_OPTIONS.items())
        self._conn = resolve_connection(self.get_option)
        self._secrets = self._conn.secrets
        flush_timeout = float(self.get_option('flush_timeout'))
        if not 0 <= flush_timeout <= MAX_FLUSH_TIMEOUT:  # also refuses nan
            raise AOMConfigError('flush_timeout must be from 0 to %d seconds, got %s'
                                 % (MAX_FLUSH_TIMEOUT, self.get_option('flush_timeout')))
        timeout_ms = parse_duration(self.get_option('alarm_timeout'), 'alarm_timeout')
        if not 0 < timeout_ms <= MAX_TIMEOUT_MS:
            raise AOMConfigError('alarm_timeout must be more than 0 and at most 15 days')
        # The options that go into every alarm's metadata are checked like the alarms, once, now.
        check_alarm_options(dict((name, self.get_option(name)) for name in (
            'event_name', 'resource_provider', 'resource_type', 'alarm_playbook_id')), now_ms())
        spool_dir = self.get_option('spool_dir')
        if not spool_dir:
            raise AOMConfigError('spool_dir is empty; set a directory or leave the default')
        settings = AlarmSettings(
            event_name=self.get_option('event_name'),
            failed_severity=severities['failed_severity'],
            unreachable_severity=severities['unreachable_severity'],
            resource_provider=self.get_option('resource_provider'),
            resource_type=self.get_option('resource_type'),
            playbook_id=self.get_option('alarm_playbook_id') or None,  # None: the playbook's, known at its start
            timeout_ms=timeout_ms,
        )
        if not self._sending:  # configured again once sending: the delivery under way goes on
            self._delivery = AlarmDelivery(self._conn, settings, spool_dir, flush_timeout)

    def _report_deprecated_settings(self) -> None:
        """Say, in this callback's name, which deprecated setting (an environment variable, an ini key) was used.

        ansible-core records it while it reads the options, but its CallbackBase.set_options does not
        report it: the next plugin to read its options would, in that plugin's name.
        """
        try:
            deprecated = {}
            for option in (C.config.get_configuration_definitions('callback', self._load_name) or {}).values():
                for entry in option.get('env') or ():
                    if entry.get('deprecated'):
                        deprecated['the environment variable %s' % entry['name']] = entry['name'], entry['deprecated']
                for entry in option.get('ini') or ():
                    if entry.get('deprecated'):
                        key = '[%s]%s' % (entry['section'], entry['key'])
                        deprecated['the ansible.cfg setting %s' % key] = key, entry['deprecated']
            recorded = C.config.DEPRECATED
            for what, (name, details) in deprecated.items():
                for item in [item for item in recorded if item[0] == name]:
                    recorded.remove(item)
                    self._display.deprecated('%s callback: %s is deprecated: %s Use %s.'
                                             % (NAME, what, details.get('why', ''), details.get('alternatives', '')),
                                             version=details.get('version'), collection_name=details.get('collection_name'))
        except Exception:
            pass  # ansible-core reports it then, in another plugin's name

    def _disable(self, reason: str) -> None:
        self._display.warning('%s callback disabled: %s' % (NAME, reason))
        self.disabled = True

    def _internal_error(self, where: str, exc: Exception) -> None:
        """Say once that alarms may be incomplete (never a credential); the playbook goes on regardless."""
        text = redact('%s: %s' % (type(exc).__name__, exc), self._secrets)
        if not self._reported_internal_error:
            self._reported_internal_error = True
            self._display.warning('%s callback: internal error in %s (%s); the alarms of this run may be incomplete'
                                  % (NAME, where, text))
        else:
            self._display.vvv('%s callback: internal error in %s (%s)' % (NAME, where, text))

    # -- run start -------------------------------------------------------------------------

    @_guarded
    def v2_playbook_on_start(self, playbook):
        if self._started or self._delivery is None:  # several playbooks in one run: one start
            return
        self._started = True
        if context.CLIARGS.get('check') and not self._switches.send_in_check_mode:
            self._display.vvv('%s callback: check mode, nothing is sent' % NAME)
            return
        self._partial_run = partial_run_reason(context.CLIARGS, self._switches.clear_after_tag_limited_runs)
        run = RunInfo(
            run_id=str(uuid.uuid4()),
            started_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
            controller=socket.gethostname(),
            ansible_version=ansible_version,
        )
        warn_if_ephemeral(self._delivery.spool_dir, self._display.warning, NAME)
        self._delivery.start(run, playbook_id(getattr(playbook, '_file_name', None), context.CLIARGS.get('args')),
                             may_clear=self._switches.clear_on_success and not self._partial_run)
        atexit.register(self._close_at_exit)

    @_guarded
    def v2_playbook_on_play_start(self, play):
        self._play_name = play.get_name() or ''

    # -- results ---------------------------------------------------------------------------

    @_guarded
    def v2_runner_on_failed(self, result, ignore_errors=False):
        in_check_mode = self._note_check_mode(result)
        if ignore_errors is True:
            return
        self._on_failure(result, unreachable=False, in_check_mode=in_check_mode)

    @_guarded
    def v2_runner_on_unreachable(self, result):
        in_check_mode = self._note_check_mode(result)
        task = result_parts(result)[0]
        if getattr(task, 'ignore_unreachable', False) is True:
            return
        self._on_failure(result, unreachable=True, in_check_mode=in_check_mode)

    @_guarded
    def v2_runner_on_ok(self, result):
        self._note_check_mode(result)

    @_guarded
    def v2_runner_on_skipped(self, result):
        self._note_check_mode(result)

    def _note_check_mode(self, result) -> bool:
        """Whether the task of ``result`` ran in check mode (counted as such); such a host proves nothing."""
        task, host, _data = result_parts(result)
        if self._switches.send_in_check_mode or not ran_in_check_mode(task):
            return False
        self._unproven_hosts.add(host)
        return True

    def _on_failure(self, result, unreachable: bool, in_check_mode: bool) -> None:
        failure = failure_from_result(result, unreachable, self._play_name, now_ms(), self._secrets, in_check_mode)
        self._failures.record(failure)
        if in_check_mode:
            return  # a check says nothing about the host: no alarm (and no clear, see _note_check_mode)
        # A failure no rescue can handle is final: send it now rather than at the end of the run.
        if unreachable or not may_be_rescued(result_parts(result)[0]):
            self._delivery.raise_alarm(failure)

    # -- run end ---------------------------------------------------------------------------

    @_guarded
    def v2_playbook_on_stats(self, stats):
        summaries = dict((host, stats.summarize(host)) for host in stats.processed)
        outcome = self._failures.decide(summaries, self._unproven_hosts)
        cleared_hosts: t.Sequence[str] = ()
        if self._switches.clear_on_success and outcome.cleared_hosts:
            if self._partial_run:
                self._display.v('%s callback: no alarm is cleared, as this run does not prove the hosts healthy: %s'
                                % (NAME, self._partial_run))
            else:
                cleared_hosts = outcome.cleared_hosts
        self._tell(self._delivery.finish(outcome.alarms, cleared_hosts))

    def _close_at_exit(self) -> None:
        """An interrupted run (no stats): keep what is queued instead of losing it."""
        try:
            self._tell(self._delivery.close(INTERRUPTED_FLUSH_TIMEOUT))
        except Exception:
            pass  # the interpreter is exiting: nothing useful left to do

    def _tell(self, report) -> None:
        """Say what became of the run's alarms (``report``: None when the delivery was closed already).

        In an ansible-runner job (AWX), what is left undelivered also goes into the job's record.
        """
        if report is None:
            return
        self._say_what_happened(report)
        self._delivery.record_undelivered(self._display.warning, NAME)

    def _say_what_happened(self, report) -> None:
        delivered = report.delivered
        self._display.v('%s callback: %d alarm(s) reported, %d clear candidate(s) handled, %d spooled entr(ies) resent'
                        % (NAME, delivered.get(PushKind.REPORT, 0), delivered.get(PushKind.CLEAR, 0),
                           self._delivery.flushed_entries))
        reason = '; '.join(sorted(set(report.errors))[:3])
        if report.spooled:
            because = ' (%s)' % reason if reason else ''
            self._display.warning(
                '%s callback: %d alarm(s) and %d clear(s) could not be delivered to AOM%s and were spooled to %s; '
                'the next run sends them first'
                % (NAME, report.spooled.get(PushKind.REPORT, 0), report.spooled.get(PushKind.CLEAR, 0), because,
                   self._delivery.spool_dir))
        if report.dropped or report.lost:
            self._display.warning('%s callback: %d event(s) were refused by AOM or could not be spooled, and are lost (%s)'
                                  % (NAME, sum(report.dropped.values()) + sum(report.lost.values()), reason))
        for message in self._delivery.refused_spool_entries[:3]:
            self._display.warning('%s callback: a spooled entry was refused by AOM and removed: %s' % (NAME, message))


def playbook_id(file_name: str | None, cli_args: t.Any) -> str:
    """The stable name of the playbook(s) of a run: file names without directories."""
    if isinstance(cli_args, (list, tuple)) and len(cli_args) > 1:
        return ','.join(os.path.basename(str(arg)) for arg in cli_args)
    if file_name:
        return os.path.basename(str(file_name))
    return 'ad-hoc'
