"""Scheduled figures reports: when the next one is due and which period was reported last.

The weekly report's tick reads this row and updates it in the same transaction as it enqueues
the report, so a restart neither skips a Monday nor sends one twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.db import ts
from bot.storage.rows import required_ts


@dataclass(frozen=True)
class ReportSchedule:
    name: str
    next_at: datetime
    last_period: str | None


async def schedule(conn: aiosqlite.Connection, name: str) -> ReportSchedule | None:
    cur = await conn.execute("SELECT name, next_at, last_period FROM stats_reports WHERE name = ?", (name,))
    row = await cur.fetchone()
    return ReportSchedule(row[0], required_ts(row[1]), row[2]) if row else None


async def create_schedule(
    conn: aiosqlite.Connection, name: str, next_at: datetime, last_period: str | None = None
) -> None:
    """First start: the first report is due at `next_at` (an existing schedule is kept);
    `last_period` is the period before the first one to report."""
    await conn.execute(
        "INSERT INTO stats_reports (name, next_at, last_period) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING",
        (name, ts(next_at), last_period),
    )


async def record_sent(
    conn: aiosqlite.Connection, name: str, period: str, next_at: datetime, now: datetime
) -> None:
    await conn.execute(
        "UPDATE stats_reports SET last_period = ?, last_sent_at = ?, next_at = ? WHERE name = ?",
        (period, ts(now), ts(next_at), name),
    )
