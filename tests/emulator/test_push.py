"""Reporting, updating and clearing alarms; events go to history only; timeouts."""

import pytest

from emulator_support import OTHER_PROJECT, PROJECT, alarm

pytestmark = pytest.mark.asyncio


def by_state(rows, state):
    return [row for row in rows if row["state"] == state]


async def test_report_creates_an_active_alarm(api, clock):
    status, body, response = await api.push([alarm()])
    assert status == 204 and body is None
    assert len(response.headers["X-Request-Id"]) == 32
    [row] = await api.stored()
    assert row["state"] == "active"
    assert row["arrives_at"] == clock.now and row["ends_at"] == 0
    assert row["metadata"]["event_name"] == "disk full"
    assert row["enterprise_project_id"] == "0"
    assert len(row["id"]) == 32


async def test_post_is_accepted_like_put(api):
    status, _unused, _unused = await api.call("POST", f"/v2/{PROJECT}/push/events", {"events": [alarm()]})
    assert status == 204
    assert len(await api.stored()) == 1


async def test_second_report_updates_the_active_alarm(api, clock):
    await api.push([alarm(severity="Minor", starts_at=1000, timeout=60_000)])
    [first] = await api.stored()
    clock.advance(5000)
    updated = alarm(severity="Critical", starts_at=2000, timeout=120_000)
    updated["annotations"] = {"message": "worse"}
    await api.push([updated])
    [row] = await api.stored()
    assert (row["id"], row["event_sn"], row["starts_at"]) == (first["id"], first["event_sn"], 1000)
    assert row["metadata"]["event_severity"] == "Critical"
    assert row["annotations"] == {"message": "worse"}
    assert row["timeout"] == 120_000 and row["arrives_at"] == clock.now


async def test_other_identity_makes_another_alarm(api):
    await api.push([alarm(resource_id="vm-1"), alarm(resource_id="vm-2"), alarm(resource_id="vm-1", extra="x")])
    rows = await api.stored()
    assert len(rows) == 3 and len({row["id"] for row in rows}) == 3
    assert [row["event_sn"] for row in rows] == sorted(row["event_sn"] for row in rows)


async def test_same_identity_twice_in_one_batch_is_one_alarm(api):
    await api.push([alarm(severity="Minor"), alarm(severity="Major")])
    [row] = await api.stored()
    assert row["metadata"]["event_severity"] == "Major"


async def test_events_are_history_only(api):
    await api.push([alarm(event_type="event"), alarm(event_type="event")])
    rows = await api.stored()
    assert len(rows) == 2 and by_state(rows, "history") == rows
    assert await api.list_all(query="type=active_alert", time_range="0.-1.100000000") == []
    assert len(await api.list_all(query="type=history_alert", time_range="0.-1.100000000")) == 2


async def test_clear_by_id(api, clock):
    await api.push([alarm(resource_id="vm-1"), alarm(resource_id="vm-2")])
    target = (await api.stored())[0]
    clear = alarm(resource_id="something else")  # metadata is not used when the id is given
    clear["id"], clear["ends_at"] = target["id"], 1_700_000_500_000
    status, _unused, _unused = await api.push([clear], clear=True)
    assert status == 204
    rows = {row["id"]: row for row in await api.stored()}
    assert rows[target["id"]]["state"] == "history"
    assert rows[target["id"]]["ends_at"] == 1_700_000_500_000
    assert len(by_state(rows.values(), "active")) == 1


async def test_clear_by_identity_ignores_severity_and_defaults_ends_at_to_now(api, clock):
    await api.push([alarm(severity="Major")])
    clock.advance(1000)
    status, _unused, _unused = await api.push([alarm(severity="Info")], clear=True)
    assert status == 204
    [row] = await api.stored()
    assert row["state"] == "history" and row["ends_at"] == clock.now


async def test_report_after_clear_is_a_new_alarm(api):
    await api.push([alarm()])
    await api.push([alarm()], clear=True)
    await api.push([alarm()])
    rows = await api.stored()
    assert [row["state"] for row in rows] == ["history", "active"]
    assert rows[0]["id"] != rows[1]["id"]


async def test_clear_unknown_id_is_a_noop(api):
    await api.push([alarm()])
    clear = alarm(resource_id="other")
    clear["id"] = "0" * 32
    status, _unused, _unused = await api.push([clear], clear=True)
    assert status == 204
    assert by_state(await api.stored(), "active")


async def test_clear_by_id_of_another_project_is_a_noop(api):
    await api.push([alarm()], project=OTHER_PROJECT, project_name="cn-south-1")
    [row] = await api.stored(OTHER_PROJECT)
    clear = alarm()
    clear["id"] = row["id"]
    clear["metadata"]["resource_id"] = "unrelated"
    assert (await api.push([clear], clear=True))[0] == 204
    assert (await api.stored(OTHER_PROJECT))[0]["state"] == "active"


async def test_clearing_an_event_is_a_400(api):
    status, body, _unused = await api.push([alarm(event_type="event")], clear=True)
    assert status == 400
    assert body["error_code"] == "AOM.30005001"
    assert "events[0].metadata.event_type" in body["error_msg"]


async def test_clear_does_not_need_starts_at(api):
    await api.push([alarm()])
    clear = alarm()
    del clear["starts_at"]
    assert (await api.push([clear], clear=True))[0] == 204
    assert by_state(await api.stored(), "history")


async def test_timeout_counts_from_the_last_report(api, clock):
    await api.push([alarm(timeout=10_000)])
    clock.advance(8000)
    await api.push([alarm(timeout=10_000)])  # renews: expiry is now + 10 s
    renewed_at = clock.now
    clock.advance(8000)
    assert (await api.stored())[0]["state"] == "active"
    clock.advance(3000)
    [row] = await api.stored()
    assert row["state"] == "history" and row["ends_at"] == renewed_at + 10_000
    assert await api.list_all(query="type=active_alert", time_range="0.-1.100000000") == []


async def test_expired_alarm_then_reported_again_is_new(api, clock):
    await api.push([alarm(timeout=1000)])
    clock.advance(2000)
    await api.push([alarm(timeout=1000)])
    rows = await api.stored()
    assert [row["state"] for row in rows] == ["history", "active"]


async def test_default_timeout_is_three_days(api):
    event = alarm()
    del event["timeout"]
    await api.push([event])
    assert (await api.stored())[0]["timeout"] == 259_200_000


async def test_enterprise_projects_are_separate(api):
    await api.push([alarm()], headers={"Enterprise-Project-Id": "eps-1"})
    await api.push([alarm()])
    rows = await api.stored()
    assert sorted(row["enterprise_project_id"] for row in rows) == ["0", "eps-1"]
    listed = await api.list_all(time_range="0.-1.100000000", headers={"Enterprise-Project-Id": "eps-1"})
    assert [event["enterprise_project_id"] for event in listed] == ["eps-1"]
    everything = await api.list_all(time_range="0.-1.100000000", headers={"Enterprise-Project-Id": "all_granted_eps"})
    assert len(everything) == 2
