"""``POST /v3/auth/tokens``: IAM password authentication scoped to a project."""

from __future__ import annotations

import datetime
import secrets

from aiohttp import web

from .accounts import Accounts, User
from .auth import AUTH_LABEL, token_digest
from .body import parse_json
from .errors import iam_error
from .problems import BadRequest
from .store import AsyncStore, TokenRecord

TOKEN_LIFETIME_MS = 24 * 3600 * 1000
WRONG_CREDENTIALS = "The username or password is wrong."


class MalformedAuth(ValueError):
    pass


def _iso(ms: int) -> str:
    moment = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _parse_password_auth(body: object) -> tuple[str, str, str, dict]:
    """(domain, user, password, project scope) of a token request; raises MalformedAuth."""
    try:
        auth = body["auth"]
        identity = auth["identity"]
        if "password" not in identity["methods"]:
            raise MalformedAuth("only the password method is supported")
        user = identity["password"]["user"]
        domain, name, password = user["domain"]["name"], user["name"], user["password"]
        scope = auth["scope"]["project"]
    except (KeyError, TypeError):
        raise MalformedAuth("expected auth.identity.password.user{domain.name,name,password} "
                            "and auth.scope.project{name|id}") from None
    if not all(isinstance(value, str) for value in (domain, name, password)) or not isinstance(scope, dict):
        raise MalformedAuth("user, domain and password must be strings")
    return domain, name, password, scope


def _scoped_project(user: User, scope: dict) -> tuple[str, str] | None:
    """(project id, project name) of the scope when the user has it."""
    if isinstance(scope.get("id"), str):
        name = user.project_name(scope["id"])
        return (scope["id"], name) if name is not None else None
    if isinstance(scope.get("name"), str) and scope["name"] in user.projects:
        return user.projects[scope["name"]], scope["name"]
    return None


def make_token_handler(accounts: Accounts, store: AsyncStore):
    async def issue_token(request: web.Request) -> web.Response:
        request[AUTH_LABEL] = "none"
        try:
            body = parse_json(await request.read())
            domain, name, password, scope = _parse_password_auth(body)
        except (BadRequest, MalformedAuth) as exc:
            return iam_error(400, "Bad Request", str(exc))

        request[AUTH_LABEL] = "invalid"
        user = accounts.check_password(domain, name, password)
        if user is None:
            return iam_error(401, "Unauthorized", WRONG_CREDENTIALS)
        project = _scoped_project(user, scope)
        if project is None:
            return iam_error(401, "Unauthorized", "The project in the scope is not found or not accessible.")
        request[AUTH_LABEL] = "password"

        token = "MII" + secrets.token_urlsafe(96)
        now = store.clock()
        record = TokenRecord(user.domain, user.name, project[0], project[1], now, now + TOKEN_LIFETIME_MS)
        await store.run(store.store.save_token, token_digest(token), record)
        return web.json_response(
            {"token": {
                "methods": ["password"],
                "expires_at": _iso(record.expires_at),
                "issued_at": _iso(record.issued_at),
                "project": {"id": record.project_id, "name": record.project_name,
                            "domain": {"name": user.domain}},
                "user": {"name": user.name, "domain": {"name": user.domain}},
            }},
            status=201,
            headers={"X-Subject-Token": token},
        )

    return issue_token
