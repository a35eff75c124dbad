"""Helpers for the emulator tests: constants, an event factory, a movable clock, a client
wrapper that calls the in-process app with a token or an AK/SK signature, and a launcher for the
real ``python -m aom_emulator`` process. (A uniquely named module, not conftest, so tests can
import it.)"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from aiohttp.test_utils import TestClient
from yarl import URL

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # `aom_emulator` lives at the repository root

from aom_emulator.accounts import DEMO_ACCOUNTS  # noqa: E402
from aom_emulator.auth import load_signer  # noqa: E402

PROJECT = "0123456789abcdef0123456789abcdef"  # demo cn-north-4
OTHER_PROJECT = "fedcba9876543210fedcba9876543210"  # demo cn-south-1
FOREIGN_PROJECT = "99999999999999999999999999999999"  # owned by "other-user" in TWO_USERS
DEMO = DEMO_ACCOUNTS["users"][0]
AK, SK = DEMO["access_keys"][0]["ak"], DEMO["access_keys"][0]["sk"]
TWO_USERS = {"users": [DEMO, {
    "domain": "other-domain", "name": "other-user", "password": "other-password",
    "projects": {"eu-west-0": FOREIGN_PROJECT},
    "access_keys": [{"ak": "OTHERAK0000000000000", "sk": "OTHERSK"}],
}]}
SIGNER = load_signer()


def alarm(name="disk full", severity="Major", resource_id="vm-1", starts_at=1_700_000_000_000, timeout=0,
          event_type="alarm", **extra_metadata):
    """An EventModel dict; timeout 0 keeps it active until cleared."""
    return {
        "starts_at": starts_at,
        "timeout": timeout,
        "metadata": {"event_name": name, "event_severity": severity, "event_type": event_type,
                     "resource_provider": "ecs", "resource_type": "vm", "resource_id": resource_id,
                     **extra_metadata},
        "annotations": {"message": f"{name} on {resource_id}"},
    }


def mute_rule(name="deploy_shop", match=None, mute_type="FIXED", starts_at=1_700_000_000_000,
              ends_at=1_700_001_800_000, scope=None, **fields):
    """A MuteRule body as the SDK serialises it (None fields left out)."""
    config = {"type": mute_type, "starts_at": starts_at}
    if ends_at is not None:
        config["ends_at"] = ends_at
    if scope is not None:
        config["scope"] = scope
    return {"name": name, "timezone": "UTC", **fields,
            "match": match if match is not None else [[{"key": "resource_id", "operate": "EQUALS",
                                                        "value": ["vm-1"]}]],
            "mute_config": config}


class FakeClock:
    """Epoch ms, starting at the real time (so real X-Sdk-Date values are fresh) and moved by hand."""

    def __init__(self):
        self.now = int(time.time() * 1000)

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


class Api:
    """Calls the in-process emulator like a client would."""

    def __init__(self, client: TestClient):
        self.client = client
        self._tokens: dict[str, str] = {}

    async def issue_token(self, project_name="cn-north-4", password="demo-password", scope=None):
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "domain": {"name": "demo-domain"}, "name": "demo-user", "password": password}}},
            "scope": {"project": scope or {"name": project_name}}}}
        return await self.client.post("/v3/auth/tokens?nocatalog=true", json=body)

    async def token(self, project_name="cn-north-4") -> str:
        if project_name not in self._tokens:
            response = await self.issue_token(project_name)
            assert response.status == 201
            self._tokens[project_name] = response.headers["X-Subject-Token"]
        return self._tokens[project_name]

    async def call(self, method, path, body=None, *, query="", project_name="cn-north-4", headers=None):
        """A token-authenticated call; returns (status, parsed JSON or None, response)."""
        all_headers = {"X-Auth-Token": await self.token(project_name), "Content-Type": "application/json"}
        all_headers.update(headers or {})
        data = body if isinstance(body, (bytes, str)) else json.dumps(body) if body is not None else None
        url = path + (f"?{query}" if query else "")
        async with self.client.request(method, url, data=data, headers=all_headers) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text else None), response

    async def push(self, events, *, clear=False, project=PROJECT, **kwargs):
        query = "action=clear" if clear else ""
        return await self.call("PUT", f"/v2/{project}/push/events", {"events": events}, query=query, **kwargs)

    async def list(self, time_range="-1.-1.60", *, query="", project=PROJECT, headers=None, **body):
        return await self.call("POST", f"/v2/{project}/events", {"time_range": time_range, **body},
                               query=query, headers=headers)

    async def list_all(self, **kwargs) -> list[dict]:
        status, body, _unused = await self.list(**kwargs)
        assert status == 200, body
        return body["events"]

    async def signed(self, method, path, body=b"", *, query="", ak=AK, sk=SK, sign_body=None, sign_query=None,
                     sdk_date=None, drop_header=None, extra_headers=None):
        """An AK/SK-signed call; ``sign_*`` sign something other than what is sent (tampering)."""
        base = str(self.client.make_url(""))
        sent_url = base + path + (f"?{query}" if query else "")
        signed_url = base + path + (f"?{sign_query}" if sign_query is not None else f"?{query}" if query else "")
        headers = SIGNER.sign_request(method, signed_url, {"Content-Type": "application/json", **(extra_headers or {})},
                                      sign_body if sign_body is not None else body, ak, sk,
                                      project_id=path.split("/")[2], sdk_date=sdk_date)
        if drop_header:
            headers.pop(drop_header)
        # The raw session: TestClient only takes relative URLs, and this one must go out unaltered.
        async with self.client.session.request(method, URL(sent_url, encoded=True), data=body,
                                               headers=headers) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text else None), response

    async def mute_rules(self, method, body=None, *, project=PROJECT, **kwargs):
        """A call to /alert/mute-rules with a token, the body serialised as the SDK does."""
        return await self.call(method, f"/v2/{project}/alert/mute-rules", body, **kwargs)

    async def notifications(self, project=None) -> list[dict]:
        params = {"project_id": project} if project else {}
        async with self.client.get("/_emulator/notifications", params=params) as response:
            return (await response.json())["notifications"]

    async def stored(self, project=PROJECT) -> list[dict]:
        async with self.client.get("/_emulator/events", params={"project_id": project}) as response:
            return (await response.json())["events"]

    async def request_log(self) -> list[dict]:
        async with self.client.get("/_emulator/requests") as response:
            return (await response.json())["requests"]

    async def add_faults(self, *rules):
        async with self.client.post("/_emulator/faults", json=list(rules)) as response:
            assert response.status == 200, await response.text()


# -- the real process ---------------------------------------------------------------------------

def subprocess_env(**extra) -> dict:
    return {**os.environ, **extra}
