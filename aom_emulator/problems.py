"""The requests the service refuses: the exceptions the pure pieces (validation, query, store,
silence rules) raise, and the AOM error answer each gets (``errors.answer_for`` sends it).
Standard library only, so those pieces import without aiohttp (the unit tests' fake AOM uses them
in-process, on Pythons without it)."""

from __future__ import annotations

AOM_BAD_REQUEST = "AOM.30005001"
# Exceptions that only values sent by the client can cause (a JSON nesting deeper than the parser
# goes, an integer too large for SQLite, a string that cannot be encoded): a bad request, not a fault.
INPUT_ERRORS = (RecursionError, OverflowError, UnicodeError)


class BadRequest(Exception):
    """Invalid request parameters; answered as 400 ``AOM.30005001`` with this message."""


class UnsupportedMediaType(Exception):
    """A body that is not declared JSON; answered 415 (the emulator's choice, see the README)."""


def aom_error_body(code: str, message: str, error_type: str) -> dict:
    return {"error_code": code, "error_msg": message, "error_type": error_type}


def refusal(exc: BaseException) -> tuple[int, dict] | None:
    """(status, AOM error body) of a request that raised ``exc``; None when ``exc`` is no refusal."""
    if isinstance(exc, BadRequest):
        return 400, aom_error_body(AOM_BAD_REQUEST, str(exc), "BAD_REQUEST")
    if isinstance(exc, UnsupportedMediaType):
        return 415, aom_error_body(AOM_BAD_REQUEST, str(exc), "UNSUPPORTED_MEDIA_TYPE")
    if isinstance(exc, INPUT_ERRORS):
        message = f"request: a value is out of range or malformed ({type(exc).__name__})"
        return 400, aom_error_body(AOM_BAD_REQUEST, message, "BAD_REQUEST")
    return None
