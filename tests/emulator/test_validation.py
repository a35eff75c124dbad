"""Push bodies are validated like the service does: 400 AOM.30005001 naming the event and field,
and nothing of the batch is stored."""

import json

import pytest

from emulator_support import PROJECT, alarm

pytestmark = pytest.mark.asyncio


def with_change(change):
    event = alarm()
    change(event)
    return event


INVALID_EVENTS = {
    "missing metadata": (lambda e: e.pop("metadata"), "events[1].metadata"),
    "missing required key": (lambda e: e["metadata"].pop("resource_type"), "events[1].metadata.resource_type"),
    "severity wrong case": (lambda e: e["metadata"].update(event_severity="major"), "event_severity"),
    "unknown event type": (lambda e: e["metadata"].update(event_type="incident"), "event_type"),
    "empty value": (lambda e: e["metadata"].update(resource_id=""), "events[1].metadata.resource_id"),
    "value too long": (lambda e: e["metadata"].update(note="x" * 2049), "events[1].metadata.note"),
    "number value": (lambda e: e["metadata"].update(port=80), "events[1].metadata.port"),
    "too many metadata keys": (lambda e: e["metadata"].update({f"k{i}": "v" for i in range(25)}), "at most 30"),
    "too many annotations": (lambda e: e.update(annotations={f"k{i}": "v" for i in range(31)}), "annotations"),
    "annotations not an object": (lambda e: e.update(annotations=["x"]), "events[1].annotations"),
    "missing starts_at": (lambda e: e.pop("starts_at"), "events[1].starts_at"),
    "negative starts_at": (lambda e: e.update(starts_at=-1), "events[1].starts_at"),
    "string starts_at": (lambda e: e.update(starts_at="1700000000000"), "events[1].starts_at"),
    "boolean timeout": (lambda e: e.update(timeout=True), "events[1].timeout"),
    "timeout over 15 days": (lambda e: e.update(timeout=1_296_000_001), "events[1].timeout"),
    "event not an object": (lambda e: e.clear() or e.update(x=1), "events[1].metadata"),
}


@pytest.mark.parametrize("change, expected", INVALID_EVENTS.values(), ids=INVALID_EVENTS.keys())
async def test_invalid_event_is_a_400_naming_the_field(api, change, expected):
    status, body, response = await api.push([alarm(resource_id="fine"), with_change(change)])
    assert status == 400, body
    assert body["error_code"] == "AOM.30005001" and body["error_type"] == "BAD_REQUEST"
    assert expected in body["error_msg"]
    assert response.headers["X-Request-Id"]
    assert await api.stored() == []  # the valid first event was not stored either


@pytest.mark.parametrize("raw, expected", [
    (b"not json", "valid JSON"),
    (b"[]", "JSON object"),
    (b"{}", "events"),
    (json.dumps({"events": []}).encode(), "non-empty"),
    (json.dumps({"events": {"a": 1}}).encode(), "events"),
    (json.dumps({"events": ["x"]}).encode(), "events[0]"),
], ids=["not json", "array body", "no events", "empty events", "events not array", "event not object"])
async def test_malformed_bodies_are_400(api, raw, expected):
    status, body, _unused = await api.call("PUT", f"/v2/{PROJECT}/push/events", raw)
    assert status == 400
    assert expected in body["error_msg"]


async def test_limits_are_inclusive(api):
    event = alarm()
    event["metadata"].update({f"k{i}": "v" * 2048 for i in range(24)})  # 30 keys, longest values
    event["annotations"] = {f"a{i}": "v" for i in range(30)}
    event["timeout"] = 1_296_000_000
    assert (await api.push([event]))[0] == 204
