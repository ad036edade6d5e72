"""Topics, subscriptions, events, RSVPs and broadcasts (migration 0010)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.db import from_ts, ts
from bot.storage.rows import inserted_id, number, required_ts


@dataclass(frozen=True)
class Topic:
    key: str
    name_zh: str
    name_en: str
    name_fr: str

    def name(self, language: str) -> str:
        return {"zh": self.name_zh, "en": self.name_en, "fr": self.name_fr}.get(language, self.name_zh)


@dataclass(frozen=True)
class EventRow:
    id: int
    topic: str
    titles: dict[str, str]  # language -> title, only the versions written
    descriptions: dict[str, str]
    starts_at: datetime
    place: str
    capacity: int | None
    status: str
    created_by: int
    published_at: datetime | None


@dataclass(frozen=True)
class Rsvp:
    id: int
    event_id: int
    user_id: int
    status: str
    joined_at: datetime
    offer_expires_at: datetime | None


@dataclass(frozen=True)
class Recipient:
    user_id: int
    language: str | None
    telegram_language: str | None


LANGS = ("zh", "en", "fr")
_EVENT_COLUMNS = (
    "id, topic, title_zh, title_en, title_fr, description_zh, description_en, description_fr,"
    " starts_at, place, capacity, status, created_by, published_at"
)


def _event(r: aiosqlite.Row) -> EventRow:
    return EventRow(
        id=r["id"],
        topic=r["topic"],
        titles={lang: r[f"title_{lang}"] for lang in LANGS if r[f"title_{lang}"]},
        descriptions={lang: r[f"description_{lang}"] for lang in LANGS if r[f"description_{lang}"]},
        starts_at=required_ts(r["starts_at"]),
        place=r["place"],
        capacity=r["capacity"],
        status=r["status"],
        created_by=r["created_by"],
        published_at=from_ts(r["published_at"]),
    )


def _rsvp(r: aiosqlite.Row) -> Rsvp:
    return Rsvp(
        id=r["id"],
        event_id=r["event_id"],
        user_id=r["user_id"],
        status=r["status"],
        joined_at=required_ts(r["joined_at"]),
        offer_expires_at=from_ts(r["offer_expires_at"]),
    )


# ------------------------------------------------------------------------------------- topics


async def topics(conn: aiosqlite.Connection) -> list[Topic]:
    cur = await conn.execute(
        "SELECT key, name_zh, name_en, name_fr FROM event_topics WHERE active = 1 ORDER BY position, key"
    )
    return [Topic(*r) for r in await cur.fetchall()]


async def topic(conn: aiosqlite.Connection, key: str) -> Topic | None:
    cur = await conn.execute(
        "SELECT key, name_zh, name_en, name_fr FROM event_topics WHERE key = ? AND active = 1", (key,)
    )
    row = await cur.fetchone()
    return Topic(*row) if row else None


async def subscriptions(conn: aiosqlite.Connection, user_id: int) -> set[str]:
    cur = await conn.execute("SELECT topic FROM topic_subscriptions WHERE user_id = ?", (user_id,))
    return {r[0] for r in await cur.fetchall()}


async def subscribe(conn: aiosqlite.Connection, user_id: int, topic_key: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO topic_subscriptions (user_id, topic, subscribed_at) VALUES (?, ?, ?)"
        " ON CONFLICT(user_id, topic) DO NOTHING",
        (user_id, topic_key, ts(now)),
    )


async def unsubscribe(conn: aiosqlite.Connection, user_id: int, topic_key: str) -> None:
    await conn.execute(
        "DELETE FROM topic_subscriptions WHERE user_id = ? AND topic = ?", (user_id, topic_key)
    )


_REACHABLE = "u.unreachable_at IS NULL AND u.forgotten_at IS NULL"


async def count_subscribers(conn: aiosqlite.Connection, topic_key: str) -> int:
    """People an announcement to this topic would reach (not those who blocked us or were erased)."""
    cur = await conn.execute(
        f"SELECT COUNT(*) FROM topic_subscriptions s JOIN users u ON u.id = s.user_id"
        f" WHERE s.topic = ? AND {_REACHABLE}",
        (topic_key,),
    )
    return await number(cur)


async def subscribers(conn: aiosqlite.Connection, topic_key: str) -> list[Recipient]:
    cur = await conn.execute(
        f"SELECT u.id, u.language, u.telegram_language FROM topic_subscriptions s JOIN users u ON u.id = s.user_id"
        f" WHERE s.topic = ? AND {_REACHABLE} ORDER BY s.subscribed_at, u.id",
        (topic_key,),
    )
    return [Recipient(*r) for r in await cur.fetchall()]


# ------------------------------------------------------------------------------------- events


async def create_event(
    conn: aiosqlite.Connection,
    *,
    topic_key: str,
    titles: dict[str, str],
    descriptions: dict[str, str],
    starts_at: datetime,
    place: str,
    capacity: int | None,
    created_by: int,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO events (topic, title_zh, title_en, title_fr, description_zh, description_en,"
        " description_fr, starts_at, place, capacity, status, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
        (
            topic_key,
            *(titles.get(lang) for lang in LANGS),
            *(descriptions.get(lang) for lang in LANGS),
            ts(starts_at),
            place,
            capacity,
            created_by,
            ts(now),
            ts(now),
        ),
    )
    return inserted_id(cur)


async def get_event(conn: aiosqlite.Connection, event_id: int) -> EventRow | None:
    cur = await conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,))
    row = await cur.fetchone()
    return _event(row) if row else None


async def mark_published(conn: aiosqlite.Connection, event_id: int, now: datetime) -> bool:
    """Draft -> published, once: a second press of 'Publish' changes nothing."""
    cur = await conn.execute(
        "UPDATE events SET status = 'published', published_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
        (ts(now), ts(now), event_id),
    )
    return cur.rowcount > 0


async def discard_draft(conn: aiosqlite.Connection, event_id: int, now: datetime) -> bool:
    cur = await conn.execute(
        "UPDATE events SET status = 'cancelled', cancelled_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'",
        (ts(now), ts(now), event_id),
    )
    return cur.rowcount > 0


async def upcoming(conn: aiosqlite.Connection, now: datetime, limit: int = 10) -> list[EventRow]:
    cur = await conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE status = 'published' AND starts_at > ?"
        " ORDER BY starts_at, id LIMIT ?",
        (ts(now), limit),
    )
    return [_event(r) for r in await cur.fetchall()]


# -------------------------------------------------------------------------------------- RSVPs


async def rsvp_of(conn: aiosqlite.Connection, event_id: int, user_id: int) -> Rsvp | None:
    cur = await conn.execute(
        "SELECT * FROM event_rsvps WHERE event_id = ? AND user_id = ?", (event_id, user_id)
    )
    row = await cur.fetchone()
    return _rsvp(row) if row else None


async def rsvps(conn: aiosqlite.Connection, event_id: int) -> list[Rsvp]:
    """Every active answer in queue order (going first, then offers, then the waiting list)."""
    cur = await conn.execute(
        "SELECT * FROM event_rsvps WHERE event_id = ? AND status != 'left' ORDER BY joined_at, id",
        (event_id,),
    )
    return [_rsvp(r) for r in await cur.fetchall()]


async def set_rsvp(
    conn: aiosqlite.Connection,
    event_id: int,
    user_id: int,
    status: str,
    now: datetime,
    *,
    offer_expires_at: datetime | None = None,
    rejoin: bool = False,
) -> None:
    """Create or update one person's answer. `rejoin` puts them at the back of the queue."""
    await conn.execute(
        "INSERT INTO event_rsvps (event_id, user_id, status, joined_at, offered_at, offer_expires_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(event_id, user_id) DO UPDATE SET status = excluded.status,"
        " joined_at = CASE WHEN ? THEN excluded.joined_at ELSE event_rsvps.joined_at END,"
        " offered_at = excluded.offered_at, offer_expires_at = excluded.offer_expires_at,"
        " updated_at = excluded.updated_at",
        (
            event_id,
            user_id,
            status,
            ts(now),
            ts(now) if status == "offered" else None,
            ts(offer_expires_at) if offer_expires_at else None,
            ts(now),
            1 if rejoin else 0,
        ),
    )


async def expired_offers(conn: aiosqlite.Connection, now: datetime, limit: int = 100) -> list[Rsvp]:
    cur = await conn.execute(
        "SELECT * FROM event_rsvps WHERE status = 'offered' AND offer_expires_at <= ? ORDER BY offer_expires_at LIMIT ?",
        (ts(now), limit),
    )
    return [_rsvp(r) for r in await cur.fetchall()]


# --------------------------------------------------------------------------------- broadcasts


async def record_broadcast(
    conn: aiosqlite.Connection,
    *,
    event_id: int | None,
    topic_key: str,
    sent_by: int,
    recipients: int,
    confirmed_count: int | None,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO broadcasts (event_id, topic, sent_by, recipients, confirmed_count, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (event_id, topic_key, sent_by, recipients, confirmed_count, ts(now)),
    )
    return inserted_id(cur)
