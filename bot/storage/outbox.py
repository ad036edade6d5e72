"""The outbox: rows of messages to send, enqueued in the transaction of the change that causes them.

Features call `enqueue` inside their own transaction, so a sign-up and its reminders (or an
escalation and its alerts) exist together or not at all. The one sender (bot/jobs/sender.py)
drains due rows. `dedupe_key` makes scheduling idempotent: enqueueing the same reminder twice
keeps one row.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

import aiosqlite

from bot.storage.db import from_ts, ts
from bot.storage.rows import one, required_ts

Buttons = list[list[dict[str, str]]]


def _pending(alias: str = "") -> str:
    """Still to be delivered: not sent, dead, missed or cancelled (matches the partial indexes)."""
    p = f"{alias}." if alias else ""
    return f"{p}sent_at IS NULL AND {p}dead_at IS NULL AND {p}missed_at IS NULL AND {p}cancelled_at IS NULL"


_PENDING = _pending()
# Once a row is settled (sent, dead, missed or cancelled) its text, keyboard and file are blanked:
# the database keeps what happened to a message, never what it said (issue 15: a staff card kept a
# person's ID number and phone long after /forgetme). An edit needs only the message id.
_BLANK = "text = '', buttons = NULL, media_ref = NULL, media_name = NULL"


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
    # The dedupe key of the message this one replies to (threaded under it), if any.
    reply_to: str | None = None
    # When the recipient (a private chat) was last found to have blocked the bot; set by `due`.
    recipient_unreachable_at: datetime | None = None


_COLUMNS = (
    "id, chat_id, kind, action, text, buttons, media_kind, media_ref, media_name, edit_of, not_before,"
    " expires_at, dedupe_key, attempts, reply_to"
)


def _aliased(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in _COLUMNS.split(","))


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
        not_before=required_ts(r["not_before"]),
        expires_at=from_ts(r["expires_at"]),
        dedupe_key=r["dedupe_key"],
        attempts=r["attempts"],
        reply_to=r["reply_to"],
        recipient_unreachable_at=from_ts(r["unreachable_at"]) if "unreachable_at" in r.keys() else None,
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
    reply_to: str | None = None,
) -> int | None:
    """Queue one message; returns its id, or None when `dedupe_key` was already queued (ever).

    Call it inside the transaction of the change that causes the message. `not_before`: when to
    send (default now). `expires_at`: when sending becomes pointless, e.g. a shift reminder's
    shift start: a row still unsent then (the bot was down) is recorded as missed, never sent
    late. `dedupe_key`: a stable name such as "shift:42:user:7:h-24", so scheduling twice keeps
    one row and `cancel`/`cancel_prefix`/`enqueue_edit` can find it. `media_ref`: a file path
    (uploaded) or a Telegram file_id / URL; `text` is then the caption (<= 1024 characters).
    `reply_to`: the dedupe key of an earlier message of the same chat this one answers (sent as a
    reply to it when it was delivered, as a plain message otherwise).
    """
    cur = await conn.execute(
        _INSERT,
        _values(
            chat_id,
            kind,
            text,
            now,
            not_before,
            expires_at,
            dedupe_key,
            buttons,
            media_kind,
            media_ref,
            media_name,
            reply_to,
        ),
    )
    return cur.lastrowid if cur.rowcount else None


@dataclass(frozen=True)
class Message:
    """One message of a batch for `enqueue_many` (the same fields as `enqueue`)."""

    chat_id: int
    kind: str
    text: str
    not_before: datetime | None = None
    expires_at: datetime | None = None
    dedupe_key: str | None = None
    buttons: Buttons | None = None


async def enqueue_many(conn: aiosqlite.Connection, messages: list[Message], now: datetime) -> None:
    """Queue a fan-out (an announcement to every subscriber) in one statement.

    The caller's transaction holds the database for everyone: 30,000 single inserts keep it
    several times longer than one executemany.
    """
    await conn.executemany(
        _INSERT,
        [
            _values(
                m.chat_id,
                m.kind,
                m.text,
                now,
                m.not_before,
                m.expires_at,
                m.dedupe_key,
                m.buttons,
                None,
                None,
                None,
                None,
            )
            for m in messages
        ],
    )


_INSERT = (
    "INSERT INTO outbox (chat_id, kind, text, buttons, media_kind, media_ref, media_name, not_before,"
    " expires_at, dedupe_key, created_at, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT(dedupe_key) DO NOTHING"
)


def _values(
    chat_id: int,
    kind: str,
    text: str,
    now: datetime,
    not_before: datetime | None,
    expires_at: datetime | None,
    dedupe_key: str | None,
    buttons: Buttons | None,
    media_kind: str | None,
    media_ref: str | None,
    media_name: str | None,
    reply_to: str | None,
) -> tuple[object, ...]:
    return (
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
        reply_to,
    )


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
        f"UPDATE outbox SET cancelled_at = ?, {_BLANK} WHERE action = 'edit' AND edit_of = ? AND {_PENDING}",
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
    if cur.lastrowid is None:
        raise RuntimeError("an INSERT without ON CONFLICT left no row id")
    return cur.lastrowid


async def cancel(conn: aiosqlite.Connection, dedupe_keys: list[str], now: datetime) -> int:
    """Withdraw queued messages that no longer make sense (e.g. reminders of a shift one left)."""
    if not dedupe_keys:
        return 0
    marks = ",".join("?" * len(dedupe_keys))
    cur = await conn.execute(
        f"UPDATE outbox SET cancelled_at = ?, {_BLANK} WHERE dedupe_key IN ({marks}) AND {_PENDING}",
        (ts(now), *dedupe_keys),
    )
    return cur.rowcount


async def cancel_prefix(conn: aiosqlite.Connection, prefix: str, now: datetime) -> int:
    """Withdraw every queued message whose dedupe key starts with `prefix` (e.g. 'shift:42:user:7:')."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    cur = await conn.execute(
        f"UPDATE outbox SET cancelled_at = ?, {_BLANK} WHERE dedupe_key LIKE ? ESCAPE '\\' AND {_PENDING}",
        (ts(now), escaped + "%"),
    )
    return cur.rowcount


async def due(
    conn: aiosqlite.Connection, now: datetime, limit: int = 200, exclude: Collection[int] = ()
) -> list[OutboxRow]:
    """The oldest pending row of each chat, when it is due and not waiting for a retry; oldest first.

    Only a chat's oldest pending row is ever offered, so a chat's messages arrive in the order
    they were queued even when one of them waits for a retry (a "resolved" never overtakes its
    "claimed"), and the sender never has two requests in flight to one chat. `exclude` holds the
    rows the sender already has in flight. Each row carries its recipient's `unreachable_at`.
    """
    found = await conn.execute_fetchall(
        f"SELECT {_aliased('o')}, u.unreachable_at FROM outbox o LEFT JOIN users u ON u.id = o.chat_id"
        f" WHERE {_pending('o')} AND o.not_before <= ?"
        " AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)"
        # "p.not_before <= o.not_before" is implied by what follows, and lets SQLite look the chat's
        # earlier rows up in the index of pending rows (outbox_pending_chat): without it the plan
        # walked every row a chat ever had (outbox_chat), 5 ms a round with a few cards due to
        # staff groups of a district's history, against 0.05 ms.
        f" AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.chat_id = o.chat_id AND {_pending('p')}"
        "   AND p.not_before <= o.not_before AND (p.not_before < o.not_before OR p.id < o.id))"
        " ORDER BY o.not_before, o.id LIMIT ?",
        (ts(now), ts(now), limit + len(exclude)),
    )
    skip = set(exclude)
    rows = [_row(r) for r in found if r["id"] not in skip]
    return rows[:limit]


async def next_due_at(conn: aiosqlite.Connection) -> datetime | None:
    """When the earliest pending row becomes due (so the sender can sleep exactly that long)."""
    row = await one(
        conn,
        f"SELECT MIN(MAX(not_before, IFNULL(next_attempt_at, not_before))) FROM outbox WHERE {_PENDING}",
        (),
    )
    return from_ts(row[0]) if row and row[0] else None


async def is_pending(conn: aiosqlite.Connection, row_id: int) -> bool:
    """Still to be delivered (not sent, dead, missed or cancelled meanwhile)."""
    cur = await conn.execute(f"SELECT 1 FROM outbox WHERE id = ? AND {_PENDING}", (row_id,))
    return await cur.fetchone() is not None


async def mark_sent(conn: aiosqlite.Connection, row_id: int, message_id: int | None, now: datetime) -> None:
    """Telegram accepted the message: never send this row again."""
    await conn.execute(
        "UPDATE outbox SET sent_at = ?, message_id = ?, attempts = attempts + 1, last_error = NULL,"
        f" next_attempt_at = NULL, {_BLANK} WHERE id = ?",
        (ts(now), message_id, row_id),
    )


async def mark_sent_many(
    conn: aiosqlite.Connection, sent: list[tuple[int, int | None]], now: datetime
) -> None:
    """`mark_sent` for several (row id, message_id) answers at once (one statement for a batch)."""
    await conn.executemany(
        "UPDATE outbox SET sent_at = ?, message_id = ?, attempts = attempts + 1, last_error = NULL,"
        f" next_attempt_at = NULL, {_BLANK} WHERE id = ?",
        [(ts(now), message_id, row_id) for row_id, message_id in sent],
    )


async def mark_retry(
    conn: aiosqlite.Connection, row_id: int, error: str, retry_at: datetime | None, *, attempted: bool = True
) -> None:
    """A transient failure: the row stays queued until `retry_at` (None: as soon as the sender may).

    `attempted=False` records a postponement that made no request (an edit waiting for its card).
    """
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
        (1 if attempted else 0, error[:500], ts(retry_at) if retry_at else None, row_id),
    )


async def mark_dead(
    conn: aiosqlite.Connection, row_id: int, error: str, now: datetime, *, attempted: bool = True
) -> None:
    """Never to be sent (blocked, chat gone, rejected by Telegram, gave up); `last_error` says why."""
    await conn.execute(
        f"UPDATE outbox SET attempts = attempts + ?, last_error = ?, dead_at = ?, {_BLANK} WHERE id = ?",
        (1 if attempted else 0, error[:500], ts(now), row_id),
    )


async def mark_missed(conn: aiosqlite.Connection, row_id: int, now: datetime) -> None:
    """Its moment passed (`expires_at`) before it could be sent, e.g. while the bot was down."""
    await conn.execute(f"UPDATE outbox SET missed_at = ?, {_BLANK} WHERE id = ?", (ts(now), row_id))


async def retarget(conn: aiosqlite.Connection, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup (Telegram's ChatMigrated): its pending rows go to the new id."""
    cur = await conn.execute(
        f"UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND {_PENDING}", (new_chat_id, old_chat_id)
    )
    return cur.rowcount


async def resent_in(conn: aiosqlite.Connection, dedupe_key: str, chat_id: int, message_id: int) -> None:
    """The card `dedupe_key` now stands at (chat_id, message_id): its group became a supergroup, so
    it was sent anew there, and later edits (and presses on it) must find it there."""
    await conn.execute(
        "UPDATE outbox SET chat_id = ?, message_id = ? WHERE dedupe_key = ? AND sent_at IS NOT NULL",
        (chat_id, message_id, dedupe_key),
    )


@dataclass(frozen=True)
class EditTarget:
    """Where the card an edit refers to stands.

    state "sent": edit `message_id` in `chat_id` (`media_kind` says whether to edit a caption);
    "pending": the card itself is still queued, so the edit waits; "gone": it was never and will
    never be delivered (dead, missed, cancelled or unknown key), so the edit is pointless.
    """

    state: str
    chat_id: int | None = None
    message_id: int | None = None
    media_kind: str | None = None


async def edit_target(conn: aiosqlite.Connection, dedupe_key: str) -> EditTarget:
    row = await one(
        conn,
        "SELECT chat_id, message_id, media_kind, sent_at, dead_at, missed_at, cancelled_at"
        " FROM outbox WHERE dedupe_key = ?",
        (dedupe_key,),
    )
    if row is None:
        return EditTarget("gone")
    if row["sent_at"] is not None and row["message_id"] is not None:
        return EditTarget("sent", row["chat_id"], row["message_id"], row["media_kind"])
    if (
        row["sent_at"] is None
        and row["dead_at"] is None
        and row["missed_at"] is None
        and row["cancelled_at"] is None
    ):
        return EditTarget("pending", row["chat_id"])
    return EditTarget("gone", row["chat_id"])


async def sent_about(conn: aiosqlite.Connection, key_prefix: str, *, not_to: int) -> list[tuple[str, int]]:
    """(dedupe key, chat id) of the delivered messages whose key starts with `key_prefix` (e.g.
    'req:42:'), except those sent to chat `not_to`: what is still on other people's screens."""
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    cur = await conn.execute(
        "SELECT dedupe_key, chat_id FROM outbox WHERE dedupe_key LIKE ? ESCAPE '\\'"
        " AND sent_at IS NOT NULL AND message_id IS NOT NULL AND chat_id <> ? ORDER BY id",
        (escaped + "%", not_to),
    )
    return [(r[0], r[1]) for r in await cur.fetchall()]


async def message_id_of(conn: aiosqlite.Connection, dedupe_key: str) -> tuple[int, int] | None:
    """(chat_id, message_id) of a sent row, used to edit a card in place."""
    row = await one(
        conn,
        "SELECT chat_id, message_id FROM outbox WHERE dedupe_key = ? AND sent_at IS NOT NULL",
        (dedupe_key,),
    )
    return (row[0], row[1]) if row and row[1] is not None else None


class KindCounts(TypedDict):
    """How many rows of one kind are in each state (see `status_counts`)."""

    queued: int
    due: int
    retrying: int
    sent: int
    dead: int
    missed: int
    cancelled: int


class DeadRow(TypedDict):
    """A message given up on, and Telegram's (or the sender's) reason."""

    id: int
    kind: str
    chat_id: int
    dead_at: datetime
    attempts: int
    reason: str


class OutboxStatus(TypedDict):
    """`status_counts`' answer: a mapping, so the CLI can print it as JSON as it is."""

    kinds: dict[str, KindCounts]
    oldest_queued_age: timedelta | None
    recent_dead: list[DeadRow]


async def status_counts(conn: aiosqlite.Connection, now: datetime, recent_dead: int = 5) -> OutboxStatus:
    """What an operator asks first: how much is waiting, how much failed, and why.

    Per kind: queued (all pending rows), of which `due` (their time has come) and `retrying`
    (already failed at least once), then sent / dead / missed / cancelled. Also the age of the
    oldest due row (a growing age means the sender is stuck or throttled) and the latest dead
    rows with their reasons.
    """
    n = ts(now)
    cur = await conn.execute(
        "SELECT kind,"
        f" SUM(CASE WHEN {_PENDING} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {_PENDING} AND not_before <= ? THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {_PENDING} AND attempts > 0 THEN 1 ELSE 0 END),"
        " SUM(sent_at IS NOT NULL), SUM(dead_at IS NOT NULL), SUM(missed_at IS NOT NULL),"
        " SUM(cancelled_at IS NOT NULL) FROM outbox GROUP BY kind ORDER BY kind",
        (n,),
    )
    kinds = {
        r[0]: KindCounts(
            queued=r[1], due=r[2], retrying=r[3], sent=r[4], dead=r[5], missed=r[6], cancelled=r[7]
        )
        for r in await cur.fetchall()
    }
    cur = await conn.execute(f"SELECT MIN(not_before) FROM outbox WHERE {_PENDING} AND not_before <= ?", (n,))
    row = await cur.fetchone()
    oldest = from_ts(row[0]) if row is not None else None
    cur = await conn.execute(
        "SELECT id, kind, chat_id, dead_at, attempts, last_error FROM outbox WHERE dead_at IS NOT NULL"
        " ORDER BY dead_at DESC, id DESC LIMIT ?",
        (recent_dead,),
    )
    dead = [
        DeadRow(
            id=r["id"],
            kind=r["kind"],
            chat_id=r["chat_id"],
            dead_at=required_ts(r["dead_at"]),
            attempts=r["attempts"],
            reason=r["last_error"] or "",
        )
        for r in await cur.fetchall()
    ]
    return OutboxStatus(kinds=kinds, oldest_queued_age=(now - oldest) if oldest else None, recent_dead=dead)
