# -*- coding: utf-8 -*-
# Copyright: contributors to the huaweicloud.aom collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one exception family of the collection, and the parsing of AOM error bodies."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Mapping, Sequence

# What a person can do about a status, appended to the service's own words.
_HINTS = {
    400: 'the service rejected the request as malformed; check the event fields',
    401: 'check the credentials (access_key/secret_key, auth_token, or user/password/domain) and the clock (AK/SK signatures allow 15 minutes of skew)',
    403: 'the credentials are valid but not allowed here; check project_id/project_name and the IAM permissions for AOM',
    404: 'check endpoint and project_id',
    429: 'the service is throttling requests; lower the rate or raise retries',
}


class AOMError(Exception):
    """An AOM request failed, or could not be made. ``str()`` is safe to show: it holds no secret.

    ``error_kind`` says which kind of failure it is, as data (a module returns it, a role or a
    playbook decides on it, nobody parses the message): ``service`` here (the request could not
    be made, timed out, or AOM or IAM answered an error), ``config`` for AOMConfigError and
    ``input`` for AOMValidationError. Subclasses inherit their parent's kind.
    """

    error_kind = 'service'

    def __init__(self, message: str, status: int | None = None, error_code: str | None = None,
                 error_msg: str | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id

    def to_dict(self) -> dict:
        """The fields worth returning to a playbook (for ``fail_json``), ``error_kind`` first."""
        return {
            'error_kind': self.error_kind,
            'status': self.status,
            'error_code': self.error_code,
            'request_id': self.request_id,
        }

    @classmethod
    def from_response(cls, status: int | None, body: Any, headers: Mapping[str, str] | None,
                      action: str = 'AOM request', hidden: Sequence[str] = ()) -> AOMError:
        """Build the error of a non-2xx answer, whichever of the three body shapes it has.

        ``hidden``: values (secrets) the service may echo, removed from each field before it is
        cut to length (cut first, the part of a secret before the cut would survive).
        """
        code, msg, body_request_id = _parse_error_body(body, hidden)
        request_id = _shortened_str(_header(headers, 'X-Request-Id'), hidden) or body_request_id
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


class AOMConfigError(AOMError):
    """The options, or the setup of the host that runs the code (its Python), are incomplete or invalid; nothing was sent."""

    error_kind = 'config'


class AOMValidationError(AOMError):
    """Input refused before anything is sent, with every problem found (not only the first).

    ``errors`` lists the problems, each a dict (see ``problem``): ``index`` (the event of a batch it
    is about, ``events[index]``, or None), ``path`` (where in the input, as written:
    ``events[3].metadata.event_severity``, ``since``), ``field`` (the path inside that event,
    ``metadata.event_severity``; ``''`` for the event as a whole; the path itself when ``index`` is
    None) and ``message`` (what is wrong and what is allowed, without the path). ``str()`` names
    each problem after its path; ``path`` is the first problem's.

    ``AOMValidationError(message, path=None)`` is one problem; ``AOMValidationError(errors=[...])``
    several.
    """

    error_kind = 'input'

    def __init__(self, message: str | None = None, path: str | None = None,
                 errors: list[dict] | None = None) -> None:
        if errors is None:
            errors = [problem(path, message or '')]
        super().__init__(summary(errors))
        self.errors = list(errors)
        self.path = self.errors[0]['path'] if self.errors else path

    def to_dict(self) -> dict:
        """``error_kind``, ``path`` (the first problem's) and ``errors`` (all of them), for ``fail_json``."""
        return {'error_kind': self.error_kind, 'path': self.path, 'errors': self.errors}


# At most this many problems are named in the text of an AOMValidationError (all are in ``errors``).
SUMMARY_LIMIT = 10


def problem(path: str | None, message: str, index: int | None = None, field: str | None = None) -> dict:
    """One problem of an AOMValidationError: ``{'index', 'path', 'field', 'message'}`` (see there)."""
    path = path or ''
    return {'index': index, 'path': path, 'field': path if field is None else field, 'message': message}


def problem_text(found: dict) -> str:
    """One problem as a person reads it: ``events[2].timeout: -5 is negative; expected a duration``."""
    return '%s: %s' % (found['path'], found['message']) if found['path'] else found['message']


def summary(errors: list[dict]) -> str:
    """The text of a list of problems: the problem itself, or ``N problems: ...; ...`` naming the first ones."""
    texts = [problem_text(found) for found in errors[:SUMMARY_LIMIT]]
    if len(errors) == 1:
        return texts[0]
    more = len(errors) - len(texts)
    return '%d problems: %s%s' % (len(errors), '; '.join(texts),
                                  '; and %d more (see errors)' % more if more else '')


class Problems:
    """Collects the problems of some input, to raise them all at once with ``check()``.

    ``error``: the AOMValidationError class ``check()`` raises.
    """

    def __init__(self, error: type[AOMValidationError] = AOMValidationError) -> None:
        self.found: list[dict] = []
        self._error = error

    def add(self, path: str | None, message: str, index: int | None = None, field: str | None = None) -> None:
        self.found.append(problem(path, message, index, field))

    def extend(self, err: AOMValidationError) -> None:
        """Record the problems of ``err`` (raised by a parser that stops at its first)."""
        self.found.extend(err.errors)

    def attempt(self, parse: Callable[..., Any], *args: Any) -> Any:
        """``parse(*args)``, or None with its problems recorded."""
        try:
            return parse(*args)
        except AOMValidationError as err:
            self.extend(err)
            return None

    def check(self) -> None:
        """Raise an AOMValidationError with every problem recorded, if any."""
        if self.found:
            raise self._error(errors=self.found)


REDACTED = '<redacted>'


def redact(text: str, values: Iterable[str]) -> str:
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


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _parse_error_body(body: Any, hidden: Sequence[str] = ()) -> tuple[str | None, str | None, str | None]:
    """``(error_code, error_msg, request_id)`` from any of the service's error shapes, without ``hidden``."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode('utf-8', 'replace')
    if isinstance(body, str):
        try:
            body = json.loads(body) if body.strip() else None
        except ValueError:
            return None, _shortened_str(body, hidden), None
    if not isinstance(body, dict):
        return None, None, None
    # IAM nests its error: {"error": {"code": 401, "message": "...", "title": "..."}}
    if isinstance(body.get('error'), dict):
        inner = body['error']
        return (_shortened_str(inner.get('title') or inner.get('code'), hidden),
                _shortened_str(inner.get('message'), hidden), None)
    code = body.get('error_code') or body.get('errorCode')
    msg = body.get('error_msg') or body.get('errorMessage') or body.get('message')
    return (_shortened_str(code, hidden), _shortened_str(msg, hidden),
            _shortened_str(body.get('request_id') or body.get('trace_id'), hidden))


def _shortened_str(value: object, hidden: Sequence[str] = ()) -> str | None:
    """``value`` as a string without ``hidden``, of at most 500 characters (None stays None): one field of an error body."""
    if value is None:
        return None
    text = redact(str(value), hidden).strip()
    return text if len(text) <= 500 else text[:500] + '...'
