"""The facts from other features' tables that bear on an enterprise's stability (service requests).

Read-only queries over the requests table (migration 0005): open office-space / relocation
requests (category 'office'), open requests at tier 3 or 4, requests past their resolution
deadline, low satisfaction ratings, and how many requests were resolved within their deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.storage.db import ts

_OPEN = "status IN ('new', 'claimed', 'waiting')"
RATING_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class RequestFacts:
    office_requests: int = 0
    high_tier_requests: int = 0
    overdue_requests: int = 0
    lowest_rating: int | None = None


async def request_facts(
    conn: aiosqlite.Connection, now: datetime, enterprise_id: int | None = None
) -> dict[int, RequestFacts]:
    """enterprise id -> its request facts (enterprises without any request are left out)."""
    where = " AND enterprise_id = ?" if enterprise_id is not None else ""
    params: list[object] = [ts(now), ts(now - RATING_WINDOW)]
    if enterprise_id is not None:
        params.append(enterprise_id)
    cur = await conn.execute(
        "SELECT enterprise_id,"
        f" SUM({_OPEN} AND category = 'office'),"
        f" SUM({_OPEN} AND tier >= 3),"
        f" SUM({_OPEN} AND paused_at IS NULL AND resolve_by IS NOT NULL AND resolve_by < ?1),"
        " MIN(CASE WHEN rated_at >= ?2 THEN rating END)"
        # Only open or recently rated rows can contribute: saying so lets SQLite use the status and
        # rated_at indexes instead of scanning the whole request history (bench/ticks.py).
        " FROM requests WHERE enterprise_id IS NOT NULL"
        f" AND ({_OPEN} OR rated_at >= ?2){where.replace('?', '?3')}"
        " GROUP BY enterprise_id",
        params,
    )
    return {r[0]: RequestFacts(r[1] or 0, r[2] or 0, r[3] or 0, r[4]) for r in await cur.fetchall()}


async def resolved_in_time(conn: aiosqlite.Connection, since: datetime) -> dict[int | None, tuple[int, int]]:
    """building -> (requests resolved since `since`, of which without a missed deadline)."""
    cur = await conn.execute(
        "SELECT r.building_id, COUNT(*), SUM(NOT EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id"
        " AND e.kind IN ('deadline_escalated', 'first_response_missed')))"
        " FROM requests r WHERE r.resolved_at IS NOT NULL AND r.resolved_at >= ? GROUP BY r.building_id",
        (ts(since),),
    )
    return {r[0]: (r[1], r[2] or 0) for r in await cur.fetchall()}
