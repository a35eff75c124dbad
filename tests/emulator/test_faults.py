"""Fault injection and the request log."""

import asyncio
import json
import time

import aiohttp
import pytest

from emulator_support import AK, PROJECT, SK, alarm

pytestmark = pytest.mark.asyncio
PUSH = f"/v2/{PROJECT}/push/events"


async def test_status_fault_applies_count_times_with_retry_after(api):
    await api.token()
    await api.add_faults({"status": 503, "count": 2, "retry_after": 1, "path": "/push/events"})
    answers = [await api.push([alarm()]) for _unused in range(3)]
    assert [status for status, _unused, _unused in answers] == [503, 503, 204]
    status, body, response = answers[0]
    assert response.headers["Retry-After"] == "1"
    assert body["error_code"] == "APIG.0203" and body["request_id"] == response.headers["X-Request-Id"]
    assert len(await api.stored()) == 1  # faulted requests did not touch the store
    log = await api.request_log()
    assert [entry["status"] for entry in log[-3:]] == [503, 503, 204]
    assert [entry["event_count"] for entry in log[-3:]] == [1, 1, 1]


async def test_faults_apply_to_the_token_endpoint_too(api):
    await api.add_faults({"status": 429, "retry_after": 2, "path": "/v3/auth/tokens"})
    response = await api.issue_token()
    assert response.status == 429 and response.headers["Retry-After"] == "2"
    assert (await response.json())["error_code"] == "APIG.0308"
    assert (await api.issue_token()).status == 201
    log = await api.request_log()
    assert [entry["status"] for entry in log] == [429, 201]


async def test_rules_filter_on_path_and_method_and_apply_in_order(api):
    await api.token()
    await api.add_faults({"status": 500, "method": "POST"}, {"status": 502, "path": "/push/events"},
                         {"status": 504, "path": "/push/events"})
    assert (await api.push([alarm()]))[0] == 502
    assert (await api.list())[0] == 500
    assert (await api.push([alarm()]))[0] == 504
    assert (await api.push([alarm()]))[0] == 204
    async with api.client.get("/_emulator/faults") as response:
        assert await response.json() == {"faults": []}


async def test_delay_alone_delays_a_normal_answer(api):
    await api.token()
    await api.add_faults({"delay": 0.3})
    started = time.monotonic()
    status, _unused, _unused = await api.push([alarm()])
    assert status == 204 and time.monotonic() - started >= 0.3
    assert len(await api.stored()) == 1


async def test_delay_with_status(api):
    await api.token()
    await api.add_faults({"delay": 0.2, "status": 500})
    started = time.monotonic()
    assert (await api.push([alarm()]))[0] == 500
    assert time.monotonic() - started >= 0.2


async def test_drop_closes_the_connection_without_an_answer(api):
    await api.token()
    await api.add_faults({"drop": True})
    with pytest.raises(aiohttp.ClientError):
        await api.push([alarm()])
    assert await api.stored() == []
    assert (await api.request_log())[-1]["status"] == 0
    assert (await api.push([alarm()]))[0] == 204  # the server carries on


async def test_malformed_answers_200_with_broken_json(api):
    await api.token()
    await api.add_faults({"malformed": True, "path": "/events"})
    async with api.client.post(f"/v2/{PROJECT}/events", json={"time_range": "-1.-1.60"},
                               headers={"X-Auth-Token": await api.token()}) as response:
        assert response.status == 200
        with pytest.raises(ValueError):
            json.loads(await response.text())


@pytest.mark.parametrize("rule", [{"status": 503, "count": 0}, {"status": "x"}, {"count": 1}, {"bogus": 1},
                                  {"delay": -1}])
async def test_bad_fault_rules_are_400(api, rule):
    async with api.client.post("/_emulator/faults", json=rule) as response:
        assert response.status == 400


async def test_delete_faults_and_requests(api):
    await api.add_faults({"status": 503, "count": 5})
    async with api.client.delete("/_emulator/faults") as response:
        assert await response.json() == {"faults": []}
    assert (await api.push([alarm()]))[0] == 204
    async with api.client.delete("/_emulator/requests"):
        pass
    assert await api.request_log() == []


async def test_control_endpoints_are_not_logged_and_need_no_auth(api):
    async with api.client.get("/_emulator/health") as response:
        assert await response.json() == {"status": "ok"}
    assert await api.request_log() == []


async def test_request_log_has_no_secrets(api):
    token = await api.token()
    secret_value = "super-secret-annotation"
    event = alarm()
    event["annotations"] = {"note": secret_value}
    await api.push([event])
    await api.signed("PUT", PUSH, json.dumps({"events": [event]}).encode(), query="action=clear")
    await api.add_faults({"status": 503})
    await api.push([event])
    log = await api.request_log()
    assert len(log) == 4
    assert set(log[1]) == {"method", "path", "query", "status", "auth", "event_count", "at", "request_id"}
    assert log[2]["query"] == {"action": "clear"}
    dumped = json.dumps(log)
    for secret in (token, secret_value, "demo-password", SK, AK, "SDK-HMAC-SHA256", "Signature"):
        assert secret not in dumped


async def test_many_concurrent_pushes_keep_one_alarm_per_identity(api):
    await api.token()
    answers = await asyncio.gather(*(api.push([alarm(resource_id=f"vm-{i % 5}")]) for i in range(40)))
    assert {status for status, _unused, _unused in answers} == {204}
    rows = await api.stored()
    assert len(rows) == 5 and all(row["state"] == "active" for row in rows)
