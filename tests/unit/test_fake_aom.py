# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fake AOM is honest: the same operations give the same answers from the fake and from the
local emulator (aom_emulator, served on 127.0.0.1 and called by the real AOMClient), and the fake's
own contract (per-instance state, recorded calls, failures, real signatures). The fake runs the
emulator's own service pieces in-process, so the comparison checks what it does in place of the
aiohttp app: the request as it travels, the handlers' calls, the error middleware's answers."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils import _client
from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import resolve_connection
from ansible_collections.huaweicloud.aom.tests.unit.fake_aom import PROJECT_ID, FakeAOM

COLLECTION_ROOT = Path(__file__).resolve().parents[2]  # the emulator lives at the checkout's root
START = 1700000000000
MINUTE = 60000


class Clock:
    """The one clock of both services, moved by hand."""

    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now

    def advance(self, ms):
        self.now += ms


def alarm(resource_id, name='disk full', severity='Major', starts_at=START - 1000, timeout=0, event_type='alarm',
          **extra):
    return {'starts_at': starts_at, 'timeout': timeout, 'ends_at': 0,
            'metadata': dict(event_name=name, event_severity=severity, event_type=event_type, resource_provider='ecs',
                             resource_type='vm', resource_id=resource_id, **extra),
            'annotations': {'message': '%s on %s' % (name, resource_id)}}


class Transcript:
    """What a scenario saw, with the service's own ids and serials renamed by first appearance."""

    def __init__(self):
        self.entries = []
        self._names = {}

    def _name(self, kind, value):
        return self._names.setdefault((kind, value), '%s-%d' % (kind, len(self._names)))

    def _event(self, event):
        event = dict(event)
        event['id'] = self._name('id', event['id'])
        event['event_sn'] = self._name('sn', event['event_sn'])
        return event

    def record(self, step, call):
        try:
            answer = call()
        except AOMError as err:
            # The field the service names (before the first colon) rather than its words.
            answer = ('error', err.status, err.error_code, (err.error_msg or '').split(':')[0])
        if isinstance(answer, list) and answer and 'event_sn' in answer[0]:
            answer = [self._event(event) for event in answer]
        elif isinstance(answer, list) and answer and 'mute_config' in answer[0]:
            answer = [dict((key, value) for key, value in rule.items() if key != 'user_id') for rule in answer]
        self.entries.append((step, answer))
        return answer

    def id_of(self, answer, resource_id):
        """The service's id of the alarm of ``resource_id`` in a list answer (renamed back)."""
        [name] = [event['id'] for event in answer if event['metadata']['resource_id'] == resource_id]
        return [value for (kind, value), given in self._names.items() if kind == 'id' and given == name][0]


def scenario(connect, clock):
    """Pushes, lists, clears, timeouts, enterprise projects, errors and silence rules; the transcript."""
    seen = Transcript()
    record = seen.record
    aom, ep1, every = connect(None), connect('ep1'), connect('all_granted_eps')

    batch = [alarm('r1'), alarm('r2', name='cpu high', severity='Critical', starts_at=START - 3000),
             alarm('r3', severity='Minor', starts_at=START - 2000, zone='az1'),
             alarm('r4', name='Disk slow', starts_at=START - 2 * 86400000, zone='az2'),
             alarm('r5', timeout=MINUTE, starts_at=START - 4000),
             alarm('e1', event_type='event', starts_at=START - 5000),
             alarm('e2', event_type='event', starts_at=START - 90 * MINUTE)]
    record('report', lambda: aom.push(batch))
    everything = record('all', lambda: aom.list_events(time_range='-1.-1.60'))
    record('active', lambda: aom.list_events(event_type='active_alert', time_range='-1.-1.60'))
    record('history', lambda: aom.list_events(event_type='history_alert', time_range='-1.-1.60'))
    record('history of 2 h', lambda: aom.list_events(event_type='history_alert', time_range='-1.-1.120'))
    record('window S.E.D', lambda: aom.list_events(time_range='%d.%d.0' % (START - 4500, START - 1500)))
    record('window -1.E.D', lambda: aom.list_events(time_range='-1.%d.1' % (START - 2500)))
    record('window S.-1.D', lambda: aom.list_events(time_range='%d.-1.1' % (START - 6000)))

    def relation(key, values, kind='AND'):
        return {'key': key, 'value': values, 'relation': kind}

    for name, relations in [
            ('AND', [relation('resource_id', ['r1', 'r2', 'e1'])]),
            ('AND AND', [relation('resource_id', ['r1', 'r2', 'r3']), relation('event_name', ['disk full'])]),
            ('OR', [relation('event_name', ['cpu high'], 'OR'), relation('resource_id', ['r3'], 'OR')]),
            ('NOT', [relation('event_severity', ['Major'], 'NOT')]),
            ('AND OR NOT', [relation('event_type', ['alarm']), relation('zone', ['az1', 'az2'], 'OR'),
                            relation('resource_id', ['r1'], 'OR'), relation('resource_id', ['r4'], 'NOT')]),
            ('absent key', [relation('zone', ['az1'])]),
            ('no value', [relation('resource_id', [])])]:
        record(name, lambda relations=relations: aom.list_events(time_range='-1.-1.4320', metadata_relation=relations))
    record('search', lambda: aom.list_events(time_range='-1.-1.4320', search='DISK'))
    record('ascending', lambda: aom.list_events(time_range='-1.-1.4320', sort={'order_by': ['starts_at'],
                                                                               'order': 'asc'}))
    record('limit', lambda: aom.list_events(time_range='-1.-1.4320', limit=2))
    record('limit ascending', lambda: aom.list_events(time_range='-1.-1.4320', limit=3, sort={'order': 'asc'}))

    clock.advance(1000)
    record('update', lambda: aom.push([dict(alarm('r1', severity='Critical', starts_at=START + 5),
                                            annotations={'message': 'worse'}, timeout=2 * MINUTE)]))
    record('updated', lambda: aom.list_events(event_type='active_alert', time_range='-1.-1.4320',
                                              metadata_relation=[relation('resource_id', ['r1'])]))
    record('report in ep1', lambda: ep1.push([alarm('r1'), alarm('r6')]))
    record('default project', lambda: aom.list_events(event_type='active_alert', time_range='-1.-1.4320'))
    in_ep1 = record('ep1', lambda: ep1.list_events(event_type='active_alert', time_range='-1.-1.4320'))
    record('every enterprise project', lambda: every.list_events(time_range='-1.-1.4320'))

    clock.advance(1000)
    record('clear by identity', lambda: aom.push([dict(alarm('r2', name='cpu high', severity='Info'), ends_at=START + 1500)],
                                                 clear=True))
    record('clear by id', lambda: aom.push([dict(alarm('r3'), id=seen.id_of(everything, 'r3'))], clear=True))
    record('clear unknown', lambda: aom.push([dict(alarm('r9'), id='0' * 32), alarm('r8')], clear=True))
    record('clear identity of ep1', lambda: aom.push([alarm('r6')], clear=True))
    record('clear id of ep1', lambda: aom.push([dict(alarm('r6'), id=seen.id_of(in_ep1, 'r6'))], clear=True))
    record('after clears', lambda: every.list_events(time_range='-1.-1.4320'))

    clock.advance(MINUTE)  # r5 (timeout 1 min) times out; r1 (2 min, from its update) does not
    record('timed out', lambda: aom.list_events(time_range='-1.-1.4320'))
    clock.advance(MINUTE)
    record('timed out later', lambda: aom.list_events(event_type='history_alert', time_range='-1.-1.4320'))

    record('bad severity', lambda: aom.push([alarm('r7'), dict(alarm('r8'), metadata=dict(
        alarm('r8')['metadata'], event_severity='major'))]))
    record('clear an event', lambda: aom.push([alarm('e1', event_type='event')], clear=True))
    record('no start', lambda: aom.push([dict(alarm('r7'), starts_at=None)]))
    record('end before start', lambda: aom.push([dict(alarm('r7', event_type='event'), ends_at=START - 5000)]))
    record('missing key', lambda: aom.push([dict(alarm('r7'), metadata={'event_name': 'x'})]))
    record('nothing stored', lambda: aom.list_events(time_range='-1.-1.4320',
                                                     metadata_relation=[relation('resource_id', ['r7', 'r8'])]))
    record('bad relation', lambda: aom.list_events(metadata_relation=[relation('resource_id', ['r1'], 'XOR')]))
    record('bad time range', lambda: aom.list_events(time_range='yesterday'))
    record('bad type', lambda: aom.list_events(event_type='all'))

    many = [alarm('m%03d' % index, name='many', starts_at=START + index) for index in range(250)]
    record('250 in requests of 100', lambda: aom.push(many))
    record('250 listed', lambda: len(aom.list_events(time_range='-1.-1.60', metadata_relation=[
        relation('event_name', ['many'])])))
    record('250 cleared', lambda: aom.push(many, clear=True))
    record('none left', lambda: aom.list_events(event_type='active_alert', time_range='-1.-1.60',
                                                metadata_relation=[relation('event_name', ['many'])]))

    rule = {'name': 'deploy_shop', 'desc': 'deploy', 'timezone': 'UTC',
            'match': [[{'key': 'resource_id', 'operate': 'EQUALS', 'value': ['shop']}]],
            'mute_config': {'type': 'FIXED', 'starts_at': START, 'ends_at': START + 30 * MINUTE}}
    weekly = {'name': 'weekend', 'match': [[{'key': 'event_name', 'operate': 'EXIST'}]],
              'mute_config': {'type': 'WEEKLY', 'starts_at': 0, 'ends_at': 3600000, 'scope': [7, 6, 6]},
              'create_time': 1, 'user_id': 'ignored'}
    record('create rule', lambda: aom.create_mute_rule(rule))
    clock.advance(1000)
    record('create weekly', lambda: aom.create_mute_rule(weekly))
    record('rules', aom.list_mute_rules)
    clock.advance(1000)
    record('update rule', lambda: aom.update_mute_rule(dict(rule, desc='longer')))
    record('create twice', lambda: aom.create_mute_rule(rule))
    record('update unknown', lambda: aom.update_mute_rule(dict(rule, name='gone')))
    record('delete unknown', lambda: aom.delete_mute_rules(['deploy_shop', 'gone']))
    record('rules after', aom.list_mute_rules)
    record('delete', lambda: aom.delete_mute_rules(['deploy_shop']))
    record('rules left', aom.list_mute_rules)
    return seen.entries


class EmulatorThread:
    """The emulator's aiohttp app on 127.0.0.1 (a free port), on an event loop of its own thread."""

    def __init__(self, db_path, clock):
        from aiohttp import web  # pylint: disable=import-outside-toplevel
        from aom_emulator.app import create_app  # pylint: disable=import-outside-toplevel,import-error

        async def start():
            self.runner = web.AppRunner(create_app(db_path, clock=clock), access_log=None)
            await self.runner.setup()
            site = web.TCPSite(self.runner, '127.0.0.1', 0)
            await site.start()
            return self.runner.addresses[0][1]

        self.runner = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(start(), self.loop).result(30)

    def close(self):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()


@pytest.fixture
def emulator(tmp_path, monkeypatch):
    pytest.importorskip('aiohttp')  # the only reason to skip: the emulator's one library is missing
    monkeypatch.syspath_prepend(str(COLLECTION_ROOT))
    clock = Clock()
    served = EmulatorThread(str(tmp_path / 'aom.db'), clock)
    yield served, clock
    served.close()


def emulator_client(port, enterprise_project_id):
    options = dict(endpoint='http://127.0.0.1:%d' % port, identity_endpoint='http://127.0.0.1:%d' % port,
                   allow_http=True, user='demo-user', password='demo-password', domain='demo-domain',
                   project_id=PROJECT_ID, enterprise_project_id=enterprise_project_id, retries=0)
    return AOMClient(resolve_connection(options.get))


@pytest.mark.parametrize('page_size', [_client.LIST_PAGE_SIZE, 2])
def test_the_fake_answers_as_the_emulator(emulator, monkeypatch, page_size):
    """Every step of the scenario, compared: events, ids kept or new, order, pages, errors, rules."""
    monkeypatch.setattr(_client, 'LIST_PAGE_SIZE', page_size)
    served, clock = emulator
    expected = scenario(lambda eps: emulator_client(served.port, eps), clock)
    fake_clock = Clock()
    fake = FakeAOM(clock=fake_clock)
    found = scenario(lambda eps: fake.client({'project_id': PROJECT_ID, 'enterprise_project_id': eps}), fake_clock)
    assert [step for step, _answer in found] == [step for step, _answer in expected]
    for (step, answer), (_step, wanted) in zip(found, expected):
        assert answer == wanted, step


def test_each_fake_has_its_own_state():
    one, other = FakeAOM(clock=Clock()), FakeAOM(clock=Clock())
    one.client().push([alarm('r1')])
    assert len(one.active()) == 1 and other.active() == [] and other.calls == []
    assert len(one.clients) == 1 and other.clients == []


def test_called_like_the_client_class_it_records_calls_per_client_and_per_service():
    aom = FakeAOM(clock=Clock())
    first, second = aom({'project_id': PROJECT_ID}), aom({'project_id': PROJECT_ID}, deadline=5.0)
    assert aom.clients == [first, second] and second.deadline == 5.0
    assert first.push([alarm('r%d' % index) for index in range(150)]) == 2
    second.list_events(event_type='active_alert')
    assert first.pushes == [([alarm('r%d' % index) for index in range(150)], False)] and first.lookups == []
    assert second.lookups == [{'event_type': 'active_alert'}]
    assert [name for name, _arguments in aom.calls] == ['push', 'list_events']
    assert [(action, len(payload)) for action, payload in aom.requests[:2]] == [('push', 100), ('push', 50)]


def test_the_real_signatures_are_enforced():
    client = FakeAOM().client()
    with pytest.raises(TypeError):
        client.list_events(type='active_alert')  # pylint: disable=unexpected-keyword-arg
    with pytest.raises(TypeError):
        client.push()  # pylint: disable=no-value-for-parameter


def test_failures_are_raised_before_any_effect_and_counted():
    aom = FakeAOM(clock=Clock())
    aom.fail(AOMError('AOM push failed: HTTP 503', status=503), method='push', times=1)
    client = aom.client()
    with pytest.raises(AOMError, match='503'):
        client.push([alarm('r1')])
    assert aom.active() == []
    client.push([alarm('r1')])
    aom.fail('unreachable')
    with pytest.raises(AOMError, match='unreachable'):
        client.list_events()
    aom.recover()
    assert len(client.list_events(event_type='active_alert')) == 1


def test_seeded_items_keep_what_they_say_and_the_rest_is_filled():
    aom = FakeAOM(clock=Clock())
    [seeded] = aom.add(dict(alarm('r1'), id='a-1'))
    assert seeded['id'] == 'a-1' and seeded['arrives_at'] == START and seeded['enterprise_project_id'] == '0'
    aom.add(dict(alarm('r2'), ends_at=START), dict(alarm('r3'), timeout=MINUTE, arrives_at=START - 2 * MINUTE))
    assert [event['metadata']['resource_id'] for event in aom.active()] == ['r1']
    assert [event['ends_at'] for event in aom.events('history')] == [START, START - MINUTE]
