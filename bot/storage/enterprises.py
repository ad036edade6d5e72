"""The enterprise registry (lookups used across features; the registry feature adds import, colours, visits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.domain.enterprise_csv import fold_key
from bot.storage.db import from_ts

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
    colour_source: str = "rule"  # who set the colour: staff, import or rule (a new enterprise's blue)
    colour_changed_at: datetime | None = None


_COLUMNS = (
    "id, key, name, name_en, building_id, floor_unit, industry, headcount_band, lease_end, party_org, colour,"
    " liaison_user_id, notes, colour_source, colour_changed_at"
)


def _row_id(cur: aiosqlite.Cursor) -> int:
    """The id of the row a plain INSERT just added."""
    if cur.lastrowid is None:
        raise RuntimeError("an INSERT without ON CONFLICT left no row id")
    return cur.lastrowid


def _row(r: aiosqlite.Row) -> Enterprise:
    values = dict(zip(r.keys(), tuple(r), strict=True))
    values["lease_end"] = date.fromisoformat(values["lease_end"]) if values["lease_end"] else None
    values["colour_changed_at"] = from_ts(values["colour_changed_at"])
    return Enterprise(**values)


async def get(conn: aiosqlite.Connection, enterprise_id: int) -> Enterprise | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM enterprises WHERE id = ?", (enterprise_id,))
    row = await cur.fetchone()
    return _row(row) if row else None


async def in_building(conn: aiosqlite.Connection, building_id: int, limit: int = 200) -> list[Enterprise]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM enterprises WHERE building_id = ? ORDER BY name LIMIT ?",
        (building_id, limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def of_liaison(conn: aiosqlite.Connection, user_id: int) -> list[Enterprise]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM enterprises WHERE liaison_user_id = ? ORDER BY name", (user_id,)
    )
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
    return _row_id(cur)


# --------------------------------------------------------------------------- the registry feature


async def by_key(conn: aiosqlite.Connection, key: str) -> Enterprise | None:
    """The enterprise of a key, whatever its case and surrounding spaces."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM enterprises WHERE key = ? COLLATE NOCASE ORDER BY id LIMIT 1",
        (" ".join(key.split()),),
    )
    row = await cur.fetchone()
    return _row(row) if row else None


async def names(conn: aiosqlite.Connection) -> list[tuple[int, str, str | None]]:
    """(id, name, name_en) of every enterprise: the candidates of the fuzzy search."""
    cur = await conn.execute("SELECT id, name, name_en FROM enterprises")
    return [(r[0], r[1], r[2]) for r in await cur.fetchall()]


async def get_many(conn: aiosqlite.Connection, ids: list[int]) -> dict[int, Enterprise]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM enterprises WHERE id IN ({marks})", ids)
    return {r["id"]: _row(r) for r in await cur.fetchall()}


IMPORTED = (
    "name",
    "name_en",
    "building_id",
    "floor_unit",
    "industry",
    "headcount_band",
    "lease_end",
    "party_org",
    "notes",
)


@dataclass(frozen=True)
class ImportState:
    """What an import compares a row of its file with."""

    id: int
    key: str
    colour: str
    colour_source: str
    colour_changed_at: datetime | None
    values: tuple[object, ...]  # the IMPORTED columns


async def import_state(conn: aiosqlite.Connection) -> dict[str, list[ImportState]]:
    """Folded key -> the enterprises with that key (one, unless older data holds "M-9" and "m-9")."""
    cur = await conn.execute(
        f"SELECT id, key, colour, colour_source, colour_changed_at, {', '.join(IMPORTED)} FROM enterprises ORDER BY id"
    )
    found: dict[str, list[ImportState]] = {}
    for r in await cur.fetchall():
        state = ImportState(r[0], r[1], r[2], r[3], from_ts(r[4]), tuple(r[c] for c in IMPORTED))
        found.setdefault(fold_key(state.key), []).append(state)
    return found


async def insert_imported(
    conn: aiosqlite.Connection, key: str, values: dict[str, object], colour: str, source: str, now: str
) -> int:
    columns = ["key", *IMPORTED, "colour", "colour_source", "colour_changed_at", "created_at", "updated_at"]
    params = [key, *(values[c] for c in IMPORTED), colour, source, now, now, now]
    cur = await conn.execute(
        f"INSERT INTO enterprises ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", params
    )
    return _row_id(cur)


async def update_imported(
    conn: aiosqlite.Connection, enterprise_id: int, values: dict[str, object], now: str
) -> None:
    sets = ", ".join(f"{c} = ?" for c in IMPORTED)
    await conn.execute(
        f"UPDATE enterprises SET {sets}, updated_at = ? WHERE id = ?",
        (*(values[c] for c in IMPORTED), now, enterprise_id),
    )


async def set_colour(
    conn: aiosqlite.Connection, enterprise_id: int, colour: str, now: str, source: str = "staff"
) -> None:
    await conn.execute(
        "UPDATE enterprises SET colour = ?, colour_source = ?, colour_changed_at = ?, updated_at = ? WHERE id = ?",
        (colour, source, now, now, enterprise_id),
    )


async def colour_changed_at(conn: aiosqlite.Connection, enterprise_id: int) -> str | None:
    cur = await conn.execute("SELECT colour_changed_at FROM enterprises WHERE id = ?", (enterprise_id,))
    row = await cur.fetchone()
    return row[0] if row else None


async def set_liaison(conn: aiosqlite.Connection, enterprise_id: int, user_id: int | None, now: str) -> None:
    await conn.execute(
        "UPDATE enterprises SET liaison_user_id = ?, updated_at = ? WHERE id = ?",
        (user_id, now, enterprise_id),
    )


async def export_rows(conn: aiosqlite.Connection) -> list[dict[str, object]]:
    """Every enterprise in the CSV import format (building as its code), ordered by building and name.

    `colour_changed_at` (a stored timestamp) comes along for the file's colour_date column.
    """
    cur = await conn.execute(
        "SELECT e.key, e.name, e.name_en, b.code AS building, e.floor_unit, e.industry, e.headcount_band,"
        " e.lease_end, e.party_org, e.colour, e.notes, e.colour_changed_at FROM enterprises e"
        " LEFT JOIN buildings b ON b.id = e.building_id ORDER BY b.id, e.name, e.key"
    )
    return [dict(zip(r.keys(), tuple(r), strict=True)) for r in await cur.fetchall()]


async def colour_counts(conn: aiosqlite.Connection) -> dict[str, int]:
    cur = await conn.execute("SELECT colour, COUNT(*) FROM enterprises GROUP BY colour")
    counts = dict.fromkeys(COLOURS, 0)
    counts.update({r[0]: r[1] for r in await cur.fetchall()})
    return counts


@dataclass(frozen=True)
class BoardCell:
    id: int
    name: str
    name_en: str | None
    building_id: int | None
    colour: str
    overdue: bool


async def board_cells(
    conn: aiosqlite.Connection, now: str, building_id: int | None = None
) -> list[BoardCell]:
    """One cell per enterprise, worst colour first within a building, with its follow-up overdue flag."""
    sql = (
        "SELECT e.id, e.name, e.name_en, e.building_id, e.colour,"
        " (f.due_at IS NOT NULL AND f.due_at <= ?) AS overdue"
        " FROM enterprises e LEFT JOIN enterprise_followups f ON f.enterprise_id = e.id"
    )
    params: list[object] = [now]
    if building_id is not None:
        sql += " WHERE e.building_id = ?"
        params.append(building_id)
    sql += (
        " ORDER BY e.building_id, CASE e.colour WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2"
        " WHEN 'blue' THEN 3 ELSE 4 END, e.name"
    )
    cur = await conn.execute(sql, params)
    return [BoardCell(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in await cur.fetchall()]


async def completeness(conn: aiosqlite.Connection) -> dict[int | None, tuple[int, int]]:
    """building -> (enterprises, enterprises whose base data is complete).

    Complete = every field the station needs to serve it: names in both scripts, floor/unit,
    industry, headcount band, lease end and Party organisation status.
    """
    cur = await conn.execute(
        "SELECT building_id, COUNT(*), SUM(name_en IS NOT NULL AND floor_unit IS NOT NULL AND industry IS NOT NULL"
        " AND headcount_band IS NOT NULL AND lease_end IS NOT NULL AND party_org IS NOT NULL)"
        " FROM enterprises GROUP BY building_id"
    )
    return {r[0]: (r[1], r[2] or 0) for r in await cur.fetchall()}


@dataclass(frozen=True)
class RiskInput:
    id: int
    key: str
    name: str
    name_en: str | None
    building_id: int | None
    lease_end: date | None
    colour: str


async def risk_inputs(conn: aiosqlite.Connection, ids: Sequence[int]) -> list[RiskInput]:
    """The registry's columns the signal sweep needs, for the enterprises it checks."""
    cur = await conn.execute(
        "SELECT id, key, name, name_en, building_id, lease_end, colour FROM enterprises"
        f" WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id",
        tuple(ids),
    )
    return [
        RiskInput(r[0], r[1], r[2], r[3], r[4], date.fromisoformat(r[5]) if r[5] else None, r[6])
        for r in await cur.fetchall()
    ]
