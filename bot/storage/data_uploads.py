"""Files sent for import, between their dry run and Confirm / Cancel; and what a preview compares
a file with in the other features' tables (the guide's current entries, the future shifts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.db import from_ts, ts
from bot.storage.rows import inserted_id


@dataclass(frozen=True)
class Upload:
    id: int
    user_id: int
    kind: str
    file_name: str
    content: bytes | None
    sha256: str
    conflicts: list[str]
    deletions: int
    status: str
    created_at: datetime
    expires_at: datetime


_COLUMNS = (
    "id, user_id, kind, file_name, content, sha256, conflicts, deletions, status, created_at, expires_at"
)


def _row(r: aiosqlite.Row) -> Upload:
    return Upload(
        r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8], from_ts(r[9]), from_ts(r[10])
    )


async def add(
    conn: aiosqlite.Connection,
    *,
    user_id: int,
    kind: str,
    file_name: str,
    content: bytes,
    sha256: str,
    conflicts: list[str],
    deletions: int,
    now: datetime,
    expires_at: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO data_uploads (user_id, kind, file_name, content, sha256, conflicts, deletions, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user_id,
            kind,
            file_name,
            content,
            sha256,
            json.dumps(conflicts, ensure_ascii=False),
            deletions,
            ts(now),
            ts(expires_at),
        ),
    )
    return inserted_id(cur)


async def get(conn: aiosqlite.Connection, upload_id: int) -> Upload | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM data_uploads WHERE id = ?", (upload_id,))
    row = await cur.fetchone()
    return _row(row) if row else None


async def set_status(
    conn: aiosqlite.Connection, upload_id: int, status: str, now: datetime, *, expected: str = "pending"
) -> bool:
    """Move an upload on (False if it was no longer `expected`); a decided one drops its content."""
    keep = status in ("pending", "applying")
    cur = await conn.execute(
        "UPDATE data_uploads SET status = ?, decided_at = ?, content = CASE WHEN ? THEN content END"
        " WHERE id = ? AND status = ?",
        (status, ts(now), keep, upload_id, expected),
    )
    return cur.rowcount > 0


async def expire(conn: aiosqlite.Connection, now: datetime) -> int:
    """Pending uploads nobody confirmed in time: expired, their content dropped."""
    cur = await conn.execute(
        "UPDATE data_uploads SET status = 'expired', decided_at = ?, content = NULL"
        " WHERE status = 'pending' AND expires_at <= ?",
        (ts(now), ts(now)),
    )
    return cur.rowcount


# --------------------------------------------------------------------------- what previews compare with


async def guide_entries(conn: aiosqlite.Connection) -> dict[str, dict[str, Any]]:
    """The service guide's current entries: key -> the entry as stored (JSON, all languages)."""
    cur = await conn.execute("SELECT key, data FROM guide_entries ORDER BY position")
    return {r[0]: json.loads(r[1]) for r in await cur.fetchall()}


async def future_open_shifts(conn: aiosqlite.Connection, now: datetime) -> int:
    """Volunteer shifts still to come and not cancelled (what a projects import may cancel)."""
    cur = await conn.execute(
        "SELECT COUNT(*) FROM vol_shifts WHERE status = 'open' AND starts_at > ?", (ts(now),)
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0
