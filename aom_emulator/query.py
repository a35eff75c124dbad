"""Parsing of list and statistic requests (query string + JSON body) into an EventQuery.

``marker`` is an opaque keyset cursor (``<starts_at>-<event_sn>`` of the last row of the previous
page), so paging stays stable while events arrive or alarms move to history.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .problems import BadRequest
from .validation import INT64_MAX, REQUIRED_METADATA

QUERY_TYPES = {"active_alert": "active", "history_alert": "history"}
DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
RELATIONS = ("AND", "OR", "NOT")
ALL_ENTERPRISE_PROJECTS = "all_granted_eps"
MAX_STATISTIC_BUCKETS = 1440
_MARKER_RE = re.compile(r"^(\d+)-(\d+)$")


@dataclass(frozen=True)
class Relation:
    key: str
    values: frozenset[str]
    relation: str


@dataclass
class EventQuery:
    start_ms: int
    end_ms: int
    state: str | None = None  # "active", "history" or None for both
    enterprise_project_id: str | None = "0"  # None: every enterprise project
    relations: list[Relation] = field(default_factory=list)
    search: str | None = None
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    after: tuple[int, int] | None = None  # (starts_at, event_sn) of the previous page's last row
    step: int | None = None

    def matches(self, metadata: Mapping[str, str]) -> bool:
        """Whether an event's metadata passes the relation filters and the search."""
        or_clauses = [r for r in self.relations if r.relation == "OR"]
        for rel in self.relations:
            if rel.relation == "AND" and metadata.get(rel.key) not in rel.values:
                return False
            if rel.relation == "NOT" and metadata.get(rel.key) in rel.values:
                return False
        if or_clauses and not any(metadata.get(r.key) in r.values for r in or_clauses):
            return False
        if self.search:
            needle = self.search.lower()
            if not any(needle in metadata.get(key, "").lower() for key in REQUIRED_METADATA):
                return False
        return True


def format_marker(starts_at: int, event_sn: int) -> str:
    return f"{starts_at}-{event_sn}"


def parse_event_query(query: Mapping[str, str], body: object, now_ms: int,
                      enterprise_project_id: str | None) -> EventQuery:
    """The EventQuery of a list/statistic request; raises BadRequest naming the bad parameter."""
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    start_ms, end_ms = parse_time_range(body.get("time_range"), now_ms)
    result = EventQuery(start_ms=start_ms, end_ms=end_ms)

    kind = query.get("type")
    if kind:
        if kind not in QUERY_TYPES:
            raise BadRequest(f"type: must be one of {', '.join(QUERY_TYPES)} or absent")
        result.state = QUERY_TYPES[kind]
    result.limit = _parse_limit(query.get("limit"))
    result.after = _parse_marker(query.get("marker"))
    eps = enterprise_project_id or "0"
    result.enterprise_project_id = None if eps == ALL_ENTERPRISE_PROJECTS else eps

    result.relations = _parse_relations(body.get("metadata_relation"))
    search = body.get("search")
    if search is not None and not isinstance(search, str):
        raise BadRequest("search: must be a string")
    result.search = search or None
    result.descending = _parse_sort(body.get("sort"))
    step = body.get("step")
    if step is not None and (not isinstance(step, int) or isinstance(step, bool) or not 0 < step <= INT64_MAX):
        raise BadRequest(f"step: must be an integer from 1 to {INT64_MAX} (milliseconds)")
    result.step = step
    return result


def parse_time_range(value: object, now_ms: int) -> tuple[int, int]:
    """``startMs.endMs.durationMinutes`` -> (start, end) in ms; ``-1`` parts are derived.

    ``-1.-1.D``: the last D minutes; ``-1.E.D``: D minutes up to E; ``S.-1.D``: D minutes from S;
    ``S.E.D``: S to E.
    """
    if not isinstance(value, str):
        raise BadRequest("time_range: required, 'startMs.endMs.durationMinutes' (e.g. '-1.-1.60')")
    parts = value.split(".")
    try:
        start, end, minutes = (int(part) for part in parts)
    except ValueError:
        raise BadRequest(f"time_range: '{value}' is not 'startMs.endMs.durationMinutes'") from None
    # Every millisecond value must fit SQLite's signed 64-bit integers.
    if not (-1 <= start <= INT64_MAX and -1 <= end <= INT64_MAX and 0 <= minutes <= INT64_MAX // 60_000):
        raise BadRequest(f"time_range: '{value}' has a part out of range (milliseconds from 0 to {INT64_MAX},"
                         " -1 for start or end)")
    duration = minutes * 60_000
    if (start == -1 or end == -1) and minutes <= 0:
        raise BadRequest("time_range: durationMinutes must be positive when start or end is -1")
    if start == -1 and end == -1:
        end = now_ms
        start = end - duration
    elif start == -1:
        start = end - duration
    elif end == -1:
        end = start + duration
    if start < 0 or end < start or end > INT64_MAX:
        raise BadRequest(f"time_range: '{value}' does not give 0 <= start <= end")
    return start, end


def _parse_limit(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise BadRequest("limit: must be an integer from 1 to 1000") from None
    if limit < 1:
        raise BadRequest("limit: must be an integer from 1 to 1000")
    return min(limit, MAX_LIMIT)  # larger page sizes are served as 1000, like a capped page


def _parse_marker(value: str | None) -> tuple[int, int] | None:
    if value in (None, "", "0"):
        return None
    match = _MARKER_RE.match(value)
    if not match or max(int(match.group(1)), int(match.group(2))) > INT64_MAX:
        raise BadRequest("marker: not a marker this service returned")
    return int(match.group(1)), int(match.group(2))


def _parse_relations(value: object) -> list[Relation]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest("metadata_relation: must be an array")
    relations = []
    for index, item in enumerate(value):
        where = f"metadata_relation[{index}]"
        if not isinstance(item, dict):
            raise BadRequest(f"{where}: must be an object")
        key, values, relation = item.get("key"), item.get("value"), item.get("relation", "AND")
        if not isinstance(key, str) or not key:
            raise BadRequest(f"{where}.key: must be a non-empty string")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise BadRequest(f"{where}.value: must be an array of strings")
        if relation not in RELATIONS:
            raise BadRequest(f"{where}.relation: must be one of {', '.join(RELATIONS)}")
        relations.append(Relation(key, frozenset(values), relation))
    return relations


def _parse_sort(value: object) -> bool:
    """True for descending order (the default)."""
    if value is None:
        return True
    if not isinstance(value, dict):
        raise BadRequest("sort: must be an object {order_by: [starts_at], order: asc|desc}")
    order_by = value.get("order_by", ["starts_at"])
    if order_by not in (["starts_at"], [], "starts_at"):
        raise BadRequest("sort.order_by: only ['starts_at'] is supported")
    order = value.get("order", "desc")
    if not isinstance(order, str) or order.lower() not in ("asc", "desc"):
        raise BadRequest("sort.order: must be asc or desc")
    return order.lower() == "desc"
