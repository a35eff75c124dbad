"""Reading a request's JSON body as the service does: declared JSON, parsed without crashing on
nesting or strings SQLite cannot store. Every endpoint that takes a body reads it here."""

from __future__ import annotations

import json

from aiohttp import web

from .problems import BadRequest, UnsupportedMediaType

JSON_MEDIA_TYPE = "application/json"


async def read_json(request: web.Request) -> object:
    """The parsed body of a request that must declare ``Content-Type: application/json``."""
    # aiohttp's content_type is the media type alone, lower-cased (no charset parameter).
    if request.content_type != JSON_MEDIA_TYPE:
        raise UnsupportedMediaType(f"Content-Type: must be {JSON_MEDIA_TYPE} (optionally with a charset)")
    return parse_json(await request.read())


def parse_json(raw: bytes) -> object:
    """Parsed JSON; raises BadRequest for invalid JSON, nesting deeper than the parser goes, or a
    string holding a lone surrogate (valid JSON escapes, but not storable UTF-8)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise BadRequest("request body: JSON nested too deeply") from None
    except ValueError:
        raise BadRequest("request body must be valid JSON") from None
    _check_unicode(value)
    return value


def _check_unicode(value: object) -> None:
    # Iterative: the structure can be as deep as the parser allowed, deeper than Python recursion.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BadRequest("request body: a string is not valid Unicode (lone surrogate)") from None
