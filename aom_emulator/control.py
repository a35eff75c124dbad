"""Control endpoints under ``/_emulator/`` for tests and benchmarks. No authentication: the
emulator is a local test tool; these endpoints expose no secret (none is stored)."""

from __future__ import annotations

import json

from aiohttp import web

from .faults import FaultInjector, FaultRule
from .requestlog import RequestLog
from .store import AsyncStore

PREFIX = "/_emulator/"


def control_routes(store: AsyncStore, faults: FaultInjector, log: RequestLog) -> list[web.RouteDef]:
    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def list_requests(request: web.Request) -> web.Response:
        return web.json_response({"requests": log.entries()})

    async def clear_requests(request: web.Request) -> web.Response:
        log.clear()
        return web.json_response({"requests": []})

    async def list_faults(request: web.Request) -> web.Response:
        return web.json_response({"faults": faults.pending()})

    async def add_faults(request: web.Request) -> web.Response:
        try:
            data = json.loads(await request.read())
            rules = [FaultRule.from_json(item) for item in (data if isinstance(data, list) else [data])]
        except (ValueError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        faults.add(rules)
        return web.json_response({"faults": faults.pending()})

    async def clear_faults(request: web.Request) -> web.Response:
        faults.clear()
        return web.json_response({"faults": []})

    async def dump_events(request: web.Request) -> web.Response:
        await store.run(store.store.expire_due, store.clock())
        rows = await store.run(store.store.dump, request.query.get("project_id"))
        return web.json_response({"events": rows})

    async def list_notifications(request: web.Request) -> web.Response:
        found = await store.run(store.store.notifications, request.query.get("project_id"))
        return web.json_response({"notifications": found})

    async def clear_notifications(request: web.Request) -> web.Response:
        await store.run(store.store.clear_notifications)
        return web.json_response({"notifications": []})

    return [
        web.get(PREFIX + "health", health),
        web.get(PREFIX + "requests", list_requests),
        web.delete(PREFIX + "requests", clear_requests),
        web.get(PREFIX + "faults", list_faults),
        web.post(PREFIX + "faults", add_faults),
        web.delete(PREFIX + "faults", clear_faults),
        web.get(PREFIX + "events", dump_events),
        web.get(PREFIX + "notifications", list_notifications),
        web.delete(PREFIX + "notifications", clear_notifications),
    ]
