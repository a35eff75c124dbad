"""SQLite storage of events, alarms, issued tokens, silence rules and the notification record
(the last two in ``mute_store``).

Durability: WAL journal with ``synchronous=FULL`` and one committed transaction per request,
committed before the handler answers, so an acknowledged push survives ``kill -9``.

Lifecycle rules (documented in bench/README.md and the package README):
- ``event_type=event`` rows go straight to history; they are never active.
- An alarm's identity is its metadata minus ``event_severity`` (canonical JSON, sorted keys).
  Reporting an alarm whose identity matches an active alarm of the same project and enterprise
  project updates it (metadata, annotations, timeout, arrives_at) and keeps ``id``,
  ``event_sn`` and ``starts_at``; otherwise a new active alarm is created.
- ``timeout`` counts from ``arrives_at``, the arrival of the latest report; ``0`` means the alarm
  never times out. Expiry is evaluated lazily, before every push and query: an expired alarm
  moves to history with ``ends_at = arrives_at + timeout``.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from . import mute_store
from .query import EventQuery, format_marker
from .validation import PushedEvent

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_sn INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    enterprise_project_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'history')),
    identity TEXT,                  -- NULL for events: they are never matched
    arrives_at INTEGER NOT NULL,    -- arrival of the latest report; timeout counts from here
    expires_at INTEGER,             -- arrives_at + timeout; NULL when timeout is 0 (never)
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    timeout INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    annotations TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (project_id, starts_at, event_sn);
CREATE INDEX IF NOT EXISTS events_active ON events (state, project_id, enterprise_project_id, identity);
CREATE INDEX IF NOT EXISTS events_expiry ON events (state, expires_at);
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,  -- never the token itself
    user_domain TEXT NOT NULL,
    user_name TEXT NOT NULL,
    project_id TEXT NOT NULL,
    project_name TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class TokenRecord:
    user_domain: str
    user_name: str
    project_id: str
    project_name: str
    issued_at: int
    expires_at: int


def alarm_identity(metadata: dict[str, str]) -> str:
    """Canonical JSON of the metadata without ``event_severity``."""
    return json.dumps({k: v for k, v in metadata.items() if k != "event_severity"},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Store:
    """Synchronous store; every public method is one transaction. Use it through AsyncStore."""

    def __init__(self, path: str):
        # One thread (AsyncStore's) uses the connection, but it is created on the caller's.
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = self._conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'events'").fetchone()[0]
        if has_tables and version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"{path} was made by another emulator version: remove it")
        self._conn.executescript(SCHEMA + mute_store.SCHEMA)  # mute tables are additive: same version
        self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- events -----------------------------------------------------------------------------

    def report(self, project_id: str, enterprise_project_id: str, events: list[PushedEvent], now: int) -> None:
        """Stores the events; every alarm raised (new, or another severity) is recorded as notified
        or muted (``mute_store.record_raised``) in the same transaction."""
        with self._transaction() as conn:
            _expire_due(conn, now)
            for event in events:
                metadata = json.dumps(event.metadata, ensure_ascii=False)
                annotations = json.dumps(event.annotations, ensure_ascii=False)
                if not event.is_alarm:
                    _insert(conn, project_id, enterprise_project_id, "history", None, now,
                            event.starts_at, event.ends_at or 0, event.timeout, metadata, annotations)
                    continue
                identity = alarm_identity(event.metadata)
                active = conn.execute(
                    "SELECT id, event_sn, metadata FROM events"
                    " WHERE state = 'active' AND project_id = ? AND enterprise_project_id = ? AND identity = ?",
                    (project_id, enterprise_project_id, identity)).fetchone()
                if active is not None:
                    conn.execute(
                        "UPDATE events SET metadata = ?, annotations = ?, timeout = ?, arrives_at = ?, expires_at = ?"
                        " WHERE event_sn = ?",
                        (metadata, annotations, event.timeout, now, _expiry(now, event.timeout), active["event_sn"]))
                    severity = event.metadata["event_severity"]
                    if json.loads(active["metadata"]).get("event_severity") == severity:
                        continue
                    event_id, event_sn, reason = active["id"], active["event_sn"], "severity"
                else:
                    event_id, event_sn = _insert(conn, project_id, enterprise_project_id, "active", identity, now,
                                                 event.starts_at, 0, event.timeout, metadata, annotations)
                    reason = "new"
                mute_store.record_raised(conn, project_id=project_id, enterprise_project_id=enterprise_project_id,
                                         event_id=event_id, event_sn=event_sn, reason=reason,
                                         metadata=event.metadata, now=now)

    def clear(self, project_id: str, enterprise_project_id: str, events: list[PushedEvent], now: int) -> None:
        """Clears by ``id`` when given (any enterprise project of the project), else by identity.

        Unknown ids and identities are no-ops, as clearing is idempotent.
        """
        with self._transaction() as conn:
            _expire_due(conn, now)
            for event in events:
                ends_at = event.ends_at or now
                if event.id:
                    conn.execute(
                        "UPDATE events SET state = 'history', ends_at = ?"
                        " WHERE state = 'active' AND project_id = ? AND id = ?",
                        (ends_at, project_id, event.id),
                    )
                else:
                    conn.execute(
                        "UPDATE events SET state = 'history', ends_at = ? WHERE state = 'active'"
                        " AND project_id = ? AND enterprise_project_id = ? AND identity = ?",
                        (ends_at, project_id, enterprise_project_id, alarm_identity(event.metadata)),
                    )

    def list_page(self, project_id: str, query: EventQuery, now: int) -> tuple[list[dict], str]:
        """One page of events in API shape, and the next marker ("" when this is the last page)."""
        self.expire_due(now)
        rows = list(self._matching_rows(project_id, query, query.limit + 1))
        has_more = len(rows) > query.limit
        rows = rows[:query.limit]
        next_marker = format_marker(rows[-1]["starts_at"], rows[-1]["event_sn"]) if has_more else ""
        return [_api_event(row) for row in rows], next_marker

    def count_by_severity(self, project_id: str, query: EventQuery, now: int) -> list[tuple[int, str]]:
        """(starts_at, severity) of every matching event, for the statistic endpoint."""
        self.expire_due(now)
        return [(row["starts_at"], json.loads(row["metadata"]).get("event_severity", ""))
                for row in self._matching_rows(project_id, query, None)]

    def expire_due(self, now: int) -> None:
        with self._transaction() as conn:
            _expire_due(conn, now)

    def dump(self, project_id: str | None = None) -> list[dict]:
        """Every stored row, raw (state, identity...), for test assertions."""
        sql, params = "SELECT * FROM events", ()
        if project_id:
            sql, params = sql + " WHERE project_id = ?", (project_id,)
        rows = self._conn.execute(sql + " ORDER BY event_sn", params).fetchall()
        return [dict(row, metadata=json.loads(row["metadata"]), annotations=json.loads(row["annotations"]))
                for row in rows]

    def _matching_rows(self, project_id: str, query: EventQuery, limit: int | None) -> Iterator[sqlite3.Row]:
        # Time and state are filtered in SQL; metadata relations and search in Python while
        # walking the ordered rows, stopping as soon as the page is full.
        where = ["project_id = ?", "starts_at <= ?", "(state = 'active' OR starts_at >= ?)"]
        params: list = [project_id, query.end_ms, query.start_ms]
        if query.state:
            where.append("state = ?")
            params.append(query.state)
        if query.enterprise_project_id is not None:
            where.append("enterprise_project_id = ?")
            params.append(query.enterprise_project_id)
        cmp, order = ("<", "DESC") if query.descending else (">", "ASC")
        if query.after:
            where.append(f"(starts_at {cmp} ? OR (starts_at = ? AND event_sn {cmp} ?))")
            params += [query.after[0], query.after[0], query.after[1]]
        sql = (f"SELECT * FROM events WHERE {' AND '.join(where)}"
               f" ORDER BY starts_at {order}, event_sn {order}")
        found = 0
        for row in self._conn.execute(sql, params):
            if query.matches(json.loads(row["metadata"])):
                yield row
                found += 1
                if limit is not None and found >= limit:
                    return

    # -- silence rules and notifications (mute_store) ---------------------------------------

    def add_mute_rule(self, project_id: str, rule: dict, user_id: str, now: int) -> None:
        with self._transaction() as conn:
            mute_store.add_rule(conn, project_id, rule, user_id, now)

    def update_mute_rule(self, project_id: str, rule: dict, user_id: str, now: int) -> None:
        with self._transaction() as conn:
            mute_store.update_rule(conn, project_id, rule, user_id, now)

    def delete_mute_rules(self, project_id: str, names: list[str]) -> None:
        with self._transaction() as conn:
            mute_store.delete_rules(conn, project_id, names)

    def list_mute_rules(self, project_id: str) -> list[dict]:
        return mute_store.list_rules(self._conn, project_id)

    def notifications(self, project_id: str | None = None) -> list[dict]:
        return mute_store.notifications(self._conn, project_id)

    def clear_notifications(self) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM notifications")

    # -- tokens -----------------------------------------------------------------------------

    def save_token(self, token_sha256: str, record: TokenRecord) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM tokens WHERE expires_at <= ?", (record.issued_at,))
            conn.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token_sha256, record.user_domain, record.user_name, record.project_id, record.project_name,
                 record.issued_at, record.expires_at),
            )

    def find_token(self, token_sha256: str) -> TokenRecord | None:
        row = self._conn.execute(
            "SELECT user_domain, user_name, project_id, project_name, issued_at, expires_at"
            " FROM tokens WHERE token_sha256 = ?", (token_sha256,)).fetchone()
        return TokenRecord(*row) if row else None


def _expiry(arrives_at: int, timeout: int) -> int | None:
    return arrives_at + timeout if timeout > 0 else None


def _insert(conn, project_id, enterprise_project_id, state, identity, now, starts_at, ends_at, timeout,
            metadata, annotations) -> tuple[str, int]:
    """(id, event_sn) of the new row."""
    event_id = uuid.uuid4().hex
    cursor = conn.execute(
        "INSERT INTO events (id, project_id, enterprise_project_id, state, identity, arrives_at, expires_at,"
        " starts_at, ends_at, timeout, metadata, annotations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (event_id, project_id, enterprise_project_id, state, identity, now, _expiry(now, timeout),
         starts_at, ends_at, timeout, metadata, annotations),
    )
    return event_id, cursor.lastrowid


def _expire_due(conn: sqlite3.Connection, now: int) -> None:
    # Uses the index events_expiry: cost grows with what expires, not with what is active.
    conn.execute(
        "UPDATE events SET state = 'history', ends_at = expires_at"
        " WHERE state = 'active' AND expires_at <= ?", (now,))


def _api_event(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"],
        "event_sn": row["event_sn"],
        "arrives_at": row["arrives_at"],
        "starts_at": row["starts_at"],
        "ends_at": row["ends_at"],
        "timeout": row["timeout"],
        "metadata": json.loads(row["metadata"]),
        "annotations": json.loads(row["annotations"]),
        "enterprise_project_id": row["enterprise_project_id"],
        "policy": {},
    }


class AsyncStore:
    """Runs Store calls one at a time on a dedicated thread: the event loop never waits on fsync,
    and calls are serialised, so an identity look-up and its insert cannot interleave."""

    def __init__(self, store: Store, clock: Callable[[], int]):
        self.store = store
        self.clock = clock  # epoch ms; injectable so tests can move time
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aom-store")

    async def run(self, method: Callable, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, method, *args)

    async def close(self) -> None:
        await self.run(self.store.close)
        self._executor.shutdown(wait=True)
