"""SQL behind /mydata and /forgetme, driven by the registry in storage/personal_data.py.

Table and column names come from that registry (code, never user input); they are still checked
to be plain identifiers before they reach an SQL string.
"""

from __future__ import annotations

import re
from datetime import datetime

import aiosqlite

from bot.storage.db import ts
from bot.storage.personal_data import PersonalData

# One stored value, as SQLite gives it back.
Cell = str | int | float | bytes | None

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PENDING = "sent_at IS NULL AND dead_at IS NULL AND missed_at IS NULL AND cancelled_at IS NULL"


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


async def table_exists(conn: aiosqlite.Connection, table: str) -> bool:
    cur = await conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    return await cur.fetchone() is not None


async def rows_of(conn: aiosqlite.Connection, entry: PersonalData, user_id: int) -> list[dict[str, Cell]]:
    """Every row of `entry.table` that belongs to the person, all columns."""
    cur = await conn.execute(
        f"SELECT * FROM {_ident(entry.table)} WHERE {_ident(entry.user_column)} = ? ORDER BY rowid",
        (user_id,),
    )
    return [dict(zip(r.keys(), tuple(r), strict=True)) for r in await cur.fetchall()]


async def erase(conn: aiosqlite.Connection, entry: PersonalData, user_id: int, placeholder: str) -> int:
    """Replace the person's free text with `placeholder` and clear the listed columns; rows stay,
    so every count and statistic that joins on them is unchanged."""
    assignments = [
        f"{_ident(c)} = CASE WHEN {_ident(c)} IS NULL OR {_ident(c)} = '' THEN {_ident(c)} ELSE ? END"
        for c in entry.text_columns
    ] + [f"{_ident(c)} = NULL" for c in entry.clear_columns]
    if not assignments:
        return 0
    cur = await conn.execute(
        f"UPDATE {_ident(entry.table)} SET {', '.join(assignments)} WHERE {_ident(entry.user_column)} = ?",
        (*([placeholder] * len(entry.text_columns)), user_id),
    )
    return cur.rowcount


async def scrub(
    conn: aiosqlite.Connection, table: str, columns: tuple[str, ...], needles: list[str], placeholder: str
) -> int:
    """Replace every occurrence of `needles` in free-text columns that may quote anyone (the
    outbox's rendered messages, the audit log) — what a registry entry cannot point at by user id."""
    changed = 0
    for column in columns:
        col = _ident(column)
        for needle in needles:
            cur = await conn.execute(
                f"UPDATE {_ident(table)} SET {col} = REPLACE({col}, ?, ?) WHERE instr({col}, ?) > 0",
                (needle, placeholder, needle),
            )
            changed += cur.rowcount
    return changed


async def cancel_pending_to(conn: aiosqlite.Connection, chat_id: int, now: datetime) -> int:
    """Withdraw what is still queued for the person and blank what was sent to them."""
    cur = await conn.execute(
        f"UPDATE outbox SET cancelled_at = ? WHERE chat_id = ? AND {_PENDING}", (ts(now), chat_id)
    )
    await conn.execute("UPDATE outbox SET text = '', buttons = NULL WHERE chat_id = ?", (chat_id,))
    return cur.rowcount


async def mark_forgotten(conn: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE users SET forgotten_at = ?, updated_at = ? WHERE id = ?", (ts(now), ts(now), user_id)
    )


async def count_erasure(conn: aiosqlite.Connection, now: datetime, rows: int) -> None:
    await conn.execute(
        "INSERT INTO privacy_erasures (day, people, rows) VALUES (?, 1, ?)"
        " ON CONFLICT(day) DO UPDATE SET people = people + 1, rows = rows + excluded.rows",
        (ts(now)[:10], rows),
    )
