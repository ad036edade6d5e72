"""The enterprise registry (lookups used across features; the registry feature adds import, colours, visits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import aiosqlite

COLOURS = ("green", "blue", "yellow", "orange", "red")


@dataclass(frozen=True)
class Enterprise:
    id: int
    key: str
    name: str
    name_en: str | None
    building_id: int | None
    floor_unit: str | None
    industry: str | None
    headcount_band: str | None
    lease_end: date | None
    party_org: str | None
    colour: str
    liaison_user_id: int | None
    notes: str | None


_COLUMNS = (
    "id, key, name, name_en, building_id, floor_unit, industry, headcount_band, lease_end, party_org, colour,"
    " liaison_user_id, notes"
)


def _row(r: aiosqlite.Row) -> Enterprise:
    values = dict(zip(r.keys(), tuple(r), strict=True))
    values["lease_end"] = date.fromisoformat(values["lease_end"]) if values["lease_end"] else None
    return Enterprise(**values)


async def get(conn: aiosqlite.Connection, enterprise_id: int) -> Enterprise | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM enterprises WHERE id = ?", (enterprise_id,))
    row = await cur.fetchone()
    return _row(row) if row else None


async def in_building(conn: aiosqlite.Connection, building_id: int, limit: int = 200) -> list[Enterprise]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM enterprises WHERE building_id = ? ORDER BY name LIMIT ?", (building_id, limit)
    )
    return [_row(r) for r in await cur.fetchall()]


async def of_liaison(conn: aiosqlite.Connection, user_id: int) -> list[Enterprise]:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM enterprises WHERE liaison_user_id = ? ORDER BY name", (user_id,))
    return [_row(r) for r in await cur.fetchall()]


async def search_by_name(
    conn: aiosqlite.Connection, words: str, building_id: int | None = None, limit: int = 10
) -> list[Enterprise]:
    """Substring match on Chinese and English names (the registry feature may add fuzzier search)."""
    like = f"%{words.strip()}%"
    sql = f"SELECT {_COLUMNS} FROM enterprises WHERE (name LIKE ? OR name_en LIKE ?)"
    params: list[object] = [like, like]
    if building_id is not None:
        sql += " AND building_id = ?"
        params.append(building_id)
    cur = await conn.execute(sql + " ORDER BY length(name), name LIMIT ?", (*params, limit))
    return [_row(r) for r in await cur.fetchall()]


async def insert(
    conn: aiosqlite.Connection,
    *,
    key: str,
    name: str,
    building_id: int | None,
    now: str,
    colour: str = "blue",
    **fields: object,
) -> int:
    """Create one enterprise (tests and the demo seed; the CSV import does its own upsert)."""
    columns = ["key", "name", "building_id", "colour", "created_at", "updated_at", *fields]
    values = [key, name, building_id, colour, now, now, *fields.values()]
    cur = await conn.execute(
        f"INSERT INTO enterprises ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values
    )
    return int(cur.lastrowid)
