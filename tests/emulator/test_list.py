"""Listing: types, time ranges, metadata relations, search, sort, stable paging; statistic."""

import pytest
import pytest_asyncio

from emulator_support import PROJECT, alarm

pytestmark = pytest.mark.asyncio
MINUTE = 60_000
EVERYTHING = "0.-1.100000000"


@pytest_asyncio.fixture
async def mixed(api, clock):
    """Active alarms, cleared alarms and events at known times relative to now."""
    now = clock.now
    await api.push([
        alarm("cpu high", "Critical", "vm-1", starts_at=now - 10 * MINUTE),
        alarm("disk full", "Major", "vm-2", starts_at=now - 20 * MINUTE),
        alarm("old alarm", "Minor", "vm-3", starts_at=now - 3 * 60 * MINUTE),  # active, began long ago
        alarm("deployed", "Info", "vm-1", starts_at=now - 5 * MINUTE, event_type="event"),
        alarm("rebooted", "Info", "VM-9", starts_at=now - 2 * 60 * MINUTE, event_type="event"),
    ])
    await api.push([alarm("cleared one", "Major", "vm-4", starts_at=now - 30 * MINUTE)])
    await api.push([alarm("cleared one", "Major", "vm-4")], clear=True)
    return api


def names(events):
    return [event["metadata"]["event_name"] for event in events]


async def test_types_and_time_range(mixed):
    everything = await mixed.list_all()  # last 60 minutes; active alarms whatever their start
    assert names(everything) == ["deployed", "cpu high", "disk full", "cleared one", "old alarm"]
    assert names(await mixed.list_all(query="type=active_alert")) == ["cpu high", "disk full", "old alarm"]
    assert names(await mixed.list_all(query="type=history_alert")) == ["deployed", "cleared one"]
    assert len(await mixed.list_all(time_range="-1.-1.180")) == 6
    event = everything[0]
    assert set(event) == {"id", "event_sn", "arrives_at", "starts_at", "ends_at", "timeout", "metadata",
                          "annotations", "enterprise_project_id", "policy"}
    assert event["policy"] == {}


async def test_explicit_time_ranges(mixed, clock):
    now = clock.now
    window = f"{now - 25 * MINUTE}.{now - 15 * MINUTE}.10"
    assert names(await mixed.list_all(time_range=window, query="type=history_alert")) == []
    assert names(await mixed.list_all(time_range=window, query="type=active_alert")) == ["disk full", "old alarm"]
    assert names(await mixed.list_all(time_range=f"-1.{now - 25 * MINUTE}.10", query="type=history_alert")) \
        == ["cleared one"]
    assert names(await mixed.list_all(time_range=f"{now - 7 * MINUTE}.-1.5", query="type=history_alert")) \
        == ["deployed"]


async def test_metadata_relations(mixed):
    def rel(key, values, relation):
        return {"key": key, "value": values, "relation": relation}

    assert names(await mixed.list_all(time_range=EVERYTHING, metadata_relation=[
        rel("resource_id", ["vm-1"], "AND")])) == ["deployed", "cpu high"]
    assert names(await mixed.list_all(time_range=EVERYTHING, metadata_relation=[
        rel("resource_id", ["vm-1"], "AND"), rel("event_type", ["alarm"], "AND")])) == ["cpu high"]
    assert names(await mixed.list_all(time_range=EVERYTHING, metadata_relation=[
        rel("resource_id", ["vm-2"], "OR"), rel("event_severity", ["Minor"], "OR")])) == ["disk full", "old alarm"]
    assert names(await mixed.list_all(time_range=EVERYTHING, metadata_relation=[
        rel("event_severity", ["Info", "Major"], "NOT")])) == ["cpu high", "old alarm"]


async def test_search_is_case_insensitive_over_required_fields(mixed):
    assert names(await mixed.list_all(time_range=EVERYTHING, search="vm-9")) == ["rebooted"]
    assert names(await mixed.list_all(time_range=EVERYTHING, search="CPU")) == ["cpu high"]
    assert names(await mixed.list_all(time_range=EVERYTHING, search="on vm-1")) == []  # annotations not searched


async def test_sort_ascending(mixed):
    events = await mixed.list_all(time_range=EVERYTHING, sort={"order_by": ["starts_at"], "order": "asc"})
    assert names(events)[0] == "old alarm"
    assert [e["starts_at"] for e in events] == sorted(e["starts_at"] for e in events)


async def test_paging_is_stable_while_events_arrive(api, clock):
    await api.push([alarm(f"e{i}", starts_at=clock.now - i * 1000, event_type="event") for i in range(25)])
    seen, marker, pages = [], "0", 0
    while True:
        status, body, _unused = await api.list(query=f"limit=10&marker={marker}")
        assert status == 200
        assert body["page_info"]["current_count"] == len(body["events"]) <= 10
        assert body["page_info"]["previous_marker"] == marker
        seen += names(body["events"])
        pages += 1
        if pages == 1:  # newer events arriving mid-way do not shift later pages
            await api.push([alarm("newer", starts_at=clock.now, event_type="event")])
        marker = body["page_info"]["next_marker"]
        if not marker:
            break
    assert pages == 3
    assert seen == [f"e{i}" for i in range(25)]


async def test_same_starts_at_pages_by_event_sn(api, clock):
    await api.push([alarm(f"e{i}", starts_at=clock.now, event_type="event") for i in range(5)])
    first = await api.list(query="limit=2")
    second = await api.list(query=f"limit=2&marker={first[1]['page_info']['next_marker']}")
    third = await api.list(query=f"limit=2&marker={second[1]['page_info']['next_marker']}")
    assert names(first[1]["events"] + second[1]["events"] + third[1]["events"]) == [f"e{i}" for i in range(4, -1, -1)]
    assert third[1]["page_info"]["next_marker"] == ""


@pytest.mark.parametrize("query, body, expected", [
    ("type=bogus", {"time_range": "-1.-1.60"}, "type"),
    ("limit=0", {"time_range": "-1.-1.60"}, "limit"),
    ("limit=ten", {"time_range": "-1.-1.60"}, "limit"),
    ("marker=xyz", {"time_range": "-1.-1.60"}, "marker"),
    ("", {}, "time_range"),
    ("", {"time_range": "yesterday"}, "time_range"),
    ("", {"time_range": "-1.-1.0"}, "time_range"),
    ("", {"time_range": "-1.-1.60", "sort": {"order": "up"}}, "sort.order"),
    ("", {"time_range": "-1.-1.60", "metadata_relation": [{"key": "a", "value": "b"}]}, "metadata_relation[0].value"),
    ("", {"time_range": "-1.-1.60", "metadata_relation": [{"key": "a", "value": ["b"], "relation": "XOR"}]},
     "relation"),
])
async def test_bad_list_requests_are_400(api, query, body, expected):
    status, answer, _unused = await api.call("POST", f"/v2/{PROJECT}/events", body, query=query)
    assert status == 400 and answer["error_code"] == "AOM.30005001"
    assert expected in answer["error_msg"]


async def test_statistic_counts_per_severity(mixed, clock):
    status, body, _unused = await mixed.call("POST", f"/v2/{PROJECT}/events/statistic", {"time_range": "-1.-1.60"})
    assert status == 200
    counts = {series["event_severity"]: series["values"] for series in body["series"]}
    assert counts == {"Critical": [1], "Major": [2], "Minor": [1], "Info": [1]}
    assert body["timestamps"] == [clock.now - 60 * MINUTE]

    status, body, _unused = await mixed.call("POST", f"/v2/{PROJECT}/events/statistic",
                                             {"time_range": "-1.-1.60", "step": 30 * MINUTE}, query="type=active_alert")
    assert status == 200 and len(body["timestamps"]) == 2
    counts = {series["event_severity"]: series["values"] for series in body["series"]}
    assert counts["Critical"] == [0, 1] and counts["Minor"] == [1, 0]
    assert body["summary"] == {"Critical": 1, "Major": 1, "Minor": 1, "Info": 0}
