"""The three error body shapes the real endpoints answer with, as aiohttp responses, and the one
place that turns an exception raised while serving a request into the answer the client gets.

- AOM service errors: ``{"error_code", "error_msg", "error_type"}``
- API gateway errors (auth, throttling, unknown API, body too large): ``{"error_code", "error_msg", "request_id"}``
- IAM errors: ``{"error": {"code", "message", "title"}}``
"""

from __future__ import annotations

import logging

from aiohttp import web

from .problems import aom_error_body, refusal

REQUEST_ID = web.RequestKey("request_id", str)  # the id sent back in X-Request-Id

AOM_FORBIDDEN = "AOM.30001005"
GATEWAY_BAD_AUTH = "APIG.0301"
GATEWAY_BAD_TOKEN = "APIG.1002"
GATEWAY_NO_API = "APIG.0101"
GATEWAY_BAD_REQUEST = "APIG.0201"  # the gateway's code for 400, 413, 414 and 494 alike
# Gateway error codes by status, for injected faults and for the emulator's own failures.
GATEWAY_CODES = {401: GATEWAY_BAD_TOKEN, 403: "APIG.1005", 404: GATEWAY_NO_API, 429: "APIG.0308",
                 500: "APIG.0203", 502: "APIG.0202", 503: "APIG.0203", 504: "APIG.0201"}
# What the gateway answers itself, before the service sees the request (its documented messages).
_GATEWAY_ANSWERS = {
    web.HTTPNotFound: (404, GATEWAY_NO_API, "The API does not exist or has not been published in the environment."),
    # A method the API does not have is an unknown API to the gateway: 404, not 405.
    web.HTTPMethodNotAllowed: (404, GATEWAY_NO_API, "The API does not exist."),
    web.HTTPRequestEntityTooLarge: (413, GATEWAY_BAD_REQUEST, "Request entity too large."),
}
_log = logging.getLogger(__name__)


def aom_error(status: int, code: str, message: str, error_type: str) -> web.Response:
    return web.json_response(aom_error_body(code, message, error_type), status=status)


def forbidden(message: str) -> web.Response:
    return aom_error(403, AOM_FORBIDDEN, message, "FORBIDDEN")


def gateway_error(request: web.Request, status: int, code: str, message: str,
                  headers: dict | None = None) -> web.Response:
    body = {"error_code": code, "error_msg": message, "request_id": request.get(REQUEST_ID, "")}
    return web.json_response(body, status=status, headers=headers)


def iam_error(status: int, title: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message, "title": title}}, status=status)


def answer_for(request: web.Request, exc: Exception) -> web.Response:
    """The response for an exception that escaped a handler: never aiohttp's text pages, and a 500
    only for a defect of the emulator (logged with its traceback, never its text in the answer)."""
    refused = refusal(exc)
    if refused is not None:
        return web.json_response(refused[1], status=refused[0])
    if isinstance(exc, web.HTTPException):
        status, code, message = _GATEWAY_ANSWERS.get(type(exc), (exc.status, GATEWAY_BAD_REQUEST, "API request error."))
        return gateway_error(request, status, code, message)
    _log.error("emulator defect serving %s %s", request.method, request.path, exc_info=exc)
    return gateway_error(request, 500, GATEWAY_CODES[500], "Internal error of the emulator (see its log).")
