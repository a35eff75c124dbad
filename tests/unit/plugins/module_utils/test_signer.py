# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import hashlib

import pytest

from ansible_collections.huaweicloud.aom.plugins.module_utils import _signer

AK = 'AKEXAMPLE0000000000'
SK = 'SKEXAMPLEsecretsecretsecretsecretsecret00'
DATE = '20240101T000000Z'
PROJECT = '0123456789abcdef0123456789abcdef'


def test_vector_push_events():
    headers = _signer.sign_request(
        'PUT', 'https://aom.cn-north-4.myhuaweicloud.com/v2/%s/push/events' % PROJECT,
        {'Content-Type': 'application/json'},
        '{"events": [{"starts_at": 1700000000000, "metadata": {"event_name": "t"}}]}',
        AK, SK, project_id=PROJECT, sdk_date=DATE)
    assert headers['Authorization'] == (
        'SDK-HMAC-SHA256 Access=AKEXAMPLE0000000000, SignedHeaders=content-type;host;x-project-id;x-sdk-date, '
        'Signature=bd9dda26e2bd4998376b5799e5c59b97d6092323184286bfda3f11d4aaa43aa3')
    assert headers['Host'] == 'aom.cn-north-4.myhuaweicloud.com'
    assert headers['X-Project-Id'] == PROJECT
    assert headers['X-Sdk-Date'] == DATE


def test_vector_list_with_query_and_underscore_header():
    query = _signer.encode_query({'type': 'active_alert', 'limit': 10, 'marker': 'a b/c'})
    assert query == 'limit=10&marker=a%20b%2Fc&type=active_alert'
    headers = _signer.sign_request(
        'POST', 'https://aom.ap-southeast-1.myhuaweicloud.com/v2/p/events?' + query,
        {'Content-Type': 'application/json;charset=UTF-8', 'X_Ignored_Header': 'x'},
        '{"time_range": "-1.-1.60"}', AK, SK, sdk_date=DATE)
    assert 'SignedHeaders=content-type;host;x-sdk-date,' in headers['Authorization']
    assert headers['Authorization'].endswith('Signature=080e0fb07377ba27173385ff28047687847f4dfeb6bbab088600dd3400f9f64e')
    assert headers['X_Ignored_Header'] == 'x'


@pytest.mark.parametrize('path, expected', [
    ('/v2/p/events', '/v2/p/events/'),
    ('/v2/p/events/', '/v2/p/events/'),
    ('', '/'),
    ('/a%20b/c', '/a%20b/c/'),
    ('/a b/ü', '/a%20b/%C3%BC/'),
    ('/x~y_z-1.2', '/x~y_z-1.2/'),
])
def test_canonical_uri(path, expected):
    assert _signer.canonical_uri(path) == expected


def test_query_sorted_by_key_then_value_and_encoded():
    assert _signer.encode_query([('b', '2'), ('a', 'z'), ('a', 'y'), ('c', '*')]) == 'a=y&a=z&b=2&c=%2A'
    assert _signer.encode_query(None) == ''
    assert _signer.encode_query('x=1&empty=') == 'empty=&x=1'


def test_empty_body_hashes_empty_string():
    canonical = _signer.canonical_request('GET', 'https://h/p', {'Host': 'h'}, None, ['host'])
    assert canonical.endswith(hashlib.sha256(b'').hexdigest())
    assert canonical.split('\n') == ['GET', '/p/', '', 'host:h', '', 'host', hashlib.sha256(b'').hexdigest()]


def test_security_token_is_signed_and_existing_host_kept():
    headers = _signer.sign_request('PUT', 'https://aom.example:8443/v2/p/push/events', {'host': 'other:1'}, b'{}',
                                   AK, SK, security_token='tok', sdk_date=DATE)
    assert headers['host'] == 'other:1' and 'Host' not in headers
    assert headers['X-Security-Token'] == 'tok'
    _unused, signed, _unused = _signer.parse_authorization(headers['Authorization'])
    assert signed == ['host', 'x-sdk-date', 'x-security-token']


def test_port_is_part_of_host():
    headers = _signer.sign_request('PUT', 'http://127.0.0.1:8080/v2/p/push/events', {}, b'', AK, SK, sdk_date=DATE)
    assert headers['Host'] == '127.0.0.1:8080'


def test_signature_changes_with_body_query_and_key():
    def sig(url='https://h/p?a=1', body=b'{}', sk=SK):
        return _signer.sign_request('PUT', url, {}, body, AK, sk, sdk_date=DATE)['Authorization']
    base = sig()
    assert sig(body=b'{ }') != base
    assert sig(url='https://h/p?a=2') != base
    assert sig(sk=SK + 'x') != base
    assert sig() == base


def test_input_headers_are_not_mutated():
    original = {'Content-Type': 'application/json'}
    _signer.sign_request('PUT', 'https://h/p', original, b'', AK, SK)
    assert original == {'Content-Type': 'application/json'}


@pytest.mark.parametrize('value', ['', 'Basic abc', 'SDK-HMAC-SHA256 Access=a, Signature=00',
                                   'SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=XYZ'])
def test_parse_authorization_rejects_malformed(value):
    with pytest.raises(ValueError):
        _signer.parse_authorization(value)


def test_sdk_date_round_trip():
    moment = _signer.parse_sdk_date(DATE)
    assert _signer.format_sdk_date(moment) == DATE
    with pytest.raises(ValueError):
        _signer.parse_sdk_date('2024-01-01')
