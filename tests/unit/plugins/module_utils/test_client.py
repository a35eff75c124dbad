# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client against a transport adapter that answers from a script and records what was sent."""
from __future__ import annotations

import json

import pytest
import requests
from requests.adapters import BaseAdapter

from ansible_collections.huaweicloud.aom.plugins.module_utils import _signer
from ansible_collections.huaweicloud.aom.plugins.module_utils._client import AOMClient
from ansible_collections.huaweicloud.aom.plugins.module_utils._errors import AOMError
from ansible_collections.huaweicloud.aom.plugins.module_utils._options import resolve_connection

PROJECT = '0123456789abcdef0123456789abcdef'
SECRETS = ('SK-s3cr3t', 'pw-s3cr3t', 'tok-s3cr3t')


class ScriptedAdapter(BaseAdapter):
    """Answers each request with the next scripted answer: (status, headers, body) or an exception."""

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.sent = []
        self.verify = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        self.verify.append(kwargs.get('verify'))
        answer = self.answers.pop(0) if self.answers else (200, {}, b'')
        if isinstance(answer, BaseException):
            raise answer.with_traceback(None)
        if callable(answer):
            answer = answer(request)
        status, headers, body = answer
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.request = request
        response.url = request.url
        return response

    def close(self):
        pass


def make_client(answers, **options):
    base = dict(endpoint='https://aom.test', access_key='AK1', secret_key='SK-s3cr3t', project_id=PROJECT)
    base.update(options)
    conn = resolve_connection(base.get)
    adapter = ScriptedAdapter(answers)
    session = requests.Session()
    session.mount('https://', adapter)
    sleeps = []
    client = AOMClient(conn, session=session, sleep=sleeps.append)
    return client, adapter, sleeps


def events(n):
    return [{'metadata': {'event_name': 'e%d' % i}, 'starts_at': 1} for i in range(n)]


def test_push_signs_with_aksk_and_sends_exact_body():
    client, adapter, _unused = make_client([(204, {}, b'')])
    assert client.push(events(1)) == 1
    request = adapter.sent[0]
    assert request.method == 'PUT'
    assert request.url == 'https://aom.test/v2/%s/push/events' % PROJECT
    access_key, signed, sig = _signer.parse_authorization(request.headers['Authorization'])
    assert access_key == 'AK1'
    assert signed == ['content-type', 'host', 'user-agent', 'x-project-id', 'x-sdk-date']
    canonical = _signer.canonical_request('PUT', request.url, request.headers, request.body, signed)
    expected = _signer.signature('SK-s3cr3t', _signer.string_to_sign(canonical, request.headers['X-Sdk-Date']))
    assert sig == expected
    assert json.loads(request.body) == {'events': events(1)}


def test_clear_uses_action_query_and_batches_of_100():
    client, adapter, _unused = make_client([(200, {}, b'')] * 3)
    assert client.push(events(250), clear=True) == 3
    assert [len(json.loads(r.body)['events']) for r in adapter.sent] == [100, 100, 50]
    assert all(r.url.endswith('/push/events?action=clear') for r in adapter.sent)


def test_token_auth_sends_x_auth_token_and_enterprise_project():
    client, adapter, _unused = make_client([(204, {}, b'')], access_key=None, secret_key=None, auth_token='tok-s3cr3t',
                                           enterprise_project_id='0')
    client.push(events(1))
    assert adapter.sent[0].headers['X-Auth-Token'] == 'tok-s3cr3t'
    assert adapter.sent[0].headers['Enterprise-Project-Id'] == '0'
    assert 'Authorization' not in adapter.sent[0].headers


def token_answer(project_id=PROJECT, token='tok-1'):
    return (201, {'X-Subject-Token': token}, {'token': {'project': {'id': project_id, 'name': 'cn-north-4'}}})


def password_client(answers, **options):
    return make_client(answers, access_key=None, secret_key=None, user='u', password='pw-s3cr3t', domain='d',
                       identity_endpoint='https://iam.test/v3', **options)


def test_password_auth_gets_scoped_token_once_and_learns_project():
    client, adapter, _unused = password_client([token_answer(), (204, {}, b''), (204, {}, b'')],
                                               project_id=None, project_name='cn-north-4')
    client.push(events(1))
    client.push(events(1))
    token_request, first, second = adapter.sent
    assert token_request.url == 'https://iam.test/v3/auth/tokens?nocatalog=true'
    body = json.loads(token_request.body)
    assert body['auth']['scope'] == {'project': {'name': 'cn-north-4'}}
    assert body['auth']['identity']['password']['user'] == {'domain': {'name': 'd'}, 'name': 'u', 'password': 'pw-s3cr3t'}
    assert first.url == 'https://aom.test/v2/%s/push/events' % PROJECT
    assert first.headers['X-Auth-Token'] == second.headers['X-Auth-Token'] == 'tok-1'
    assert client.stats['token_requests'] == 1


def test_password_auth_refreshes_token_once_on_401():
    expired = (401, {}, {'error_code': 'APIG.1002', 'error_msg': 'token expired'})
    client, adapter, _unused = password_client([token_answer(token='old'), expired, token_answer(token='new'), (204, {}, b'')])
    client.push(events(1))
    assert [r.headers.get('X-Auth-Token') for r in adapter.sent if 'aom.test' in r.url] == ['old', 'new']
    assert client.stats['token_requests'] == 2


def test_password_auth_fails_after_second_401():
    expired = (401, {'X-Request-Id': 'r-9'}, {'error_code': 'APIG.1002', 'error_msg': 'token expired'})
    client, adapter, _unused = password_client([token_answer(), expired, token_answer(), expired])
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    assert caught.value.status == 401 and caught.value.error_code == 'APIG.1002'
    assert len(adapter.sent) == 4


def test_bad_password_is_a_clear_error_without_the_password():
    answer = (401, {}, {'error': {'code': 401, 'message': 'The username or password is wrong.', 'title': 'Unauthorized'}})
    client, adapter, _unused = password_client([answer])
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    text = str(caught.value)
    assert 'IAM token request failed: HTTP 401' in text and 'username or password is wrong' in text
    assert 'pw-s3cr3t' not in text and len(adapter.sent) == 1


def test_token_scoped_to_another_project_is_refused():
    client, _unused, _unused = password_client([token_answer(project_id='f' * 32)])
    with pytest.raises(AOMError, match='scoped to another project'):
        client.push(events(1))


@pytest.mark.parametrize('status', [500, 502, 503, 504, 429])
def test_retries_retryable_statuses_then_succeeds(status):
    client, adapter, sleeps = make_client([(status, {}, b''), (status, {}, b''), (204, {}, b'')])
    client.push(events(1))
    assert len(adapter.sent) == 3 and len(sleeps) == 2 and client.stats['retries'] == 2
    # each attempt is signed anew, with its own date
    assert all('Authorization' in r.headers for r in adapter.sent)


def test_backoff_is_exponential_capped_and_jittered():
    client, _unused, sleeps = make_client([(503, {}, b'')] * 10 + [(204, {}, b'')], retries=10)
    client.push(events(1))
    for attempt, delay in enumerate(sleeps):
        ceiling = min(8.0, 0.5 * 2 ** attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert max(sleeps) <= 8.0


def test_retry_after_is_honoured():
    client, _unused, sleeps = make_client([(429, {'Retry-After': '3'}, {'error_code': 'APIG.0308'}), (204, {}, b'')])
    client.push(events(1))
    assert sleeps == [3.0]


def test_gives_up_after_retries_with_the_service_error():
    answer = (503, {'X-Request-Id': 'req-42'}, {'error_code': 'AOM.0503', 'error_msg': 'busy', 'error_type': 'SERVER'})
    client, adapter, _unused = make_client([answer] * 4)
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    error = caught.value
    assert len(adapter.sent) == 4
    assert (error.status, error.error_code, error.error_msg, error.request_id) == (503, 'AOM.0503', 'busy', 'req-42')
    assert 'HTTP 503 AOM.0503: busy' in str(error) and 'req-42' in str(error)


@pytest.mark.parametrize('status', [400, 401, 403])
def test_never_retries_client_errors(status):
    client, adapter, sleeps = make_client([(status, {}, {'error_code': 'X.1', 'error_msg': 'no'})] * 2)
    with pytest.raises(AOMError):
        client.push(events(1))
    assert len(adapter.sent) == 1 and sleeps == []


def test_connection_errors_are_retried_then_reported():
    refused = requests.ConnectionError('HTTPConnectionPool(...): [Errno 111] Connection refused')
    client, adapter, _unused = make_client([refused] * 4, retries=3)
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    assert len(adapter.sent) == 4
    assert str(caught.value) == 'AOM push failed: could not reach aom.test after 4 attempt(s): [Errno 111] Connection refused'


def test_timeouts_are_passed_and_retried():
    client, adapter, _unused = make_client([requests.ReadTimeout('slow'), (204, {}, b'')], request_timeout=2.5)
    client.push(events(1))
    assert len(adapter.sent) == 2


def test_malformed_json_is_retried_then_a_clear_error():
    client, adapter, _unused = make_client([(200, {}, b'{"events": [')] * 4)
    with pytest.raises(AOMError, match='not JSON'):
        client.list_events()
    assert len(adapter.sent) == 4


def test_deadline_bounds_retries():
    now = [0.0]
    client, adapter, sleeps = make_client([(503, {'Retry-After': '30'}, b'')] * 5, retries=5)
    client._clock = lambda: now[0]
    client.deadline = 10.0
    with pytest.raises(AOMError):
        client.push(events(1))
    assert len(adapter.sent) == 1 and sleeps == []


@pytest.mark.parametrize('body', [
    {'error_code': 'AOM.30005001', 'error_msg': 'bad param', 'error_type': 'BAD_REQUEST'},
    {'errorCode': 'AOM.30005001', 'errorMessage': 'bad param'},
    {'error_code': 'AOM.30005001', 'error_msg': 'bad param', 'request_id': 'body-id'},
])
def test_error_body_shapes(body):
    client, _unused, _unused = make_client([(400, {'X-Request-Id': 'hdr-id'}, body)])
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    assert caught.value.error_code == 'AOM.30005001' and caught.value.error_msg == 'bad param'
    assert caught.value.request_id == 'hdr-id'


def page(count, next_marker):
    return (200, {}, {'events': [{'id': 'x%d' % i} for i in range(count)],
                      'page_info': {'current_count': count, 'next_marker': next_marker}})


def test_list_follows_markers_to_the_end():
    client, adapter, _unused = make_client([page(1000, 'm1'), page(1000, 'm2'), page(3, '')])
    found = client.list_events(event_type='active_alert', metadata_relation=[{'key': 'k', 'value': ['v'], 'relation': 'AND'}],
                               search='s')
    assert len(found) == 2003
    assert [r.url.split('?')[1] for r in adapter.sent] == [
        'limit=1000&marker=0&type=active_alert', 'limit=1000&marker=m1&type=active_alert',
        'limit=1000&marker=m2&type=active_alert']
    body = json.loads(adapter.sent[0].body)
    assert body == {'time_range': '-1.-1.4320', 'metadata_relation': [{'key': 'k', 'value': ['v'], 'relation': 'AND'}],
                    'search': 's'}


def test_list_respects_limit_and_stops_on_repeated_marker():
    client, adapter, _unused = make_client([page(5, 'm1')])
    assert len(client.list_events(limit=5)) == 5 and 'limit=5' in adapter.sent[0].url
    client, adapter, _unused = make_client([page(1000, 'same'), page(1000, 'same'), page(1000, 'same')])
    assert len(client.list_events()) == 2000 and len(adapter.sent) == 2


def test_no_secret_in_any_error():
    answers = [(401, {}, {'error_code': 'APIG.0301', 'error_msg': 'bad sig'})]
    for auth in ({}, {'access_key': None, 'secret_key': None, 'auth_token': 'tok-s3cr3t'}):
        client, _unused, _unused = make_client(list(answers), **auth)
        with pytest.raises(AOMError) as caught:
            client.push(events(1))
        for secret in SECRETS:
            assert secret not in str(caught.value) and secret not in repr(caught.value.__dict__)


def test_verify_goes_with_every_request_so_the_environment_cannot_override_it(monkeypatch, tmp_path):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    ca = tmp_path / 'ca.pem'
    ca.write_text('x')
    # with plain validate_certs, the environment's CA bundle is the one to verify with
    for options, expected in (({'validate_certs': False}, False), ({'ca_path': str(ca)}, str(ca)),
                              ({}, '/etc/ssl/certs/ca-certificates.crt')):
        client, adapter, _unused = make_client([(204, {}, b'')], **options)
        client.push(events(1))
        assert adapter.verify == [expected]


def test_certificate_errors_are_not_retried_and_say_why():
    bad_cert = requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='aom.test', port=443): Max retries exceeded (Caused by SSLError(SSLCertVerificationError("
        "1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)')))")
    client, adapter, sleeps = make_client([bad_cert] * 4)
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    assert len(adapter.sent) == 1 and sleeps == []
    assert str(caught.value) == ('AOM push failed: TLS with aom.test failed: [SSL: CERTIFICATE_VERIFY_FAILED] certificate '
                                 "verify failed: self-signed certificate (set ca_path to the CA that signed the "
                                 "endpoint's certificate)")


def point_events(n):
    return [{'metadata': {'event_name': 'e%d' % i, 'event_type': 'event'}, 'starts_at': 1} for i in range(n)]


def test_point_events_are_not_sent_again_when_the_service_may_have_them():
    client, adapter, _unused = make_client([requests.ReadTimeout('read timed out'), (204, {}, b'')])
    with pytest.raises(AOMError, match='may have recorded the request; it was not sent again'):
        client.push(point_events(1))
    assert len(adapter.sent) == 1


def test_point_events_are_sent_again_when_no_connection_was_made():
    refused = requests.ConnectionError('HTTPConnectionPool(...): Failed to establish a new connection: '
                                       '[Errno 111] Connection refused')
    client, adapter, _unused = make_client([refused, requests.ConnectTimeout('connect timed out'), (204, {}, b'')])
    client.push(point_events(1))
    assert len(adapter.sent) == 3


def test_alarms_and_clears_are_sent_again_after_a_timeout():
    client, adapter, _unused = make_client([requests.ReadTimeout('slow'), (204, {}, b''),
                                            requests.ReadTimeout('slow'), (204, {}, b'')])
    client.push(events(1))
    client.push(point_events(1), clear=True)
    assert len(adapter.sent) == 4


def test_a_2xx_push_with_a_body_that_is_not_json_is_success_and_not_sent_again():
    # before: re-sent (up to retries + 1 times), which records a point-in-time event twice
    for batch in (events(1), point_events(1)):
        client, adapter, sleeps = make_client([(200, {}, b'<html>OK</html>')] * 4)
        assert client.push(batch) == 1
        assert len(adapter.sent) == 1 and sleeps == []
    client, adapter, _unused = make_client([(202, {}, b'not json')] * 4)
    client.push(events(1), clear=True)
    assert len(adapter.sent) == 1


def test_transport_error_texts_lose_every_header_value_and_credential():
    token = 'tok-s3cr3t'
    echoes = [
        requests.exceptions.InvalidHeader('Invalid return character or leading space in header: X-Auth-Token: %r'
                                          % (token + '-x',)),
        requests.RequestException("headers={'X-Auth-Token': %r, 'User-Agent': 'ua'} %s" % (token, 'x' * 400)),
        requests.RequestException('x' * 290 + token),  # straddling the cut at 300 characters
    ]
    for echo in echoes:
        client, _unused, _unused = make_client([echo], access_key=None, secret_key=None, auth_token=token)
        with pytest.raises(AOMError) as caught:
            client.push(events(1))
        text = str(caught.value)
        assert 'tok-s3' not in text and '<redacted>' in text, text
    signed = requests.RequestException('Authorization header %s' % 'SDK-HMAC-SHA256')
    client, adapter, _unused = make_client([signed])
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    assert adapter.sent[0].headers['Authorization'] not in str(caught.value)


def test_service_error_texts_lose_the_credentials_too():
    body = {'error_code': 'APIG.0301', 'error_msg': 'Incorrect IAM authentication information: tok-s3cr3t'}
    client, _unused, _unused = make_client([(401, {}, body)], access_key=None, secret_key=None, auth_token='tok-s3cr3t')
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    assert 'tok-s3cr3t' not in str(caught.value) and 'tok-s3cr3t' not in repr(caught.value.__dict__)
    assert caught.value.status == 401 and caught.value.error_code == 'APIG.0301'


@pytest.mark.parametrize('token', ['tok-s3cr3t', 'tok-s3"cr\\3t', 'tök-s3cr3t-ünï'])
def test_a_credential_echoed_in_an_error_body_is_removed_before_the_body_is_cut(token):
    # before: the body's message was cut at 500 characters, then redacted: the part of a credential
    # before the cut survived (the whole credential was no longer there to be found)
    body = {'error_code': 'APIG.0301', 'error_msg': 'x' * 495 + token}
    client, _unused, _unused = make_client([(401, {}, body)], access_key=None, secret_key=None, auth_token=token)
    with pytest.raises(AOMError) as caught:
        client.push(events(1))
    assert caught.value.error_kind == 'service'
    for text in (str(caught.value), repr(caught.value.__dict__)):
        assert token[:4] not in text and '<reda' in text, text  # the marker itself may be cut
