"""The facts from the service requests that bear on an enterprise's stability, and the tags behind them.

Only what staff marked counts: a request tagged "relocation risk", "layoffs", "rent arrears" or
"expansion" on its staff card (the request's category alone says nothing: "office space" may be
a broken printer), and low satisfaction ratings. Read-only queries over the requests table
(migration 0005) plus the tags table (migration 0040), which this module also writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.storage.db import ts

_OPEN = "r.status IN ('new', 'claimed', 'waiting')"
RATING_WINDOW = timedelta(days=90)
TAG_WINDOW = timedelta(days=90)  # a tag on a closed request still counts this long after it was set


@dataclass(frozen=True)
class RequestRef:
    """A request as a suggestion names it: its reference and category."""

    reference: str
    category: str


# --------------------------------------------------------------------------- tags


async def tags_of(conn: aiosqlite.Connection, request_id: int) -> set[str]:
    cur = await conn.execute("SELECT tag FROM request_stability_tags WHERE request_id = ?", (request_id,))
    return {r[0] for r in await cur.fetchall()}


async def add_tag(conn: aiosqlite.Connection, request_id: int, tag: str, by: int, now: datetime) -> bool:
    cur = await conn.execute(
        "INSERT INTO request_stability_tags (request_id, tag, tagged_by, tagged_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (request_id, tag, by, ts(now)),
    )
    return cur.rowcount > 0


async def remove_tag(conn: aiosqlite.Connection, request_id: int, tag: str) -> bool:
    cur = await conn.execute(
        "DELETE FROM request_stability_tags WHERE request_id = ? AND tag = ?", (request_id, tag)
    )
    return cur.rowcount > 0


# --------------------------------------------------------------------------- facts for the sweep


async def tagged_requests(
    conn: aiosqlite.Connection, now: datetime
) -> dict[int, dict[str, list[RequestRef]]]:
    """enterprise id -> tag -> the requests tagged so: open ones, and others tagged recently."""
    cur = await conn.execute(
        # CROSS JOIN keeps the (small) tags table outside: SQLite would otherwise scan the requests.
        "SELECT r.enterprise_id, t.tag, r.reference, r.category FROM request_stability_tags t"
        " CROSS JOIN requests r ON r.id = t.request_id"
        f" WHERE r.enterprise_id IS NOT NULL AND ({_OPEN} OR t.tagged_at >= ?) ORDER BY r.id",
        (ts(now - TAG_WINDOW),),
    )
    found: dict[int, dict[str, list[RequestRef]]] = {}
    for enterprise_id, tag, reference, category in await cur.fetchall():
        found.setdefault(enterprise_id, {}).setdefault(tag, []).append(RequestRef(reference, category))
    return found


async def low_ratings(conn: aiosqlite.Connection, now: datetime) -> dict[int, tuple[int, RequestRef]]:
    """enterprise id -> its lowest rating of the last 90 days, if 2 or lower, and that request.

    The literal `rating <= 2` matches the partial index requests_low_rating (migration 0040).
    """
    cur = await conn.execute(
        "SELECT r.enterprise_id, r.rating, r.reference, r.category FROM requests r"
        " WHERE r.rating <= 2 AND r.rated_at >= ? AND r.enterprise_id IS NOT NULL ORDER BY r.rating, r.id",
        (ts(now - RATING_WINDOW),),
    )
    found: dict[int, tuple[int, RequestRef]] = {}
    for enterprise_id, rating, reference, category in await cur.fetchall():
        found.setdefault(enterprise_id, (rating, RequestRef(reference, category)))
    return found


async def resolved_in_time(conn: aiosqlite.Connection, since: datetime) -> dict[int | None, tuple[int, int]]:
    """building -> (requests resolved since `since`, of which without a missed deadline)."""
    cur = await conn.execute(
        "SELECT r.building_id, COUNT(*), SUM(NOT EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id"
        " AND e.kind IN ('deadline_escalated', 'first_response_missed')))"
        " FROM requests r WHERE r.resolved_at IS NOT NULL AND r.resolved_at >= ? GROUP BY r.building_id",
        (ts(since),),
    )
    return {r[0]: (r[1], r[2] or 0) for r in await cur.fetchall()}
