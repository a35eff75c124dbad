"""Checks the credentials of AOM (``/v2/...``) calls the way the API gateway does.

AK/SK signatures are recomputed with the collection's own signer
(``plugins/module_utils/_signer.py``, loaded by file path), so there is one algorithm in one place.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import importlib.util
from pathlib import Path
from types import ModuleType

from aiohttp import web

from .accounts import Accounts, user_id
from .errors import GATEWAY_BAD_AUTH, GATEWAY_BAD_TOKEN, forbidden, gateway_error
from .store import AsyncStore, TokenRecord

SIGNER_PATH = Path(__file__).resolve().parent.parent / "plugins" / "module_utils" / "_signer.py"
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)
# How the request authenticated (aksk, token, password, invalid, none), for the request log.
AUTH_LABEL = web.RequestKey("auth", str)
# The authenticated caller's user id (``accounts.user_id``), for the ``user_id`` of silence rules.
CALLER_ID = web.RequestKey("caller_id", str)


class AuthFailure(Exception):
    """Rejected credentials: answered 401 with a gateway error body."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def load_signer(path: Path = SIGNER_PATH) -> ModuleType:
    spec = importlib.util.spec_from_file_location("aom_emulator_signer", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise RuntimeError(f"the collection signer is missing: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def token_digest(token: str) -> str:
    """Tokens are stored and looked up by SHA-256 only. A header value's undecodable bytes come as
    surrogate escapes (aiohttp's decoding): hash the bytes as sent."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def classify_credentials(request: web.Request) -> str:
    """What the request carries, unverified: for requests that are never authenticated (faults)."""
    if request.headers.get("Authorization"):
        return "aksk"
    if request.headers.get("X-Auth-Token"):
        return "token"
    return "none"


class Authenticator:
    def __init__(self, accounts: Accounts, store: AsyncStore, signer: ModuleType):
        self.accounts = accounts
        self.store = store
        self.signer = signer

    async def check(self, request: web.Request, project_id: str) -> web.Response | None:
        """None when the request may act on ``project_id``, else the error response to send.

        Sets ``request[AUTH_LABEL]`` to aksk, token, invalid or none.
        """
        try:
            if request.headers.get("Authorization"):
                request[AUTH_LABEL] = "invalid"
                user = await self._verify_signature(request)
                request[AUTH_LABEL] = "aksk"
                request[CALLER_ID] = user_id(user.domain, user.name)
                allowed = user.owns_project(project_id)
            elif request.headers.get("X-Auth-Token"):
                request[AUTH_LABEL] = "invalid"
                record = await self._verify_token(request.headers["X-Auth-Token"])
                request[AUTH_LABEL] = "token"
                request[CALLER_ID] = user_id(record.user_domain, record.user_name)
                allowed = record.project_id == project_id
            else:
                request[AUTH_LABEL] = "none"
                raise AuthFailure(GATEWAY_BAD_AUTH, "Incorrect IAM authentication information: "
                                  "no X-Auth-Token and no Authorization header")
        except AuthFailure as failure:
            return gateway_error(request, 401, failure.code, str(failure))
        if not allowed:
            return forbidden(f"the credentials do not grant access to project {project_id}")
        header_project = request.headers.get("X-Project-Id")
        if header_project is not None and header_project != project_id:
            return forbidden("X-Project-Id does not match the project in the path")
        return None

    async def _verify_token(self, token: str) -> TokenRecord:
        record = await self.store.run(self.store.store.find_token, token_digest(token))
        if record is None or record.expires_at <= self.store.clock():
            raise AuthFailure(GATEWAY_BAD_TOKEN, "Incorrect token or token resolution failed")
        return record

    async def _verify_signature(self, request: web.Request):
        def fail(reason: str) -> AuthFailure:
            return AuthFailure(GATEWAY_BAD_AUTH, f"Incorrect IAM authentication information: {reason}")

        try:
            access_key, signed_headers, sent_signature = self.signer.parse_authorization(
                request.headers["Authorization"])
        except ValueError:
            raise fail("the Authorization header is not an SDK-HMAC-SHA256 signature") from None
        found = self.accounts.find_access_key(access_key)
        if found is None:
            raise fail("unknown access key")
        user, key = found
        if "host" not in signed_headers or "x-sdk-date" not in signed_headers:
            raise fail("host and x-sdk-date must be signed")
        missing = [name for name in signed_headers if name not in request.headers]
        if missing:
            raise fail(f"signed header {missing[0]} is not in the request")
        sdk_date = request.headers["X-Sdk-Date"]
        try:
            signed_at = self.signer.parse_sdk_date(sdk_date)
        except ValueError:
            raise fail("X-Sdk-Date is not YYYYMMDDTHHMMSSZ") from None
        now = datetime.datetime.fromtimestamp(self.store.clock() / 1000, datetime.timezone.utc)
        if abs(now - signed_at) > MAX_CLOCK_SKEW:
            raise fail("X-Sdk-Date is more than 15 minutes away from the server time")
        if key.security_token is not None:
            sent_token = request.headers.get("X-Security-Token", "")
            if "x-security-token" not in signed_headers or not hmac.compare_digest(
                    sent_token.encode(), key.security_token.encode()):
                raise fail("temporary access key without its signed X-Security-Token")

        # Recompute over exactly what arrived: raw path and query, raw body bytes.
        body = await request.read()
        url = f"{request.scheme}://{request.headers['Host']}{request.raw_path}"
        canonical = self.signer.canonical_request(request.method, url, request.headers, body, signed_headers)
        expected = self.signer.signature(key.sk, self.signer.string_to_sign(canonical, sdk_date))
        if not hmac.compare_digest(expected.encode(), sent_signature.encode()):
            raise fail("the signature does not match the request")
        return user
