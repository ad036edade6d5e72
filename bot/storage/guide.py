"""The service guide's tables: catalogue entries, their FTS5 search text, n-gram document
frequencies, where the catalogue came from, and anonymised counts of searches that found nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.domain.guide import Fields
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
class Candidate:
    key: str
    position: int
    fields: Fields


async def replace_catalogue(
    conn: aiosqlite.Connection,
    entries: list[Entry],
    fields: list[Fields],
    grams: dict[str, int],
    *,
    source: str,
    sha256: str,
    now: datetime,
) -> None:
    """Swap the whole catalogue inside the caller's transaction (all or nothing)."""
    await conn.execute("DELETE FROM guide_entries")
    await conn.execute("DELETE FROM guide_fts")
    await conn.execute("DELETE FROM guide_grams")
    for position, (entry, text) in enumerate(zip(entries, fields, strict=True), start=1):
        cur = await conn.execute(
            "INSERT INTO guide_entries (key, position, audience, kind, category, data) VALUES (?, ?, ?, ?, ?, ?)",
            (
                entry.id,
                position,
                entry.audience,
                entry.kind,
                entry.category,
                json.dumps(entry.to_json(), ensure_ascii=False),
            ),
        )
        await conn.execute(
            "INSERT INTO guide_fts (rowid, title, keywords, body) VALUES (?, ?, ?, ?)",
            (cur.lastrowid, text.title, text.keywords, text.body),
        )
    await conn.executemany("INSERT INTO guide_grams (gram, df) VALUES (?, ?)", list(grams.items()))
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


async def count(conn: aiosqlite.Connection) -> int:
    cur = await conn.execute("SELECT COUNT(*) FROM guide_entries")
    return await number(cur)


async def candidates_matching(conn: aiosqlite.Connection, match: str, limit: int) -> list[Candidate]:
    """Entries containing any of the trigrams of `match`, best BM25 first (re-ranked by the caller).

    Two steps: rank row ids, then read the text of those only (sorting whole rows by bm25 costs
    four times as much on a 1,000-entry catalogue).
    """
    cur = await conn.execute(
        "SELECT rowid FROM guide_fts WHERE guide_fts MATCH ? ORDER BY bm25(guide_fts, 3.0, 2.5, 1.0) LIMIT ?",
        (match, limit),
    )
    nums = [r[0] for r in await cur.fetchall()]
    if not nums:
        return []
    marks = ",".join("?" * len(nums))
    cur = await conn.execute(
        "SELECT e.key, e.position, f.title, f.keywords, f.body FROM guide_entries e"
        f" JOIN guide_fts f ON f.rowid = e.num WHERE e.num IN ({marks})",
        nums,
    )
    return [Candidate(r[0], r[1], Fields(r[2], r[3], r[4])) for r in await cur.fetchall()]


async def candidates_naming(conn: aiosqlite.Connection, pieces: Iterable[str], limit: int) -> list[Candidate]:
    """Entries whose title or keywords contain any of `pieces` (1-2 Chinese characters, below
    the trigram index's reach).

    Titles and keywords only: a one- or two-character question ("税", "社保") names a service,
    and scanning every body text would cost a full pass over the catalogue per question.
    instr() rather than LIKE: in SQLite 3.40 the trigram tokenizer answers LIKE patterns of
    fewer than three non-ASCII characters with no rows at all.
    """
    pieces = list(dict.fromkeys(pieces))
    if not pieces:
        return []
    condition = " OR ".join("instr(f.title, ?) OR instr(f.keywords, ?)" for _ in pieces)
    args = [p for p in pieces for _ in range(2)]
    cur = await conn.execute(
        "SELECT e.key, e.position, f.title, f.keywords, f.body FROM guide_fts f"
        f" JOIN guide_entries e ON e.num = f.rowid WHERE {condition} ORDER BY e.position LIMIT ?",
        (*args, limit),
    )
    return [Candidate(r[0], r[1], Fields(r[2], r[3], r[4])) for r in await cur.fetchall()]


async def document_frequencies(conn: aiosqlite.Connection, grams: Iterable[str]) -> dict[str, int]:
    grams = list(dict.fromkeys(grams))
    if not grams:
        return {}
    marks = ",".join("?" * len(grams))
    cur = await conn.execute(f"SELECT gram, df FROM guide_grams WHERE gram IN ({marks})", grams)
    return {r[0]: r[1] for r in await cur.fetchall()}


async def get(conn: aiosqlite.Connection, key: str) -> Entry | None:
    cur = await conn.execute("SELECT data FROM guide_entries WHERE key = ?", (key,))
    row = await cur.fetchone()
    return entry_from_json(json.loads(row[0])) if row else None


async def get_many(conn: aiosqlite.Connection, keys: list[str]) -> dict[str, Entry]:
    if not keys:
        return {}
    marks = ",".join("?" * len(keys))
    cur = await conn.execute(f"SELECT key, data FROM guide_entries WHERE key IN ({marks})", keys)
    return {r[0]: entry_from_json(json.loads(r[1])) for r in await cur.fetchall()}


async def topic_counts(conn: aiosqlite.Connection, audience: str) -> list[tuple[str, int]]:
    """(category, number of entries) for one audience, in order of first appearance in the file."""
    cur = await conn.execute(
        "SELECT category, COUNT(*), MIN(position) FROM guide_entries WHERE audience = ?"
        " GROUP BY category ORDER BY MIN(position)",
        (audience,),
    )
    return [(r[0], r[1]) for r in await cur.fetchall()]


async def in_topic(
    conn: aiosqlite.Connection, audience: str, category: str, offset: int, limit: int
) -> tuple[list[Entry], int]:
    """One page of an audience's entries in a category, and how many there are in all."""
    cur = await conn.execute(
        "SELECT COUNT(*) FROM guide_entries WHERE audience = ? AND category = ?", (audience, category)
    )
    total = await number(cur)
    cur = await conn.execute(
        "SELECT data FROM guide_entries WHERE audience = ? AND category = ? ORDER BY position LIMIT ? OFFSET ?",
        (audience, category, limit, offset),
    )
    return [entry_from_json(json.loads(r[0])) for r in await cur.fetchall()], total


async def record_miss(conn: aiosqlite.Connection, week: date, query: str) -> None:
    await conn.execute(
        "INSERT INTO guide_misses (week, query, count) VALUES (?, ?, 1)"
        " ON CONFLICT(week, query) DO UPDATE SET count = count + 1",
        (week.isoformat(), query),
    )


async def top_misses(conn: aiosqlite.Connection, since_week: date, limit: int) -> list[tuple[str, int]]:
    cur = await conn.execute(
        "SELECT query, SUM(count) AS n FROM guide_misses WHERE week >= ?"
        " GROUP BY query ORDER BY n DESC, query LIMIT ?",
        (since_week.isoformat(), limit),
    )
    return [(r[0], int(r[1])) for r in await cur.fetchall()]
