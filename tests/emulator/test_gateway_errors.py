"""Odd input is answered like the gateway and the service answer it, never with a 500 or a dropped
connection, and the request log records the status that was sent."""

import asyncio
import json

import pytest

from emulator_support import PROJECT, alarm

from aom_emulator.app import STORE

pytestmark = pytest.mark.asyncio
PUSH = f"/v2/{PROJECT}/push/events"
LIST = f"/v2/{PROJECT}/events"


async def last_logged_status(api) -> int:
    return (await api.request_log())[-1]["status"]


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("path, body", [
    (PUSH, b'{"events": ' + nested(100_000) + b"}"),
    (LIST, b'{"time_range": "-1.-1.60", "search": ' + nested(100_000) + b"}"),
    (f"/v2/{PROJECT}/events/statistic", nested(100_000)),
], ids=["push", "list", "statistic"])
async def test_deeply_nested_json_is_a_400(api, path, body):
    method = "PUT" if path == PUSH else "POST"
    status, answer, _unused = await api.call(method, path, body)
    assert status == 400, answer
    assert answer["error_code"] == "AOM.30005001" and "nested" in answer["error_msg"]
    assert await last_logged_status(api) == 400


@pytest.mark.parametrize("query, body, field", [
    ("", {"time_range": f"{2**70}.-1.60"}, "time_range"),
    ("", {"time_range": f"-1.{2**70}.60"}, "time_range"),
    ("", {"time_range": f"-1.-1.{2**60}"}, "time_range"),
    ("", {"time_range": f"0.{2**63}.1"}, "time_range"),
    (f"marker={2**70}-1", {"time_range": "-1.-1.60"}, "marker"),
    (f"marker=1-{2**70}", {"time_range": "-1.-1.60"}, "marker"),
], ids=["huge start", "huge end", "huge duration", "end past int64", "huge marker time", "huge marker sn"])
async def test_integers_too_large_for_sqlite_are_a_400_naming_the_field(api, query, body, field):
    status, answer, _unused = await api.call("POST", LIST, body, query=query)
    assert status == 400, answer
    assert answer["error_code"] == "AOM.30005001" and answer["error_msg"].startswith(field)
    assert await last_logged_status(api) == 400


async def test_huge_step_is_a_400(api):
    status, answer, _unused = await api.call("POST", f"/v2/{PROJECT}/events/statistic",
                                             {"time_range": "-1.-1.60", "step": 2**70})
    assert status == 400 and answer["error_msg"].startswith("step")


async def test_lone_surrogate_in_a_string_is_a_400_and_nothing_is_stored(api):
    body = json.dumps({"events": [alarm(resource_id="\ud800")]}).encode()  # ASCII JSON with "\ud800"
    status, answer, _unused = await api.call("PUT", PUSH, body)
    assert status == 400, answer
    assert answer["error_code"] == "AOM.30005001" and "Unicode" in answer["error_msg"]
    assert await api.stored() == []
    assert await last_logged_status(api) == 400


async def test_an_unexpected_failure_is_a_500_in_the_gateway_shape_and_logged_as_sent(api, monkeypatch):
    def broken(*_args):
        raise RuntimeError("boom")

    await api.token()
    store = api.client.server.app[STORE].store
    monkeypatch.setattr(store, "report", broken)
    status, answer, response = await api.push([alarm()])
    assert status == 500
    assert answer["error_code"] == "APIG.0203" and answer["request_id"] == response.headers["X-Request-Id"]
    assert "boom" not in answer["error_msg"]
    assert await last_logged_status(api) == 500


async def test_body_over_12_mb_is_a_413_in_the_gateway_shape(api):
    body = b'{"events": ["' + b"x" * (12 * 1024 * 1024) + b'"]}'
    status, answer, response = await api.call("PUT", PUSH, body)
    assert status == 413
    assert answer == {"error_code": "APIG.0201", "error_msg": "Request entity too large.",
                      "request_id": response.headers["X-Request-Id"]}
    assert await last_logged_status(api) == 413


async def test_body_over_12_mb_signed_is_a_413_too(api):
    body = b'{"events": ["' + b"x" * (12 * 1024 * 1024) + b'"]}'
    status, answer, _unused = await api.signed("PUT", PUSH, body)
    assert status == 413 and answer["error_code"] == "APIG.0201"


@pytest.mark.parametrize("method, path", [
    ("GET", PUSH), ("DELETE", PUSH), ("PATCH", LIST), ("GET", f"/v2/{PROJECT}/events/statistic"),
])
async def test_unknown_method_is_answered_as_the_gateway_does(api, method, path):
    status, answer, response = await api.call(method, path)
    # The gateway answers a method an API does not have like an unknown API (APIG.0101, 404).
    assert status == 404
    assert answer == {"error_code": "APIG.0101", "error_msg": "The API does not exist.",
                      "request_id": response.headers["X-Request-Id"]}
    assert await last_logged_status(api) == 404


@pytest.mark.parametrize("content_type", ["", "text/plain", "application/x-www-form-urlencoded",
                                          "application/jsonx"])
async def test_push_without_json_content_type_is_refused(api, content_type):
    headers = {"Content-Type": content_type}
    body = json.dumps({"events": [alarm()]})
    status, answer, _unused = await api.call("PUT", PUSH, body, headers=headers)
    assert status == 415, answer
    assert answer["error_code"] == "AOM.30005001" and answer["error_type"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "Content-Type" in answer["error_msg"]
    assert await api.stored() == []
    assert await last_logged_status(api) == 415


@pytest.mark.parametrize("content_type", ["application/json", "application/json;charset=UTF-8",
                                          "Application/JSON; charset=utf-8"])
async def test_json_content_types_are_accepted(api, content_type):
    status, _unused, _unused = await api.call("PUT", PUSH, json.dumps({"events": [alarm()]}),
                                              headers={"Content-Type": content_type})
    assert status == 204


async def test_ends_at_before_starts_at_is_refused_naming_ends_at(api):
    event = alarm(starts_at=2_000)
    event["ends_at"] = 1_999
    status, answer, _unused = await api.push([alarm(resource_id="fine"), event])
    assert status == 400
    assert answer["error_msg"].startswith("events[1].ends_at")
    assert await api.stored() == []


async def test_ends_at_zero_or_equal_or_after_starts_at_is_accepted(api):
    events = [alarm(resource_id=f"vm-{ends_at}", starts_at=2_000) for ends_at in (0, 2_000, 2_001)]
    for event, ends_at in zip(events, (0, 2_000, 2_001)):
        event["ends_at"] = ends_at
    assert (await api.push(events))[0] == 204


async def test_clear_with_ends_at_before_its_own_starts_at_is_refused(api):
    await api.push([alarm(starts_at=5_000)])
    clearing = alarm(starts_at=5_000)
    clearing["ends_at"] = 4_000
    status, answer, _unused = await api.push([clearing], clear=True)
    assert status == 400 and answer["error_msg"].startswith("events[0].ends_at")
    [row] = await api.stored()
    assert row["state"] == "active"


async def test_a_token_of_bytes_that_are_not_utf8_is_a_bad_token_not_a_bad_request(api):
    # Raw bytes on the wire: aiohttp's client would refuse to send them.
    reader, writer = await asyncio.open_connection("127.0.0.1", api.client.port)
    body = b'{"time_range": "-1.-1.60"}'
    writer.write(b"POST " + LIST.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                 b"Content-Type: application/json\r\nX-Auth-Token: \xc3\xa9\xff\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body)
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 401 ")
    assert b'"APIG.1002"' in answer
    assert await last_logged_status(api) == 401


async def test_token_request_nested_too_deeply_is_an_iam_400(api):
    async with api.client.post("/v3/auth/tokens", data=nested(100_000),
                               headers={"Content-Type": "application/json"}) as response:
        assert response.status == 400
        assert (await response.json())["error"]["message"] == "request body: JSON nested too deeply"
    assert await last_logged_status(api) == 400
