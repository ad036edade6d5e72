"""The service guide's tables: catalogue entries, where the catalogue came from, anonymised
counts of searches that found nothing, and the phrasings staff taught it from those misses.

Search itself runs on an in-memory index built from these rows (bot/domain/guide_index.py);
`version` tells the service when to rebuild it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.domain.guide_catalogue import Entry, entry_from_json
from bot.storage.db import ts
from bot.storage.rows import number, required_ts


@dataclass(frozen=True)
class CatalogueMeta:
    source: str
    sha256: str
    entries: int
    imported_at: datetime


@dataclass(frozen=True)
class Miss:
    id: int
    query: str  # normalised
    shown: str  # the first wording, anonymised
    count: int


@dataclass(frozen=True)
class Phrasing:
    entry_key: str
    phrase: str


async def replace_catalogue(
    conn: aiosqlite.Connection, entries: list[Entry], *, source: str, sha256: str, now: datetime
) -> None:
    """Swap the whole catalogue inside the caller's transaction (all or nothing)."""
    await conn.execute("DELETE FROM guide_entries")
    await conn.executemany(
        "INSERT INTO guide_entries (key, position, audience, kind, category, section, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.id,
                position,
                e.audience,
                e.kind,
                e.category,
                e.shelf,
                json.dumps(e.to_json(), ensure_ascii=False),
            )
            for position, e in enumerate(entries, start=1)
        ],
    )
    await conn.execute(
        "INSERT INTO guide_meta (id, source, sha256, entries, imported_at) VALUES (1, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET source = excluded.source, sha256 = excluded.sha256,"
        " entries = excluded.entries, imported_at = excluded.imported_at",
        (source, sha256, len(entries), ts(now)),
    )


async def meta(conn: aiosqlite.Connection) -> CatalogueMeta | None:
    cur = await conn.execute("SELECT source, sha256, entries, imported_at FROM guide_meta WHERE id = 1")
    row = await cur.fetchone()
    if row is None:
        return None
    return CatalogueMeta(row[0], row[1], row[2], required_ts(row[3]))


async def version(conn: aiosqlite.Connection) -> tuple[str, str]:
    """What the search index depends on: the catalogue import and the learned phrasings."""
    cur = await conn.execute(
        "SELECT (SELECT sha256 || imported_at FROM guide_meta WHERE id = 1),"
        " (SELECT COUNT(*) || '/' || COALESCE(MAX(id), 0) || '/' || COALESCE(MAX(added_at), '')"
        " FROM guide_phrasings)"
    )
    row = await cur.fetchone()
    return (str(row[0] or ""), str(row[1])) if row else ("", "")


async def all_entries(conn: aiosqlite.Connection) -> list[Entry]:
    """Every entry in catalogue order (to build the search index)."""
    cur = await conn.execute("SELECT data FROM guide_entries ORDER BY position")
    return [entry_from_json(json.loads(r[0])) for r in await cur.fetchall()]


async def get(conn: aiosqlite.Connection, key: str) -> Entry | None:
    cur = await conn.execute("SELECT data FROM guide_entries WHERE key = ?", (key,))
    row = await cur.fetchone()
    return entry_from_json(json.loads(row[0])) if row else None


async def topic_counts(conn: aiosqlite.Connection, audience: str) -> list[tuple[str, int]]:
    """(section, number of entries) for one audience, in order of first appearance in the file."""
    cur = await conn.execute(
        "SELECT section, COUNT(*), MIN(position) FROM guide_entries WHERE audience = ?"
        " GROUP BY section ORDER BY MIN(position)",
        (audience,),
    )
    return [(r[0], r[1]) for r in await cur.fetchall()]


async def in_topic(
    conn: aiosqlite.Connection, audience: str, section: str, offset: int, limit: int
) -> tuple[list[Entry], int]:
    """One page of an audience's entries in a section, and how many there are in all."""
    cur = await conn.execute(
        "SELECT COUNT(*) FROM guide_entries WHERE audience = ? AND section = ?", (audience, section)
    )
    total = await number(cur)
    cur = await conn.execute(
        "SELECT data FROM guide_entries WHERE audience = ? AND section = ? ORDER BY position LIMIT ? OFFSET ?",
        (audience, section, limit, offset),
    )
    return [entry_from_json(json.loads(r[0])) for r in await cur.fetchall()], total


# ---------------------------------------------------------------------- misses and phrasings


async def record_miss(conn: aiosqlite.Connection, week: date, query: str, shown: str) -> None:
    await conn.execute(
        "INSERT INTO guide_misses (week, query, shown, count) VALUES (?, ?, ?, 1)"
        " ON CONFLICT(week, query) DO UPDATE SET count = count + 1",
        (week.isoformat(), query, shown),
    )


async def top_misses(conn: aiosqlite.Connection, since_week: date, limit: int) -> list[tuple[str, int]]:
    cur = await conn.execute(
        "SELECT MIN(shown), SUM(count) AS n FROM guide_misses WHERE week >= ?"
        " GROUP BY query ORDER BY n DESC, query LIMIT ?",
        (since_week.isoformat(), limit),
    )
    return [(r[0], int(r[1])) for r in await cur.fetchall()]


async def misses_since(conn: aiosqlite.Connection, since_week: date, limit: int) -> list[Miss]:
    """Each question that found nothing since a week, with its count over those weeks; the id is
    that of its latest week's row (any of them names the question)."""
    cur = await conn.execute(
        "SELECT MAX(id), query, MIN(shown), SUM(count) AS n FROM guide_misses WHERE week >= ?"
        " GROUP BY query ORDER BY n DESC, query LIMIT ?",
        (since_week.isoformat(), limit),
    )
    return [Miss(int(r[0]), r[1], r[2], int(r[3])) for r in await cur.fetchall()]


async def forget_misses(conn: aiosqlite.Connection, queries: Iterable[str]) -> None:
    """The questions are dealt with (answered now, or dismissed): gone from every week."""
    await conn.executemany("DELETE FROM guide_misses WHERE query = ?", [(q,) for q in queries])


async def add_phrasing(
    conn: aiosqlite.Connection, entry_key: str, phrase: str, normal: str, now: datetime
) -> None:
    """One more way of asking for an entry; asking the same way again moves it to this entry."""
    await conn.execute(
        "INSERT INTO guide_phrasings (entry_key, phrase, normal, added_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(normal) DO UPDATE SET entry_key = excluded.entry_key, phrase = excluded.phrase,"
        " added_at = excluded.added_at",
        (entry_key, phrase, normal, ts(now)),
    )


async def phrasings(conn: aiosqlite.Connection) -> list[Phrasing]:
    cur = await conn.execute("SELECT entry_key, phrase FROM guide_phrasings ORDER BY id")
    return [Phrasing(r[0], r[1]) for r in await cur.fetchall()]
