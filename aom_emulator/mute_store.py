"""SQLite tables of silence (mute) rules and of the emulator's notification record.

Functions take the connection of a transaction opened by ``store.Store``. The notification
record is the emulator's own model (the service only says silences act on notifications): every
alarm raised (reported new, or updated to another severity) is recorded once, as ``notified`` or
as ``muted`` by the names of the rules in force that match its metadata.
"""

from __future__ import annotations

import json
import sqlite3

from .problems import BadRequest
from .mute_rules import MAX_RULES_PER_PROJECT, rule_matches
from .mute_window import in_force

SCHEMA = """
CREATE TABLE IF NOT EXISTS mute_rules (
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    rule TEXT NOT NULL,             -- the validated writable fields, JSON
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (project_id, name)
);
CREATE TABLE IF NOT EXISTS notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    project_id TEXT NOT NULL,
    enterprise_project_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_sn INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('new', 'severity')),
    metadata TEXT NOT NULL,
    muted_by TEXT NOT NULL          -- JSON list of rule names; empty = notified
);
"""


def add_rule(conn: sqlite3.Connection, project_id: str, rule: dict, user_id: str, now: int) -> None:
    if _find(conn, project_id, rule["name"]) is not None:
        raise BadRequest(f"name: a silence rule named {rule['name']} already exists")
    count = conn.execute("SELECT count(*) FROM mute_rules WHERE project_id = ?", (project_id,)).fetchone()[0]
    if count >= MAX_RULES_PER_PROJECT:
        raise BadRequest(f"the project already has {count} silence rules, the most allowed"
                         f" ({MAX_RULES_PER_PROJECT}): delete unneeded rules first")
    conn.execute("INSERT INTO mute_rules VALUES (?, ?, ?, ?, ?, ?)",
                 (project_id, rule["name"], _dumps(rule), now, now, user_id))


def update_rule(conn: sqlite3.Connection, project_id: str, rule: dict, user_id: str, now: int) -> None:
    if _find(conn, project_id, rule["name"]) is None:
        raise BadRequest(f"name: no silence rule named {rule['name']}")
    conn.execute("UPDATE mute_rules SET rule = ?, update_time = ?, user_id = ? WHERE project_id = ? AND name = ?",
                 (_dumps(rule), now, user_id, project_id, rule["name"]))


def delete_rules(conn: sqlite3.Connection, project_id: str, names: list[str]) -> None:
    """All or nothing: an unknown name deletes none."""
    for index, name in enumerate(names):
        if _find(conn, project_id, name) is None:
            raise BadRequest(f"[{index}].name: no silence rule named {name}")
    conn.executemany("DELETE FROM mute_rules WHERE project_id = ? AND name = ?", [(project_id, n) for n in names])


def list_rules(conn: sqlite3.Connection, project_id: str) -> list[dict]:
    """The project's rules in API shape, oldest first."""
    rows = conn.execute("SELECT * FROM mute_rules WHERE project_id = ? ORDER BY create_time, name", (project_id,))
    return [_api_rule(row) for row in rows]


def muting_rules(conn: sqlite3.Connection, project_id: str, metadata: dict, now: int) -> list[str]:
    """Names of the project's rules in force at ``now`` whose match holds for ``metadata``."""
    names = []
    for rule in list_rules(conn, project_id):
        if in_force(rule["mute_config"], rule.get("timezone"), now) and rule_matches(rule["match"], metadata):
            names.append(rule["name"])
    return names


def record_raised(conn: sqlite3.Connection, *, project_id: str, enterprise_project_id: str, event_id: str,
                  event_sn: int, reason: str, metadata: dict, now: int) -> None:
    muted_by = muting_rules(conn, project_id, metadata, now)
    conn.execute(
        "INSERT INTO notifications (at, project_id, enterprise_project_id, event_id, event_sn, reason, metadata,"
        " muted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (now, project_id, enterprise_project_id, event_id, event_sn, reason, _dumps(metadata), _dumps(muted_by)))


def notifications(conn: sqlite3.Connection, project_id: str | None) -> list[dict]:
    sql, params = "SELECT * FROM notifications", ()
    if project_id:
        sql, params = sql + " WHERE project_id = ?", (project_id,)
    result = []
    for row in conn.execute(sql + " ORDER BY seq", params):
        muted_by = json.loads(row["muted_by"])
        result.append({"seq": row["seq"], "at": row["at"], "project_id": row["project_id"],
                       "enterprise_project_id": row["enterprise_project_id"], "event_id": row["event_id"],
                       "event_sn": row["event_sn"], "reason": row["reason"], "metadata": json.loads(row["metadata"]),
                       "outcome": "muted" if muted_by else "notified", "muted_by": muted_by})
    return result


def _find(conn: sqlite3.Connection, project_id: str, name: str) -> sqlite3.Row | None:
    return conn.execute("SELECT name FROM mute_rules WHERE project_id = ? AND name = ?", (project_id, name)).fetchone()


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _api_rule(row: sqlite3.Row) -> dict:
    return {**json.loads(row["rule"]), "create_time": row["create_time"], "update_time": row["update_time"],
            "user_id": row["user_id"]}
