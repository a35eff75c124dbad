# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud API Gateway request signing (``SDK-HMAC-SHA256``), as pure functions.

This follows the official SDK's signer step by step (see aom-api.md section 4). It has no
third-party dependency so that the local emulator can verify signatures with the very same
code that produces them.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union
from urllib.parse import quote, unquote, urlsplit, parse_qsl

ALGORITHM = 'SDK-HMAC-SHA256'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
# RFC 3986 unreserved characters: everything else is percent-encoded, hex upper-case.
_UNRESERVED = '-_.~'

_AUTH_RE = re.compile(
    r'^' + ALGORITHM + r'\s+Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<sh>[^,\s]+),\s*Signature=(?P<sig>[0-9a-f]+)$'
)


# A query as a string, a mapping or (key, value) pairs; a body as text or bytes.
Query = Union[None, str, Mapping[Any, Any], Iterable[Tuple[Any, Any]]]
Body = Union[None, str, bytes, bytearray]


def _encode(value: str) -> str:
    return quote(value, safe=_UNRESERVED)


def _to_bytes(body: Body) -> bytes:
    if body is None:
        return b''
    if isinstance(body, str):
        return body.encode('utf-8')
    return bytes(body)


def format_sdk_date(moment: Optional[datetime.datetime] = None) -> str:
    """``YYYYMMDDTHHMMSSZ`` for ``moment`` (an aware datetime) or now, in UTC."""
    moment = moment or datetime.datetime.now(datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).strftime(DATE_FORMAT)


def parse_sdk_date(value: str) -> datetime.datetime:
    """The aware UTC datetime of an ``X-Sdk-Date`` value; raises ValueError when malformed."""
    return datetime.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=datetime.timezone.utc)


def canonical_uri(path: str) -> str:
    """The path decoded, then each segment re-encoded; a trailing ``/`` is always present."""
    segments = [_encode(segment) for segment in unquote(path or '/').split('/')]
    uri = '/'.join(segments)
    return uri if uri.endswith('/') else uri + '/'


def query_pairs(query: Query) -> List[Tuple[str, str]]:
    """``query`` as a list of (key, value) pairs: from a query string, a dict or pairs."""
    if query is None:
        return []
    if isinstance(query, str):
        return parse_qsl(query, keep_blank_values=True)
    if isinstance(query, dict):
        return [(str(k), '' if v is None else str(v)) for k, v in query.items()]
    return [(str(k), '' if v is None else str(v)) for k, v in query]


def encode_query(query: Query) -> str:
    """The canonical query string: pairs sorted by key then value, both RFC 3986 encoded.

    The client sends exactly this string, so what is signed is what travels.
    """
    pairs = sorted(query_pairs(query))
    return '&'.join('%s=%s' % (_encode(k), _encode(v)) for k, v in pairs)


def signed_header_names(headers: Mapping[str, str]) -> List[str]:
    """Lower-cased, sorted names of the headers that are signed (those without ``_``)."""
    return sorted({name.lower() for name in headers if '_' not in name})


def _header_value(headers: Mapping[str, str], name: str) -> Optional[str]:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def canonical_request(method: str, url: str, headers: Mapping[str, str], body: Body, signed_headers: List[str]) -> str:
    """The six-line canonical request of the SDK signer."""
    parts = urlsplit(url)
    canonical_headers = ''.join(
        '%s:%s\n' % (name, (_header_value(headers, name) or '').strip()) for name in signed_headers
    )
    return '\n'.join([
        method.upper(),
        canonical_uri(parts.path),
        encode_query(parts.query),
        canonical_headers,
        ';'.join(signed_headers),
        hashlib.sha256(_to_bytes(body)).hexdigest(),
    ])


def string_to_sign(canonical: str, sdk_date: str) -> str:
    return '%s\n%s\n%s' % (ALGORITHM, sdk_date, hashlib.sha256(canonical.encode('utf-8')).hexdigest())


def signature(secret_key: str, to_sign: str) -> str:
    return hmac.new(secret_key.encode('utf-8'), to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def authorization_header(access_key: str, signed_headers: List[str], sig: str) -> str:
    return '%s Access=%s, SignedHeaders=%s, Signature=%s' % (ALGORITHM, access_key, ';'.join(signed_headers), sig)


def parse_authorization(value: Optional[str]) -> Tuple[str, List[str], str]:
    """``(access_key, [signed header names], signature)`` of an Authorization header value."""
    match = _AUTH_RE.match((value or '').strip())
    if not match:
        raise ValueError('the Authorization header is not an %s signature' % ALGORITHM)
    return match.group('ak'), match.group('sh').split(';'), match.group('sig')


def sign_request(method: str, url: str, headers: Optional[Mapping[str, str]], body: Body, access_key: str,
                 secret_key: str, project_id: Optional[str] = None, security_token: Optional[str] = None,
                 sdk_date: Optional[str] = None) -> Dict[str, str]:
    """A new headers dict: ``headers`` plus the date, host, project, token and Authorization."""
    signed = dict(headers or {})
    signed['X-Sdk-Date'] = sdk_date or format_sdk_date()
    if _header_value(signed, 'host') is None:
        signed['Host'] = urlsplit(url).netloc
    if project_id:
        signed['X-Project-Id'] = project_id
    if security_token:
        signed['X-Security-Token'] = security_token
    names = signed_header_names(signed)
    canonical = canonical_request(method, url, signed, body, names)
    sig = signature(secret_key, string_to_sign(canonical, signed['X-Sdk-Date']))
    signed['Authorization'] = authorization_header(access_key, names, sig)
    return signed
