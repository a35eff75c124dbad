"""The official SDK (huaweicloudsdkaom, pinned in hack/requirements-dev.txt for these tests only)
manages silence rules on the emulator unchanged: AK/SK signing, request and response shapes,
errors. It is synchronous, so it talks to a real emulator process over loopback HTTP."""

import json
import time
import urllib.request

import pytest
from huaweicloudsdkaom.v2 import (AddMuteRulesRequest, AomClient, DeleteMuteRuleName, DeleteMuteRulesRequest,
                                  ListMuteRuleRequest, Match, MuteConfig, MuteRule, UpdateMuteRuleRequest)
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig

from emulator_support import AK, PROJECT, SK, alarm


@pytest.fixture
def emulator(tmp_path, start_emulator):
    return start_emulator(tmp_path / "aom.db")


@pytest.fixture
def client(emulator):
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    config.timeout = (5, 10)
    # An http:// endpoint is used as given; with the project id set, no IAM call is made.
    return (AomClient.new_builder().with_http_config(config)
            .with_credentials(BasicCredentials(AK, SK, PROJECT)).with_endpoint(emulator.url).build())


def shop_rule(now_ms, desc="deployment of shop"):
    return MuteRule(name="deploy_shop", desc=desc, timezone="UTC",
                    match=[[Match(key="resource_id", operate="EQUALS", value=["vm-1"])]],
                    mute_config=MuteConfig(type="FIXED", starts_at=now_ms - 1000, ends_at=now_ms + 1_800_000))


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as answer:  # nosec: loopback emulator only
        return json.load(answer)


def push(emulator, events):
    request = urllib.request.Request(f"{emulator.url}/v2/{PROJECT}/push/events", method="PUT",
                                     data=json.dumps({"events": events}).encode(),
                                     headers={"Content-Type": "application/json",
                                              "X-Auth-Token": emulator.demo_token()})
    with urllib.request.urlopen(request, timeout=10) as answer:  # nosec: loopback emulator only
        assert answer.status == 204


def test_sdk_add_list_update_delete(client, emulator):
    now = int(time.time() * 1000)
    client.add_mute_rules(AddMuteRulesRequest(body=shop_rule(now)))
    [rule] = client.list_mute_rule(ListMuteRuleRequest()).body
    assert (rule.name, rule.desc, rule.timezone) == ("deploy_shop", "deployment of shop", "UTC")
    assert (rule.match[0][0].key, rule.match[0][0].operate, rule.match[0][0].value) == ("resource_id", "EQUALS",
                                                                                        ["vm-1"])
    assert (rule.mute_config.type, rule.mute_config.ends_at) == ("FIXED", now + 1_800_000)
    assert rule.create_time == rule.update_time and len(rule.user_id) == 32

    client.update_mute_rule(UpdateMuteRuleRequest(body=shop_rule(now, desc="changed")))
    [rule] = client.list_mute_rule(ListMuteRuleRequest()).body
    assert rule.desc == "changed"

    client.delete_mute_rules(DeleteMuteRulesRequest(body=[DeleteMuteRuleName(name="deploy_shop")]))
    assert client.list_mute_rule(ListMuteRuleRequest()).body is None  # how the SDK reads an empty array
    log = get_json(emulator.url + "/_emulator/requests")["requests"]
    assert [(entry["method"], entry["status"], entry["auth"]) for entry in log] == [
        ("POST", 200, "aksk"), ("GET", 200, "aksk"), ("PUT", 200, "aksk"), ("GET", 200, "aksk"),
        ("DELETE", 200, "aksk"), ("GET", 200, "aksk")]


def test_sdk_sees_the_service_errors(client):
    now = int(time.time() * 1000)
    client.add_mute_rules(AddMuteRulesRequest(body=shop_rule(now)))
    with pytest.raises(ClientRequestException) as duplicate:
        client.add_mute_rules(AddMuteRulesRequest(body=shop_rule(now)))
    assert (duplicate.value.status_code, duplicate.value.error_code) == (400, "AOM.30005001")
    assert duplicate.value.error_msg.startswith("name:") and duplicate.value.request_id

    weekly = shop_rule(now)
    weekly.name, weekly.mute_config = "weekly", MuteConfig(type="WEEKLY", starts_at=0, ends_at=3_600_000)
    with pytest.raises(ClientRequestException) as no_scope:
        client.add_mute_rules(AddMuteRulesRequest(body=weekly))
    assert no_scope.value.error_msg.startswith("mute_config.scope:")

    with pytest.raises(ClientRequestException) as unknown:
        client.delete_mute_rules(DeleteMuteRulesRequest(body=[DeleteMuteRuleName(name="nobody")]))
    assert unknown.value.status_code == 400 and "nobody" in unknown.value.error_msg


def test_a_rule_added_with_the_sdk_mutes_a_matching_alarm(client, emulator):
    client.add_mute_rules(AddMuteRulesRequest(body=shop_rule(int(time.time() * 1000))))
    push(emulator, [alarm(resource_id="vm-1"), alarm(resource_id="vm-2")])
    found = get_json(emulator.url + "/_emulator/notifications")["notifications"]
    assert [(entry["metadata"]["resource_id"], entry["outcome"], entry["muted_by"]) for entry in found] == [
        ("vm-1", "muted", ["deploy_shop"]), ("vm-2", "notified", [])]
