"""Fault injection for tests and benchmarks: rules set through ``POST /_emulator/faults``.

Each rule applies to the next ``count`` non-control requests it matches (optional ``path``
substring and ``method``); the first matching rule with requests left wins. A faulted request
is logged but never authenticated or processed, so it does not touch the store — except a rule
with only ``delay``, which waits and then lets the request through normally.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass

from aiohttp import web

from .errors import GATEWAY_CODES, gateway_error

MALFORMED_BODY = b'{"events": ['
DROPPED = 0  # status logged for a dropped connection
CONNECTION_DROPPED = web.RequestKey("connection_dropped", bool)


@dataclass
class FaultRule:
    count: int = 1
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    malformed: bool = False
    path: str | None = None
    method: str | None = None

    @classmethod
    def from_json(cls, data: object) -> "FaultRule":
        """A rule from its JSON object; raises ValueError naming the bad field."""
        if not isinstance(data, dict):
            raise ValueError("a fault rule must be an object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        rule = cls(**data)
        if not isinstance(rule.count, int) or isinstance(rule.count, bool) or rule.count < 1:
            raise ValueError("count must be an integer >= 1")
        if rule.status is not None and (not isinstance(rule.status, int) or not 100 <= rule.status <= 599):
            raise ValueError("status must be an HTTP status code")
        for name in ("retry_after", "delay"):
            value = getattr(rule, name)
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
                raise ValueError(f"{name} must be a number >= 0")
        if rule.delay is None:
            rule.delay = 0.0
        for name in ("path", "method"):
            if getattr(rule, name) is not None and not isinstance(getattr(rule, name), str):
                raise ValueError(f"{name} must be a string")
        if not (rule.status or rule.drop or rule.malformed or rule.delay):
            raise ValueError("a fault rule needs status, drop, malformed or delay")
        return rule

    def matches(self, request: web.Request) -> bool:
        return ((self.path is None or self.path in request.path)
                and (self.method is None or self.method.upper() == request.method))

    @property
    def delay_only(self) -> bool:
        return not (self.status or self.drop or self.malformed)


class FaultInjector:
    def __init__(self):
        # Only touched from the event loop: no lock needed.
        self._rules: list[FaultRule] = []

    def add(self, rules: list[FaultRule]) -> None:
        self._rules.extend(rules)

    def clear(self) -> None:
        self._rules.clear()

    def pending(self) -> list[dict]:
        return [asdict(rule) for rule in self._rules]

    def take(self, request: web.Request) -> FaultRule | None:
        """The rule that applies to this request, its count used up by one."""
        for rule in self._rules:
            if rule.matches(request):
                rule.count -= 1
                if rule.count == 0:
                    self._rules.remove(rule)
                return rule
        return None


async def answer_with_fault(request: web.Request, rule: FaultRule) -> web.StreamResponse | None:
    """The faulty answer, or None when the rule only delays and the request proceeds."""
    await request.read()  # let the client finish sending, so a drop is seen as a lost answer
    if rule.delay:
        await asyncio.sleep(rule.delay)
    if rule.drop:
        request[CONNECTION_DROPPED] = True
        if request.transport is not None:
            request.transport.abort()
        # aiohttp quietly discards a response to an aborted connection: the client sees the
        # connection close without an answer.
        return web.Response(status=503)
    if rule.malformed:
        return web.Response(status=200, body=MALFORMED_BODY, content_type="application/json")
    if rule.status:
        headers = {}
        if rule.retry_after is not None:
            value = rule.retry_after
            headers["Retry-After"] = str(int(value)) if float(value).is_integer() else str(value)
        # Gateway error codes for injected statuses, so clients see realistic bodies.
        code = GATEWAY_CODES.get(rule.status, f"APIG.{rule.status:04d}")
        return gateway_error(request, rule.status, code, f"injected fault: HTTP {rule.status}", headers)
    return None
