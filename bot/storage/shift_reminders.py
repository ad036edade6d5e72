"""Shift reminders as rows that name a sign-up (rendered by the tick when due, never before).

Why not outbox rows written at sign-up: a text rendered then is frozen in the language and with
the time and place of that moment. A row here says only "remind sign-up S (reminder n) at T";
the volunteer tick renders it at T from what is true at T and hands it to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.db import from_ts, ts


@dataclass(frozen=True)
class ReminderRow:
    id: int
    signup_id: int
    n: int
    kind: str  # eve | before
    due_at: datetime


def _row(r: aiosqlite.Row) -> ReminderRow:
    due = from_ts(r["due_at"])
    assert due is not None
    return ReminderRow(r["id"], r["signup_id"], r["n"], r["kind"], due)


async def put(conn: aiosqlite.Connection, signup_id: int, n: int, kind: str, due_at: datetime) -> None:
    """Schedule (or move) reminder `n` of a sign-up; one already handed to the outbox stays sent."""
    await conn.execute(
        "INSERT INTO vol_reminders (signup_id, n, kind, due_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(signup_id, n) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at"
        " WHERE vol_reminders.sent_at IS NULL",
        (signup_id, n, kind, ts(due_at)),
    )


async def drop_pending(conn: aiosqlite.Connection, signup_id: int) -> None:
    """Withdraw the reminders not yet sent (the person left, or the shift moved)."""
    await conn.execute("DELETE FROM vol_reminders WHERE signup_id = ? AND sent_at IS NULL", (signup_id,))


async def due(conn: aiosqlite.Connection, now: datetime, limit: int = 500) -> list[ReminderRow]:
    cur = await conn.execute(
        "SELECT id, signup_id, n, kind, due_at FROM vol_reminders WHERE sent_at IS NULL AND due_at <= ?"
        " ORDER BY due_at, id LIMIT ?",
        (ts(now), limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def mark_sent(conn: aiosqlite.Connection, reminder_id: int, now: datetime) -> None:
    await conn.execute("UPDATE vol_reminders SET sent_at = ? WHERE id = ?", (ts(now), reminder_id))


async def was_reminded(conn: aiosqlite.Connection, signup_id: int) -> bool:
    """Has the bot sent this sign-up a reminder (so "I can't come" answers the bot's own question)?"""
    cur = await conn.execute(
        "SELECT 1 FROM vol_reminders WHERE signup_id = ? AND sent_at IS NOT NULL LIMIT 1", (signup_id,)
    )
    return await cur.fetchone() is not None


async def pending_of(conn: aiosqlite.Connection, signup_id: int) -> list[ReminderRow]:
    cur = await conn.execute(
        "SELECT id, signup_id, n, kind, due_at FROM vol_reminders WHERE signup_id = ? AND sent_at IS NULL"
        " ORDER BY due_at",
        (signup_id,),
    )
    return [_row(r) for r in await cur.fetchall()]
