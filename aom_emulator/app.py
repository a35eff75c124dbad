"""The aiohttp application: routes plus four middlewares, outermost first:

1. ``log_request``: gives every request an id (``X-Request-Id`` on every response) and logs
   non-control requests with the status that was sent.
2. ``answer_errors``: no exception escapes; each becomes the answer the gateway or the service
   gives (``errors.answer_for``): unknown API, body too large, bad request... never a text page.
3. ``inject_faults``: applies a pending fault rule instead of processing the request.
4. ``authenticate``: AOM (``/v2/``) calls need a valid token or AK/SK signature for the path's project.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from types import ModuleType

from aiohttp import web

from .accounts import Accounts
from .aom import aom_routes
from .auth import AUTH_LABEL, Authenticator, classify_credentials, load_signer
from .control import PREFIX as CONTROL_PREFIX
from .control import control_routes
from .errors import REQUEST_ID, answer_for
from .faults import CONNECTION_DROPPED, DROPPED, FaultInjector, answer_with_fault
from .iam import make_token_handler
from .mute_api import mute_routes
from .requestlog import EVENT_COUNT, RequestLog, count_events
from .store import AsyncStore, Store

MAX_BODY_BYTES = 12 * 1024 * 1024  # the gateway's cap on signed bodies

STORE = web.AppKey("store", AsyncStore)
FAULTS = web.AppKey("faults", FaultInjector)
REQUEST_LOG = web.AppKey("request_log", RequestLog)


def epoch_ms() -> int:
    return time.time_ns() // 1_000_000


def create_app(db_path: str, accounts: Accounts | None = None, *, clock: Callable[[], int] = epoch_ms,
               signer: ModuleType | None = None) -> web.Application:
    store = AsyncStore(Store(db_path), clock)
    faults = FaultInjector()
    log = RequestLog()
    authenticator = Authenticator(accounts or Accounts.demo(), store, signer or load_signer())

    @web.middleware
    async def log_request(request: web.Request, handler) -> web.StreamResponse:
        request[REQUEST_ID] = uuid.uuid4().hex
        if request.path.startswith(CONTROL_PREFIX):
            return await handler(request)
        status = DROPPED  # stays so only when the connection is lost mid-request
        try:
            response = await handler(request)
            status = DROPPED if request.get(CONNECTION_DROPPED) else response.status
            return response
        finally:
            log.record(method=request.method, path=request.path, query=dict(request.query), status=status,
                       auth=request.get(AUTH_LABEL, "none"), event_count=request.get(EVENT_COUNT, 0),
                       at=clock(), request_id=request[REQUEST_ID])

    @web.middleware
    async def answer_errors(request: web.Request, handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return await handler(request)
        try:
            return await handler(request)
        except Exception as exc:  # noqa: BLE001 - every failure gets an answer, see errors.answer_for
            return answer_for(request, exc)

    @web.middleware
    async def inject_faults(request: web.Request, handler) -> web.StreamResponse:
        rule = None if request.path.startswith(CONTROL_PREFIX) else faults.take(request)
        if rule is None:
            return await handler(request)
        request[AUTH_LABEL] = classify_credentials(request)  # unverified: the request is not processed
        if request.path.endswith("/push/events"):
            request[EVENT_COUNT] = count_events(await request.read())
        response = await answer_with_fault(request, rule)
        if response is None:  # a pure delay: now process normally
            return await handler(request)
        return response

    @web.middleware
    async def authenticate(request: web.Request, handler) -> web.StreamResponse:
        if request.path.startswith("/v2/") and "project_id" in request.match_info:
            refusal = await authenticator.check(request, request.match_info["project_id"])
            if refusal is not None:
                return refusal
        return await handler(request)

    async def add_request_id(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["X-Request-Id"] = request.get(REQUEST_ID) or uuid.uuid4().hex

    async def close_store(app: web.Application) -> None:
        await store.close()

    app = web.Application(middlewares=[log_request, answer_errors, inject_faults, authenticate], client_max_size=MAX_BODY_BYTES)
    app[STORE], app[FAULTS], app[REQUEST_LOG] = store, faults, log
    app.add_routes([web.post("/v3/auth/tokens", make_token_handler(authenticator.accounts, store))])
    app.add_routes(aom_routes(store))
    app.add_routes(mute_routes(store))
    app.add_routes(control_routes(store, faults, log))
    app.on_response_prepare.append(add_request_id)
    app.on_cleanup.append(close_store)
    return app
