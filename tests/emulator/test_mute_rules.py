"""Silence (mute) rules: the four calls with the bodies the SDK sends, the service's checks and
error shapes, per-project storage, and authentication as for events."""

import json

import pytest

from emulator_support import OTHER_PROJECT, PROJECT, mute_rule

pytestmark = pytest.mark.asyncio
PATH = f"/v2/{PROJECT}/alert/mute-rules"


async def listed(api, project=PROJECT, project_name="cn-north-4") -> list[dict]:
    status, body, _unused = await api.mute_rules("GET", project=project, project_name=project_name)
    assert status == 200, body
    return body


async def test_create_list_update_delete_round_trip(api, clock):
    sent = mute_rule(desc="deployment of shop")
    status, body, response = await api.mute_rules("POST", sent)
    assert (status, body) == (200, None)  # an empty body: the SDK's AddMuteRulesResponse has no field
    assert response.headers["X-Request-Id"]
    [rule] = await listed(api)
    assert rule == {**sent, "create_time": clock.now, "update_time": clock.now, "user_id": rule["user_id"]}
    assert len(rule["user_id"]) == 32

    clock.advance(60_000)
    changed = mute_rule(desc="longer", ends_at=1_700_003_600_000, match=[
        [{"key": "resource_id", "operate": "REGEX", "value": ["shop@web[0-9]+"]}],
        [{"key": "event_name", "operate": "EXIST", "value": []}, {"key": "team", "operate": "EQUALS",
                                                                  "value": ["a", "b"]}]])
    assert (await api.mute_rules("PUT", changed))[0] == 200
    [rule] = await listed(api)
    assert rule["desc"] == "longer" and rule["match"] == changed["match"]
    assert rule["mute_config"]["ends_at"] == 1_700_003_600_000
    assert rule["update_time"] == clock.now and rule["create_time"] == clock.now - 60_000

    status, body, _unused = await api.mute_rules("DELETE", [{"name": "deploy_shop"}])
    assert (status, body) == (200, None)
    assert await listed(api) == []


async def test_read_only_and_unknown_fields_are_ignored(api, clock):
    sent = mute_rule(create_time=1, update_time=2, user_id="x" * 32, colour="red")
    assert (await api.mute_rules("POST", sent))[0] == 200
    [rule] = await listed(api)
    assert rule["create_time"] == rule["update_time"] == clock.now and rule["user_id"] != "x" * 32
    assert "colour" not in rule


async def test_list_is_oldest_first_and_per_project(api, clock):
    for name in ("b_rule", "a_rule"):
        await api.mute_rules("POST", mute_rule(name=name))
        clock.advance(1)
    assert [rule["name"] for rule in await listed(api)] == ["b_rule", "a_rule"]
    # A token of cn-south-1 sees that project's rules only, and may reuse a name.
    assert await listed(api, project=OTHER_PROJECT, project_name="cn-south-1") == []
    assert (await api.mute_rules("POST", mute_rule(name="a_rule"), project=OTHER_PROJECT,
                                 project_name="cn-south-1"))[0] == 200


async def test_signed_calls_work_with_the_sdk_body_bytes(api):
    # Exactly the bytes huaweicloudsdkcore sends for add_mute_rules (json.dumps, sorted by the model).
    body = (b'{"desc": "d", "match": [[{"key": "resource_id", "operate": "EQUALS", "value": ["shop@web1"]}]],'
            b' "mute_config": {"ends_at": 1700001800000, "starts_at": 1700000000000, "type": "FIXED"},'
            b' "name": "deploy_shop", "timezone": "UTC"}')
    status, answer, _unused = await api.signed("POST", PATH, body, extra_headers={"X-Project-Id": PROJECT})
    assert status == 200, answer
    status, answer, _unused = await api.signed("GET", PATH, b"")
    assert status == 200 and [rule["name"] for rule in answer] == ["deploy_shop"]
    status, answer, _unused = await api.signed("DELETE", PATH, b'[{"name": "deploy_shop"}]')
    assert status == 200, answer
    assert await listed(api) == []


async def test_calls_need_credentials_for_the_project(api):
    async with api.client.get(PATH) as response:
        assert response.status == 401 and (await response.json())["error_code"] == "APIG.0301"
    status, body, _unused = await api.mute_rules("GET", project=OTHER_PROJECT)  # a cn-north-4 token
    assert status == 403 and body["error_code"] == "AOM.30001005"
    status, body, _unused = await api.mute_rules("POST", mute_rule(), project=OTHER_PROJECT)
    assert status == 403
    assert await listed(api, project=PROJECT) == []


async def test_duplicate_name_is_refused_and_the_rule_kept(api):
    await api.mute_rules("POST", mute_rule(desc="first"))
    status, body, _unused = await api.mute_rules("POST", mute_rule(desc="second"))
    assert status == 400
    assert body == {"error_code": "AOM.30005001", "error_type": "BAD_REQUEST",
                    "error_msg": "name: a silence rule named deploy_shop already exists"}
    assert [rule["desc"] for rule in await listed(api)] == ["first"]


async def test_update_of_an_unknown_name_is_refused(api):
    status, body, _unused = await api.mute_rules("PUT", mute_rule(name="nobody"))
    assert status == 400 and body["error_msg"] == "name: no silence rule named nobody"
    assert await listed(api) == []


async def test_delete_with_an_unknown_name_deletes_nothing(api):
    await api.mute_rules("POST", mute_rule(name="keep_me"))
    status, body, _unused = await api.mute_rules("DELETE", [{"name": "keep_me"}, {"name": "nobody"}])
    assert status == 400 and body["error_msg"] == "[1].name: no silence rule named nobody"
    assert [rule["name"] for rule in await listed(api)] == ["keep_me"]


async def test_a_project_holds_at_most_100_rules(api):
    for index in range(100):
        assert (await api.mute_rules("POST", mute_rule(name=f"rule_{index}")))[0] == 200
    status, body, _unused = await api.mute_rules("POST", mute_rule(name="rule_100"))
    assert status == 400 and "100" in body["error_msg"] and body["error_code"] == "AOM.30005001"
    assert len(await listed(api)) == 100
    # Updating at the limit is fine; deleting one makes room.
    assert (await api.mute_rules("PUT", mute_rule(name="rule_0", desc="x")))[0] == 200
    assert (await api.mute_rules("DELETE", [{"name": "rule_0"}]))[0] == 200
    assert (await api.mute_rules("POST", mute_rule(name="rule_100")))[0] == 200


def condition(key="resource_id", operate="EQUALS", value=("vm-1",)):
    return {"key": key, "operate": operate, "value": list(value)}


def changed(**fields):
    """A valid rule with fields replaced (``mute_config__type=...`` replaces inside mute_config)."""
    rule = mute_rule()
    for field, value in fields.items():
        if field.startswith("mute_config__"):
            rule["mute_config"][field[len("mute_config__"):]] = value
        else:
            rule[field] = value
    return rule


def without(*fields):
    rule = mute_rule()
    for field in fields:
        if field.startswith("mute_config__"):
            rule["mute_config"].pop(field[len("mute_config__"):])
        else:
            rule.pop(field)
    return rule


INVALID_RULES = {
    "no name": (without("name"), "name"),
    "empty name": (changed(name=""), "name"),
    "name starting with _": (changed(name="_deploy"), "name"),
    "name ending with _": (changed(name="deploy_"), "name"),
    "name with a hyphen": (changed(name="deploy-shop"), "name"),
    "name of 101 characters": (changed(name="a" * 101), "name"),
    "name not a string": (changed(name=7), "name"),
    "desc too long": (changed(desc="d" * 1025), "desc"),
    "unknown timezone": (changed(timezone="Mars/Olympus"), "timezone"),
    "no match": (without("match"), "match"),
    "empty match": (changed(match=[]), "match"),
    "match of objects": (changed(match=[condition()]), "match[0]"),
    "empty condition list": (changed(match=[[]]), "match[0]"),
    "11 OR groups": (changed(match=[[condition()]] * 11), "match"),
    "11 AND conditions": (changed(match=[[condition()] * 11]), "match[0]"),
    "condition not an object": (changed(match=[["resource_id"]]), "match[0][0]"),
    "empty key": (changed(match=[[condition(key="")]]), "match[0][0].key"),
    "key of 129 characters": (changed(match=[[condition(key="k" * 129)]]), "match[0][0].key"),
    "unknown operate": (changed(match=[[condition(operate="CONTAINS")]]), "match[0][0].operate"),
    "lower-case operate": (changed(match=[[condition(operate="equals")]]), "match[0][0].operate"),
    "EXIST with a value": (changed(match=[[condition(operate="EXIST")]]), "match[0][0].value"),
    "EQUALS without value": (changed(match=[[condition(value=())]]), "match[0][0].value"),
    "six values": (changed(match=[[condition(value=[str(i) for i in range(6)])]]), "match[0][0].value"),
    "value not a string": (changed(match=[[{"key": "k", "operate": "EQUALS", "value": [1]}]]), "match[0][0].value"),
    "value of 257 characters": (changed(match=[[condition(value=["v" * 257])]]), "match[0][0].value"),
    "invalid regex": (changed(match=[[condition(operate="REGEX", value=["shop(["])]]), "match[0][0].value"),
    "no mute_config": (without("mute_config"), "mute_config"),
    "unknown type": (changed(mute_config__type="ONCE"), "mute_config.type"),
    "no starts_at": (without("mute_config__starts_at"), "mute_config.starts_at"),
    "string starts_at": (changed(mute_config__starts_at="1700000000000"), "mute_config.starts_at"),
    "negative starts_at": (changed(mute_config__starts_at=-1), "mute_config.starts_at"),
    "starts_at beyond 13 digits": (changed(mute_config__starts_at=10**13), "mute_config.starts_at"),
    "boolean ends_at": (changed(mute_config__ends_at=True), "mute_config.ends_at"),
    "FIXED ends before it starts": (changed(mute_config__ends_at=1_699_999_999_999), "mute_config.ends_at"),
    "DAILY past midnight": (changed(mute_config__type="DAILY", mute_config__starts_at=0,
                                    mute_config__ends_at=86_400_001), "mute_config.ends_at"),
    "DAILY without ends_at": (changed(mute_config__type="DAILY", mute_config__starts_at=0,
                                      mute_config__ends_at=None), "mute_config.ends_at"),
    "DAILY empty window": (changed(mute_config__type="DAILY", mute_config__starts_at=3_600_000,
                                   mute_config__ends_at=3_600_000), "mute_config.ends_at"),
    "WEEKLY without scope": (changed(mute_config__type="WEEKLY", mute_config__starts_at=0,
                                     mute_config__ends_at=3_600_000), "mute_config.scope"),
    "WEEKLY empty scope": (changed(mute_config__type="WEEKLY", mute_config__starts_at=0,
                                   mute_config__ends_at=3_600_000, mute_config__scope=[]), "mute_config.scope"),
    "WEEKLY day 0": (changed(mute_config__type="WEEKLY", mute_config__starts_at=0,
                             mute_config__ends_at=3_600_000, mute_config__scope=[0]), "mute_config.scope"),
    "WEEKLY day 8": (changed(mute_config__type="WEEKLY", mute_config__starts_at=0,
                             mute_config__ends_at=3_600_000, mute_config__scope=[8]), "mute_config.scope"),
    "MONTHLY without scope": (changed(mute_config__type="MONTHLY", mute_config__starts_at=0,
                                      mute_config__ends_at=3_600_000), "mute_config.scope"),
    "MONTHLY day 32": (changed(mute_config__type="MONTHLY", mute_config__starts_at=0,
                               mute_config__ends_at=3_600_000, mute_config__scope=[1, 32]), "mute_config.scope"),
}


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize("body, field", INVALID_RULES.values(), ids=INVALID_RULES.keys())
async def test_invalid_rule_is_a_400_naming_the_field(api, method, body, field):
    if method == "PUT":
        await api.mute_rules("POST", mute_rule())
    before = await listed(api)
    body = json.loads(json.dumps(body))
    if body.get("mute_config", {}).get("ends_at", 0) is None:
        body["mute_config"].pop("ends_at")
    status, answer, _unused = await api.mute_rules(method, body)
    assert status == 400, answer
    assert answer["error_code"] == "AOM.30005001" and answer["error_type"] == "BAD_REQUEST"
    assert answer["error_msg"].startswith(field + ":"), answer["error_msg"]
    assert await listed(api) == before


@pytest.mark.parametrize("body, expected", [
    ([], "request body must be a non-empty JSON array"),
    ({"name": "deploy_shop"}, "request body must be a non-empty JSON array"),
    (["deploy_shop"], "[0]: must be an object"),
    ([{}], "[0].name"),
    ([{"name": "bad-name"}], "[0].name"),
], ids=["empty list", "object", "list of strings", "no name", "invalid name"])
async def test_invalid_delete_body_is_a_400(api, body, expected):
    await api.mute_rules("POST", mute_rule())
    status, answer, _unused = await api.mute_rules("DELETE", body)
    assert status == 400 and answer["error_msg"].startswith(expected)
    assert len(await listed(api)) == 1


@pytest.mark.parametrize("body", [
    mute_rule(mute_type="DAILY", starts_at=0, ends_at=86_400_000),
    mute_rule(mute_type="DAILY", starts_at=79_200_000, ends_at=7_200_000),  # 22:00 to 02:00
    mute_rule(mute_type="WEEKLY", starts_at=0, ends_at=3_600_000, scope=[6, 7, 6]),
    mute_rule(mute_type="MONTHLY", starts_at=0, ends_at=3_600_000, scope=[1, 31]),
    mute_rule(ends_at=None),  # FIXED without an end
    mute_rule(ends_at=0),
    mute_rule(name="a" * 100, timezone="Asia/Shanghai"),
    mute_rule(name="A_1"),
    mute_rule(match=[[{"key": "event_name", "operate": "EXIST"}]]),  # value absent for EXIST
], ids=["daily all day", "daily over midnight", "weekly", "monthly", "fixed open", "fixed ends_at 0",
        "longest name", "short name", "exist without value"])
async def test_valid_rules_are_accepted(api, body):
    status, answer, _unused = await api.mute_rules("POST", body)
    assert status == 200, answer
    [rule] = await listed(api)
    if body["mute_config"]["type"] == "WEEKLY":
        assert rule["mute_config"]["scope"] == [6, 7]  # stored sorted, once each


async def test_mute_rule_bodies_must_be_declared_json(api):
    status, answer, _unused = await api.mute_rules("POST", json.dumps(mute_rule()),
                                                   headers={"Content-Type": "text/plain"})
    assert status == 415 and answer["error_type"] == "UNSUPPORTED_MEDIA_TYPE"
    assert await listed(api) == []


async def test_other_methods_are_unknown_apis(api):
    status, answer, _unused = await api.mute_rules("PATCH", mute_rule())
    assert status == 404 and answer["error_code"] == "APIG.0101"
