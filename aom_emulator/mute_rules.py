"""Silence (mute) rules: validation of the bodies the service takes, and which rules silence an alarm.

Limits come from the SDK (``huaweicloudsdkaom`` 3.1.219 models) and the API reference pages
AddMuteRules/UpdateMuteRule; the first problem found is reported as 400 ``AOM.30005001`` naming
the field (``match[0][1].operate: ...``). Time units are in ``mute_window``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .problems import BadRequest
from .mute_window import MUTE_TYPES, SCOPE_RANGES, SCOPED_TYPES, time_bounds, zone

MAX_RULES_PER_PROJECT = 100
NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_]{0,98}[A-Za-z0-9])?$")
MAX_DESC = 1024
MAX_TIMEZONE = 32
# "At most 10 parallel conditions, each with at most 10 serial conditions" (UpdateMuteRule, 2025).
MAX_OR_GROUPS = 10
MAX_AND_CONDITIONS = 10
MAX_KEY = 128
MAX_VALUES = 5
MAX_VALUE = 256
OPERATES = ("EQUALS", "REGEX", "EXIST")


def validate_name(value: object, where: str = "name") -> str:
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise BadRequest(f"{where}: required, 1 to 100 letters, digits and '_', not starting or ending with '_'")
    return value


def validate_rule(body: object) -> dict:
    """The stored form of a MuteRule body: its writable fields, checked. Read-only fields
    (``create_time``, ``update_time``, ``user_id``) and unknown fields are ignored."""
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object (a MuteRule)")
    rule = {"name": validate_name(body.get("name"))}
    desc = body.get("desc")
    if desc is not None:
        if not isinstance(desc, str) or len(desc) > MAX_DESC:
            raise BadRequest(f"desc: must be a string of at most {MAX_DESC} characters")
        rule["desc"] = desc
    timezone = body.get("timezone")
    if timezone is not None:
        if not isinstance(timezone, str) or not 1 <= len(timezone) <= MAX_TIMEZONE:
            raise BadRequest(f"timezone: must be an IANA time zone name of 1 to {MAX_TIMEZONE} characters")
        try:
            zone(timezone)
        except ValueError as exc:
            raise BadRequest(f"timezone: {exc}") from None
        rule["timezone"] = timezone
    rule["match"] = _validate_match(body.get("match"))
    rule["mute_config"] = _validate_mute_config(body.get("mute_config"))
    return rule


def _validate_match(match: object) -> list[list[dict]]:
    if not isinstance(match, list) or not 1 <= len(match) <= MAX_OR_GROUPS:
        raise BadRequest(f"match: required, a list of 1 to {MAX_OR_GROUPS} condition lists (OR of ANDs)")
    groups = []
    for index, group in enumerate(match):
        where = f"match[{index}]"
        if not isinstance(group, list) or not 1 <= len(group) <= MAX_AND_CONDITIONS:
            raise BadRequest(f"{where}: must be a list of 1 to {MAX_AND_CONDITIONS} conditions")
        groups.append([_validate_condition(condition, f"{where}[{position}]")
                       for position, condition in enumerate(group)])
    return groups


def _validate_condition(condition: object, where: str) -> dict:
    if not isinstance(condition, dict):
        raise BadRequest(f"{where}: must be an object {{key, operate, value}}")
    key, operate, values = condition.get("key"), condition.get("operate"), condition.get("value")
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY:
        raise BadRequest(f"{where}.key: required, a metadata key of 1 to {MAX_KEY} characters")
    if operate not in OPERATES:
        raise BadRequest(f"{where}.operate: must be one of {', '.join(OPERATES)}")
    if values is None:
        values = []
    if not isinstance(values, list) or len(values) > MAX_VALUES or not all(
            isinstance(value, str) and 1 <= len(value) <= MAX_VALUE for value in values):
        raise BadRequest(f"{where}.value: must be a list of at most {MAX_VALUES} strings of 1 to {MAX_VALUE} characters")
    if operate == "EXIST" and values:
        raise BadRequest(f"{where}.value: must be empty when operate is EXIST")
    if operate != "EXIST" and not values:
        raise BadRequest(f"{where}.value: at least one value is required when operate is {operate}")
    if operate == "REGEX":
        for value in values:
            try:
                re.compile(value)
            except re.error as exc:
                raise BadRequest(f"{where}.value: {value!r} is not a valid regular expression ({exc})") from None
    return {"key": key, "operate": operate, "value": list(values)}


def _validate_mute_config(config: object) -> dict:
    if not isinstance(config, dict):
        raise BadRequest("mute_config: required, an object {type, starts_at, ends_at, scope}")
    kind = config.get("type")
    if kind not in MUTE_TYPES:
        raise BadRequest(f"mute_config.type: must be one of {', '.join(MUTE_TYPES)}")
    low, high = time_bounds(kind)
    unit = "epoch milliseconds" if kind == "FIXED" else "milliseconds from midnight"
    result: dict = {"type": kind}
    for field in ("starts_at", "ends_at"):
        value = config.get(field)
        if value is None and field == "ends_at":
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            required = "required, " if field == "starts_at" else ""
            raise BadRequest(f"mute_config.{field}: {required}an integer from {low} to {high} ({unit} for {kind})")
        result[field] = value
    starts_at, ends_at = result["starts_at"], result.get("ends_at")
    if kind == "FIXED" and ends_at and ends_at <= starts_at:
        raise BadRequest(f"mute_config.ends_at: {ends_at} must be after starts_at {starts_at} (or 0: no end)")
    if kind != "FIXED" and (ends_at is None or ends_at == starts_at):
        raise BadRequest(f"mute_config.ends_at: required for {kind} and different from starts_at")
    scope = config.get("scope")
    if kind in SCOPED_TYPES:
        first, last = SCOPE_RANGES[kind]
        if not isinstance(scope, list) or not scope or not all(
                isinstance(day, int) and not isinstance(day, bool) and first <= day <= last for day in scope):
            raise BadRequest(f"mute_config.scope: required for {kind}, a non-empty list of integers {first} to {last}")
        result["scope"] = sorted(set(scope))
    elif scope is not None:
        if not isinstance(scope, list):
            raise BadRequest("mute_config.scope: must be a list of integers")
        result["scope"] = scope  # kept as sent; only WEEKLY and MONTHLY use it
    return result


def validate_delete(body: object) -> list[str]:
    """The names of a delete body ``[{"name": "..."}]``."""
    if not isinstance(body, list) or not body:
        raise BadRequest('request body must be a non-empty JSON array [{"name": "..."}]')
    names = []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise BadRequest(f'[{index}]: must be an object {{"name": "..."}}')
        names.append(validate_name(item.get("name"), f"[{index}].name"))
    return names


def rule_matches(match: list[list[dict]], metadata: Mapping[str, str]) -> bool:
    """Outer list OR, inner lists AND. EQUALS: the value is one of the list; REGEX: one of the
    expressions matches the whole value; EXIST: the key is present."""
    return any(all(_condition_holds(condition, metadata) for condition in group) for group in match)


def _condition_holds(condition: dict, metadata: Mapping[str, str]) -> bool:
    key, operate = condition["key"], condition["operate"]
    if key not in metadata:
        return False
    if operate == "EXIST":
        return True
    if operate == "EQUALS":
        return metadata[key] in condition["value"]
    return any(re.fullmatch(pattern, metadata[key]) for pattern in condition["value"])
