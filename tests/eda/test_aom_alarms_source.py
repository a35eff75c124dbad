"""The aom_alarms event source against a real emulator: start main as a task, drive it, cancel it."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import subprocess
import sys

import pytest
import requests

from eda_support import (
    AK, PROJECT, SCHEMA_PATH, SK, SOURCE, SOURCE_PATH, ListQueue, alarm, cleared, connection_args,
    nothing_more, summary, take,
)

FAST = dict(interval=0.2, max_backoff=0.4)


def fault(emulator, **rule):
    requests.post(emulator.url + "/_emulator/faults", json=rule, timeout=5).raise_for_status()


def list_requests(emulator):
    answer = requests.get(emulator.url + "/_emulator/requests", timeout=5).json()["requests"]
    return [r for r in answer if r["path"].endswith("/events") and "/push/" not in r["path"]]


@pytest.mark.asyncio
async def test_raised_updated_cleared_once_each(emulator, aom, run_source):
    queue = ListQueue()
    run_source(queue, emulator.url, **FAST)
    await nothing_more(queue, 0.5)

    first = alarm("web1", severity="Major")
    await asyncio.to_thread(aom.push, [first])
    [raised] = await take(queue, 1)
    assert raised["aom_alarm"]["state"] == "raised"
    assert raised["aom_alarm"]["metadata"] == first["metadata"]
    assert raised["aom_alarm"]["annotations"] == first["annotations"]
    assert raised["aom_alarm"]["starts_at"] == first["starts_at"] and raised["aom_alarm"]["ends_at"] == 0
    assert raised["meta"]["project_id"] == PROJECT and "hosts" not in raised["meta"]
    alarm_id = raised["aom_alarm"]["id"]

    # The same report again (AOM refreshes arrives_at): not a change, no event.
    await asyncio.to_thread(aom.push, [first])
    await nothing_more(queue, 0.6)

    await asyncio.to_thread(aom.push, [alarm("web1", severity="Critical")])
    [by_severity] = await take(queue, 1)
    assert by_severity["aom_alarm"]["state"] == "updated" and by_severity["aom_alarm"]["id"] == alarm_id
    assert by_severity["aom_alarm"]["previous"]["metadata"]["event_severity"] == "Major"

    await asyncio.to_thread(aom.push, [alarm("web1", severity="Critical", annotations={"message": "worse"})])
    [by_annotation] = await take(queue, 1)
    assert by_annotation["aom_alarm"]["state"] == "updated"
    assert by_annotation["aom_alarm"]["annotations"] == {"message": "worse"}

    await asyncio.to_thread(aom.push, [cleared(alarm("web1"))], True)
    [gone] = await take(queue, 1)
    assert gone["aom_alarm"]["state"] == "cleared" and gone["aom_alarm"]["id"] == alarm_id
    assert gone["aom_alarm"]["ends_at"] > 0
    await nothing_more(queue, 0.6)
    assert summary(queue.seen) == [("raised", "web1", "Major"), ("updated", "web1", "Critical"),
                                   ("updated", "web1", "Critical"), ("cleared", "web1", "Critical")]


@pytest.mark.asyncio
async def test_pages_to_the_end_and_dedupes(emulator, aom, run_source):
    alarms = [alarm("vm-%04d" % index) for index in range(1200)]
    await asyncio.to_thread(aom.push, alarms)
    queue = ListQueue()
    run_source(queue, emulator.url, interval=0.3)
    events = await take(queue, 1200, timeout=30)
    assert sorted(e["aom_alarm"]["metadata"]["resource_id"] for e in events) == sorted(a["metadata"]["resource_id"] for a in alarms)
    assert len({e["aom_alarm"]["id"] for e in events}) == 1200
    await nothing_more(queue, 1.0)  # later polls find the same 1200: nothing told twice
    # One poll is two list requests (1000 + 200), never more.
    polls = list_requests(emulator)
    first_pages = [r for r in polls if r["query"].get("marker", "0") == "0"]
    assert len(first_pages) >= 2 and len(polls) <= 2 * len(first_pages)


@pytest.mark.asyncio
async def test_match_or_between_sets_and_inside_a_set(emulator, aom, run_source):
    queue = ListQueue()
    match = [{"resource_id": "web1", "event_severity": ["Major", "Critical"]}, {"event_name": "disk full"}]
    run_source(queue, emulator.url, match=match, host_key="resource_id", **FAST)
    await asyncio.to_thread(aom.push, [
        alarm("web1", severity="Minor"),              # web1 but Minor: no
        alarm("web2", severity="Critical"),           # Critical but web2: no
        alarm("db1", name="disk full", severity="Info"),  # second set: yes
    ])
    [disk] = await take(queue, 1)
    assert summary([disk]) == [("raised", "db1", "Info")]
    assert disk["meta"]["hosts"] == ["db1"]
    await nothing_more(queue, 0.6)

    # web1 becomes Major: it now matches, so it is raised (once).
    await asyncio.to_thread(aom.push, [alarm("web1", severity="Major")])
    assert summary(await take(queue, 1)) == [("raised", "web1", "Major")]
    # Followed once told: its severity leaving the filter is an update, not silence or a clear.
    await asyncio.to_thread(aom.push, [alarm("web1", severity="Minor")])
    assert summary(await take(queue, 1)) == [("updated", "web1", "Minor")]
    await asyncio.to_thread(aom.push, [cleared(alarm("web1")), cleared(alarm("web2"))], True)
    assert summary(await take(queue, 1)) == [("cleared", "web1", "Minor")]
    await nothing_more(queue, 0.6)  # web2 was never told: its clear is not news


@pytest.mark.asyncio
async def test_one_condition_set_is_narrowed_on_the_service_but_not_by_severity(emulator, aom, run_source):
    queue = ListQueue()
    run_source(queue, emulator.url, match=[{"resource_id": ["web1"], "event_severity": "Critical"}], **FAST)
    await asyncio.to_thread(aom.push, [alarm("web1", severity="Critical"), alarm("web2", severity="Critical")])
    assert summary(await take(queue, 1)) == [("raised", "web1", "Critical")]
    await asyncio.to_thread(aom.push, [alarm("web1", severity="Info")])
    assert summary(await take(queue, 1)) == [("updated", "web1", "Info")]
    polls = list_requests(emulator)
    assert polls and all(r["event_count"] <= 1 for r in polls)  # web2 never left the service


@pytest.mark.asyncio
async def test_emit_existing_false_follows_without_telling(emulator, aom, run_source):
    await asyncio.to_thread(aom.push, [alarm("old1"), alarm("old2")])
    queue = ListQueue()
    run_source(queue, emulator.url, emit_existing=False, **FAST)
    await nothing_more(queue, 0.7)
    await asyncio.to_thread(aom.push, [alarm("new1")])
    assert summary(await take(queue, 1)) == [("raised", "new1", "Major")]
    await asyncio.to_thread(aom.push, [cleared(alarm("old1"))], True)
    assert summary(await take(queue, 1)) == [("cleared", "old1", "Major")]


@pytest.mark.asyncio
async def test_emit_existing_true_tells_what_is_active_at_start(emulator, aom, run_source):
    await asyncio.to_thread(aom.push, [alarm("old1"), alarm("old2")])
    queue = ListQueue()
    run_source(queue, emulator.url, **FAST)
    assert sorted(summary(await take(queue, 2))) == [("raised", "old1", "Major"), ("raised", "old2", "Major")]
    await nothing_more(queue, 0.6)


@pytest.mark.asyncio
async def test_bookmark_across_a_restart(emulator, aom, run_source, tmp_path):
    state_file = tmp_path / "state" / "bookmark.json"
    await asyncio.to_thread(aom.push, [alarm("keep"), alarm("change"), alarm("gone")])
    queue = ListQueue()
    task = run_source(queue, emulator.url, state_file=str(state_file), **FAST)
    assert len(await take(queue, 3)) == 3
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert stat.S_IMODE(os.stat(state_file).st_mode) == 0o600
    text = state_file.read_text()
    assert SK not in text and AK not in text and not list(state_file.parent.glob(".tmp-*"))
    assert len(json.loads(text)["alarms"]) == 3

    # While the source is down: one changes, one clears, one is new.
    await asyncio.to_thread(aom.push, [alarm("change", severity="Critical"), alarm("new")])
    await asyncio.to_thread(aom.push, [cleared(alarm("gone"))], True)

    queue = ListQueue()
    run_source(queue, emulator.url, state_file=str(state_file), **FAST)
    events = await take(queue, 3)
    assert sorted(summary(events)) == [("cleared", "gone", "Major"), ("raised", "new", "Major"),
                                       ("updated", "change", "Critical")]
    await nothing_more(queue, 0.6)  # "keep" is not told again


@pytest.mark.asyncio
async def test_a_bookmark_for_another_match_is_not_resumed(emulator, aom, run_source, tmp_path):
    state_file = tmp_path / "bookmark.json"
    await asyncio.to_thread(aom.push, [alarm("web1"), alarm("web2")])
    queue = ListQueue()
    task = run_source(queue, emulator.url, state_file=str(state_file), match=[{"resource_id": "web1"}], **FAST)
    assert summary(await take(queue, 1)) == [("raised", "web1", "Major")]
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    # Another filter: the old bookmark would make web2 look new and nothing else; start afresh.
    queue = ListQueue()
    run_source(queue, emulator.url, state_file=str(state_file), match=[{"resource_id": "web2"}], **FAST)
    assert summary(await take(queue, 1)) == [("raised", "web2", "Major")]
    await nothing_more(queue, 0.6)


@pytest.mark.asyncio
async def test_outage_backs_off_and_tells_no_false_clear(emulator, aom, run_source, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="huaweicloud.aom.aom_alarms")
    state_file = tmp_path / "bookmark.json"
    await asyncio.to_thread(aom.push, [alarm("web1"), alarm("web2")])
    queue = ListQueue()
    run_source(queue, emulator.url, state_file=str(state_file), interval=0.2, max_backoff=0.8, retries=0)
    assert len(await take(queue, 2)) == 2
    saved = state_file.read_text()

    requests.delete(emulator.url + "/_emulator/requests", timeout=5)
    fault(emulator, status=503, count=6, path="/events", method="POST")
    fault(emulator, drop=True, count=3, path="/events", method="POST")
    # 9 failed polls: no event, above all no "cleared"
    for _attempt in range(100):
        await nothing_more(queue, 0.1)
        if not requests.get(emulator.url + "/_emulator/faults", timeout=5).json()["faults"]:
            break
    await nothing_more(queue, 0.1)
    assert state_file.read_text() == saved
    failed = [r for r in list_requests(emulator) if r["status"] in (0, 503)]
    assert len(failed) == 9
    # backed off: 9 failures at interval 0.2 would take 1.8 s; with the back-off they take longer
    spread = (failed[-1]["at"] - failed[0]["at"]) / 1000
    assert spread > 2.0
    assert any("poll failed" in r.getMessage() and "no alarm is told cleared" in r.getMessage() for r in caplog.records)

    # A real clear after the outage is told, once.
    await asyncio.to_thread(aom.push, [cleared(alarm("web1"))], True)
    assert summary(await take(queue, 1, timeout=5)) == [("cleared", "web1", "Major")]
    await nothing_more(queue, 0.6)
    assert any("answers again after 9 failed poll(s)" in r.getMessage() for r in caplog.records)
    assert not any(SK in r.getMessage() or AK in r.getMessage() for r in caplog.records)


@pytest.mark.asyncio
async def test_bad_credentials_are_logged_without_the_secret(emulator, run_source, caplog):
    caplog.set_level(logging.INFO, logger="huaweicloud.aom.aom_alarms")
    odd_secret = "s3cr\u00e9t with spaces %s '\"\\n" + "x" * 10
    queue = ListQueue()
    args = connection_args(emulator.url, **FAST)
    args["secret_key"] = odd_secret
    task = asyncio.create_task(SOURCE["main"](queue, args))
    await nothing_more(queue, 1.0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "HTTP 401" in errors[0].getMessage()
    assert not any(odd_secret in r.getMessage() for r in caplog.records)


def test_an_unexpected_error_text_is_redacted(caplog):
    caplog.set_level(logging.INFO, logger="huaweicloud.aom.aom_alarms")
    secret = "p@ss:word/with?odd&chars"

    class LeakyClient:
        project_id = PROJECT

        def list_events(self, **kwargs):
            raise RuntimeError("boom near " + secret)

    config = SOURCE["SourceConfig"]({"endpoint": "https://aom.example.test", "project_id": PROJECT,
                                     "user": "u", "password": secret, "domain": "d"}, environ={})
    source = SOURCE["AlarmSource"](config, LeakyClient())
    assert asyncio.run(source.poll_once(ListQueue())) is False
    messages = [r.getMessage() for r in caplog.records]
    assert any("RuntimeError: boom near ***" in m for m in messages)
    assert not any(secret in m for m in messages)


def test_backoff_is_bounded_and_grows():
    config = SOURCE["SourceConfig"](dict(connection_args("http://127.0.0.1:1"), interval=2, max_backoff=60), environ={})
    source = SOURCE["AlarmSource"](config, client=None)
    ceilings = []
    for failures in range(1, 40):
        source.failures = failures
        delays = [source.backoff_delay() for _sample in range(50)]
        ceiling = min(60, 2 * 2 ** failures)
        assert source.backoff_ceiling() == ceiling
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        ceilings.append(ceiling)
    assert ceilings[0] == 4 and ceilings[-1] == 60


def test_a_failed_poll_logs_the_longest_wait_before_the_next(caplog):
    config = SOURCE["SourceConfig"](dict(connection_args("http://127.0.0.1:1"), interval=2, max_backoff=60), environ={})
    source = SOURCE["AlarmSource"](config, client=None)
    with caplog.at_level(logging.WARNING, logger="huaweicloud.aom.aom_alarms"):
        for _failure in range(4):  # logged at the 1st, 2nd and 4th failure in a row
            source._report_failure(OSError("connection refused"))  # pylint: disable=protected-access
    said = [record.getMessage() for record in caplog.records]
    assert [message.split("next poll in up to ")[1].split(" s:")[0] for message in said] == ["4.0", "8.0", "32.0"]


def test_connection_from_the_modules_environment_variables():
    config = SOURCE["SourceConfig"]({"allow_http": True}, environ={
        "HW_AOM_ENDPOINT": "http://127.0.0.1:9", "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
        "HUAWEICLOUD_SDK_AK": AK, "HW_SECRET_KEY": SK})
    conn = config.connection
    assert (conn.endpoint, conn.project_id, conn.access_key, conn.auth) == (
        "http://127.0.0.1:9", PROJECT, AK, "aksk")
    # A rulebook argument wins over the environment.
    config = SOURCE["SourceConfig"]({"allow_http": True, "access_key": "ARGUMENTAK"}, environ={
        "HW_AOM_ENDPOINT": "http://127.0.0.1:9", "HW_PROJECT_ID": PROJECT, "HW_ACCESS_KEY": AK, "HW_SECRET_KEY": SK})
    assert config.connection.access_key == "ARGUMENTAK"


@pytest.mark.parametrize("args, message", [
    ({"interval": 0}, "interval: expected a number of seconds above 0"),
    ({"interval": "soon"}, "interval: expected a number of seconds above 0"),
    ({"emit_existing": "maybe"}, "emit_existing: expected true or false"),
    ({"match": {"event_severity": "Urgent"}}, "match[0].event_severity: 'Urgent' is not allowed; expected one of Critical"),
    ({"match": [{}]}, "match[0]: is empty; expected at least one condition"),
    ({"match": "web1"}, "match: expected a list of mappings"),
    ({"match": [{"resource_id": []}]}, "match[0].resource_id: EQUALS needs at least 1 value"),
    ({"intervall": 5}, "unknown argument intervall; allowed: interval"),
    ({"project_id": "not-hex"}, "project_id must be the 32-character hexadecimal project ID"),
])
def test_bad_arguments_are_refused_naming_the_field(args, message):
    with pytest.raises(SOURCE["SourceConfigError"]) as caught:
        SOURCE["SourceConfig"](dict(connection_args("http://127.0.0.1:1"), **args), environ={})
    assert message in str(caught.value)


def test_schema_lists_every_argument_the_source_takes():
    schema = json.loads(SCHEMA_PATH.read_text())
    documented = set(schema["properties"])
    accepted = set(SOURCE["SOURCE_OPTIONS"]) | set(SOURCE["CONNECTION_OPTIONS"])
    assert documented == accepted


MATCH_FORMS = [
    None, [], {"resource_id": "web1"}, [{"resource_id": ["web1", 7]}],
    [{"event_severity": ["Major", "Critical"]}, {"event_name": "disk full"}],
    [{"key": "resource_id", "operate": "REGEX", "value": ["web.*"]}],
    [{"key": "resource_id", "operate": "exist"}], {"key": "host", "operate": "EXIST", "value": []},
    [[{"key": "resource_id", "operate": "EQUALS", "value": "web1"}, {"key": "event_name", "operate": "EXIST"}]],
    "web1", [{}], [[]], ["web1"], [{"resource_id": []}], [{"resource_id": ""}], [{"resource_id": " "}],
    [{"resource_id": True}], [{"resource_id": "a\x07b"}], [{"event_severity": "Urgent"}],
    [{"event_type": ["alarm", "incident"]}], [{"key": "a", "operate": "LIKE", "value": ["x"]}],
    [{"key": "a", "operate": "EXIST", "value": ["x"]}], [{"key": "a", "operate": "EQUALS"}],
    [{"key": "a", "operate": "EQUALS", "value": "x", "relation": "AND"}], [[{"resource_id": "web1"}]],
]


@pytest.mark.parametrize("match", MATCH_FORMS, ids=[json.dumps(match) for match in MATCH_FORMS])
def test_schema_accepts_the_match_forms_the_source_accepts(match):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text())
    try:
        SOURCE["SourceConfig"](dict(connection_args("http://127.0.0.1:1"), match=match), environ={})
        source_accepts = True
    except SOURCE["SourceConfigError"]:
        source_accepts = False
    schema_accepts = jsonschema.Draft202012Validator(schema).is_valid({"match": match})
    assert schema_accepts == source_accepts


def test_loads_by_path_from_a_checkout_that_is_not_on_sys_path(tmp_path):
    """ansible-rulebook's way (runpy.run_path), from a bare interpreter: the checkout's own client is used."""
    code = ("import runpy, sys; m = runpy.run_path(sys.argv[1]); "
            "print(sys.modules[m['AOMClient'].__module__].__file__)")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    answer = subprocess.run([sys.executable, "-c", code, str(SOURCE_PATH)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    assert answer.stdout.strip() == str(SOURCE_PATH.parents[4] / "plugins" / "module_utils" / "_client.py")


def test_loads_from_an_ansible_collections_tree(tmp_path):
    """Installed as ansible-galaxy lays it out: imported as ansible_collections.huaweicloud.aom from there."""
    tree = tmp_path / "ansible_collections" / "huaweicloud"
    tree.mkdir(parents=True)
    (tree / "aom").symlink_to(SOURCE_PATH.parents[4])
    source = tree / "aom" / "extensions" / "eda" / "plugins" / "event_source" / "aom_alarms.py"
    code = ("import runpy, sys; m = runpy.run_path(sys.argv[1]); "
            "import ansible_collections.huaweicloud.aom as c; print(list(c.__path__)[0]); print(sys.path[0])")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    answer = subprocess.run([sys.executable, "-c", code, str(source)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    package_path, first_path = answer.stdout.split()
    assert first_path == str(tmp_path.resolve()) or first_path == str(tmp_path)
    assert package_path.endswith("ansible_collections/huaweicloud/aom")
