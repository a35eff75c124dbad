# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one AOM client: authentication, retries, error mapping, push and list with paging.

Every HTTP request of the collection goes through ``AOMClient._send``.
"""

from __future__ import annotations

import json
import random
import re
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # the sanity import test runs without third-party packages
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMConfigError, AOMError, redact
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import AUTH_AKSK, AUTH_PASSWORD, Connection
from ansible_collections.huaweicloud.aom.plugins.module_utils._signer import encode_query, sign_request

USER_AGENT = 'huaweicloud.aom-ansible/1.1.0'
PUSH_BATCH_SIZE = 100
LIST_PAGE_SIZE = 1000
DEFAULT_TIME_RANGE = '-1.-1.4320'  # the last three days
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0
# The useful end of urllib3's nested error text: "[Errno 111] Connection refused", "Connection aborted"...
# A connection that was never made: nothing reached the service.
_CONNECT_FAILURE_RE = re.compile(r'NewConnectionError|Failed to establish a new connection|Name or service not known')
# Headers whose values authenticate a request: never shown in an error.
_AUTH_HEADERS = ('authorization', 'x-auth-token', 'x-security-token')
_REASON_RE = re.compile(r"\[SSL: [A-Z_]+\] [^'\"(]+|\[Errno -?\d+\] [^'\")]+|Connection aborted|"
                        r"Remote end closed connection without response|Connection reset by peer")


class AOMClient:
    """A client for one ``Connection`` (see ``_options.resolve_connection``).

    ``sleep``, ``clock`` and ``session`` are injectable for tests; ``deadline`` (a ``clock``
    value) bounds the time spent in retries, so a caller with a budget is never held past it.
    """

    def __init__(self, conn: Connection, session: Any = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, deadline: Optional[float] = None) -> None:
        if not HAS_REQUESTS:
            raise AOMConfigError('the Python library requests is required (pip install requests)')
        self._conn = conn
        self._sleep = sleep
        self._clock = clock
        self.deadline = deadline
        self._session = session or requests.Session()
        self._token: Optional[str] = conn.auth_token
        self._project_id: Optional[str] = conn.project_id
        self.stats: Dict[str, int] = {'requests': 0, 'retries': 0, 'token_requests': 0}

    # -- the AOM API ---------------------------------------------------------------------

    @property
    def project_id(self) -> str:
        """The project ID: given, or the scope of the IAM token obtained for user/password."""
        if not self._project_id:
            self._obtain_token()
        return self._project_id

    def push(self, events: List[Dict[str, Any]], clear: bool = False) -> int:
        """Report (or clear) ``events`` in requests of at most 100; the number of requests sent."""
        query = {'action': 'clear'} if clear else None
        path = '/v2/%s/push/events' % self.project_id
        sent = 0
        for start in range(0, len(events), PUSH_BATCH_SIZE):
            batch = events[start:start + PUSH_BATCH_SIZE]
            # An alarm sent twice updates itself; a point-in-time event would be recorded twice.
            # So a batch with events is not re-sent when the service may already have it.
            resend_safe = clear or not any(_is_point_event(event) for event in batch)
            self.request('PUT', path, query=query, body={'events': batch}, action='clear' if clear else 'push',
                         resend_safe=resend_safe, read_answer=False)
            sent += 1
        return sent

    def list_events(self, event_type: Optional[str] = None, time_range: str = DEFAULT_TIME_RANGE,
                    metadata_relation: Optional[List[Dict[str, Any]]] = None, search: Optional[str] = None,
                    sort: Optional[Dict[str, Any]] = None, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """Events and alarms matching the filters, following ``next_marker`` to the end (or ``limit``)."""
        body: Dict[str, Any] = {'time_range': time_range}
        if metadata_relation:
            body['metadata_relation'] = metadata_relation
        if search:
            body['search'] = search
        if sort:
            body['sort'] = sort
        path = '/v2/%s/events' % self.project_id
        found: List[Dict[str, Any]] = []
        marker, seen_markers = '0', set()
        while True:
            page_size = LIST_PAGE_SIZE if limit is None else min(LIST_PAGE_SIZE, limit - len(found))
            query: Dict[str, Any] = {'limit': page_size, 'marker': marker}
            if event_type:
                query['type'] = event_type
            answer = self.request('POST', path, query=query, body=body, action='list') or {}
            page = answer.get('events') or []
            found.extend(page)
            marker = (answer.get('page_info') or {}).get('next_marker') or ''
            # A marker seen before would loop forever: the service's paging is broken, stop.
            if not marker or len(page) < page_size or marker in seen_markers:
                break
            if limit is not None and len(found) >= limit:
                break
            seen_markers.add(marker)
        return found if limit is None else found[:limit]

    # -- HTTP ----------------------------------------------------------------------------

    def request(self, method: str, path: str, query: Optional[Dict[str, Any]] = None, body: Any = None,
                action: str = 'request', resend_safe: bool = True, read_answer: bool = True) -> Any:
        """Send an authenticated AOM request; the parsed JSON answer, or None when it is empty.

        ``resend_safe=False``: after a timeout or a connection lost mid-request (the service may
        have acted on it), fail instead of sending it again. ``read_answer=False``: a write whose
        2xx answer is all that matters; its body is not read (None is returned).
        """
        url = self._conn.endpoint + path
        if query:
            url += '?' + encode_query(query)
        data = None if body is None else json.dumps(body, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
        headers = {'Content-Type': 'application/json;charset=UTF-8'}
        if self._conn.enterprise_project_id:
            headers['Enterprise-Project-Id'] = self._conn.enterprise_project_id
        return self._send(method, url, headers, data, 'AOM ' + action, authenticate=True, resend_safe=resend_safe,
                          read_answer=read_answer)

    def _send(self, method: str, url: str, headers: Dict[str, str], data: Optional[bytes], action: str,
              authenticate: bool, resend_safe: bool = True, read_answer: bool = True) -> Any:
        """One logical request with bounded retries; every HTTP call of the collection passes here.

        Returns the parsed JSON answer of an authenticated AOM request, or the response itself
        for the IAM token request, whose answer is in a header.
        """
        attempt, refreshed = 0, False
        while True:
            sent_headers = dict(headers, **{'User-Agent': USER_AGENT})
            if authenticate:
                sent_headers = self._authenticate(method, url, sent_headers, data)
            self.stats['requests'] += 1
            hidden = self._hidden_values(sent_headers)
            try:
                # verify goes with every request: on the session alone, REQUESTS_CA_BUNDLE would override it
                response = self._session.request(method, url, data=data, headers=sent_headers, verify=self._conn.verify,
                                                 timeout=self._timeout(), allow_redirects=False)
            except requests.exceptions.SSLError as exc:
                # the server was reached and its certificate refused: retrying changes nothing
                raise AOMError('%s failed: TLS with %s failed: %s (set ca_path to the CA that signed the '
                               "endpoint's certificate)" % (action, _host(url), _describe(exc, hidden)))
            except (requests.ConnectionError, requests.Timeout) as exc:
                if not resend_safe and _maybe_received(exc):
                    raise AOMError('%s failed: %s answered nothing (%s) and may have recorded the request; '
                                   'it was not sent again, to record nothing twice: run the task again, '
                                   'events already recorded are left alone' % (action, _host(url), _describe(exc, hidden)))
                if self._may_retry(attempt, None):
                    attempt += 1
                    continue
                raise AOMError('%s failed: could not reach %s after %d attempt(s): %s'
                               % (action, _host(url), attempt + 1, _describe(exc, hidden)))
            except requests.RequestException as exc:
                raise AOMError('%s failed: %s' % (action, _describe(exc, hidden)))
            except UnicodeError:
                # http.client encodes header values as Latin-1; its message would be of no help
                raise AOMError('%s failed: a header value holds a character outside Latin-1, which HTTP cannot carry'
                               % action)

            status = response.status_code
            if status == 401 and authenticate and self._conn.auth == AUTH_PASSWORD and not refreshed:
                # An expired or revoked token: get a fresh one, once; never loop on bad credentials.
                refreshed = True
                self._token = None
                continue
            if status in RETRY_STATUSES and self._may_retry(attempt, response):
                attempt += 1
                continue
            if status >= 400 or status < 200:
                raise AOMError.from_response(status, response.content, response.headers, action, hidden)
            if not authenticate:
                return response
            if not read_answer:
                return None  # a 2xx is success, whatever its body: a write is never sent twice for its body
            try:
                return json.loads(response.content) if response.content.strip() else None
            except ValueError:
                # A 2xx read with a broken body is a proxy or service fault; reading again is harmless.
                if self._may_retry(attempt, None):
                    attempt += 1
                    continue
                raise AOMError('%s failed: the service answered HTTP %s with a body that is not JSON%s'
                               % (action, status, _request_id_suffix(response.headers)))

    def _hidden_values(self, sent_headers: Dict[str, str]) -> List[str]:
        """Every value an error text must not show: the credentials and the authentication headers sent."""
        values: List[Optional[str]] = list(self._conn.secrets)
        values.append(self._token)
        values.extend(value for name, value in sent_headers.items() if name.lower() in _AUTH_HEADERS)
        return [value for value in values if value]

    def _may_retry(self, attempt: int, response: Any) -> bool:
        """Sleep before the next attempt and say True, or say False when retries or time ran out."""
        if attempt >= self._conn.retries:
            return False
        delay = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))
        delay = delay / 2 + random.uniform(0, delay / 2)
        retry_after = _retry_after(response)
        if retry_after is not None:
            delay = min(retry_after, RETRY_AFTER_CAP)
        if self.deadline is not None and self._clock() + delay >= self.deadline:
            return False
        self.stats['retries'] += 1
        self._sleep(delay)
        return True

    def _timeout(self) -> Tuple[float, float]:
        """(connect, read) timeouts, shortened so that no request outlives the deadline."""
        timeout = self._conn.timeout
        if self.deadline is not None:
            left = self.deadline - self._clock()
            if left <= 0:
                raise AOMError('AOM request not sent: the time budget is spent')
            timeout = min(timeout, left)
        return (min(timeout, 10.0), timeout)

    # -- authentication ------------------------------------------------------------------

    def _authenticate(self, method: str, url: str, headers: Dict[str, str], data: Optional[bytes]) -> Dict[str, str]:
        auth = self._conn.auth
        if auth == AUTH_AKSK:
            return sign_request(method, url, headers, data, self._conn.access_key, self._conn.secret_key,
                                project_id=self.project_id, security_token=self._conn.security_token)
        if auth == AUTH_PASSWORD and not self._token:
            self._obtain_token()
        headers['X-Auth-Token'] = self._token
        return headers

    def _obtain_token(self) -> None:
        """Exchange IAM user/password for a project-scoped token (kept for the client's lifetime)."""
        conn = self._conn
        if conn.auth != AUTH_PASSWORD:
            raise AOMConfigError('project_id is required with %s authentication' % conn.auth)
        scope = {'id': conn.project_id} if conn.project_id else {'name': conn.project_name}
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'domain': {'name': conn.domain}, 'name': conn.user, 'password': conn.password}}},
            'scope': {'project': scope}}}
        url = conn.identity_endpoint + '/v3/auth/tokens?nocatalog=true'
        data = json.dumps(body).encode('utf-8')
        self.stats['token_requests'] += 1
        response = self._send('POST', url, {'Content-Type': 'application/json;charset=UTF-8'}, data,
                              'IAM token request', authenticate=False)
        token = response.headers.get('X-Subject-Token')
        if not token:
            raise AOMError('IAM token request failed: the answer had no X-Subject-Token header')
        try:
            project_id = json.loads(response.content)['token']['project']['id']
        except (ValueError, KeyError, TypeError):
            project_id = None
        if conn.project_id and project_id and project_id != conn.project_id:
            raise AOMError('IAM token request failed: the token is scoped to another project than project_id')
        self._token = token
        self._project_id = self._project_id or project_id
        if not self._project_id:
            raise AOMError('IAM token request failed: the answer does not name the project; set project_id')

    # -- silence (mute) rules: one collection path, four verbs (see aom-api.md section 7) ----

    def _mute_rules_path(self) -> str:
        return '/v2/%s/alert/mute-rules' % self.project_id

    def list_mute_rules(self) -> List[Dict[str, Any]]:
        """Every silence rule of the project (the service answers them all, unpaged)."""
        answer = self.request('GET', self._mute_rules_path(), action='list silence rules')
        return answer if isinstance(answer, list) else []

    def create_mute_rule(self, rule: Dict[str, Any]) -> None:
        """Create one rule; not re-sent after a lost answer (a second create would be a duplicate)."""
        self.request('POST', self._mute_rules_path(), body=rule, action='create silence rule', resend_safe=False)

    def update_mute_rule(self, rule: Dict[str, Any]) -> None:
        """Replace the rule of the same name."""
        self.request('PUT', self._mute_rules_path(), body=rule, action='update silence rule')

    def delete_mute_rules(self, names: List[str]) -> None:
        """Delete the rules of these names; not re-sent after a lost answer (the names would be unknown)."""
        self.request('DELETE', self._mute_rules_path(), body=[{'name': name} for name in names],
                     action='delete silence rules', resend_safe=False)


def _is_point_event(event: Dict[str, Any]) -> bool:
    return (event.get('metadata') or {}).get('event_type') == 'event'


def _maybe_received(exc: Exception) -> bool:
    """Whether the service may have got the request: all but a connection never made."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    return not (isinstance(exc, requests.ConnectionError) and _CONNECT_FAILURE_RE.search(str(exc)))


def _retry_after(response: Any) -> Optional[float]:
    """Seconds from a ``Retry-After`` header in seconds form, or None."""
    if response is None:
        return None
    value = response.headers.get('Retry-After')
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _host(url: str) -> str:
    return url.split('/', 3)[2] if '://' in url else url


def _describe(exc: Exception, hidden: Any = ()) -> str:
    """The reason of a transport error in a few words, without any of the ``hidden`` values.

    requests' texts may echo a URL or a header value (``InvalidHeader``): the values are removed
    before anything is cut, so no part of one survives.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return 'the connection timed out'
    if isinstance(exc, requests.Timeout):
        return 'no answer within request_timeout'
    text = redact(str(exc), hidden)
    reason = _REASON_RE.search(text)
    if reason:
        return reason.group(0).rstrip(' \'"),')
    return '%s: %s' % (type(exc).__name__, text[:300]) if text else type(exc).__name__


def _request_id_suffix(headers: Any) -> str:
    request_id = headers.get('X-Request-Id')
    return ' [request id %s]' % request_id if request_id else ''
