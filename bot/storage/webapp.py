"""What the staff Mini App reads that no feature's storage has: the district's counts per building,
enterprise tiles with their flags, an enterprise's requests; and its own two tables (the replay
guard of its writes, the menu buttons given to staff).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from bot.storage import requests as requests_repo
from bot.storage.db import ts
from bot.storage.enterprises import COLOURS
from bot.storage.requests import RequestRow

_OPEN = "status IN ('new', 'claimed', 'waiting')"  # the partial index requests_open's filter
_WORST_FIRST = (
    "CASE e.colour WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2 WHEN 'blue' THEN 3 ELSE 4 END"
)


# --------------------------------------------------------------------------- the district


@dataclass(frozen=True)
class BuildingCounts:
    """One building's enterprises per colour, late visits and open requests."""

    building_id: int | None
    colours: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLOURS, 0))
    overdue: int = 0
    open_requests: int = 0

    @property
    def total(self) -> int:
        return sum(self.colours.values())


async def building_counts(
    conn: aiosqlite.Connection, now: datetime, building_id: int | None = None
) -> dict[int | None, BuildingCounts]:
    """Per building (or only `building_id`'s): enterprises per colour, late visits, open requests."""
    one = " WHERE e.building_id = ?" if building_id is not None else ""
    params: list[object] = [ts(now)] + ([building_id] if building_id is not None else [])
    counts: dict[int | None, BuildingCounts] = {}
    cur = await conn.execute(
        "SELECT e.building_id, e.colour, COUNT(*), SUM(f.due_at IS NOT NULL AND f.due_at <= ?)"
        f" FROM enterprises e LEFT JOIN enterprise_followups f ON f.enterprise_id = e.id{one}"
        " GROUP BY e.building_id, e.colour",
        params,
    )
    overdue: dict[int | None, int] = {}
    for building, colour, n, late in await cur.fetchall():
        line = counts.setdefault(building, BuildingCounts(building))
        line.colours[colour] = n
        overdue[building] = overdue.get(building, 0) + (late or 0)
    cur = await conn.execute(
        # INDEXED BY: without statistics the planner walks the status index, then every row.
        "SELECT building_id, COUNT(*) FROM requests INDEXED BY requests_open_building"
        f" WHERE {_OPEN}{' AND building_id = ?' if one else ''} GROUP BY building_id",
        params[1:],
    )
    open_requests = {r[0]: r[1] for r in await cur.fetchall()}
    return {
        b: BuildingCounts(b, line.colours, overdue.get(b, 0), open_requests.get(b, 0))
        for b, line in counts.items()
    }


@dataclass(frozen=True)
class Tile:
    """An enterprise as a coloured tile of the board."""

    id: int
    name: str
    name_en: str | None
    building_id: int | None
    colour: str
    overdue: bool  # its follow-up visit is late
    open_requests: int


async def tiles(
    conn: aiosqlite.Connection,
    now: datetime,
    *,
    building_ids: Sequence[int] | None = None,
    colour: str | None = None,
    overdue: bool = False,
    with_requests: bool = False,
) -> list[Tile]:
    """Tiles of the buildings given (None: all), filtered, worst colour first in each building."""
    where: list[str] = ["1"]
    params: list[object] = []
    if building_ids is not None:
        where.append(f"e.building_id IN ({','.join('?' * len(building_ids))})" if building_ids else "0")
        params += list(building_ids)
    if colour is not None:
        where.append("e.colour = ?")
        params.append(colour)
    if overdue:
        where.append("f.due_at <= ?")
        params.append(ts(now))
    if with_requests:
        where.append("open_requests > 0")
    cur = await conn.execute(
        "SELECT e.id, e.name, e.name_en, e.building_id, e.colour, f.due_at,"
        f" (SELECT COUNT(*) FROM requests r WHERE r.enterprise_id = e.id AND r.{_OPEN}) AS open_requests"
        " FROM enterprises e LEFT JOIN enterprise_followups f ON f.enterprise_id = e.id"
        f" WHERE {' AND '.join(where)} ORDER BY e.building_id, {_WORST_FIRST}, e.name",
        params,
    )
    stamp = ts(now)
    # Timestamps are compared as stored (fixed-width UTC text): parsing 1,500 of them would cost
    # more than the whole query.
    return [
        Tile(r[0], r[1], r[2], r[3], r[4], r[5] is not None and r[5] <= stamp, r[6])
        for r in await cur.fetchall()
    ]


# --------------------------------------------------------------------------- pages


async def requests_of_enterprise(
    conn: aiosqlite.Connection, enterprise_id: int, limit: int = 20
) -> list[RequestRow]:
    cur = await conn.execute(
        "SELECT id FROM requests WHERE enterprise_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        (enterprise_id, limit),
    )
    ids = [r[0] for r in await cur.fetchall()]
    found = await requests_repo.get_many(conn, ids)
    return [found[i] for i in ids if i in found]


# --------------------------------------------------------------------------- replay guard


async def use_action(
    conn: aiosqlite.Connection,
    init_hash: str,
    action_id: str,
    user_id: int,
    now: datetime,
    forget_before: datetime,
) -> bool:
    """Record the first use of this write; False when it was used before (a replay).

    Rows older than `forget_before` are dropped on the way: their initData has expired anyway.
    """
    await conn.execute("DELETE FROM webapp_actions WHERE used_at < ?", (ts(forget_before),))
    cur = await conn.execute(
        "INSERT INTO webapp_actions (init_hash, action_id, user_id, used_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (init_hash, action_id, user_id, ts(now)),
    )
    return cur.rowcount > 0


# --------------------------------------------------------------------------- menu buttons


@dataclass(frozen=True)
class StaffPerson:
    user_id: int
    language: str | None
    telegram_language: str | None


async def staff_people(conn: aiosqlite.Connection) -> list[StaffPerson]:
    """Everyone with an active staff or administrator role, as the users table knows them."""
    cur = await conn.execute(
        "SELECT u.id, u.language, u.telegram_language FROM users u WHERE u.forgotten_at IS NULL AND u.id IN"
        " (SELECT user_id FROM roles WHERE role IN ('staff', 'admin') AND revoked_at IS NULL) ORDER BY u.id"
    )
    return [StaffPerson(r[0], r[1], r[2]) for r in await cur.fetchall()]


async def people(conn: aiosqlite.Connection, user_ids: Sequence[int]) -> list[StaffPerson]:
    """These people as the users table knows them (those it does not know are left out)."""
    if not user_ids:
        return []
    marks = ",".join("?" * len(user_ids))
    cur = await conn.execute(
        f"SELECT id, language, telegram_language FROM users WHERE forgotten_at IS NULL AND id IN ({marks})",
        list(user_ids),
    )
    return [StaffPerson(r[0], r[1], r[2]) for r in await cur.fetchall()]


async def menu_states(conn: aiosqlite.Connection) -> dict[int, str]:
    cur = await conn.execute("SELECT user_id, state FROM webapp_menus")
    return {r[0]: r[1] for r in await cur.fetchall()}


async def set_menu_state(
    conn: aiosqlite.Connection, user_id: int, state: str, ok: bool, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO webapp_menus (user_id, state, ok, set_at) VALUES (?, ?, ?, ?) ON CONFLICT(user_id)"
        " DO UPDATE SET state = excluded.state, ok = excluded.ok, set_at = excluded.set_at",
        (user_id, state, int(ok), ts(now)),
    )
