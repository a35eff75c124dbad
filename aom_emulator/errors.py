"""The three error body shapes the real endpoints answer with, as aiohttp responses.

- AOM service errors: ``{"error_code", "error_msg", "error_type"}``
- API gateway errors (auth, throttling, unknown API): ``{"error_code", "error_msg", "request_id"}``
- IAM errors: ``{"error": {"code", "message", "title"}}``
"""

from __future__ import annotations

from aiohttp import web

REQUEST_ID = web.RequestKey("request_id", str)  # the id sent back in X-Request-Id

AOM_BAD_REQUEST = "AOM.30005001"
AOM_FORBIDDEN = "AOM.30001005"
GATEWAY_BAD_AUTH = "APIG.0301"
GATEWAY_BAD_TOKEN = "APIG.1002"
GATEWAY_NO_API = "APIG.0101"


class BadRequest(Exception):
    """Invalid request parameters; answered as 400 ``AOM.30005001`` with this message."""


def aom_error(status: int, code: str, message: str, error_type: str) -> web.Response:
    return web.json_response({"error_code": code, "error_msg": message, "error_type": error_type}, status=status)


def bad_request(message: str) -> web.Response:
    return aom_error(400, AOM_BAD_REQUEST, message, "BAD_REQUEST")


def forbidden(message: str) -> web.Response:
    return aom_error(403, AOM_FORBIDDEN, message, "FORBIDDEN")


def gateway_error(request: web.Request, status: int, code: str, message: str,
                  headers: dict | None = None) -> web.Response:
    body = {"error_code": code, "error_msg": message, "request_id": request.get(REQUEST_ID, "")}
    return web.json_response(body, status=status, headers=headers)


def iam_error(status: int, title: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message, "title": title}}, status=status)
