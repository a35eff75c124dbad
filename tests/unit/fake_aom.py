# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One fake AOM for the unit tests: the local emulator's service in-process, one per test.

``FakeAOM`` is the emulator's own service (``aom_emulator``: its ``Store`` on an in-memory SQLite
database, ``validate_push``, ``parse_event_query``, the silence rules' checks), called as its
handlers (``aom_emulator/aom.py``, ``mute_api.py``) call it, without HTTP: the list filters
``type``, ``time_range``, ``metadata_relation`` (AND: the value is one of the list; OR: at least
one OR clause holds; NOT: none holds), ``search`` and ``sort``, paging by ``limit``/``marker``,
an alarm's identity (its metadata but ``event_severity``), updates that keep ``id`` and
``starts_at``, clears by ``id`` or by identity, timeouts, enterprise projects, and a 400 for a
bad request. Its clients (``FakeAOM.client()``, or ``FakeAOM`` called like the ``AOMClient``
class) are the real ``AOMClient`` with the FakeAOM in place of HTTP: the same batches of at most
100 events, pages, request bodies, answers and ``AOMError`` of a 400. ``tests/unit/test_fake_aom.py``
runs the same operations here and against the emulator over HTTP, and compares the answers: what
this fake adds to the emulator's pieces (the request as it travels, the handlers' calls, the error
middleware's answer) is checked there. The pieces it uses need only the standard library
(``aom_emulator/problems.py``), so it runs where aiohttp is not installed.

Use it through the ``fake_aom`` fixture of ``tests/unit/conftest.py``::

    @pytest.fixture(autouse=True)
    def aom(fake_aom, monkeypatch):
        monkeypatch.setattr(_module, 'AOMClient', fake_aom)  # every client the code builds is one of its
        return fake_aom

    def test_clear(aom):
        aom.add(alarm)                          # the service's state: raw items as the list API answers them
        run_the_module(...)
        [client] = aom.clients                  # the clients built, in order
        assert client.lookups[0]['event_type'] == 'active_alert'   # list_events keyword arguments
        assert client.pushes == [([...], True)]                     # push(events, clear) calls
        assert aom.active() == []               # what the service holds now

    # the callback builds its own: monkeypatch.setattr(aom_alarm, 'AOMClient', fake_aom)
    # code that takes a client object (the callback's delivery): AlarmDelivery(fake_aom.client(), ...)
    # a failing service: aom.fail(AOMError(...), method='list_events', times=1); aom.recover()
    # a fixed clock: FakeAOM(clock=lambda: NOW), or set aom.clock
    # the stored state: aom.events('history'), aom.rows and aom.rules (raw), aom.add_mute_rules(rule...),
    # aom.drop_events()

Every call is in ``client.calls`` and ``aom.calls`` as ``(method name, arguments)``; every
request the real client would send is in ``aom.requests`` as ``(action, payload)``.
One project only: the project ID of the connection is not checked.
"""

from __future__ import annotations

import copy
import inspect
import functools
import json
import threading
import time
import uuid
from urllib.parse import parse_qsl

from ansible_collections.huaweicloud.aom.aom_emulator import mute_rules, problems, query, store, validation
from ansible_collections.huaweicloud.aom.plugins.module_utils import _client
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.module_utils._signer import encode_query

PROJECT_ID = '0123456789abcdef0123456789abcdef'
DEFAULT_ENTERPRISE_PROJECT = '0'  # as aom_emulator/aom.py's push_events: no Enterprise-Project-Id header
USER_ID = 'f' * 32  # the caller of every silence rule write


def _serialised(method):
    """``method`` with the store to itself: as the emulator's AsyncStore, one store call at a time
    (the callback's sender thread and the test share the fake)."""
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        with self._lock:  # pylint: disable=protected-access
            return method(self, *args, **kwargs)
    return call


def wall_clock_ms():
    return int(time.time() * 1000)


def wire(value):
    """``value`` as the other side of the wire sees it (JSON there and back)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


class FakeAOM:
    """The service, in-process. Calling it like the ``AOMClient`` class gives a new client."""

    def __init__(self, clock=None):
        self.clock = clock or wall_clock_ms
        self.store = store.Store(':memory:')  # the emulator's store: this instance's state
        self.clients = []
        self.calls = []
        self.requests = []
        self._failures = []
        self._next_request = 0
        self._lock = threading.RLock()

    # -- for tests -----------------------------------------------------------------------

    def __call__(self, conn=None, **kwargs):
        return self.client(conn, **kwargs)

    def client(self, conn=None, **kwargs):
        """A new client of this service (``kwargs``: those of ``AOMClient``, e.g. ``deadline``)."""
        made = FakeClient(self, conn, **kwargs)
        self.clients.append(made)
        return made

    @_serialised
    def add(self, *items, **fields):
        """Store raw items (as the list API answers them) as they are, ``fields`` added to each.

        Missing (or None) fields are filled as the service would (``id``, ``event_sn``, ``arrives_at``: now,
        ``timeout``: 3 days...); an ``event_sn`` already stored is replaced by a new one, and ``policy`` is
        the service's (``{}``). An alarm without ``ends_at`` is active, anything else history;
        ``state='active'|'history'`` says it outright. Returns the stored items.
        """
        state = fields.pop('state', None)
        stored = []
        for item in items:
            row = dict(copy.deepcopy(item), **copy.deepcopy(fields))
            defaults = (('metadata', dict), ('annotations', dict), ('id', lambda: uuid.uuid4().hex),
                        ('arrives_at', self.clock), ('starts_at', lambda: row['arrives_at']), ('ends_at', int),
                        ('timeout', lambda: validation.DEFAULT_TIMEOUT_MS),
                        ('enterprise_project_id', lambda: DEFAULT_ENTERPRISE_PROJECT))
            for key, default in defaults:
                if row.get(key) is None:
                    row[key] = default()
            is_alarm = row['metadata'].get('event_type', 'alarm') == 'alarm'
            row_state = state or ('active' if is_alarm and not row['ends_at'] else 'history')
            expires_at = row['arrives_at'] + row['timeout'] if row['timeout'] > 0 else None
            if row.get('event_sn') is not None and self._sn_taken(row['event_sn']):
                row['event_sn'] = None  # every stored event has a serial of its own
            # pylint: disable-next=protected-access
            cursor = self.store._conn.execute(
                'INSERT INTO events (event_sn, id, project_id, enterprise_project_id, state, identity, arrives_at,'
                ' expires_at, starts_at, ends_at, timeout, metadata, annotations)'
                ' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                (row.get('event_sn'), row['id'], PROJECT_ID, row['enterprise_project_id'], row_state,
                 store.alarm_identity(row['metadata']) if is_alarm else None, row['arrives_at'], expires_at,
                 row['starts_at'], row['ends_at'], row['timeout'], json.dumps(row['metadata'], ensure_ascii=False),
                 json.dumps(row['annotations'], ensure_ascii=False)))
            stored.append(self._by_sn(cursor.lastrowid))
        return stored

    @_serialised
    def add_mute_rules(self, *rules):
        """Store silence rules as they are (no checks: to set up a state, such as 100 rules)."""
        for rule in rules:
            rule = dict(dict(create_time=self.clock(), update_time=self.clock(), user_id=USER_ID), **copy.deepcopy(rule))
            times = [rule.pop(key) for key in ('create_time', 'update_time', 'user_id')]
            # pylint: disable-next=protected-access
            self.store._conn.execute('INSERT INTO mute_rules VALUES (?, ?, ?, ?, ?, ?)',
                                     [PROJECT_ID, rule['name'], json.dumps(rule, ensure_ascii=False)] + times)

    @_serialised
    def drop_events(self):
        """Forget every stored event (to set up a state anew)."""
        self.store._conn.execute('DELETE FROM events')  # pylint: disable=protected-access

    @property
    @_serialised
    def rows(self):
        """Every stored event, raw (``state``, ``identity``...), in the order stored."""
        return self.store.dump()

    @property
    @_serialised
    def rules(self):
        """The stored silence rules, as the list API answers them."""
        return self.store.list_mute_rules(PROJECT_ID)

    def active(self):
        """The active alarms, as the list API answers them, in the order stored."""
        return self.events('active')

    @_serialised
    def events(self, state=None):
        """The stored items of ``state`` (``active``, ``history``, or None: all), in the order stored."""
        self.store.expire_due(self.clock())
        return [self._by_sn(row['event_sn']) for row in self.store.dump() if state in (None, row['state'])]

    def fail(self, error, method=None, times=None):
        """Calls of ``method`` (None: any) raise ``error`` (an AOMError, or its text), before any effect.

        ``times``: how many calls fail (None: every one until ``recover()``).
        """
        if not isinstance(error, Exception):
            error = AOMError(str(error))
        self._failures.append([method, error, times])

    def recover(self):
        """No call fails any more."""
        self._failures = []

    # -- the service: what the emulator's handlers do with a request --------------------------

    def _by_sn(self, event_sn):
        # pylint: disable-next=protected-access
        return store._api_event(self.store._conn.execute('SELECT * FROM events WHERE event_sn = ?',
                                                         (event_sn,)).fetchone())

    def _sn_taken(self, event_sn):
        # pylint: disable-next=protected-access
        return self.store._conn.execute('SELECT 1 FROM events WHERE event_sn = ?', (event_sn,)).fetchone() is not None

    def _check_failure(self, method):
        for failure in self._failures:
            if failure[0] in (None, method) and failure[2] != 0:
                if failure[2] is not None:
                    failure[2] -= 1
                raise failure[1]

    @_serialised
    def serve(self, method, path, query, body, enterprise_project_id, action):
        """The answer of ``aom_emulator``'s handler of the request (None for an empty one); the
        AOMError the real client raises for a refusal, as ``aom_emulator/app.py``'s error middleware
        answers it (``problems.refusal``)."""
        try:
            return self._handle(method, path, query, body, enterprise_project_id)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            refused = problems.refusal(exc)
            if refused is None:
                raise
            self._next_request += 1
            raise AOMError.from_response(refused[0], json.dumps(refused[1]).encode('utf-8'),
                                         {'X-Request-Id': 'fake-%d' % self._next_request}, action) from None

    def _handle(self, method, path, query_string, body, enterprise_project_id):
        served = self.store
        if path.endswith('/push/events') and method in ('PUT', 'POST'):  # aom.py: push_events
            clearing = query_string.get('action') == 'clear'
            events = validation.validate_push(body, clearing)
            write = served.clear if clearing else served.report
            write(PROJECT_ID, enterprise_project_id or DEFAULT_ENTERPRISE_PROJECT, events, self.clock())
            return None
        if path.endswith('/events') and method == 'POST':  # aom.py: list_events
            event_query = query.parse_event_query(query_string, body, self.clock(), enterprise_project_id)
            events, next_marker = served.list_page(PROJECT_ID, event_query, self.clock())
            return {'events': events, 'page_info': {'current_count': len(events),
                                                    'previous_marker': query_string.get('marker') or '0',
                                                    'next_marker': next_marker}}
        if path.endswith('/alert/mute-rules'):  # mute_api.py
            if method == 'GET':
                return served.list_mute_rules(PROJECT_ID)
            if method == 'DELETE':
                served.delete_mute_rules(PROJECT_ID, mute_rules.validate_delete(body))
                return None
            write = {'POST': served.add_mute_rule, 'PUT': served.update_mute_rule}[method]
            write(PROJECT_ID, mute_rules.validate_rule(body), USER_ID, self.clock())
            return None
        raise AssertionError('the fake AOM has no %s %s' % (method, path))


def _recorded(name):
    """``AOMClient.<name>`` itself, its call recorded first (and failed, when the test said so)."""
    real = getattr(_client.AOMClient, name)
    signature = inspect.signature(real)

    def call(self, *args, **kwargs):
        arguments = signature.bind(self, *args, **kwargs).arguments  # a TypeError where the real call has one
        self.aom._check_failure(name)
        if name == 'push':
            recorded = (copy.deepcopy(list(arguments['events'])), arguments.get('clear', False))
        elif name == 'list_events':
            recorded = copy.deepcopy(dict((key, value) for key, value in arguments.items() if key != 'self'))
        elif name == 'delete_mute_rules':
            recorded = list(arguments['names'])
        else:
            recorded = copy.deepcopy(arguments.get('rule'))  # None for list_mute_rules
        self.calls.append((name, recorded))
        self.aom.calls.append((name, recorded))
        return real(self, *args, **kwargs)
    call.__name__ = name
    call.__doc__ = real.__doc__
    return call


class FakeClient(_client.AOMClient):
    """The real ``AOMClient`` (batches, pages, request bodies, answers) over a FakeAOM instead of HTTP.

    Its public methods record their calls; ``request`` hands the request to the FakeAOM.
    """

    # pylint: disable-next=super-init-not-called
    def __init__(self, aom, conn=None, deadline=None, **kwargs):  # no session, no credentials: no HTTP
        self.aom = aom
        self.conn = self._conn = conn
        self.deadline = deadline
        self.options = kwargs
        self.calls = []
        self.stats = {'requests': 0, 'retries': 0, 'token_requests': 0}
        self._token = None
        self._project_id = self._conn_value('project_id') or PROJECT_ID

    def _conn_value(self, name):
        conn = self.conn
        return conn.get(name) if isinstance(conn, dict) else getattr(conn, name, None)

    @property
    def enterprise_project_id(self):
        return self._conn_value('enterprise_project_id') or DEFAULT_ENTERPRISE_PROJECT

    @property
    def lookups(self):
        """The keyword arguments of every ``list_events`` call, in order."""
        return [arguments for name, arguments in self.calls if name == 'list_events']

    @property
    def pushes(self):
        """``(events, clear)`` of every ``push`` call, in order."""
        return [arguments for name, arguments in self.calls if name == 'push']

    push = _recorded('push')
    list_events = _recorded('list_events')
    list_mute_rules = _recorded('list_mute_rules')
    create_mute_rule = _recorded('create_mute_rule')
    update_mute_rule = _recorded('update_mute_rule')
    delete_mute_rules = _recorded('delete_mute_rules')

    def request(self, method, path, query=None, body=None, action='request', resend_safe=True, read_answer=True):
        """The FakeAOM's answer to the request, as the wire carries it (an AOMError for a refusal)."""
        self.stats['requests'] += 1
        # What travels: the query string the real client sends, its JSON body (UTF-8, as it encodes it).
        query = dict(parse_qsl(encode_query(query), keep_blank_values=True)) if query else {}
        if body is not None:
            body = json.loads(json.dumps(body, separators=(',', ':'), ensure_ascii=False).encode('utf-8'))
        if path.endswith('/push/events'):
            self.aom.requests.append((action, body['events']))
        elif path.endswith('/events'):
            self.aom.requests.append((action, dict(query, **body)))
        else:
            self.aom.requests.append((action, body))
        answered = self.aom.serve(method, path, query, body, self._conn_value('enterprise_project_id'), 'AOM ' + action)
        return wire(answered) if read_answer and answered is not None else None
