"""Validation of push bodies, as the service does it: the first problem found is reported, naming
the event index and field (``events[2].metadata.event_severity: ...``), and nothing is stored.

It is deliberately independent of the collection's own voluptuous schema, so the two check
each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from .problems import BadRequest

SEVERITIES = ("Critical", "Major", "Minor", "Info")
EVENT_TYPES = ("event", "alarm")
REQUIRED_METADATA = ("event_name", "event_severity", "event_type", "resource_provider", "resource_type",
                     "resource_id")
MAX_KEYS = 30
MAX_VALUE_LEN = 2048
MAX_TIMEOUT_MS = 1_296_000_000  # 15 days
DEFAULT_TIMEOUT_MS = 259_200_000  # 3 days, the seed page's default
INT64_MAX = 2**63 - 1


@dataclass
class PushedEvent:
    """One validated event of a push body."""

    metadata: dict[str, str]
    annotations: dict
    starts_at: int | None
    ends_at: int | None
    timeout: int
    id: str | None

    @property
    def is_alarm(self) -> bool:
        return self.metadata["event_type"] == "alarm"


def validate_push(body: object, clearing: bool) -> list[PushedEvent]:
    """The events of a push body; raises BadRequest naming the first invalid field."""
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    events = body.get("events")
    if not isinstance(events, list) or not events:
        raise BadRequest("events: must be a non-empty array")
    return [_validate_event(event, f"events[{index}]", clearing) for index, event in enumerate(events)]


def _validate_event(event: object, where: str, clearing: bool) -> PushedEvent:
    if not isinstance(event, dict):
        raise BadRequest(f"{where}: must be an object")
    metadata = _validate_metadata(event.get("metadata"), f"{where}.metadata")
    if clearing and metadata["event_type"] == "event":
        raise BadRequest(f"{where}.metadata.event_type: events cannot be cleared, only alarms")
    annotations = event.get("annotations", {})
    if annotations is None:
        annotations = {}
    if not isinstance(annotations, dict):
        raise BadRequest(f"{where}.annotations: must be an object")
    if len(annotations) > MAX_KEYS:
        raise BadRequest(f"{where}.annotations: at most {MAX_KEYS} keys, got {len(annotations)}")
    attach_rule = event.get("attach_rule", {})
    if attach_rule is not None and not isinstance(attach_rule, dict):
        raise BadRequest(f"{where}.attach_rule: must be an object")

    starts_at = _optional_int(event, "starts_at", where, 0, INT64_MAX)
    if starts_at is None and not clearing:
        raise BadRequest(f"{where}.starts_at: required to report, epoch milliseconds >= 0")
    ends_at = _optional_int(event, "ends_at", where, 0, INT64_MAX)
    if ends_at and starts_at is not None and ends_at < starts_at:
        raise BadRequest(f"{where}.ends_at: {ends_at} is before starts_at {starts_at}; must be 0 or at or after it")
    timeout = _optional_int(event, "timeout", where, 0, MAX_TIMEOUT_MS)
    event_id = event.get("id")
    if event_id is not None and (not isinstance(event_id, str) or not event_id):
        raise BadRequest(f"{where}.id: must be a non-empty string")
    return PushedEvent(metadata, annotations, starts_at, ends_at,
                       DEFAULT_TIMEOUT_MS if timeout is None else timeout, event_id)


def _validate_metadata(metadata: object, where: str) -> dict[str, str]:
    if not isinstance(metadata, dict):
        raise BadRequest(f"{where}: required, an object of strings")
    if len(metadata) > MAX_KEYS:
        raise BadRequest(f"{where}: at most {MAX_KEYS} keys, got {len(metadata)}")
    for key in REQUIRED_METADATA:
        if key not in metadata:
            raise BadRequest(f"{where}.{key}: required")
    for key, value in metadata.items():
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_VALUE_LEN:
            raise BadRequest(f"{where}.{key}: must be a string of 1 to {MAX_VALUE_LEN} characters")
    if metadata["event_severity"] not in SEVERITIES:
        raise BadRequest(f"{where}.event_severity: must be one of {', '.join(SEVERITIES)} (exact case)")
    if metadata["event_type"] not in EVENT_TYPES:
        raise BadRequest(f"{where}.event_type: must be one of {', '.join(EVENT_TYPES)}")
    return dict(metadata)


def _optional_int(event: dict, name: str, where: str, low: int, high: int) -> int | None:
    value = event.get(name)
    if value is None:
        return None
    # bool is an int subclass in Python, but JSON true is not a number.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadRequest(f"{where}.{name}: must be an integer from {low} to {high}")
    return value
