"""AOM v2 event endpoints: push (report/clear), list, statistic. Authentication happened before."""

from __future__ import annotations

from aiohttp import web

from .body import read_json
from .problems import BadRequest
from .query import MAX_STATISTIC_BUCKETS, EventQuery, parse_event_query
from .requestlog import EVENT_COUNT
from .store import AsyncStore
from .validation import SEVERITIES, validate_push

DEFAULT_ENTERPRISE_PROJECT = "0"


def aom_routes(store: AsyncStore) -> list[web.RouteDef]:
    async def push_events(request: web.Request) -> web.Response:
        project_id = request.match_info["project_id"]
        enterprise_project_id = request.headers.get("Enterprise-Project-Id") or DEFAULT_ENTERPRISE_PROJECT
        clearing = request.query.get("action") == "clear"
        body = await read_json(request)
        if isinstance(body, dict) and isinstance(body.get("events"), list):
            request[EVENT_COUNT] = len(body["events"])
        events = validate_push(body, clearing)  # BadRequest is answered by the app's error middleware
        write = store.store.clear if clearing else store.store.report
        await store.run(write, project_id, enterprise_project_id, events, store.clock())
        return web.Response(status=204)  # committed: the push is durable before we answer

    async def _event_query(request: web.Request) -> EventQuery:
        return parse_event_query(request.query, await read_json(request), store.clock(),
                                 request.headers.get("Enterprise-Project-Id"))

    async def list_events(request: web.Request) -> web.Response:
        query = await _event_query(request)
        events, next_marker = await store.run(store.store.list_page, request.match_info["project_id"], query,
                                              store.clock())
        request[EVENT_COUNT] = len(events)
        marker = request.query.get("marker") or "0"
        return web.json_response({"events": events, "page_info": {
            "current_count": len(events), "previous_marker": marker, "next_marker": next_marker}})

    async def event_statistic(request: web.Request) -> web.Response:
        query = await _event_query(request)
        step = query.step or max(query.end_ms - query.start_ms, 1)
        buckets = max(-(-(query.end_ms - query.start_ms) // step), 1)  # ceil; the end falls in the last
        if buckets > MAX_STATISTIC_BUCKETS:
            raise BadRequest(f"step: gives {buckets} buckets, at most {MAX_STATISTIC_BUCKETS}")
        found = await store.run(store.store.count_by_severity, request.match_info["project_id"], query,
                                store.clock())
        counts = {severity: [0] * buckets for severity in SEVERITIES}
        for starts_at, severity in found:
            # Active alarms that began before the range count in the first bucket.
            bucket = min(max((starts_at - query.start_ms) // step, 0), buckets - 1)
            counts.setdefault(severity, [0] * buckets)[bucket] += 1
        return web.json_response({
            "step": step,
            "timestamps": [query.start_ms + index * step for index in range(buckets)],
            "series": [{"event_severity": severity, "values": values} for severity, values in counts.items()],
            "summary": {severity: sum(values) for severity, values in counts.items()},
        })

    return [
        web.put("/v2/{project_id}/push/events", push_events),
        web.post("/v2/{project_id}/push/events", push_events),
        web.post("/v2/{project_id}/events", list_events),
        web.post("/v2/{project_id}/events/statistic", event_statistic),
    ]
