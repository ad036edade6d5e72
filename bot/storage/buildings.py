"""Buildings of the district (seeded by migration 0002)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.storage.rows import one


@dataclass(frozen=True)
class Building:
    id: int
    code: str
    name_zh: str
    name_en: str
    name_fr: str
    address: str
    latitude: float | None
    longitude: float | None

    def name(self, language: str) -> str:
        return {"zh": self.name_zh, "en": self.name_en, "fr": self.name_fr}.get(language, self.name_zh)


def _row(row: aiosqlite.Row) -> Building:
    return Building(**{k: row[k] for k in row.keys()})


async def all_buildings(conn: aiosqlite.Connection) -> list[Building]:
    cur = await conn.execute(
        "SELECT id, code, name_zh, name_en, name_fr, address, latitude, longitude FROM buildings ORDER BY id"
    )
    return [_row(r) for r in await cur.fetchall()]


async def get(conn: aiosqlite.Connection, building_id: int) -> Building | None:
    row = await one(
        conn,
        "SELECT id, code, name_zh, name_en, name_fr, address, latitude, longitude FROM buildings WHERE id = ?",
        (building_id,),
    )
    return _row(row) if row else None


async def by_code(conn: aiosqlite.Connection, code: str) -> Building | None:
    cur = await conn.execute(
        "SELECT id, code, name_zh, name_en, name_fr, address, latitude, longitude FROM buildings"
        " WHERE code = ? COLLATE NOCASE",
        (code,),
    )
    row = await cur.fetchone()
    return _row(row) if row else None
