# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The callback's hooks end to end, against the shared fake AOM (real options, sender, spool, client and decisions).

Each callback is loaded by ansible-core's plugin loader and configured by ``set_options``, as
ansible-playbook does: its options go through ansible-core's own reading of the documented options.
"""
from __future__ import annotations

import os
import time

import pytest

from ansible import context
from ansible.module_utils.common.collections import ImmutableDict
from ansible.plugins.loader import callback_loader

from ansible_collections.huaweicloud.aom.plugins.callback import aom_alarm
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.plugin_utils import _alarm_delivery

SECRET = 'DEMOSECRETKEYdemosecretkeydemosecretkey00'


class FakeDisplay:
    verbosity = 0

    def __init__(self):
        self.warnings = []

    def warning(self, msg, *args, **kwargs):
        self.warnings.append(msg)

    def v(self, msg, *args, **kwargs):
        pass

    vv = vvv = vvvv = display = deprecated = v


class Host:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class Block:
    def __init__(self, rescue=()):
        self.rescue = list(rescue)
        self._parent = None


class Task:
    def __init__(self, name, parent=None, no_log=False, ignore_unreachable=False, check_mode=False):
        self.name = name
        self.check_mode = check_mode  # ansible-core resolves it: the task's, its block's, its play's or --check
        self.action = 'ansible.builtin.command'
        self.no_log = no_log
        self.ignore_unreachable = ignore_unreachable
        self._parent = parent
        self.args = {'cmd': 'echo %s' % SECRET}

    def get_name(self):
        return self.name

    def get_path(self):
        return '/src/site.yml:7'


class Result:
    def __init__(self, host, task, data):
        self.host, self.task, self.result = Host(host), task, data


class Play:
    check_mode = False

    def get_name(self):
        return 'deploy'


class Playbook:
    _file_name = '/checkout/one/site.yml'


class Stats:
    def __init__(self, summaries):
        self.processed = dict((host, 1) for host in summaries)
        self._summaries = summaries

    def summarize(self, host):
        base = dict(ok=0, failures=0, unreachable=0, changed=0, skipped=0, rescued=0, ignored=0)
        base.update(self._summaries[host])
        return base


OPTIONS = {
    'endpoint': 'http://127.0.0.1:1', 'allow_http': True, 'access_key': 'DEMOACCESSKEY0000000',
    'secret_key': SECRET, 'project_id': '0123456789abcdef0123456789abcdef', 'cloud': 'myhuaweicloud.com',
    'validate_certs': True, 'request_timeout': 10.0, 'retries': 3,
    'event_name': 'ansible_playbook_failed', 'failed_severity': 'Major', 'unreachable_severity': 'Critical',
    'resource_provider': 'ansible', 'resource_type': 'host', 'alarm_timeout': '3d',
    'clear_on_success': True, 'send_in_check_mode': False, 'clear_after_tag_limited_runs': False, 'flush_timeout': 5.0,
}
# the environment variables of the callback's options: the tests' own options only
OPTION_ENVIRONMENT_PREFIXES = ('HW_', 'HUAWEICLOUD_', 'AOM_ALARM_')


def load_callback(options):
    """The callback as ansible-playbook makes it: loaded by ansible-core, then ``set_options``."""
    callback = callback_loader.get('huaweicloud.aom.aom_alarm', display=FakeDisplay())
    callback.set_options(direct=dict((name, value) for name, value in options.items() if value is not None))
    return callback


@pytest.fixture
def clean_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith(OPTION_ENVIRONMENT_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture
def make_callback(monkeypatch, tmp_path, clean_environment, fake_aom):
    monkeypatch.setattr(_alarm_delivery, 'AOMClient', fake_aom)  # every client the callback builds is one of its
    monkeypatch.setattr(context, 'CLIARGS', ImmutableDict(check=False, args=('site.yml',)))

    def make(**overrides):
        callback = load_callback(dict(OPTIONS, spool_dir=str(tmp_path / 'spool'), **overrides))
        assert not callback.disabled, callback._display.warnings
        return callback
    return make


@pytest.fixture
def aom(make_callback, fake_aom):
    """The fake AOM service the callbacks of ``make_callback`` talk to."""
    return fake_aom


def run(callback, summaries, results=()):
    """A run through the callback's hooks; the client it built (None: it built none)."""
    callback.v2_playbook_on_start(Playbook())
    callback.v2_playbook_on_play_start(Play())
    for kind, result, extra in results:
        getattr(callback, kind)(result, **extra)
    callback.v2_playbook_on_stats(Stats(summaries))
    clients = _alarm_delivery.AOMClient.clients  # the fake AOM of make_callback
    return clients[-1] if clients else None


def pushed(client, kind='push'):
    return [event for events, clear in client.pushes if clear == (kind == 'clear') for event in events]


def requests(client):
    """The client's calls in short: 'list', 'push' or 'clear'."""
    return [('clear' if arguments[1] else 'push') if name == 'push' else 'list' for name, arguments in client.calls]


def test_failed_unreachable_rescued_ignored_and_clean_hosts(make_callback):
    callback = make_callback()
    rescue_block = Block(rescue=['handler'])
    client = run(callback, {
        'web1': dict(failures=1, ok=1), 'web2': dict(ok=2, rescued=1), 'web3': dict(ok=2, ignored=1),
        'web4': dict(unreachable=1), 'web5': dict(ok=3),
    }, [
        ('v2_runner_on_failed', Result('web1', Task('migrate'), {'msg': 'exit 1'}), {}),
        ('v2_runner_on_failed', Result('web2', Task('try', parent=rescue_block), {'msg': 'rescued'}), {}),
        ('v2_runner_on_failed', Result('web3', Task('optional'), {'msg': 'ignored'}), {'ignore_errors': True}),
        ('v2_runner_on_unreachable', Result('web4', Task('ping'), {'msg': 'ssh refused'}), {}),
    ])
    alarms = pushed(client)
    assert sorted((e['metadata']['resource_id'], e['metadata']['event_severity']) for e in alarms) == \
        [('web1', 'Major'), ('web4', 'Critical')]
    web1 = [e for e in alarms if e['metadata']['resource_id'] == 'web1'][0]
    assert web1['metadata']['playbook'] == 'site.yml'
    assert web1['annotations']['task'] == 'migrate' and web1['annotations']['message'] == 'exit 1'
    assert web1['annotations']['task_path'] == '/src/site.yml:7' and web1['annotations']['play'] == 'deploy'
    assert SECRET not in repr(client.calls)
    assert requests(client).count('push') == 1  # several hosts, one request
    assert callback._display.warnings == []


def test_clean_run_clears_active_alarms_with_their_ids(make_callback, aom):
    callback = make_callback()
    aom.add({'id': 'a-1', 'metadata': {
        'event_name': 'ansible_playbook_failed', 'event_type': 'alarm', 'event_severity': 'Major',
        'resource_provider': 'ansible', 'resource_type': 'host', 'resource_id': 'web1', 'playbook': 'site.yml'}})
    client = run(callback, {'web1': dict(ok=2), 'web2': dict(ok=2)})
    clears = pushed(client, 'clear')
    assert [(e['metadata']['resource_id'], e.get('id')) for e in clears] == [('web1', 'a-1')]
    assert requests(client) == ['list', 'clear']
    assert aom.active() == []


def test_clear_on_success_off_sends_no_clear(make_callback):
    """Nor looks up the active alarms: nothing would use them."""
    client = run(make_callback(clear_on_success=False), {'web1': dict(ok=2)})
    assert requests(client) == []


ACTIVE_WEB2 = {'id': 'a-2', 'metadata': {
    'event_name': 'ansible_playbook_failed', 'event_type': 'alarm', 'event_severity': 'Major',
    'resource_provider': 'ansible', 'resource_type': 'host', 'resource_id': 'web2', 'playbook': 'site.yml'}}


@pytest.mark.parametrize('cli_args', [
    dict(tags=('deploy',), skip_tags=()),
    dict(tags=('always', 'deploy'), skip_tags=()),
    dict(tags=('all',), skip_tags=('migrate',)),
    dict(tags=('all',), skip_tags=(), start_at_task='Install the new release'),
    dict(tags=('all',), skip_tags=(), step=True),
])
def test_a_partial_run_raises_but_clears_nothing(make_callback, aom, monkeypatch, cli_args):
    monkeypatch.setattr(context, 'CLIARGS', ImmutableDict(check=False, args=('site.yml',), **cli_args))
    aom.add(ACTIVE_WEB2)
    client = run(make_callback(), {'web1': dict(failures=1), 'web2': dict(ok=3)},
                 [('v2_runner_on_failed', Result('web1', Task('migrate'), {'msg': 'exit 1'}), {})])
    assert [e['metadata']['resource_id'] for e in pushed(client)] == ['web1']
    assert pushed(client, 'clear') == []
    assert requests(client) == ['push']  # no lookup of the active alarms: nothing would use it


@pytest.mark.parametrize('cli_args', [dict(tags=('all',), skip_tags=()), dict(tags=('all', 'deploy'), skip_tags=()), dict()])
def test_a_whole_run_clears(make_callback, aom, monkeypatch, cli_args):
    monkeypatch.setattr(context, 'CLIARGS', ImmutableDict(check=False, args=('site.yml',), **cli_args))
    aom.add(ACTIVE_WEB2)
    client = run(make_callback(), {'web2': dict(ok=3)})
    assert [e['metadata']['resource_id'] for e in pushed(client, 'clear')] == ['web2']


@pytest.mark.parametrize('cli_args, clears', [
    (dict(tags=('deploy',), skip_tags=()), True),
    (dict(tags=('all',), skip_tags=('migrate',)), True),
    (dict(tags=('deploy',), skip_tags=(), start_at_task='Install'), False),
    (dict(tags=('all',), skip_tags=(), step=True), False),
])
def test_clear_after_tag_limited_runs_opts_in_tag_limited_runs_only(make_callback, aom, monkeypatch, cli_args, clears):
    monkeypatch.setattr(context, 'CLIARGS', ImmutableDict(check=False, args=('site.yml',), **cli_args))
    aom.add(ACTIVE_WEB2)
    client = run(make_callback(clear_after_tag_limited_runs=True), {'web2': dict(ok=3)})
    assert len(pushed(client, 'clear')) == (1 if clears else 0)


def test_tasks_in_check_mode_neither_raise_nor_clear(make_callback, aom):
    aom.add(ACTIVE_WEB2)
    client = run(make_callback(), {'web1': dict(ok=1, failures=1), 'web2': dict(ok=3), 'web3': dict(ok=2, skipped=1)}, [
        ('v2_runner_on_ok', Result('web2', Task('verify', check_mode=True), {}), {}),
        ('v2_runner_on_failed', Result('web1', Task('would fail', check_mode=True), {'msg': 'x'}), {}),
        ('v2_runner_on_skipped', Result('web3', Task('verify', check_mode=True), {}), {}),
    ])
    assert pushed(client) == [] and pushed(client, 'clear') == []


def test_a_task_in_check_mode_with_ignored_errors_keeps_the_host_from_clearing(make_callback, aom):
    aom.add(ACTIVE_WEB2)
    client = run(make_callback(), {'web2': dict(ok=3, ignored=1)}, [
        ('v2_runner_on_failed', Result('web2', Task('verify', check_mode=True), {'msg': 'x'}), {'ignore_errors': True}),
    ])
    assert pushed(client) == [] and pushed(client, 'clear') == []


def test_a_real_failure_still_raises_beside_check_mode_tasks(make_callback):
    client = run(make_callback(), {'web1': dict(ok=1, failures=1)}, [
        ('v2_runner_on_ok', Result('web1', Task('verify', check_mode=True), {}), {}),
        ('v2_runner_on_failed', Result('web1', Task('migrate'), {'msg': 'exit 1'}), {}),
    ])
    assert [e['annotations']['task'] for e in pushed(client)] == ['migrate']


def test_send_in_check_mode_counts_check_mode_tasks_like_others(make_callback, aom):
    aom.add(ACTIVE_WEB2)
    client = run(make_callback(send_in_check_mode=True), {'web1': dict(failures=1), 'web2': dict(ok=3)}, [
        ('v2_runner_on_ok', Result('web2', Task('verify', check_mode=True), {}), {}),
        ('v2_runner_on_failed', Result('web1', Task('would fail', check_mode=True), {'msg': 'x'}), {}),
    ])
    assert len(pushed(client)) == 1 and len(pushed(client, 'clear')) == 1


def test_check_mode_sends_nothing(make_callback, monkeypatch):
    monkeypatch.setattr(context, 'CLIARGS', ImmutableDict(check=True, args=('site.yml',)))
    callback = make_callback()
    client = run(callback, {'web1': dict(failures=1)},
                 [('v2_runner_on_failed', Result('web1', Task('t'), {'msg': 'x'}), {})])
    assert client is None


def test_check_mode_sends_when_asked(make_callback, monkeypatch):
    monkeypatch.setattr(context, 'CLIARGS', ImmutableDict(check=True, args=('site.yml',)))
    client = run(make_callback(send_in_check_mode=True), {'web1': dict(failures=1)},
                 [('v2_runner_on_failed', Result('web1', Task('t'), {'msg': 'x'}), {})])
    assert len(pushed(client)) == 1


def test_no_log_result_is_hidden(make_callback):
    client = run(make_callback(), {'web1': dict(failures=1)},
                 [('v2_runner_on_failed', Result('web1', Task('t', no_log=True), {'msg': 'pw=hunter2'}), {})])
    (alarm,) = pushed(client)
    assert alarm['annotations']['message'] == 'the output has been hidden due to no_log'
    assert 'hunter2' not in repr(client.calls)


def test_service_down_spools_and_warns_once(make_callback, aom, tmp_path):
    callback = make_callback()
    aom.fail(AOMError('could not reach 127.0.0.1:1'))
    callback.v2_playbook_on_start(Playbook())
    callback.v2_playbook_on_play_start(Play())
    callback.v2_runner_on_failed(Result('web1', Task('t'), {'msg': 'x'}))
    callback.v2_playbook_on_stats(Stats({'web1': dict(failures=1), 'web2': dict(ok=1)}))
    (warning,) = callback._display.warnings
    assert '1 alarm(s) and 1 clear(s)' in warning and str(tmp_path / 'spool') in warning
    assert len(list((tmp_path / 'spool').glob('*.json'))) == 2
    assert SECRET not in ''.join(p.read_text() for p in (tmp_path / 'spool').glob('*.json'))


def test_a_secret_across_the_message_cut_is_neither_sent_nor_spooled(make_callback, aom, tmp_path):
    message = 'x' * 1010 + SECRET + ' rejected'  # the 1024-character cut falls inside the secret
    fragment = SECRET[:8]
    client = run(make_callback(), {'web1': dict(failures=1)},
                 [('v2_runner_on_failed', Result('web1', Task('t'), {'msg': message}), {})])
    assert fragment not in repr(client.calls) and fragment not in repr(aom.rows)
    aom.fail(AOMError('could not reach 127.0.0.1:1'))
    run(make_callback(), {'web1': dict(failures=1)},
        [('v2_runner_on_failed', Result('web1', Task('t'), {'msg': message}), {})])
    spooled = ''.join(p.read_text() for p in (tmp_path / 'spool').glob('*.json'))
    assert 'xxxx' in spooled and fragment not in spooled


def test_in_an_ansible_runner_job_no_secret_reaches_the_warnings_or_the_job_artifacts(
        make_callback, aom, tmp_path, monkeypatch):
    artifacts = tmp_path / 'pdd' / 'artifacts' / 'job-1'
    artifacts.mkdir(parents=True)
    monkeypatch.setenv('AWX_ISOLATED_DATA_DIR', str(artifacts))
    aom.fail(AOMError('could not reach 127.0.0.1:1'))
    callback = make_callback()
    run(callback, {'web1': dict(failures=1)},
        [('v2_runner_on_failed', Result('web1', Task('use %s' % SECRET), {'msg': 'x' * 1010 + SECRET}), {})])
    copied = list((artifacts / 'aom_alarm_undelivered').glob('*.json'))
    assert len(copied) == 1 and 'xxxx' in copied[0].read_text()
    assert any('not delivered to AOM in this job: raise web1' in warning for warning in callback._display.warnings)
    for text in callback._display.warnings + [path.read_text() for path in copied]:
        assert SECRET[:8] not in text


def test_a_final_failure_is_sent_during_the_run_without_waiting_for_the_next_task(make_callback, aom):
    callback = make_callback()
    callback.v2_playbook_on_start(Playbook())
    callback.v2_playbook_on_play_start(Play())
    callback.v2_runner_on_failed(Result('web1', Task('migrate'), {'msg': 'exit 1'}))
    deadline = time.monotonic() + 5
    while not aom.active() and time.monotonic() < deadline:  # the sender lingers about a second
        time.sleep(0.05)
    assert [alarm['metadata']['resource_id'] for alarm in aom.active()] == ['web1']
    client = run(callback, {'web1': dict(failures=1)})
    assert requests(client).count('push') == 1  # not sent again at the end: it says the same


def test_missing_credentials_disable_with_one_warning(tmp_path, clean_environment):
    callback = load_callback(dict(OPTIONS, access_key=None, secret_key=None, spool_dir=str(tmp_path / 'spool')))
    assert callback.disabled
    (warning,) = callback._display.warnings
    assert 'access_key' in warning and SECRET not in warning


def test_hooks_never_raise(make_callback):
    callback = make_callback()
    callback.v2_playbook_on_start(Playbook())
    callback.v2_runner_on_failed(object())  # not a result at all
    callback.v2_playbook_on_stats(object())
    assert len(callback._display.warnings) == 1 and 'internal error' in callback._display.warnings[0]


def test_an_internal_error_that_quotes_a_secret_does_not_show_it(make_callback):
    class Odd:
        @property
        def task(self):
            raise ValueError('cannot read %s' % SECRET)

    callback, verbose = make_callback(), []
    callback._display.vvv = verbose.append
    callback.v2_playbook_on_start(Playbook())
    callback.v2_runner_on_failed(Odd())
    callback.v2_runner_on_ok(Odd())  # the second one is said at -vvv only
    (warning,) = callback._display.warnings
    assert 'internal error' in warning and 'cannot read' in warning and SECRET not in warning
    assert len(verbose) == 1 and 'cannot read' in verbose[0] and SECRET not in verbose[0]


def test_playbook_id():
    assert aom_alarm.playbook_id('/a/b/site.yml', ['b/site.yml']) == 'site.yml'
    assert aom_alarm.playbook_id('/a/one.yml', ['one.yml', 'x/two.yml']) == 'one.yml,two.yml'
    assert aom_alarm.playbook_id(None, 'all') == 'ad-hoc'
