"""Staff visits to enterprises ("visiting all enterprises"): the log behind follow-up clocks and coverage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.storage.db import from_ts, ts

OUTCOMES = ("stable", "needs_help", "may_move", "not_met")


@dataclass(frozen=True)
class Visit:
    id: int
    enterprise_id: int
    visited_at: datetime
    visitor_id: int | None
    outcome: str
    notes: str
    next_step: str | None
    next_step_on: date | None


_COLUMNS = "id, enterprise_id, visited_at, visitor_id, outcome, notes, next_step, next_step_on"


def _row(r: aiosqlite.Row) -> Visit:
    visited_at = from_ts(r[2])
    if visited_at is None:
        raise ValueError("a visit without its time (visited_at is NOT NULL)")
    return Visit(r[0], r[1], visited_at, r[3], r[4], r[5], r[6], date.fromisoformat(r[7]) if r[7] else None)


async def add(
    conn: aiosqlite.Connection,
    enterprise_id: int,
    visited_at: datetime,
    visitor_id: int | None,
    outcome: str,
    notes: str,
    now: datetime,
    next_step: str | None = None,
    next_step_on: date | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO enterprise_visits (enterprise_id, visited_at, visitor_id, outcome, notes, next_step, next_step_on,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            enterprise_id,
            ts(visited_at),
            visitor_id,
            outcome,
            notes,
            next_step,
            next_step_on.isoformat() if next_step_on else None,
            ts(now),
        ),
    )
    if cur.lastrowid is None:
        raise RuntimeError("an INSERT without ON CONFLICT left no row id")
    return cur.lastrowid


async def latest(conn: aiosqlite.Connection, enterprise_id: int, limit: int = 3) -> list[Visit]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM enterprise_visits WHERE enterprise_id = ? ORDER BY visited_at DESC, id DESC LIMIT ?",
        (enterprise_id, limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def last_visit_at(conn: aiosqlite.Connection, enterprise_id: int) -> datetime | None:
    cur = await conn.execute(
        "SELECT MAX(visited_at) FROM enterprise_visits WHERE enterprise_id = ?", (enterprise_id,)
    )
    row = await cur.fetchone()
    return from_ts(row[0]) if row else None


async def count_between(conn: aiosqlite.Connection, start: datetime, end: datetime) -> int:
    cur = await conn.execute(
        "SELECT COUNT(*) FROM enterprise_visits WHERE visited_at >= ? AND visited_at < ?",
        (ts(start), ts(end)),
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def coverage(conn: aiosqlite.Connection, now: datetime) -> dict[int | None, tuple[int, int]]:
    """building -> (enterprises, enterprises visited and not yet due for the next visit)."""
    cur = await conn.execute(
        "SELECT e.building_id, COUNT(*), SUM(f.due_at > ? AND EXISTS"
        " (SELECT 1 FROM enterprise_visits v WHERE v.enterprise_id = e.id))"
        " FROM enterprises e LEFT JOIN enterprise_followups f ON f.enterprise_id = e.id GROUP BY e.building_id",
        (ts(now),),
    )
    return {r[0]: (r[1], r[2] or 0) for r in await cur.fetchall()}


async def last_visits(
    conn: aiosqlite.Connection, enterprise_ids: Sequence[int], since: datetime
) -> dict[int, tuple[str, datetime, int]]:
    """enterprise id -> (outcome, time, id) of its last visit since `since`, for these enterprises
    (the signal sweep reads the last visit's finding; SQLite takes the other columns from the MAX row)."""
    cur = await conn.execute(
        "SELECT enterprise_id, outcome, MAX(visited_at), id FROM enterprise_visits"
        f" WHERE enterprise_id IN ({','.join('?' * len(enterprise_ids))}) AND visited_at >= ? GROUP BY enterprise_id",
        (*enterprise_ids, ts(since)),
    )
    return {r[0]: (r[1], from_ts(r[2]), r[3]) for r in await cur.fetchall()}
