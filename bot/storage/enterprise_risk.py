"""Colour history, follow-up deadlines, suggested colours, liaison link codes and the signal sweep."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain.risk import SignalRecord
from bot.storage.db import from_ts, ts


def _required_ts(value: str) -> datetime:
    """A timestamp of a NOT NULL column (`from_ts` lets NULL through as None)."""
    moment = from_ts(value)
    if moment is None:
        raise ValueError("a NOT NULL timestamp column held NULL")
    return moment


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
        ColourChange(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _required_ts(r[7]))
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


async def set_followup(
    conn: aiosqlite.Connection, enterprise_id: int, colour: str, started_at: datetime, due_at: datetime
) -> None:
    """A new deadline replaces the old one (and so re-arms the once-per-deadline reminder)."""
    await conn.execute(
        "INSERT INTO enterprise_followups (enterprise_id, colour, started_at, due_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(enterprise_id) DO UPDATE SET colour = excluded.colour, started_at = excluded.started_at,"
        " due_at = excluded.due_at, reminded_at = NULL, escalated_at = NULL",
        (enterprise_id, colour, ts(started_at), ts(due_at)),
    )


async def set_followups(conn: aiosqlite.Connection, rows: list[tuple[int, str, datetime, datetime]]) -> None:
    await conn.executemany(
        "INSERT INTO enterprise_followups (enterprise_id, colour, started_at, due_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(enterprise_id) DO UPDATE SET colour = excluded.colour, started_at = excluded.started_at,"
        " due_at = excluded.due_at, reminded_at = NULL, escalated_at = NULL",
        [(e, c, ts(s), ts(d)) for e, c, s, d in rows],
    )


async def followup(conn: aiosqlite.Connection, enterprise_id: int) -> FollowUp | None:
    cur = await conn.execute(
        "SELECT enterprise_id, colour, started_at, due_at, reminded_at FROM enterprise_followups"
        " WHERE enterprise_id = ?",
        (enterprise_id,),
    )
    r = await cur.fetchone()
    return _followup(r) if r else None


def _followup(r: aiosqlite.Row) -> FollowUp:
    return FollowUp(r[0], r[1], _required_ts(r[2]), _required_ts(r[3]), from_ts(r[4]))


async def due_followups(conn: aiosqlite.Connection, now: datetime, limit: int = 100) -> list[FollowUp]:
    cur = await conn.execute(
        "SELECT enterprise_id, colour, started_at, due_at, reminded_at FROM enterprise_followups"
        " WHERE reminded_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?",
        (ts(now), limit),
    )
    return [_followup(r) for r in await cur.fetchall()]


async def mark_reminded(
    conn: aiosqlite.Connection, enterprise_id: int, due_at: datetime, now: datetime, escalated: bool
) -> bool:
    """Record the reminder of exactly this deadline (False if another round already did)."""
    cur = await conn.execute(
        "UPDATE enterprise_followups SET reminded_at = ?, escalated_at = ? WHERE enterprise_id = ? AND due_at = ?"
        " AND reminded_at IS NULL",
        (ts(now), ts(now) if escalated else None, enterprise_id, ts(due_at)),
    )
    return cur.rowcount > 0


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


_SUGGESTION = "id, enterprise_id, colour_from, colour_to, signature, reasons, status, chat_id, created_at, dismiss_reason"


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
        _required_ts(r[8]),
        r[9],
    )


async def add_suggestion(
    conn: aiosqlite.Connection,
    enterprise_id: int,
    colour_from: str,
    colour_to: str,
    signature: str,
    reasons: list[SignalRecord],
    chat_id: int | None,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO enterprise_suggestions (enterprise_id, colour_from, colour_to, signature, reasons, chat_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            enterprise_id,
            colour_from,
            colour_to,
            signature,
            json.dumps(reasons, ensure_ascii=False),
            chat_id,
            ts(now),
        ),
    )
    return _row_id(cur)


async def suggestion(conn: aiosqlite.Connection, suggestion_id: int) -> SuggestionRow | None:
    cur = await conn.execute(
        f"SELECT {_SUGGESTION} FROM enterprise_suggestions WHERE id = ?", (suggestion_id,)
    )
    r = await cur.fetchone()
    return _suggestion(r) if r else None


async def live_suggestions(conn: aiosqlite.Connection) -> dict[int, list[SuggestionRow]]:
    """Open and dismissed suggestions by enterprise (what decides whether a new notice is due)."""
    cur = await conn.execute(
        f"SELECT {_SUGGESTION} FROM enterprise_suggestions WHERE status IN ('open', 'dismissed') ORDER BY id"
    )
    found: dict[int, list[SuggestionRow]] = {}
    for r in await cur.fetchall():
        row = _suggestion(r)
        found.setdefault(row.enterprise_id, []).append(row)
    return found


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


async def mark_accepted(conn: aiosqlite.Connection, suggestion_id: int, by: int) -> None:
    """After the colour change it caused (which retired every live suggestion), record the acceptance."""
    await conn.execute(
        "UPDATE enterprise_suggestions SET status = 'accepted', decided_by = ? WHERE id = ?",
        (by, suggestion_id),
    )
