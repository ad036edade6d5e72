"""Roles (staff, organisers, appointed administrators), bound staff chats and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.db import ts
from bot.storage.rows import inserted_id, required_ts


@dataclass(frozen=True)
class Role:
    id: int
    user_id: int
    role: str
    building_id: int | None
    tier: int | None
    scope: str | None


@dataclass(frozen=True)
class StaffChat:
    chat_id: int
    title: str
    tier: int
    building_id: int | None


async def active_roles(conn: aiosqlite.Connection, user_id: int) -> list[Role]:
    cur = await conn.execute(
        "SELECT id, user_id, role, building_id, tier, scope FROM roles WHERE user_id = ? AND revoked_at IS NULL",
        (user_id,),
    )
    return [Role(*r) for r in await cur.fetchall()]


async def grant(
    conn: aiosqlite.Connection,
    user_id: int,
    role: str,
    now: datetime,
    *,
    building_id: int | None = None,
    tier: int | None = None,
    scope: str | None = None,
    granted_by: int | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO roles (user_id, role, building_id, tier, scope, granted_by, granted_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user_id, role, building_id, tier, scope, granted_by, ts(now)),
    )
    return inserted_id(cur)


async def revoke(conn: aiosqlite.Connection, role_id: int, now: datetime, by: int | None) -> bool:
    cur = await conn.execute(
        "UPDATE roles SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
        (ts(now), by, role_id),
    )
    return cur.rowcount > 0


async def bind_chat(
    conn: aiosqlite.Connection,
    chat_id: int,
    title: str,
    tier: int,
    building_id: int | None,
    by: int,
    now: datetime,
) -> None:
    """A group serves one slot (tier, building); rebinding a slot or a group replaces the old binding."""
    await conn.execute("DELETE FROM staff_chats WHERE chat_id = ?", (chat_id,))
    await conn.execute(
        "DELETE FROM staff_chats WHERE tier = ? AND IFNULL(building_id, 0) = IFNULL(?, 0)",
        (tier, building_id),
    )
    await conn.execute(
        "INSERT INTO staff_chats (chat_id, title, tier, building_id, bound_by, bound_at) VALUES (?, ?, ?, ?, ?, ?)",
        (chat_id, title, tier, building_id, by, ts(now)),
    )


async def staff_chat(conn: aiosqlite.Connection, chat_id: int) -> StaffChat | None:
    cur = await conn.execute(
        "SELECT chat_id, title, tier, building_id FROM staff_chats WHERE chat_id = ?", (chat_id,)
    )
    row = await cur.fetchone()
    return StaffChat(*row) if row else None


async def chat_for(conn: aiosqlite.Connection, tier: int, building_id: int | None) -> StaffChat | None:
    """The building's chat of that tier if one is bound, else the district's."""
    cur = await conn.execute(
        "SELECT chat_id, title, tier, building_id FROM staff_chats WHERE tier = ?"
        " AND (building_id = ? OR building_id IS NULL) ORDER BY building_id IS NULL LIMIT 1",
        (tier, building_id),
    )
    row = await cur.fetchone()
    return StaffChat(*row) if row else None


def chat_among(chats: list[StaffChat], tier: int, building_id: int | None) -> StaffChat | None:
    """`chat_for` over chats already read with `all_staff_chats` (a tick that looks up many)."""
    for chat in chats:
        if chat.tier == tier and building_id is not None and chat.building_id == building_id:
            return chat
    return next((c for c in chats if c.tier == tier and c.building_id is None), None)


async def all_staff_chats(conn: aiosqlite.Connection) -> list[StaffChat]:
    cur = await conn.execute(
        "SELECT chat_id, title, tier, building_id FROM staff_chats ORDER BY tier, building_id"
    )
    return [StaffChat(*r) for r in await cur.fetchall()]


async def audit(
    conn: aiosqlite.Connection,
    now: datetime,
    actor_id: int | None,
    action: str,
    subject: str = "",
    detail: str = "",
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (ts(now), actor_id, action, subject, detail),
    )


@dataclass(frozen=True)
class RoleHolder:
    """An active role with who holds it, for /staff."""

    role: Role
    name: str
    building_code: str | None
    granted_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    subject: str
    detail: str


async def get_role(conn: aiosqlite.Connection, role_id: int) -> Role | None:
    """A role by id, only while it is active (revoked roles are history, not roles)."""
    cur = await conn.execute(
        "SELECT id, user_id, role, building_id, tier, scope FROM roles WHERE id = ? AND revoked_at IS NULL",
        (role_id,),
    )
    row = await cur.fetchone()
    return Role(*row) if row else None


async def find_active(
    conn: aiosqlite.Connection,
    user_id: int,
    role: str,
    *,
    building_id: int | None = None,
    tier: int | None = None,
    scope: str | None = None,
) -> Role | None:
    """The same active role if the person already holds it (so an invitation never duplicates one)."""
    cur = await conn.execute(
        "SELECT id, user_id, role, building_id, tier, scope FROM roles WHERE user_id = ? AND role = ?"
        " AND revoked_at IS NULL AND building_id IS ? AND tier IS ? AND scope IS ?",
        (user_id, role, building_id, tier, scope),
    )
    row = await cur.fetchone()
    return Role(*row) if row else None


async def holders(conn: aiosqlite.Connection) -> list[RoleHolder]:
    """Every active role with the holder's name, administrators first, then by tier and building."""

    cur = await conn.execute(
        "SELECT r.id, r.user_id, r.role, r.building_id, r.tier, r.scope,"
        " COALESCE(u.display_name, NULLIF(u.first_name, ''), CAST(r.user_id AS TEXT)), b.code, r.granted_at"
        " FROM roles r LEFT JOIN users u ON u.id = r.user_id LEFT JOIN buildings b ON b.id = r.building_id"
        " WHERE r.revoked_at IS NULL"
        " ORDER BY CASE r.role WHEN 'admin' THEN 0 WHEN 'staff' THEN 1 ELSE 2 END,"
        " r.tier, b.code, r.scope, r.id"
    )
    return [RoleHolder(Role(*r[:6]), r[6], r[7], required_ts(r[8])) for r in await cur.fetchall()]


async def appointed_admin_ids(conn: aiosqlite.Connection) -> list[int]:
    cur = await conn.execute("SELECT DISTINCT user_id FROM roles WHERE role = 'admin' AND revoked_at IS NULL")
    return [r[0] for r in await cur.fetchall()]


async def audit_entries(
    conn: aiosqlite.Connection, *, limit: int = 20, before_id: int | None = None
) -> list[AuditEntry]:
    """Newest first; `before_id` pages back through older entries."""

    cur = await conn.execute(
        "SELECT a.id, a.at, a.actor_id, COALESCE(u.display_name, NULLIF(u.first_name, '')), a.action,"
        " COALESCE(a.subject, ''), COALESCE(a.detail, '')"
        " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id"
        " WHERE a.id < ? ORDER BY a.id DESC LIMIT ?",
        (before_id if before_id is not None else 2**62, limit),
    )
    return [AuditEntry(r[0], required_ts(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in await cur.fetchall()]
