"""The outbox: rows of messages to send, enqueued in the transaction of the change that causes them.

Features call `enqueue` inside their own transaction, so a sign-up and its reminders (or an
escalation and its alerts) exist together or not at all. The one sender (bot/jobs/sender.py)
drains due rows. `dedupe_key` makes scheduling idempotent: enqueueing the same reminder twice
keeps one row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.db import from_ts, ts

Buttons = list[list[dict[str, str]]]

_PENDING = "sent_at IS NULL AND dead_at IS NULL AND missed_at IS NULL AND cancelled_at IS NULL"


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    kind: str
    action: str
    text: str
    buttons: Buttons | None
    media_kind: str | None
    media_ref: str | None
    media_name: str | None
    edit_of: str | None
    not_before: datetime
    expires_at: datetime | None
    dedupe_key: str | None
    attempts: int


_COLUMNS = (
    "id, chat_id, kind, action, text, buttons, media_kind, media_ref, media_name, edit_of, not_before,"
    " expires_at, dedupe_key, attempts"
)


def _row(r: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=r["id"],
        chat_id=r["chat_id"],
        kind=r["kind"],
        action=r["action"],
        text=r["text"],
        buttons=json.loads(r["buttons"]) if r["buttons"] else None,
        media_kind=r["media_kind"],
        media_ref=r["media_ref"],
        media_name=r["media_name"],
        edit_of=r["edit_of"],
        not_before=from_ts(r["not_before"]),  # type: ignore[arg-type]
        expires_at=from_ts(r["expires_at"]),
        dedupe_key=r["dedupe_key"],
        attempts=r["attempts"],
    )


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    chat_id: int,
    kind: str,
    text: str,
    now: datetime,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    dedupe_key: str | None = None,
    buttons: Buttons | None = None,
    media_kind: str | None = None,
    media_ref: str | None = None,
    media_name: str | None = None,
) -> int | None:
    """Queue one message; returns its id, or None when `dedupe_key` was already queued."""
    cur = await conn.execute(
        "INSERT INTO outbox (chat_id, kind, text, buttons, media_kind, media_ref, media_name, not_before,"
        " expires_at, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(dedupe_key) DO NOTHING",
        (
            chat_id,
            kind,
            text,
            json.dumps(buttons, ensure_ascii=False) if buttons is not None else None,
            media_kind,
            media_ref,
            media_name,
            ts(not_before or now),
            ts(expires_at) if expires_at else None,
            dedupe_key,
            ts(now),
        ),
    )
    return int(cur.lastrowid) if cur.rowcount else None


async def enqueue_edit(
    conn: aiosqlite.Connection,
    *,
    edit_of: str,
    chat_id: int,
    kind: str,
    text: str,
    now: datetime,
    buttons: Buttons | None = None,
) -> int:
    """Queue an edit of a message sent earlier through the outbox (found by its dedupe key).

    Only the newest pending edit of a message matters, so older pending edits are cancelled.
    """
    await conn.execute(
        f"UPDATE outbox SET cancelled_at = ? WHERE action = 'edit' AND edit_of = ? AND {_PENDING}",
        (ts(now), edit_of),
    )
    cur = await conn.execute(
        "INSERT INTO outbox (chat_id, kind, action, text, buttons, edit_of, not_before, created_at)"
        " VALUES (?, ?, 'edit', ?, ?, ?, ?, ?)",
        (
            chat_id,
            kind,
            text,
            json.dumps(buttons, ensure_ascii=False) if buttons is not None else None,
            edit_of,
            ts(now),
            ts(now),
        ),
    )
    return int(cur.lastrowid)


async def cancel(conn: aiosqlite.Connection, dedupe_keys: list[str], now: datetime) -> int:
    """Withdraw queued messages that no longer make sense (e.g. reminders of a shift one left)."""
    if not dedupe_keys:
        return 0
    marks = ",".join("?" * len(dedupe_keys))
    cur = await conn.execute(
        f"UPDATE outbox SET cancelled_at = ? WHERE dedupe_key IN ({marks}) AND {_PENDING}",
        (ts(now), *dedupe_keys),
    )
    return cur.rowcount


async def cancel_prefix(conn: aiosqlite.Connection, prefix: str, now: datetime) -> int:
    """Withdraw every queued message whose dedupe key starts with `prefix` (e.g. 'shift:42:user:7:')."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    cur = await conn.execute(
        f"UPDATE outbox SET cancelled_at = ? WHERE dedupe_key LIKE ? ESCAPE '\\' AND {_PENDING}",
        (ts(now), escaped + "%"),
    )
    return cur.rowcount


async def due(conn: aiosqlite.Connection, now: datetime, limit: int = 200) -> list[OutboxRow]:
    """Rows whose time has come, oldest first, skipping those waiting for a retry."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE {_PENDING} AND not_before <= ?"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY not_before, id LIMIT ?",
        (ts(now), ts(now), limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def next_due_at(conn: aiosqlite.Connection) -> datetime | None:
    """When the earliest pending row becomes due (so the sender can sleep exactly that long)."""
    cur = await conn.execute(
        f"SELECT MIN(MAX(not_before, IFNULL(next_attempt_at, not_before))) FROM outbox WHERE {_PENDING}"
    )
    row = await cur.fetchone()
    return from_ts(row[0]) if row and row[0] else None


async def mark_sent(conn: aiosqlite.Connection, row_id: int, message_id: int | None, now: datetime) -> None:
    await conn.execute(
        "UPDATE outbox SET sent_at = ?, message_id = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
        (ts(now), message_id, row_id),
    )


async def mark_retry(conn: aiosqlite.Connection, row_id: int, error: str, retry_at: datetime) -> None:
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
        (error[:500], ts(retry_at), row_id),
    )


async def mark_dead(conn: aiosqlite.Connection, row_id: int, error: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, dead_at = ? WHERE id = ?",
        (error[:500], ts(now), row_id),
    )


async def mark_missed(conn: aiosqlite.Connection, row_id: int, now: datetime) -> None:
    await conn.execute("UPDATE outbox SET missed_at = ? WHERE id = ?", (ts(now), row_id))


async def message_id_of(conn: aiosqlite.Connection, dedupe_key: str) -> tuple[int, int] | None:
    """(chat_id, message_id) of a sent row, used to edit a card in place."""
    cur = await conn.execute(
        "SELECT chat_id, message_id FROM outbox WHERE dedupe_key = ? AND sent_at IS NOT NULL", (dedupe_key,)
    )
    row = await cur.fetchone()
    return (row[0], row[1]) if row and row[1] is not None else None


async def status_counts(conn: aiosqlite.Connection, now: datetime) -> dict[str, Any]:
    """Queued / sent / dead / missed / cancelled by kind, and the oldest queued row's age."""
    cur = await conn.execute(
        "SELECT kind,"
        f" SUM(CASE WHEN {_PENDING} THEN 1 ELSE 0 END),"
        " SUM(sent_at IS NOT NULL), SUM(dead_at IS NOT NULL), SUM(missed_at IS NOT NULL),"
        " SUM(cancelled_at IS NOT NULL) FROM outbox GROUP BY kind ORDER BY kind"
    )
    kinds = {
        r[0]: {"queued": r[1], "sent": r[2], "dead": r[3], "missed": r[4], "cancelled": r[5]}
        for r in await cur.fetchall()
    }
    cur = await conn.execute(
        f"SELECT MIN(not_before) FROM outbox WHERE {_PENDING} AND not_before <= ?", (ts(now),)
    )
    oldest = from_ts((await cur.fetchone())[0])
    return {"kinds": kinds, "oldest_queued_age": (now - oldest) if oldest else None}
