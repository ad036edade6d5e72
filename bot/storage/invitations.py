"""One-time invitations to a role, stored by the hash of their token.

Why hashed: the token in the link is the only secret needed to become staff; keeping its
SHA-256 instead means a leaked backup or a curious operator cannot redeem open invitations.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.db import from_ts, ts
from bot.storage.rows import inserted_id, required_ts


@dataclass(frozen=True)
class Invitation:
    id: int
    role: str
    building_id: int | None
    tier: int | None
    scope: str | None
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None
    revoked_at: datetime | None


_COLUMNS = (
    "id, role, building_id, tier, scope, created_by, created_at, expires_at, used_by, used_at, revoked_at"
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _row(r: aiosqlite.Row) -> Invitation:
    return Invitation(
        id=r["id"],
        role=r["role"],
        building_id=r["building_id"],
        tier=r["tier"],
        scope=r["scope"],
        created_by=r["created_by"],
        created_at=required_ts(r["created_at"]),
        expires_at=required_ts(r["expires_at"]),
        used_by=r["used_by"],
        used_at=from_ts(r["used_at"]),
        revoked_at=from_ts(r["revoked_at"]),
    )


async def create(
    conn: aiosqlite.Connection,
    *,
    token: str,
    role: str,
    building_id: int | None,
    tier: int | None,
    scope: str | None,
    created_by: int,
    now: datetime,
    expires_at: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO invitations (token_hash, role, building_id, tier, scope, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (hash_token(token), role, building_id, tier, scope, created_by, ts(now), ts(expires_at)),
    )
    return inserted_id(cur)


async def by_token(conn: aiosqlite.Connection, token: str) -> Invitation | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM invitations WHERE token_hash = ?", (hash_token(token),))
    row = await cur.fetchone()
    return _row(row) if row else None


async def get(conn: aiosqlite.Connection, invitation_id: int) -> Invitation | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM invitations WHERE id = ?", (invitation_id,))
    row = await cur.fetchone()
    return _row(row) if row else None


async def mark_used(
    conn: aiosqlite.Connection, invitation_id: int, user_id: int, role_id: int, now: datetime
) -> bool:
    """Consume the invitation; False if someone else consumed or revoked it first (single use)."""
    cur = await conn.execute(
        "UPDATE invitations SET used_by = ?, used_at = ?, role_id = ?"
        " WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
        (user_id, ts(now), role_id, invitation_id),
    )
    return cur.rowcount > 0


async def still_open(conn: aiosqlite.Connection, now: datetime, limit: int = 20) -> list[Invitation]:
    """Invitations not used, withdrawn or expired yet, the newest first."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM invitations WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > ?"
        " ORDER BY id DESC LIMIT ?",
        (ts(now), limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def revoke(conn: aiosqlite.Connection, invitation_id: int, now: datetime, by: int) -> bool:
    cur = await conn.execute(
        "UPDATE invitations SET revoked_at = ?, revoked_by = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
        (ts(now), by, invitation_id),
    )
    return cur.rowcount > 0
