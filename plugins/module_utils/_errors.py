# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one exception family of the collection, and the parsing of AOM error bodies."""

from __future__ import annotations

import json

# What a person can do about a status, appended to the service's own words.
_HINTS = {
    400: 'the service rejected the request as malformed; check the event fields',
    401: 'check the credentials (access_key/secret_key, auth_token, or user/password/domain) and the clock (AK/SK signatures allow 15 minutes of skew)',
    403: 'the credentials are valid but not allowed here; check project_id/project_name and the IAM permissions for AOM',
    404: 'check endpoint and project_id',
    429: 'the service is throttling requests; lower the rate or raise retries',
}


class AOMError(Exception):
    """An AOM request failed, or could not be made. ``str()`` is safe to show: it holds no secret."""

    def __init__(self, message, status=None, error_code=None, error_msg=None, request_id=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id

    def to_dict(self):
        """The fields worth returning to a playbook (for ``fail_json``)."""
        return {
            'status': self.status,
            'error_code': self.error_code,
            'request_id': self.request_id,
        }

    @classmethod
    def from_response(cls, status, body, headers, action='AOM request'):
        """Build the error of a non-2xx answer, whichever of the three body shapes it has."""
        code, msg, body_request_id = _parse_error_body(body)
        request_id = _header(headers, 'X-Request-Id') or body_request_id
        parts = ['%s failed: HTTP %s' % (action, status)]
        if code:
            parts.append(' %s' % code)
        if msg:
            parts.append(': %s' % msg)
        hint = _HINTS.get(status) or ('the service is unavailable; retry later' if status and status >= 500 else None)
        if hint:
            parts.append(' (%s)' % hint)
        if request_id:
            parts.append(' [request id %s]' % request_id)
        return cls(''.join(parts), status=status, error_code=code, error_msg=msg, request_id=request_id)

    def redacted(self, values):
        """This error with every one of ``values`` (secrets) removed from its texts."""
        def clean(text):
            return None if text is None else redact(text, values)
        return type(self)(clean(self.message), status=self.status, error_code=clean(self.error_code),
                          error_msg=clean(self.error_msg), request_id=clean(self.request_id))


class AOMConfigError(AOMError):
    """The options are incomplete or invalid; nothing was sent."""


class AOMValidationError(AOMError):
    """An event is invalid; ``path`` names the field (``events[3].metadata.event_severity``)."""

    def __init__(self, message, path=None):
        super().__init__(message)
        self.path = path

    def to_dict(self):
        return {'path': self.path}


REDACTED = '<redacted>'


def redact(text, values):
    """``text`` without any of ``values``, as written or as Python or JSON would escape them in a message."""
    forms = set()
    for value in values:
        if not value:
            continue
        forms.add(value)
        forms.add(repr(value)[1:-1])
        forms.add(json.dumps(value)[1:-1])
        for encoding in ('utf-8', 'latin-1'):
            try:
                forms.add(repr(value.encode(encoding))[2:-1])
            except UnicodeEncodeError:
                pass
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


def _header(headers, name):
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _parse_error_body(body):
    """``(error_code, error_msg, request_id)`` from any of the service's error shapes."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode('utf-8', 'replace')
    if isinstance(body, str):
        try:
            body = json.loads(body) if body.strip() else None
        except ValueError:
            return None, _shorten(body), None
    if not isinstance(body, dict):
        return None, None, None
    # IAM nests its error: {"error": {"code": 401, "message": "...", "title": "..."}}
    if isinstance(body.get('error'), dict):
        inner = body['error']
        return _text(inner.get('title') or inner.get('code')), _text(inner.get('message')), None
    code = body.get('error_code') or body.get('errorCode')
    msg = body.get('error_msg') or body.get('errorMessage') or body.get('message')
    return _text(code), _text(msg), _text(body.get('request_id') or body.get('trace_id'))


def _text(value):
    return None if value is None else _shorten(str(value))


def _shorten(text, limit=500):
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + '...'
