# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One fake AOM for the unit tests: the service's state and filters in memory, one per test.

``FakeAOM`` holds what the service holds (alarms, events, silence rules) and answers as the
service does (the local emulator's rules, see ``aom_emulator/README.md``): the list filters
``type``, ``time_range``, ``metadata_relation`` (AND: the value is one of the list; OR: at least
one OR clause holds; NOT: none holds), ``search`` and ``sort``, paging by ``limit``/``marker``,
an alarm's identity (its metadata but ``event_severity``), updates that keep ``id`` and
``starts_at``, clears by ``id`` or by identity, timeouts, enterprise projects, and a 400 for a
bad request. Its clients (``FakeAOM.client()``, or ``FakeAOM`` called like the ``AOMClient``
class) are the real ``AOMClient`` with the FakeAOM in place of HTTP: the same batches of at most
100 events, pages, request bodies, answers and ``AOMError`` of a 400. ``tests/unit/test_fake_aom.py``
runs the same operations here and against the emulator, and compares the answers.

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
    # the stored state: aom.events('history'), aom.rows and aom.rules (raw), aom.add_mute_rules(rule...)

Every call is in ``client.calls`` and ``aom.calls`` as ``(method name, arguments)``; every
request the real client would send is in ``aom.requests`` as ``(action, payload)``.
One project only: the project ID of the connection is not checked.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import re
import time

from ansible_collections.huaweicloud.aom.plugins.module_utils import _client
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError

PROJECT_ID = '0123456789abcdef0123456789abcdef'
DEFAULT_ENTERPRISE_PROJECT = '0'
ALL_ENTERPRISE_PROJECTS = 'all_granted_eps'
USER_ID = 'f' * 32
BAD_REQUEST = 'AOM.30005001'

SEVERITIES = ('Critical', 'Major', 'Minor', 'Info')
EVENT_TYPES = ('event', 'alarm')
REQUIRED_METADATA = ('event_name', 'event_severity', 'event_type', 'resource_provider', 'resource_type',
                     'resource_id')
MAX_KEYS = 30
MAX_VALUE_LEN = 2048
MAX_TIMEOUT_MS = 1296000000
DEFAULT_TIMEOUT_MS = 259200000
INT64_MAX = 2 ** 63 - 1
MAX_LIMIT = 1000
QUERY_TYPES = {'active_alert': 'active', 'history_alert': 'history'}
RELATIONS = ('AND', 'OR', 'NOT')
MAX_MUTE_RULES = 100
MUTE_NAME_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9_]{0,98}[A-Za-z0-9])?$')
MUTE_OPERATES = ('EQUALS', 'REGEX', 'EXIST')
MUTE_TYPES = ('FIXED', 'DAILY', 'WEEKLY', 'MONTHLY')
_MARKER_RE = re.compile(r'^(\d+)-(\d+)$')


class BadRequest(Exception):
    """What the service answers 400 ``AOM.30005001`` to; the message names the field."""


def wall_clock_ms():
    return int(time.time() * 1000)


def wire(value):
    """``value`` as the other side of the wire sees it (JSON there and back)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def identity(metadata):
    """The service's identity of an alarm: its metadata but ``event_severity``."""
    return tuple(sorted((key, value) for key, value in metadata.items() if key != 'event_severity'))


class FakeAOM:
    """The service, in memory. Calling it like the ``AOMClient`` class gives a new client."""

    def __init__(self, clock=None):
        self.clock = clock or wall_clock_ms
        self.rows = []  # stored events, in API shape plus 'state'
        self.rules = []  # stored silence rules, in API shape
        self.clients = []
        self.calls = []
        self.requests = []
        self._failures = []
        self._next_sn = 1
        self._next_id = 0
        self._next_request = 0

    # -- for tests -----------------------------------------------------------------------

    def __call__(self, conn=None, **kwargs):
        return self.client(conn, **kwargs)

    def client(self, conn=None, **kwargs):
        """A new client of this service (``kwargs``: those of ``AOMClient``, e.g. ``deadline``)."""
        made = FakeClient(self, conn, **kwargs)
        self.clients.append(made)
        return made

    def add(self, *items, **fields):
        """Store raw items (as the list API answers them) as they are, ``fields`` added to each.

        Missing (or None) fields are filled as the service would (``id``, ``event_sn``, ``arrives_at``: now,
        ``timeout``: 3 days...). An alarm without ``ends_at`` is active, anything else history;
        ``state='active'|'history'`` says it outright. Returns the stored items.
        """
        state = fields.pop('state', None)
        stored = []
        for item in items:
            row = dict(copy.deepcopy(item), **copy.deepcopy(fields))
            defaults = (('metadata', dict), ('annotations', dict), ('id', self._new_id), ('event_sn', self._new_sn),
                        ('arrives_at', self.clock), ('starts_at', lambda: row['arrives_at']), ('ends_at', int),
                        ('timeout', lambda: DEFAULT_TIMEOUT_MS),
                        ('enterprise_project_id', lambda: DEFAULT_ENTERPRISE_PROJECT), ('policy', dict))
            for key, default in defaults:
                if row.get(key) is None:
                    row[key] = default()
            is_alarm = row['metadata'].get('event_type', 'alarm') == 'alarm'
            row['state'] = state or ('active' if is_alarm and not row['ends_at'] else 'history')
            self._next_sn = max(self._next_sn, row['event_sn'] + 1)
            self.rows.append(row)
            stored.append(_api_event(row))
        return stored

    def add_mute_rules(self, *rules):
        """Store silence rules as they are (no checks: to set up a state, such as 100 rules)."""
        for rule in rules:
            self.rules.append(dict(dict(create_time=self.clock(), update_time=self.clock(), user_id=USER_ID),
                                   **copy.deepcopy(rule)))

    def active(self):
        """The active alarms, as the list API answers them, in the order stored."""
        return self.events('active')

    def events(self, state=None):
        """The stored items of ``state`` (``active``, ``history``, or None: all), in the order stored."""
        self._expire_due()
        return [_api_event(row) for row in self.rows if state in (None, row['state'])]

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

    # -- the service -----------------------------------------------------------------------

    def _check_failure(self, method):
        for failure in self._failures:
            if failure[0] in (None, method) and failure[2] != 0:
                if failure[2] is not None:
                    failure[2] -= 1
                raise failure[1]

    def _new_id(self):
        self._next_id += 1
        return 'fake%028x' % self._next_id

    def _new_sn(self):
        sn, self._next_sn = self._next_sn, self._next_sn + 1
        return sn

    def _answer(self, action, answer_fn):
        """``answer_fn()``, its BadRequest raised as the real client's AOMError of a 400."""
        try:
            return answer_fn()
        except BadRequest as exc:
            self._next_request += 1
            body = json.dumps({'error_code': BAD_REQUEST, 'error_msg': str(exc), 'error_type': 'BAD_REQUEST'})
            raise AOMError.from_response(400, body.encode('utf-8'), {'X-Request-Id': 'fake-%d' % self._next_request},
                                         action)

    def _expire_due(self):
        now = self.clock()
        for row in self.rows:
            if row['state'] == 'active' and row['timeout'] > 0 and row['arrives_at'] + row['timeout'] <= now:
                row['state'], row['ends_at'] = 'history', row['arrives_at'] + row['timeout']

    def _push(self, body, clear, enterprise_project_id):
        """One push request: every event checked first, then all stored (or none)."""
        events = _validate_push(body, clear)
        self._expire_due()
        now = self.clock()
        for event in events:
            if clear:
                self._clear_one(event, enterprise_project_id, now)
            else:
                self._report_one(event, enterprise_project_id, now)

    def _report_one(self, event, enterprise_project_id, now):
        metadata, annotations = event['metadata'], event.get('annotations') or {}
        timeout = DEFAULT_TIMEOUT_MS if event.get('timeout') is None else event['timeout']
        if metadata['event_type'] == 'alarm':
            for row in self.rows:
                if (row['state'] == 'active' and row['enterprise_project_id'] == enterprise_project_id
                        and identity(row['metadata']) == identity(metadata)):
                    row.update(metadata=metadata, annotations=annotations, timeout=timeout, arrives_at=now)
                    return
        self.rows.append(dict(
            id=self._new_id(), event_sn=self._new_sn(), arrives_at=now, starts_at=event['starts_at'],
            ends_at=0 if metadata['event_type'] == 'alarm' else event.get('ends_at') or 0, timeout=timeout,
            metadata=metadata, annotations=annotations, enterprise_project_id=enterprise_project_id, policy={},
            state='active' if metadata['event_type'] == 'alarm' else 'history'))

    def _clear_one(self, event, enterprise_project_id, now):
        for row in self.rows:
            if row['state'] != 'active':
                continue
            if event.get('id') is not None:
                found = row['id'] == event['id']  # in any enterprise project
            else:
                found = (row['enterprise_project_id'] == enterprise_project_id
                         and identity(row['metadata']) == identity(event['metadata']))
            if found:
                row['state'], row['ends_at'] = 'history', event.get('ends_at') or now

    def _list_page(self, query, body, enterprise_project_id):
        """One page of the list API: ``(events, next_marker)``."""
        select = _parse_list(query, body, self.clock(), enterprise_project_id)
        self._expire_due()
        rows = [row for row in self.rows if select(row)]
        descending = _parse_sort(body.get('sort'))
        rows.sort(key=lambda row: (row['starts_at'], row['event_sn']), reverse=descending)
        after = _parse_marker(query.get('marker'))
        if after is not None:
            rows = [row for row in rows
                    if ((row['starts_at'], row['event_sn']) < after if descending
                        else (row['starts_at'], row['event_sn']) > after)]
        limit = _parse_limit(query.get('limit'))
        page, more = rows[:limit], len(rows) > limit
        next_marker = '%d-%d' % (page[-1]['starts_at'], page[-1]['event_sn']) if more else ''
        return [_api_event(row) for row in page], next_marker

    def _list_answer(self, query, body, enterprise_project_id):
        events, next_marker = self._list_page(query, body, enterprise_project_id)
        return {'events': events, 'page_info': {'current_count': len(events),
                                                'previous_marker': query.get('marker') or '0',
                                                'next_marker': next_marker}}

    def _create_rule(self, body):
        rule = _validate_rule(body)
        if any(stored['name'] == rule['name'] for stored in self.rules):
            raise BadRequest('name: a silence rule named %s already exists' % rule['name'])
        if len(self.rules) >= MAX_MUTE_RULES:
            raise BadRequest('the project already has %d silence rules, the most allowed (%d): delete unneeded '
                             'rules first' % (len(self.rules), MAX_MUTE_RULES))
        now = self.clock()
        self.rules.append(dict(rule, create_time=now, update_time=now, user_id=USER_ID))

    def _update_rule(self, body):
        rule = _validate_rule(body)
        for index, stored in enumerate(self.rules):
            if stored['name'] == rule['name']:
                self.rules[index] = dict(rule, create_time=stored['create_time'], update_time=self.clock(),
                                         user_id=USER_ID)
                return
        raise BadRequest('name: no silence rule named %s' % rule['name'])

    def _delete_rules(self, body):
        if not isinstance(body, list) or not body:
            raise BadRequest('request body must be a non-empty JSON array [{"name": "..."}]')
        names = [_validate_rule_name(item.get('name') if isinstance(item, dict) else None, '[%d].name' % index)
                 for index, item in enumerate(body)]
        known = set(rule['name'] for rule in self.rules)
        for index, name in enumerate(names):
            if name not in known:
                raise BadRequest('[%d].name: no silence rule named %s' % (index, name))
        self.rules = [rule for rule in self.rules if rule['name'] not in names]

    def _list_rules(self):
        return sorted(copy.deepcopy(self.rules), key=lambda rule: (rule['create_time'], rule['name']))


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
        """The FakeAOM's answer to the request, as the wire carries it (an AOMError for a 400)."""
        self.stats['requests'] += 1
        query = dict((key, str(value)) for key, value in (query or {}).items())
        body = None if body is None else wire(body)
        aom, eps = self.aom, self.enterprise_project_id
        if path.endswith('/push/events') and method == 'PUT':
            aom.requests.append((action, body['events']))
            answer = functools.partial(aom._push, body, query.get('action') == 'clear', eps)
        elif path.endswith('/events') and method == 'POST':
            aom.requests.append((action, dict(query, **body)))
            answer = functools.partial(aom._list_answer, query, body, eps)
        elif path.endswith('/alert/mute-rules'):
            aom.requests.append((action, body))
            answer = {'GET': aom._list_rules, 'POST': functools.partial(aom._create_rule, body),
                      'PUT': functools.partial(aom._update_rule, body),
                      'DELETE': functools.partial(aom._delete_rules, body)}[method]
        else:
            raise AssertionError('the fake AOM has no %s %s' % (method, path))
        answered = aom._answer('AOM ' + action, answer)
        return wire(answered) if read_answer and answered is not None else None


# -- the service's checks (as the emulator's validation.py, query.py and mute_rules.py) ------------


def _api_event(row):
    return dict((key, copy.deepcopy(value)) for key, value in row.items() if key != 'state')


def _int_field(event, name, where, high):
    value = event.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
        raise BadRequest('%s.%s: must be an integer from 0 to %d' % (where, name, high))
    return value


def _validate_push(body, clear):
    events = body.get('events') if isinstance(body, dict) else None
    if not isinstance(events, list) or not events:
        raise BadRequest('events: must be a non-empty array')
    for index, event in enumerate(events):
        where = 'events[%d]' % index
        if not isinstance(event, dict):
            raise BadRequest('%s: must be an object' % where)
        _validate_metadata(event.get('metadata'), where + '.metadata')
        if clear and event['metadata']['event_type'] == 'event':
            raise BadRequest('%s.metadata.event_type: events cannot be cleared, only alarms' % where)
        annotations = event.get('annotations') or {}
        if not isinstance(annotations, dict) or len(annotations) > MAX_KEYS:
            raise BadRequest('%s.annotations: must be an object of at most %d keys' % (where, MAX_KEYS))
        starts_at = _int_field(event, 'starts_at', where, INT64_MAX)
        if starts_at is None and not clear:
            raise BadRequest('%s.starts_at: required to report, epoch milliseconds >= 0' % where)
        ends_at = _int_field(event, 'ends_at', where, INT64_MAX)
        if ends_at and starts_at is not None and ends_at < starts_at:
            raise BadRequest('%s.ends_at: %d is before starts_at %d; must be 0 or at or after it'
                             % (where, ends_at, starts_at))
        _int_field(event, 'timeout', where, MAX_TIMEOUT_MS)
        if event.get('id') is not None and (not isinstance(event['id'], str) or not event['id']):
            raise BadRequest('%s.id: must be a non-empty string' % where)
    return events


def _validate_metadata(metadata, where):
    if not isinstance(metadata, dict):
        raise BadRequest('%s: required, an object of strings' % where)
    if len(metadata) > MAX_KEYS:
        raise BadRequest('%s: at most %d keys, got %d' % (where, MAX_KEYS, len(metadata)))
    for key in REQUIRED_METADATA:
        if key not in metadata:
            raise BadRequest('%s.%s: required' % (where, key))
    for key, value in metadata.items():
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_VALUE_LEN:
            raise BadRequest('%s.%s: must be a string of 1 to %d characters' % (where, key, MAX_VALUE_LEN))
    if metadata['event_severity'] not in SEVERITIES:
        raise BadRequest('%s.event_severity: must be one of %s (exact case)' % (where, ', '.join(SEVERITIES)))
    if metadata['event_type'] not in EVENT_TYPES:
        raise BadRequest('%s.event_type: must be one of %s' % (where, ', '.join(EVENT_TYPES)))


def _parse_list(query, body, now, enterprise_project_id):
    """The selection of a list request (time, type, enterprise project, relations, search) as a predicate."""
    start, end = _parse_time_range(body.get('time_range'), now)
    kind = query.get('type')
    if kind and kind not in QUERY_TYPES:
        raise BadRequest('type: must be one of %s or absent' % ', '.join(QUERY_TYPES))
    state = QUERY_TYPES.get(kind)
    relations = _parse_relations(body.get('metadata_relation'))
    search = body.get('search')
    if search is not None and not isinstance(search, str):
        raise BadRequest('search: must be a string')
    eps = None if enterprise_project_id == ALL_ENTERPRISE_PROJECTS else enterprise_project_id

    def select(row):
        if row['starts_at'] > end or (row['state'] != 'active' and row['starts_at'] < start):
            return False
        if state not in (None, row['state']) or eps not in (None, row['enterprise_project_id']):
            return False
        return _relations_hold(relations, row['metadata']) and _search_holds(search, row['metadata'])
    return select


def _relations_hold(relations, metadata):
    or_clauses = [values for key, values, relation in relations if relation == 'OR']
    for key, values, relation in relations:
        if relation == 'AND' and metadata.get(key) not in values:
            return False
        if relation == 'NOT' and metadata.get(key) in values:
            return False
    return not or_clauses or any(metadata.get(key) in values for key, values, relation in relations
                                 if relation == 'OR')


def _search_holds(search, metadata):
    return not search or any(search.lower() in metadata.get(key, '').lower() for key in REQUIRED_METADATA)


def _parse_time_range(value, now):
    if not isinstance(value, str):
        raise BadRequest("time_range: required, 'startMs.endMs.durationMinutes' (e.g. '-1.-1.60')")
    try:
        start, end, minutes = (int(part) for part in value.split('.'))
    except ValueError:
        raise BadRequest("time_range: '%s' is not 'startMs.endMs.durationMinutes'" % value)
    if not (-1 <= start <= INT64_MAX and -1 <= end <= INT64_MAX and 0 <= minutes <= INT64_MAX // 60000):
        raise BadRequest("time_range: '%s' has a part out of range" % value)
    if (start == -1 or end == -1) and minutes <= 0:
        raise BadRequest('time_range: durationMinutes must be positive when start or end is -1')
    if start == -1 and end == -1:
        start, end = now - minutes * 60000, now
    elif start == -1:
        start = end - minutes * 60000
    elif end == -1:
        end = start + minutes * 60000
    if start < 0 or end < start or end > INT64_MAX:
        raise BadRequest("time_range: '%s' does not give 0 <= start <= end" % value)
    return start, end


def _parse_relations(value):
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest('metadata_relation: must be an array')
    relations = []
    for index, item in enumerate(value):
        where = 'metadata_relation[%d]' % index
        if not isinstance(item, dict):
            raise BadRequest('%s: must be an object' % where)
        key, values, relation = item.get('key'), item.get('value'), item.get('relation', 'AND')
        if not isinstance(key, str) or not key:
            raise BadRequest('%s.key: must be a non-empty string' % where)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise BadRequest('%s.value: must be an array of strings' % where)
        if relation not in RELATIONS:
            raise BadRequest('%s.relation: must be one of %s' % (where, ', '.join(RELATIONS)))
        relations.append((key, frozenset(values), relation))
    return relations


def _parse_sort(value):
    """True for descending order (the default)."""
    if value is None:
        return True
    if not isinstance(value, dict):
        raise BadRequest('sort: must be an object {order_by: [starts_at], order: asc|desc}')
    if value.get('order_by', ['starts_at']) not in (['starts_at'], [], 'starts_at'):
        raise BadRequest("sort.order_by: only ['starts_at'] is supported")
    order = value.get('order', 'desc')
    if not isinstance(order, str) or order.lower() not in ('asc', 'desc'):
        raise BadRequest('sort.order: must be asc or desc')
    return order.lower() == 'desc'


def _parse_limit(value):
    try:
        limit = int(value) if value not in (None, '') else MAX_LIMIT
    except ValueError:
        limit = 0
    if limit < 1:
        raise BadRequest('limit: must be an integer from 1 to %d' % MAX_LIMIT)
    return min(limit, MAX_LIMIT)


def _parse_marker(value):
    if value in (None, '', '0'):
        return None
    match = _MARKER_RE.match(value)
    if not match:
        raise BadRequest('marker: not a marker this service returned')
    return int(match.group(1)), int(match.group(2))


def _validate_rule_name(value, where='name'):
    if not isinstance(value, str) or not MUTE_NAME_RE.match(value):
        raise BadRequest('%s: 1 to 100 letters, digits and _, not starting or ending with _' % where)
    return value


def _validate_rule(body):
    """The stored form of a MuteRule: its writable fields, as the service keeps them."""
    if not isinstance(body, dict):
        raise BadRequest('request body must be a JSON object (a MuteRule)')
    rule = {'name': _validate_rule_name(body.get('name'))}
    for name in ('desc', 'timezone'):
        if body.get(name) is not None:
            rule[name] = body[name]
    match = body.get('match')
    if not isinstance(match, list) or not match or not all(isinstance(group, list) and group for group in match):
        raise BadRequest('match: required, a list of 1 to 10 condition lists (OR of ANDs)')
    rule['match'] = []
    for index, group in enumerate(match):
        conditions = []
        for position, condition in enumerate(group):
            if not isinstance(condition, dict) or condition.get('operate') not in MUTE_OPERATES:
                raise BadRequest('match[%d][%d].operate: must be one of %s' % (index, position, ', '.join(MUTE_OPERATES)))
            conditions.append({'key': condition.get('key'), 'operate': condition['operate'],
                               'value': list(condition.get('value') or [])})
        rule['match'].append(conditions)
    config = body.get('mute_config')
    if not isinstance(config, dict) or config.get('type') not in MUTE_TYPES:
        raise BadRequest('mute_config.type: must be one of %s' % ', '.join(MUTE_TYPES))
    rule['mute_config'] = dict((key, config[key]) for key in ('type', 'starts_at', 'ends_at') if config.get(key) is not None)
    if config['type'] in ('WEEKLY', 'MONTHLY'):
        rule['mute_config']['scope'] = sorted(set(config.get('scope') or []))
    elif config.get('scope') is not None:
        rule['mute_config']['scope'] = config['scope']
    return rule
