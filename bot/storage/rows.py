"""What every table module reads the same way from aiosqlite: the id of the row just inserted, a
single number, and the timestamp of a NOT NULL column.

aiosqlite types these as optional (`lastrowid` may be None, `fetchone()` may find no row, and
`from_ts` lets NULL through); here the cases our SQL rules out become an error saying so, instead
of an `int(None)` far away or a `# type: ignore` at every call.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage.db import from_ts


def inserted_id(cur: aiosqlite.Cursor) -> int:
    """The id of the row a plain INSERT (no ON CONFLICT ... DO NOTHING) just added."""
    if cur.lastrowid is None:
        raise RuntimeError("an INSERT without ON CONFLICT left no row id")
    return cur.lastrowid


async def one(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> aiosqlite.Row | None:
    """The row of a SELECT that finds at most one (by its key), in one round trip to the database
    thread: execute + fetchone would be two, and every update reads the sender's profile."""
    rows = list(await conn.execute_fetchall(sql, params))
    return rows[0] if rows else None


async def number(cur: aiosqlite.Cursor) -> int:
    """The one value of a `SELECT COUNT(*) ...` (or another aggregate that always answers a row)."""
    row = await cur.fetchone()
    if row is None:
        raise RuntimeError("an aggregate query returned no row")
    return int(row[0])


def required_ts(value: str) -> datetime:
    """A timestamp of a NOT NULL column."""
    moment = from_ts(value)
    if moment is None:
        raise ValueError("a NOT NULL timestamp column held NULL")
    return moment
