"""Service requests, their audit trail, the cards posted per tier, held alerts and digest times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.db import from_ts, ts
from bot.storage.rows import inserted_id, required_ts


@dataclass(frozen=True)
class RequestRow:
    id: int
    reference: str
    requester_id: int
    category: str
    enterprise_id: int | None
    enterprise_name: str | None
    building_id: int | None
    description: str
    attachment_kind: str | None
    attachment_ref: str | None
    attachment_name: str | None
    never_hold: bool
    status: str
    tier: int
    tier_started_at: datetime
    claimed_by: int | None
    claimed_at: datetime | None
    respond_by: datetime | None
    resolve_by: datetime | None
    warn_at: datetime | None
    paused_at: datetime | None
    question: str | None
    asked_by: int | None
    reminders: int
    not_solved: int
    resolution: str | None
    resolved_by: int | None
    resolved_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    rating_comment: str | None
    rated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    close_reason: str | None = None  # duplicate, out_of_scope, withdrawn, no_answer (migration 0030)
    duplicate_of: int | None = None
    referral: str | None = None
    wait_on: str | None = None  # requester, department, third_party while paused


@dataclass(frozen=True)
class EventRow:
    id: int
    request_id: int
    at: datetime
    actor_id: int | None
    kind: str
    tier: int
    note: str | None
    media_kind: str | None = None  # a relayed photo or document (migration 0030)
    media_ref: str | None = None
    media_name: str | None = None


@dataclass(frozen=True)
class CardRow:
    request_id: int
    tier: int
    chat_id: int
    card_key: str
    posted_at: datetime


@dataclass(frozen=True)
class HeldAlert:
    id: int
    chat_id: int
    request_id: int
    kind: str
    raised_at: datetime


# The requests table's time columns: read back as datetimes here, and listed as "a time or date"
# (nothing personal) by storage/personal_data.py.
TIMES = (
    "tier_started_at",
    "claimed_at",
    "respond_by",
    "resolve_by",
    "warn_at",
    "paused_at",
    "resolved_at",
    "closed_at",
    "rated_at",
    "created_at",
    "updated_at",
)
_COLUMNS = ", ".join(RequestRow.__dataclass_fields__)
_UPDATABLE = set(RequestRow.__dataclass_fields__) - {"id", "reference", "requester_id", "created_at"}


def _row(r: aiosqlite.Row) -> RequestRow:
    values: dict[str, Any] = {k: r[k] for k in r.keys()}
    for name in TIMES:
        values[name] = from_ts(values[name])
    values["never_hold"] = bool(values["never_hold"])
    return RequestRow(**values)


def _value(v: object) -> object:
    if isinstance(v, datetime):
        return ts(v)
    if isinstance(v, bool):
        return int(v)
    return v


async def next_number(conn: aiosqlite.Connection, year: int) -> int:
    """The next number of `year`'s sequence (inside the caller's write transaction, so never reused)."""
    cur = await conn.execute(
        "INSERT INTO request_counters (year, last) VALUES (?, 1)"
        " ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last",
        (year,),
    )
    row = await cur.fetchone()
    if row is None:
        raise RuntimeError("the counter upsert returned no row")
    return int(row[0])


async def insert(conn: aiosqlite.Connection, **fields: object) -> int:
    names = list(fields)
    cur = await conn.execute(
        f"INSERT INTO requests ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [_value(v) for v in fields.values()],
    )
    return inserted_id(cur)


async def update(conn: aiosqlite.Connection, request_id: int, now: datetime, **fields: object) -> None:
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    assignments = "".join(f"{name} = ?, " for name in fields)
    await conn.execute(
        f"UPDATE requests SET {assignments}updated_at = ? WHERE id = ?",
        (*[_value(v) for v in fields.values()], ts(now), request_id),
    )


async def get(conn: aiosqlite.Connection, request_id: int) -> RequestRow | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM requests WHERE id = ?", (request_id,))
    row = await cur.fetchone()
    return _row(row) if row else None


async def by_reference(conn: aiosqlite.Connection, reference: str) -> RequestRow | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM requests WHERE reference = ?", (reference,))
    row = await cur.fetchone()
    return _row(row) if row else None


async def of_requester(conn: aiosqlite.Connection, user_id: int, limit: int = 15) -> list[RequestRow]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE requester_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        (user_id, limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def of_liaison(conn: aiosqlite.Connection, user_id: int, limit: int = 15) -> list[RequestRow]:
    """Requests others raised about the enterprises this person is the linked liaison of."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE requester_id != ?1 AND enterprise_id IN"
        " (SELECT id FROM enterprises WHERE liaison_user_id = ?1) ORDER BY created_at DESC, id DESC LIMIT ?2",
        (user_id, limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def waiting_for(conn: aiosqlite.Connection, user_id: int) -> list[RequestRow]:
    """The requester's requests on which staff wait for their answer, oldest question first."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE requester_id = ? AND status = 'waiting'"
        " AND IFNULL(wait_on, 'requester') = 'requester' ORDER BY paused_at, id",
        (user_id,),
    )
    return [_row(r) for r in await cur.fetchall()]


async def due(conn: aiosqlite.Connection, now: datetime, limit: int = 200) -> list[RequestRow]:
    """Open, running (not paused) requests with a deadline at or before `now`."""
    t = ts(now)
    running = "status IN ('new', 'claimed') AND paused_at IS NULL"
    # A union of three range scans of migration 0013's partial indexes: an OR of the three
    # deadlines, or the status index the planner picks without statistics, walks every running
    # request. INDEXED BY pins the plan (and fails loudly should an index go missing).
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE id IN ("
        f"SELECT id FROM requests INDEXED BY requests_due_resolve WHERE {running} AND resolve_by <= ?1"
        f" UNION SELECT id FROM requests INDEXED BY requests_due_respond WHERE {running} AND respond_by <= ?1"
        f" UNION SELECT id FROM requests INDEXED BY requests_due_warn WHERE {running} AND warn_at <= ?1"
        ") ORDER BY id LIMIT ?2",
        (t, limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def resolved_before(conn: aiosqlite.Connection, moment: datetime) -> list[RequestRow]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE status = 'resolved' AND resolved_at <= ? ORDER BY id",
        (ts(moment),),
    )
    return [_row(r) for r in await cur.fetchall()]


# ----------------------------------------------------------------------------- events


async def add_event(
    conn: aiosqlite.Connection,
    request_id: int,
    now: datetime,
    actor_id: int | None,
    kind: str,
    tier: int,
    note: str | None = None,
    *,
    media: tuple[str, str, str | None] | None = None,
) -> int:
    """One line of the request's history; `media` is a relayed file's (kind, file_id, name)."""
    kind_, ref, name = media or (None, None, None)
    cur = await conn.execute(
        "INSERT INTO request_events (request_id, at, actor_id, kind, tier, note, media_kind, media_ref,"
        " media_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (request_id, ts(now), actor_id, kind, tier, note, kind_, ref, name),
    )
    return inserted_id(cur)


_EVENT_COLUMNS = "id, request_id, at, actor_id, kind, tier, note, media_kind, media_ref, media_name"


def _event(r: aiosqlite.Row) -> EventRow:
    return EventRow(r[0], r[1], required_ts(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], r[9])


async def events(conn: aiosqlite.Connection, request_id: int) -> list[EventRow]:
    cur = await conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM request_events WHERE request_id = ? ORDER BY id", (request_id,)
    )
    return [_event(r) for r in await cur.fetchall()]


# ----------------------------------------------------------------------------- cards


async def add_card(
    conn: aiosqlite.Connection, request_id: int, tier: int, chat_id: int, card_key: str, now: datetime
) -> bool:
    """Record the card of a tier; False when that tier already has one (never two cards per tier)."""
    cur = await conn.execute(
        "INSERT INTO request_cards (request_id, tier, chat_id, card_key, posted_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (request_id, tier, chat_id, card_key, ts(now)),
    )
    return cur.rowcount > 0


async def cards(conn: aiosqlite.Connection, request_id: int) -> list[CardRow]:
    cur = await conn.execute(
        "SELECT request_id, tier, chat_id, card_key, posted_at FROM request_cards WHERE request_id = ? ORDER BY tier",
        (request_id,),
    )
    return [CardRow(r[0], r[1], r[2], r[3], required_ts(r[4])) for r in await cur.fetchall()]


async def card_message(conn: aiosqlite.Connection, card_key: str) -> tuple[int, int] | None:
    """(chat_id, message_id) of a card once the outbox has sent it."""
    cur = await conn.execute(
        "SELECT chat_id, message_id FROM outbox WHERE dedupe_key = ? AND message_id IS NOT NULL", (card_key,)
    )
    row = await cur.fetchone()
    return (row[0], row[1]) if row else None


async def request_of_message(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, prefix: str
) -> int | None:
    """Which request a sent message belongs to, from its outbox key ('req:<id>:...'), if it starts with `prefix`."""
    cur = await conn.execute(
        "SELECT dedupe_key FROM outbox WHERE chat_id = ? AND message_id = ? AND dedupe_key IS NOT NULL",
        (chat_id, message_id),
    )
    for (key,) in await cur.fetchall():
        parts = key.split(":")
        if key.startswith(prefix) and len(parts) > 1 and parts[1].isdigit():
            return int(parts[1])
    return None


# ----------------------------------------------------------------------------- held alerts


async def hold_alert(
    conn: aiosqlite.Connection, chat_id: int, request_id: int, kind: str, now: datetime, release_at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO request_held_alerts (chat_id, request_id, kind, raised_at, release_at) VALUES (?, ?, ?, ?, ?)",
        (chat_id, request_id, kind, ts(now), ts(release_at)),
    )


async def held_due(conn: aiosqlite.Connection, now: datetime) -> dict[int, list[HeldAlert]]:
    """Held alerts whose release time has come, per chat."""
    cur = await conn.execute(
        "SELECT id, chat_id, request_id, kind, raised_at FROM request_held_alerts"
        " WHERE released_at IS NULL AND release_at <= ? ORDER BY chat_id, id",
        (ts(now),),
    )
    result: dict[int, list[HeldAlert]] = {}
    for r in await cur.fetchall():
        result.setdefault(r[1], []).append(HeldAlert(r[0], r[1], r[2], r[3], required_ts(r[4])))
    return result


async def release(conn: aiosqlite.Connection, alert_ids: list[int], now: datetime) -> None:
    if alert_ids:
        marks = ",".join("?" * len(alert_ids))
        await conn.execute(
            f"UPDATE request_held_alerts SET released_at = ? WHERE id IN ({marks})", (ts(now), *alert_ids)
        )


# ----------------------------------------------------------------------------- digests


async def digest_times(conn: aiosqlite.Connection) -> dict[int, datetime]:
    cur = await conn.execute("SELECT chat_id, next_at FROM request_digests")
    return {r[0]: required_ts(r[1]) for r in await cur.fetchall()}


async def set_digest_time(
    conn: aiosqlite.Connection, chat_id: int, next_at: datetime, sent_at: datetime | None = None
) -> None:
    await conn.execute(
        "INSERT INTO request_digests (chat_id, next_at, last_sent_at) VALUES (?, ?, ?)"
        " ON CONFLICT(chat_id) DO UPDATE SET next_at = excluded.next_at,"
        " last_sent_at = IFNULL(excluded.last_sent_at, request_digests.last_sent_at)",
        (chat_id, ts(next_at), ts(sent_at) if sent_at else None),
    )


# ----------------------------------------------------------------------------- figures


async def created_between(conn: aiosqlite.Connection, since: datetime, until: datetime) -> list[RequestRow]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE created_at >= ? AND created_at < ? ORDER BY id",
        (ts(since), ts(until)),
    )
    return [_row(r) for r in await cur.fetchall()]


async def events_between(
    conn: aiosqlite.Connection, kinds: tuple[str, ...], since: datetime, until: datetime
) -> list[EventRow]:
    marks = ",".join("?" * len(kinds))
    cur = await conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM request_events WHERE kind IN ({marks}) AND at >= ? AND at < ? ORDER BY id",
        (*kinds, ts(since), ts(until)),
    )
    return [_event(r) for r in await cur.fetchall()]


async def get_many(conn: aiosqlite.Connection, request_ids: list[int]) -> dict[int, RequestRow]:
    if not request_ids:
        return {}
    marks = ",".join("?" * len(request_ids))
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM requests WHERE id IN ({marks})", request_ids)
    return {r["id"]: _row(r) for r in await cur.fetchall()}


async def rated_between(conn: aiosqlite.Connection, since: datetime, until: datetime) -> list[int]:
    cur = await conn.execute(
        "SELECT rating FROM requests WHERE rating IS NOT NULL AND rated_at >= ? AND rated_at < ?",
        (ts(since), ts(until)),
    )
    return [int(r[0]) for r in await cur.fetchall()]
