"""A bounded in-memory log of non-control requests, for tests (``GET /_emulator/requests``).

It holds no secret by construction: method, path, query parameters, status, how the request
authenticated, how many events it carried, and when. Never headers or body values.
"""

from __future__ import annotations

import json
from collections import deque

from aiohttp import web

MAX_ENTRIES = 10_000
# How many events a request carried (push) or answered (list); set by handlers.
EVENT_COUNT = web.RequestKey("event_count", int)


class RequestLog:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: deque[dict] = deque(maxlen=max_entries)

    def record(self, *, method: str, path: str, query: dict, status: int, auth: str, event_count: int,
               at: int, request_id: str) -> None:
        self._entries.append({"method": method, "path": path, "query": query, "status": status, "auth": auth,
                              "event_count": event_count, "at": at, "request_id": request_id})

    def entries(self) -> list[dict]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()


def count_events(body: bytes) -> int:
    """How many events a push body carries (0 when it is not a valid push body)."""
    try:
        events = json.loads(body).get("events")
    except (ValueError, AttributeError):
        return 0
    return len(events) if isinstance(events, list) else 0
