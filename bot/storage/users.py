"""Users: one row per Telegram account that talked to the bot in private."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.db import from_ts, ts
from bot.storage.rows import one


@dataclass(frozen=True)
class UserRow:
    id: int
    first_name: str
    username: str | None
    display_name: str | None
    language: str | None
    telegram_language: str | None
    building_id: int | None
    building_other: str | None
    company: str | None
    phone: str | None
    onboarded_at: datetime | None
    unreachable_at: datetime | None
    forgotten_at: datetime | None

    @property
    def name(self) -> str:
        return self.display_name or self.first_name or str(self.id)


_COLUMNS = (
    "id, first_name, username, display_name, language, telegram_language, building_id, building_other,"
    " company, phone, onboarded_at, unreachable_at, forgotten_at"
)


def _row(row: aiosqlite.Row) -> UserRow:
    return UserRow(
        id=row["id"],
        first_name=row["first_name"],
        username=row["username"],
        display_name=row["display_name"],
        language=row["language"],
        telegram_language=row["telegram_language"],
        building_id=row["building_id"],
        building_other=row["building_other"],
        company=row["company"],
        phone=row["phone"],
        onboarded_at=from_ts(row["onboarded_at"]),
        unreachable_at=from_ts(row["unreachable_at"]),
        forgotten_at=from_ts(row["forgotten_at"]),
    )


async def get(conn: aiosqlite.Connection, user_id: int) -> UserRow | None:
    row = await one(conn, f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
    return _row(row) if row else None


async def get_many(conn: aiosqlite.Connection, user_ids: list[int]) -> dict[int, UserRow]:
    if not user_ids:
        return {}
    marks = ",".join("?" * len(user_ids))
    rows = await conn.execute_fetchall(f"SELECT {_COLUMNS} FROM users WHERE id IN ({marks})", user_ids)
    return {r["id"]: _row(r) for r in rows}


async def upsert_seen(
    conn: aiosqlite.Connection,
    user_id: int,
    first_name: str,
    username: str | None,
    telegram_language: str | None,
    now: datetime,
) -> UserRow:
    """Record that a person wrote to us, keeping what Telegram says about them current."""
    await conn.execute(
        "INSERT INTO users (id, first_name, username, telegram_language, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET first_name = excluded.first_name, username = excluded.username,"
        " telegram_language = excluded.telegram_language, unreachable_at = NULL,"
        " updated_at = excluded.updated_at"
        " WHERE users.forgotten_at IS NULL AND (users.first_name IS NOT excluded.first_name"
        " OR users.username IS NOT excluded.username OR users.telegram_language IS NOT excluded.telegram_language"
        " OR users.unreachable_at IS NOT NULL)",
        (user_id, first_name, username, telegram_language, ts(now), ts(now)),
    )
    user = await get(conn, user_id)
    assert user is not None
    return user


async def update(conn: aiosqlite.Connection, user_id: int, now: datetime, **fields: object) -> None:
    allowed = {
        "display_name",
        "language",
        "building_id",
        "building_other",
        "company",
        "phone",
        "onboarded_at",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    values = [ts(v) if isinstance(v, datetime) else v for v in fields.values()]
    assignments = ", ".join(f"{name} = ?" for name in fields)
    await conn.execute(
        f"UPDATE users SET {assignments}, updated_at = ? WHERE id = ?", (*values, ts(now), user_id)
    )


async def mark_unreachable(conn: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE users SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL", (ts(now), user_id)
    )
