"""Colour history, follow-up deadlines, suggested colours, liaison link codes and the signal sweep."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain.risk import SignalRecord
from bot.storage.db import from_ts, ts
from bot.storage.rows import required_ts


def _marks(ids: Sequence[int]) -> str:
    """The placeholders of an IN list (callers pass at most a sweep's batch of ids)."""
    return ",".join("?" * len(ids))


def _row_id(cur: aiosqlite.Cursor) -> int:
    """The id of the row a plain INSERT just added."""
    if cur.lastrowid is None:
        raise RuntimeError("an INSERT without ON CONFLICT left no row id")
    return cur.lastrowid


# --------------------------------------------------------------------------- colour history


@dataclass(frozen=True)
class ColourChange:
    id: int
    enterprise_id: int
    colour_from: str | None
    colour_to: str
    reason: str
    source: str
    changed_by: int | None
    changed_at: datetime


async def add_change(
    conn: aiosqlite.Connection,
    enterprise_id: int,
    colour_from: str | None,
    colour_to: str,
    reason: str,
    source: str,
    by: int | None,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO enterprise_colour_history (enterprise_id, colour_from, colour_to, reason, source, changed_by,"
        " changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (enterprise_id, colour_from, colour_to, reason, source, by, ts(now)),
    )
    return _row_id(cur)


async def add_changes(
    conn: aiosqlite.Connection, rows: list[tuple[int, str | None, str, str, str]], now: datetime
) -> None:
    """(enterprise_id, from, to, reason, source) for many enterprises at once (an import)."""
    await conn.executemany(
        "INSERT INTO enterprise_colour_history (enterprise_id, colour_from, colour_to, reason, source, changed_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(*r, ts(now)) for r in rows],
    )


async def history(conn: aiosqlite.Connection, enterprise_id: int, limit: int = 5) -> list[ColourChange]:
    cur = await conn.execute(
        "SELECT id, enterprise_id, colour_from, colour_to, reason, source, changed_by, changed_at"
        " FROM enterprise_colour_history WHERE enterprise_id = ? ORDER BY changed_at DESC, id DESC LIMIT ?",
        (enterprise_id, limit),
    )
    return [
        ColourChange(r[0], r[1], r[2], r[3], r[4], r[5], r[6], required_ts(r[7]))
        for r in await cur.fetchall()
    ]


async def changes_between(conn: aiosqlite.Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Colour changes made by people (not imports) in [start, end), by the colour changed to."""
    cur = await conn.execute(
        "SELECT colour_to, COUNT(*) FROM enterprise_colour_history WHERE source != 'import'"
        " AND changed_at >= ? AND changed_at < ? GROUP BY colour_to",
        (ts(start), ts(end)),
    )
    return {r[0]: r[1] for r in await cur.fetchall()}


# --------------------------------------------------------------------------- follow-up deadlines


@dataclass(frozen=True)
class FollowUp:
    enterprise_id: int
    colour: str
    started_at: datetime
    due_at: datetime
    reminded_at: datetime | None
    reminders: int = 0  # reminders sent since the visit became due
    next_reminder_at: datetime | None = None


_FOLLOWUP = "enterprise_id, colour, started_at, due_at, reminded_at, reminders, next_reminder_at"
_UPSERT_FOLLOWUP = (
    "INSERT INTO enterprise_followups (enterprise_id, colour, started_at, due_at, next_reminder_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT(enterprise_id) DO UPDATE SET colour = excluded.colour,"
    " started_at = excluded.started_at, due_at = excluded.due_at, next_reminder_at = excluded.next_reminder_at,"
    " reminded_at = NULL, escalated_at = NULL, reminders = 0"
)


async def set_followup(
    conn: aiosqlite.Connection, enterprise_id: int, colour: str, started_at: datetime, due_at: datetime
) -> None:
    """A new deadline replaces the old one: its reminders start again from the first, at the deadline."""
    await conn.execute(_UPSERT_FOLLOWUP, (enterprise_id, colour, ts(started_at), ts(due_at), ts(due_at)))


async def set_followups(conn: aiosqlite.Connection, rows: list[tuple[int, str, datetime, datetime]]) -> None:
    await conn.executemany(_UPSERT_FOLLOWUP, [(e, c, ts(s), ts(d), ts(d)) for e, c, s, d in rows])


async def followup(conn: aiosqlite.Connection, enterprise_id: int) -> FollowUp | None:
    cur = await conn.execute(
        f"SELECT {_FOLLOWUP} FROM enterprise_followups WHERE enterprise_id = ?", (enterprise_id,)
    )
    r = await cur.fetchone()
    return _followup(r) if r else None


def _followup(r: aiosqlite.Row) -> FollowUp:
    return FollowUp(r[0], r[1], required_ts(r[2]), required_ts(r[3]), from_ts(r[4]), r[5], from_ts(r[6]))


async def due_reminders(conn: aiosqlite.Connection, now: datetime, limit: int = 500) -> list[FollowUp]:
    """Late visits whose next reminder is due (the first one at the deadline itself)."""
    cur = await conn.execute(
        f"SELECT {_FOLLOWUP} FROM enterprise_followups WHERE next_reminder_at <= ? ORDER BY next_reminder_at"
        " LIMIT ?",
        (ts(now), limit),
    )
    return [_followup(r) for r in await cur.fetchall()]


async def record_reminder(conn: aiosqlite.Connection, f: FollowUp, now: datetime, next_at: datetime) -> bool:
    """Count this reminder and schedule the next (False if another round already did)."""
    cur = await conn.execute(
        "UPDATE enterprise_followups SET reminders = reminders + 1, reminded_at = ?, next_reminder_at = ?"
        " WHERE enterprise_id = ? AND next_reminder_at = ? AND reminders = ?",
        (ts(now), ts(next_at), f.enterprise_id, ts(f.next_reminder_at or f.due_at), f.reminders),
    )
    return cur.rowcount > 0


async def due_dates(conn: aiosqlite.Connection, enterprise_ids: Sequence[int]) -> dict[int, datetime]:
    """enterprise id -> when its next visit is (or was) due, for these enterprises."""
    cur = await conn.execute(
        f"SELECT enterprise_id, due_at FROM enterprise_followups WHERE enterprise_id IN ({_marks(enterprise_ids)})",
        tuple(enterprise_ids),
    )
    return {r[0]: required_ts(r[1]) for r in await cur.fetchall()}


async def overdue_by_building(conn: aiosqlite.Connection, now: datetime) -> dict[int | None, dict[str, int]]:
    """building -> colour -> how many of its enterprises' visits are late (the digests' summary)."""
    cur = await conn.execute(
        "SELECT e.building_id, f.colour, COUNT(*) FROM enterprise_followups f"
        " JOIN enterprises e ON e.id = f.enterprise_id WHERE f.due_at <= ? GROUP BY e.building_id, f.colour",
        (ts(now),),
    )
    found: dict[int | None, dict[str, int]] = {}
    for building_id, colour, count in await cur.fetchall():
        found.setdefault(building_id, {})[colour] = count
    return found


async def overdue_ids(conn: aiosqlite.Connection, now: datetime) -> set[int]:
    cur = await conn.execute("SELECT enterprise_id FROM enterprise_followups WHERE due_at <= ?", (ts(now),))
    return {r[0] for r in await cur.fetchall()}


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class SuggestionRow:
    id: int
    enterprise_id: int
    colour_from: str
    colour_to: str
    signature: str
    reasons: list[SignalRecord]
    status: str
    chat_id: int | None
    created_at: datetime
    dismiss_reason: str | None
    posted_at: datetime | None = None  # when its chat's digest showed it (None: waiting for one)
    after_dismissal: int | None = None  # the dismissed suggestion it follows (new facts appeared)


_SUGGESTION = (
    "id, enterprise_id, colour_from, colour_to, signature, reasons, status, chat_id, created_at, dismiss_reason,"
    " posted_at, after_dismissal"
)


def _suggestion(r: aiosqlite.Row) -> SuggestionRow:
    return SuggestionRow(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        json.loads(r[5]),
        r[6],
        r[7],
        required_ts(r[8]),
        r[9],
        from_ts(r[10]),
        r[11],
    )


@dataclass(frozen=True)
class NewSuggestion:
    enterprise_id: int
    colour_from: str
    colour_to: str
    signature: str
    reasons: list[SignalRecord]
    after_dismissal: int | None


async def add_suggestions(conn: aiosqlite.Connection, rows: list[NewSuggestion], now: datetime) -> None:
    """Many suggestions in one statement (a sweep after a big import finds hundreds)."""
    await conn.executemany(
        "INSERT INTO enterprise_suggestions (enterprise_id, colour_from, colour_to, signature, reasons,"
        " created_at, after_dismissal) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.enterprise_id,
                r.colour_from,
                r.colour_to,
                r.signature,
                json.dumps(r.reasons, ensure_ascii=False),
                ts(now),
                r.after_dismissal,
            )
            for r in rows
        ],
    )


async def suggestion(conn: aiosqlite.Connection, suggestion_id: int) -> SuggestionRow | None:
    cur = await conn.execute(
        f"SELECT {_SUGGESTION} FROM enterprise_suggestions WHERE id = ?", (suggestion_id,)
    )
    r = await cur.fetchone()
    return _suggestion(r) if r else None


async def live_suggestions(
    conn: aiosqlite.Connection, enterprise_ids: Sequence[int]
) -> dict[int, list[SuggestionRow]]:
    """Open and dismissed suggestions of these enterprises (what decides whether a new notice is due)."""
    cur = await conn.execute(
        f"SELECT {_SUGGESTION} FROM enterprise_suggestions WHERE enterprise_id IN ({_marks(enterprise_ids)})"
        " AND status IN ('open', 'dismissed') ORDER BY id",
        tuple(enterprise_ids),
    )
    found: dict[int, list[SuggestionRow]] = {}
    for r in await cur.fetchall():
        row = _suggestion(r)
        found.setdefault(row.enterprise_id, []).append(row)
    return found


@dataclass(frozen=True)
class Waiting:
    """An open suggestion no digest has shown yet: enough to pick a chat's worst few."""

    id: int
    enterprise_id: int
    colour_to: str
    building_id: int | None


async def unposted(conn: aiosqlite.Connection) -> list[Waiting]:
    """Open suggestions no digest has shown yet, oldest first."""
    cur = await conn.execute(
        "SELECT s.id, s.enterprise_id, s.colour_to, e.building_id FROM enterprise_suggestions s"
        " JOIN enterprises e ON e.id = s.enterprise_id WHERE s.status = 'open' AND s.posted_at IS NULL"
        " ORDER BY s.id"
    )
    return [Waiting(*r) for r in await cur.fetchall()]


async def suggestions(conn: aiosqlite.Connection, ids: list[int]) -> dict[int, SuggestionRow]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    cur = await conn.execute(f"SELECT {_SUGGESTION} FROM enterprise_suggestions WHERE id IN ({marks})", ids)
    return {row.id: row for row in map(_suggestion, await cur.fetchall())}


async def mark_posted(conn: aiosqlite.Connection, ids: list[int], chat_id: int, now: datetime) -> None:
    await conn.executemany(
        "UPDATE enterprise_suggestions SET posted_at = ?, chat_id = ? WHERE id = ?",
        [(ts(now), chat_id, i) for i in ids],
    )


async def had_digests(conn: aiosqlite.Connection, chat_ids: Sequence[int], kind: str, day: str) -> set[int]:
    """Which of these chats had their digest of `kind` on `day` (primary-key lookups)."""
    cur = await conn.execute(
        f"SELECT chat_id FROM enterprise_chat_digests WHERE chat_id IN ({_marks(chat_ids)}) AND kind = ?"
        " AND day = ?",
        (*chat_ids, kind, day),
    )
    return {r[0] for r in await cur.fetchall()}


async def claim_digest(conn: aiosqlite.Connection, chat_id: int, kind: str, day: str, now: datetime) -> bool:
    """Take today's one digest of `kind` for a chat (False: it already had it)."""
    cur = await conn.execute(
        "INSERT INTO enterprise_chat_digests (chat_id, kind, day, sent_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (chat_id, kind, day, ts(now)),
    )
    return cur.rowcount > 0


async def decide_suggestion(
    conn: aiosqlite.Connection,
    suggestion_id: int,
    status: str,
    by: int | None,
    now: datetime,
    reason: str | None = None,
) -> bool:
    cur = await conn.execute(
        "UPDATE enterprise_suggestions SET status = ?, decided_by = ?, decided_at = ?, dismiss_reason = ?"
        " WHERE id = ? AND status = 'open'",
        (status, by, ts(now), reason, suggestion_id),
    )
    return cur.rowcount > 0


async def supersede(conn: aiosqlite.Connection, enterprise_id: int, now: datetime) -> list[int]:
    """Retire every live suggestion of an enterprise (its colour changed, or its signals went away)."""
    cur = await conn.execute(
        "SELECT id FROM enterprise_suggestions WHERE enterprise_id = ? AND status IN ('open', 'dismissed')",
        (enterprise_id,),
    )
    ids = [r[0] for r in await cur.fetchall()]
    if ids:
        await conn.execute(
            "UPDATE enterprise_suggestions SET status = 'superseded', decided_at = IFNULL(decided_at, ?)"
            " WHERE enterprise_id = ? AND status IN ('open', 'dismissed')",
            (ts(now), enterprise_id),
        )
    return ids


# --------------------------------------------------------------------------- liaison link codes


async def add_link_code(
    conn: aiosqlite.Connection, code: str, enterprise_id: int, by: int, now: datetime, expires_at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO enterprise_link_codes (code, enterprise_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        (code, enterprise_id, by, ts(now), ts(expires_at)),
    )


async def use_link_code(conn: aiosqlite.Connection, code: str, user_id: int, now: datetime) -> int | None:
    """Spend a valid, unused code; the enterprise id, or None when it is unknown, used or expired."""
    cur = await conn.execute(
        "UPDATE enterprise_link_codes SET used_by = ?, used_at = ? WHERE code = ? AND used_at IS NULL"
        " AND expires_at > ? RETURNING enterprise_id",
        (user_id, ts(now), code, ts(now)),
    )
    row = await cur.fetchone()
    return row[0] if row else None


# --------------------------------------------------------------------------- the periodic sweep


async def sweep_due(conn: aiosqlite.Connection, name: str, now: datetime) -> bool:
    cur = await conn.execute("SELECT next_at FROM enterprise_sweeps WHERE name = ?", (name,))
    row = await cur.fetchone()
    return row is None or row[0] <= ts(now)


async def set_sweep(conn: aiosqlite.Connection, name: str, next_at: datetime) -> None:
    await conn.execute(
        "INSERT INTO enterprise_sweeps (name, next_at) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next_at = excluded.next_at",
        (name, ts(next_at)),
    )


# --------------------------------------------------------------------------- which enterprises to check

CHANGED = ""  # an enterprise_signal_checks.due_at that sorts before every time: "a fact changed"


async def checks_due(conn: aiosqlite.Connection, now: datetime, limit: int) -> list[int]:
    """Enterprises whose facts changed, or change by time passing, by `now` (migration 0080)."""
    cur = await conn.execute(
        "SELECT enterprise_id FROM enterprise_signal_checks WHERE due_at <= ? ORDER BY due_at, enterprise_id"
        " LIMIT ?",
        (ts(now), limit),
    )
    return [r[0] for r in await cur.fetchall()]


async def schedule_checks(conn: aiosqlite.Connection, next_at: dict[int, datetime | None]) -> None:
    """After a check: each enterprise's next one is when a fact changes by time alone (None: only
    when something changes, which the triggers of migration 0080 mark)."""
    await conn.executemany(
        "UPDATE enterprise_signal_checks SET due_at = ? WHERE enterprise_id = ?",
        [(ts(at), e) for e, at in next_at.items() if at is not None],
    )
    await conn.executemany(
        "DELETE FROM enterprise_signal_checks WHERE enterprise_id = ?",
        [(e,) for e, at in next_at.items() if at is None],
    )


async def mark_accepted(conn: aiosqlite.Connection, suggestion_id: int, by: int) -> None:
    """After the colour change it caused (which retired every live suggestion), record the acceptance."""
    await conn.execute(
        "UPDATE enterprise_suggestions SET status = 'accepted', decided_by = ? WHERE id = ?",
        (by, suggestion_id),
    )
