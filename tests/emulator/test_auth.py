"""IAM tokens and AK/SK signatures, checked like the gateway does."""

import datetime
import json

import pytest

from emulator_support import AK, FOREIGN_PROJECT, SK, OTHER_PROJECT, PROJECT, SIGNER, TWO_USERS, alarm

pytestmark = pytest.mark.asyncio
PUSH = f"/v2/{PROJECT}/push/events"
BODY = json.dumps({"events": [alarm()]}).encode()


def sdk_date(minutes_from_now):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes_from_now)
    return SIGNER.format_sdk_date(moment)


# -- tokens -------------------------------------------------------------------------------------

async def test_token_by_project_name(api, clock):
    response = await api.issue_token("cn-north-4")
    assert response.status == 201
    assert len(response.headers["X-Subject-Token"]) > 100
    token = (await response.json())["token"]
    assert token["project"] == {"id": PROJECT, "name": "cn-north-4", "domain": {"name": "demo-domain"}}
    assert token["user"] == {"name": "demo-user", "domain": {"name": "demo-domain"}}
    issued = datetime.datetime.fromisoformat(token["issued_at"].replace("Z", "+00:00"))
    expires = datetime.datetime.fromisoformat(token["expires_at"].replace("Z", "+00:00"))
    assert expires - issued == datetime.timedelta(hours=24)


async def test_token_by_project_id(api):
    response = await api.issue_token(scope={"id": OTHER_PROJECT})
    assert response.status == 201
    assert (await response.json())["token"]["project"]["name"] == "cn-south-1"


async def test_wrong_password_is_401(api):
    response = await api.issue_token(password="nope")
    assert response.status == 401
    assert await response.json() == {"error": {"code": 401, "message": "The username or password is wrong.",
                                               "title": "Unauthorized"}}


async def test_unknown_project_scope_is_401(api):
    assert (await api.issue_token("no-such-region")).status == 401


@pytest.mark.parametrize("body", [b"{", b"{}", json.dumps({"auth": {"identity": {"methods": ["token"]}}}).encode(),
                                  json.dumps({"auth": {"identity": {"methods": ["password"], "password": {
                                      "user": {"name": "demo-user", "password": "x"}}}}}).encode()])
async def test_malformed_token_request_is_400(api, body):
    response = await api.client.post("/v3/auth/tokens", data=body)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == 400


async def test_token_works_for_its_project_only(api):
    assert (await api.push([alarm()]))[0] == 204
    status, body, _unused = await api.push([alarm()], project=OTHER_PROJECT)  # token scoped to cn-north-4
    assert status == 403 and body["error_code"] == "AOM.30001005"
    assert (await api.push([alarm()], project=OTHER_PROJECT, project_name="cn-south-1"))[0] == 204


async def test_bad_token_is_401_apig_1002(api):
    status, body, response = await api.call("PUT", PUSH, {"events": [alarm()]}, headers={"X-Auth-Token": "MIIfake"})
    assert status == 401
    assert body["error_code"] == "APIG.1002" and body["request_id"] == response.headers["X-Request-Id"]


async def test_expired_token_is_401(api, clock):
    await api.token()
    clock.advance(24 * 3600 * 1000 + 1)
    status, body, _unused = await api.push([alarm()])
    assert status == 401 and body["error_code"] == "APIG.1002"


async def test_no_credentials_is_401(api):
    response = await api.client.put(PUSH, data=BODY)
    assert response.status == 401
    assert (await response.json())["error_code"] == "APIG.0301"


async def test_x_project_id_must_match_the_path(api):
    status, body, _unused = await api.push([alarm()], headers={"X-Project-Id": OTHER_PROJECT})
    assert status == 403 and body["error_code"] == "AOM.30001005"


async def test_tokens_are_stored_hashed(api, tmp_path):
    token = await api.token()
    assert token.encode() not in (tmp_path / "aom.db").read_bytes()


# -- AK/SK --------------------------------------------------------------------------------------

async def test_signed_push_is_accepted(api):
    status, body, _unused = await api.signed("PUT", PUSH, BODY)
    assert status == 204, body
    assert len(await api.stored()) == 1


async def test_signed_list_with_an_encoded_query(api):
    await api.signed("PUT", PUSH, BODY)
    query = SIGNER.encode_query({"type": "active_alert", "limit": "10", "marker": "0", "x": "a b/c"})
    status, body, _unused = await api.signed("POST", f"/v2/{PROJECT}/events", b'{"time_range": "0.-1.100000000"}',
                                             query=query)
    assert status == 200, body
    assert len(body["events"]) == 1


async def test_signed_request_works_for_every_project_of_the_user(api):
    status, _unused, _unused = await api.signed("PUT", f"/v2/{OTHER_PROJECT}/push/events", BODY)
    assert status == 204


@pytest.mark.parametrize("accounts_data", [TWO_USERS])
async def test_signed_request_for_another_users_project_is_403(api, accounts_data):
    status, body, _unused = await api.signed("PUT", f"/v2/{FOREIGN_PROJECT}/push/events", BODY)
    assert status == 403 and body["error_code"] == "AOM.30001005"
    status, _unused, _unused = await api.signed("PUT", f"/v2/{FOREIGN_PROJECT}/push/events", BODY,
                                                ak="OTHERAK0000000000000", sk="OTHERSK")
    assert status == 204


@pytest.mark.parametrize("case, kwargs", [
    ("wrong secret key", {"sk": "not-the-secret"}),
    ("unknown access key", {"ak": "UNKNOWNAK"}),
    ("stale date", {"sdk_date": sdk_date(-16)}),
    ("future date", {"sdk_date": sdk_date(+16)}),
    ("malformed date", {"sdk_date": "2024-01-01T00:00:00Z"}),
    ("signed header missing", {"drop_header": "X-Project-Id"}),
    ("date header missing", {"drop_header": "X-Sdk-Date"}),
    ("body tampered", {"sign_body": BODY.replace(b"vm-1", b"vm-2")}),
    ("query tampered", {"sign_query": "action=report"}),
    ("query added", {"sign_query": ""}),
])
async def test_bad_signatures_are_401(api, case, kwargs):
    query = "action=clear" if "query" in case else ""
    status, body, response = await api.signed("PUT", PUSH, BODY, query=query, **kwargs)
    assert status == 401, case
    assert body["error_code"] == "APIG.0301"
    assert body["error_msg"].startswith("Incorrect IAM authentication information")
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert await api.stored() == []


async def test_date_within_15_minutes_is_accepted(api):
    assert (await api.signed("PUT", PUSH, BODY, sdk_date=sdk_date(-14)))[0] == 204


async def test_path_tampered_is_401(api):
    base = str(api.client.make_url(""))
    headers = SIGNER.sign_request("PUT", base + PUSH, {"Content-Type": "application/json"}, BODY, AK, SK)
    response = await api.client.put(f"/v2/{OTHER_PROJECT}/push/events", data=BODY, headers=headers)
    assert response.status in (401, 403)  # the signature no longer matches, or X-Project-Id does not


async def test_malformed_authorization_is_401(api):
    response = await api.client.put(PUSH, data=BODY, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status == 401
    assert (await response.json())["error_code"] == "APIG.0301"


async def test_host_and_date_must_be_signed(api):
    base = str(api.client.make_url(""))
    headers = {"Content-Type": "application/json", "X-Sdk-Date": sdk_date(0), "Host": base.split("/")[2]}
    names = ["content-type", "x-sdk-date"]  # host left out of the signature
    canonical = SIGNER.canonical_request("PUT", base + PUSH, headers, BODY, names)
    sig = SIGNER.signature(SK, SIGNER.string_to_sign(canonical, headers["X-Sdk-Date"]))
    headers["Authorization"] = SIGNER.authorization_header(AK, names, sig)
    response = await api.client.put(PUSH, data=BODY, headers=headers)
    assert response.status == 401
    assert "host and x-sdk-date" in (await response.json())["error_msg"]


async def test_request_log_records_auth_kinds(api):
    await api.signed("PUT", PUSH, BODY)
    await api.push([alarm()])
    await api.signed("PUT", PUSH, BODY, sk="wrong")
    await api.client.put(PUSH, data=BODY)
    kinds = [entry["auth"] for entry in await api.request_log()]
    assert kinds == ["aksk", "password", "token", "invalid", "none"]
