"""The emulator's notification model: every alarm raised is recorded as notified or muted by the
silence rules in force whose match holds for its metadata."""

import pytest

from emulator_support import OTHER_PROJECT, PROJECT, alarm, mute_rule

pytestmark = pytest.mark.asyncio
MINUTE = 60_000


async def silence(api, clock, match, name="deploy_shop", **kwargs):
    kwargs.setdefault("starts_at", clock.now - MINUTE)
    kwargs.setdefault("ends_at", clock.now + 30 * MINUTE)
    status, body, _unused = await api.mute_rules("POST", mute_rule(name=name, match=match, **kwargs))
    assert status == 200, body


def equals(key, *values):
    return {"key": key, "operate": "EQUALS", "value": list(values)}


async def outcomes(api, project=None) -> list[tuple[str, str, list]]:
    return [(entry["metadata"]["resource_id"], entry["outcome"], entry["muted_by"])
            for entry in await api.notifications(project)]


async def test_without_rules_every_new_alarm_is_notified(api, clock):
    await api.push([alarm(resource_id="vm-1"), alarm(resource_id="vm-2")])
    first, second = await api.notifications()
    assert first["outcome"] == "notified" and first["muted_by"] == [] and first["reason"] == "new"
    assert first["at"] == clock.now and first["project_id"] == PROJECT
    [row1, _unused] = await api.stored()
    assert (first["event_id"], first["event_sn"]) == (row1["id"], row1["event_sn"])
    assert first["metadata"] == alarm(resource_id="vm-1")["metadata"]
    assert second["metadata"]["resource_id"] == "vm-2"


async def test_a_matching_rule_in_force_mutes(api, clock):
    await silence(api, clock, [[equals("resource_id", "vm-1", "vm-9")]])
    await api.push([alarm(resource_id="vm-1"), alarm(resource_id="vm-2")])
    assert await outcomes(api) == [("vm-1", "muted", ["deploy_shop"]), ("vm-2", "notified", [])]


async def test_every_matching_rule_is_named(api, clock):
    await silence(api, clock, [[equals("resource_id", "vm-1")]], name="first")
    await silence(api, clock, [[{"key": "event_name", "operate": "EXIST", "value": []}]], name="second")
    await api.push([alarm(resource_id="vm-1")])
    assert await outcomes(api) == [("vm-1", "muted", ["first", "second"])]


@pytest.mark.parametrize("window", [
    {"starts_at": 0, "ends_at": 1},  # long over
    "ended a millisecond ago",
    "starts in a millisecond",
], ids=["expired", "just ended", "future"])
async def test_a_rule_not_in_force_does_not_mute(api, clock, window):
    if window == "ended a millisecond ago":
        window = {"starts_at": clock.now - MINUTE, "ends_at": clock.now}
    elif window == "starts in a millisecond":
        window = {"starts_at": clock.now + 1, "ends_at": clock.now + MINUTE}
    await silence(api, clock, [[equals("resource_id", "vm-1")]], **window)
    await api.push([alarm(resource_id="vm-1")])
    assert await outcomes(api) == [("vm-1", "notified", [])]


async def test_the_window_is_judged_when_the_alarm_arrives(api, clock):
    await silence(api, clock, [[equals("resource_id", "vm-1")]], ends_at=clock.now + MINUTE)
    await api.push([alarm(resource_id="vm-1", severity="Minor")])
    clock.advance(MINUTE)
    await api.push([alarm(resource_id="vm-1", severity="Major")])
    assert [(e["reason"], e["outcome"]) for e in await api.notifications()] == [("new", "muted"),
                                                                                ("severity", "notified")]


@pytest.mark.parametrize("match, muted", [
    ([[equals("resource_id", "vm-1"), equals("event_severity", "Major")]], True),   # AND, both hold
    ([[equals("resource_id", "vm-1"), equals("event_severity", "Minor")]], False),  # AND, one fails
    ([[equals("resource_id", "vm-2")], [equals("event_severity", "Major")]], True),  # OR, second holds
    ([[equals("resource_id", "vm-2")], [equals("event_severity", "Minor")]], False),
    ([[{"key": "resource_id", "operate": "REGEX", "value": ["vm-[0-9]"]}]], True),
    ([[{"key": "resource_id", "operate": "REGEX", "value": ["vm"]}]], False),  # a full match is needed
    ([[{"key": "resource_id", "operate": "REGEX", "value": ["x", "VM-1|vm-1"]}]], True),  # any expression
    ([[{"key": "team", "operate": "EXIST", "value": []}]], True),
    ([[{"key": "owner", "operate": "EXIST", "value": []}]], False),
    ([[equals("owner", "vm-1")]], False),  # EQUALS on an absent key
    ([[{"key": "owner", "operate": "REGEX", "value": [".*"]}]], False),  # REGEX on an absent key
    ([[equals("resource_id", "VM-1")]], False),  # EQUALS is exact
], ids=["and holds", "and fails", "or holds", "or fails", "regex", "regex partial", "regex any",
        "exist", "exist absent", "equals absent key", "regex absent key", "equals case"])
async def test_match_semantics(api, clock, match, muted):
    await silence(api, clock, match)
    await api.push([alarm(resource_id="vm-1", severity="Major", team="shop")])
    [entry] = await api.notifications()
    assert entry["outcome"] == ("muted" if muted else "notified")


async def test_only_raised_alarms_are_recorded(api, clock):
    await api.push([alarm(severity="Minor")])
    await api.push([alarm(severity="Minor")])  # the same alarm again: not raised again
    await api.push([alarm(severity="Critical")])  # a new severity: raised
    await api.push([alarm(resource_id="e1", event_type="event")])  # an event, not an alarm
    await api.push([alarm(severity="Critical")], clear=True)  # a clear
    assert [(e["reason"], e["metadata"]["event_severity"]) for e in await api.notifications()] == [
        ("new", "Minor"), ("severity", "Critical")]
    await api.push([alarm(severity="Critical")])  # cleared, so a new alarm
    assert [e["reason"] for e in await api.notifications()] == ["new", "severity", "new"]


async def test_rules_of_another_project_do_not_mute(api, clock):
    status, _unused, _unused = await api.mute_rules(
        "POST", mute_rule(match=[[equals("resource_id", "vm-1")]], starts_at=clock.now - 1, ends_at=0),
        project=OTHER_PROJECT, project_name="cn-south-1")
    assert status == 200
    await api.push([alarm(resource_id="vm-1")])
    await api.push([alarm(resource_id="vm-1")], project=OTHER_PROJECT, project_name="cn-south-1")
    assert await outcomes(api, PROJECT) == [("vm-1", "notified", [])]
    assert await outcomes(api, OTHER_PROJECT) == [("vm-1", "muted", ["deploy_shop"])]


async def test_a_daily_rule_mutes_inside_its_window_only(api, clock):
    of_day = clock.now % 86_400_000
    window = {"mute_type": "DAILY", "starts_at": of_day, "ends_at": (of_day + MINUTE) % 86_400_000 or 86_400_000}
    await silence(api, clock, [[equals("resource_id", "vm-1")]], **window)
    await api.push([alarm(resource_id="vm-1", severity="Minor")])
    clock.advance(MINUTE)
    await api.push([alarm(resource_id="vm-1", severity="Major")])
    assert [e["outcome"] for e in await api.notifications()] == ["muted", "notified"]


async def test_deleting_a_rule_stops_muting_and_the_record_can_be_cleared(api, clock):
    await silence(api, clock, [[equals("resource_id", "vm-1")]])
    await api.push([alarm(resource_id="vm-1", severity="Minor")])
    await api.mute_rules("DELETE", [{"name": "deploy_shop"}])
    await api.push([alarm(resource_id="vm-1", severity="Major")])
    assert [e["outcome"] for e in await api.notifications()] == ["muted", "notified"]
    async with api.client.delete("/_emulator/notifications") as response:
        assert await response.json() == {"notifications": []}
    assert await api.notifications() == []


async def test_the_record_survives_a_failed_push_untouched(api, clock):
    bad = alarm(resource_id="vm-2")
    bad["metadata"]["event_severity"] = "major"
    await api.push([alarm(resource_id="vm-1"), bad])
    assert await api.notifications() == []
