"""The facts from the service requests that bear on an enterprise's stability, and the tags behind them.

Only what staff marked counts: a request tagged "relocation risk", "layoffs", "rent arrears" or
"expansion" on its staff card (the request's category alone says nothing: "office space" may be
a broken printer), and low satisfaction ratings. Read-only queries over the requests table
(migration 0005) plus the tags table (migration 0040), which this module also writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.storage.db import from_ts, ts

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


@dataclass(frozen=True)
class Tagged:
    """A stability tag on a request of an enterprise, as the sweep counts it."""

    enterprise_id: int
    tag: str
    request: RequestRef
    counts_until: datetime | None  # a closed request's tag stops counting then; None while open


async def tagged_requests(
    conn: aiosqlite.Connection, now: datetime, enterprise_ids: Sequence[int]
) -> list[Tagged]:
    """The tags that count for these enterprises: on their open requests, and on others tagged in
    the last 90 days; in request order. Two index reads: open requests by enterprise, recent tags."""
    marks = ",".join("?" * len(enterprise_ids))
    cur = await conn.execute(
        # INDEXED BY: without it the planner may walk every open request by status instead.
        "SELECT r.enterprise_id, t.tag, r.reference, r.category, NULL, r.id FROM requests r"
        " INDEXED BY requests_open_enterprise CROSS JOIN request_stability_tags t ON t.request_id = r.id"
        f" WHERE r.enterprise_id IN ({marks}) AND {_OPEN}"
        " UNION ALL"
        " SELECT r.enterprise_id, t.tag, r.reference, r.category, t.tagged_at, r.id FROM request_stability_tags t"
        f" CROSS JOIN requests r ON r.id = t.request_id WHERE t.tagged_at >= ? AND r.enterprise_id IN ({marks})"
        f" AND NOT ({_OPEN}) ORDER BY 6",
        (*enterprise_ids, ts(now - TAG_WINDOW), *enterprise_ids),
    )
    return [
        Tagged(e, tag, RequestRef(reference, category), None if at is None else from_ts(at) + TAG_WINDOW)
        for e, tag, reference, category, at, _id in await cur.fetchall()
    ]


@dataclass(frozen=True)
class LowRating:
    """A rating of 1 or 2 in the last 90 days, and when it stops counting."""

    enterprise_id: int
    rating: int
    request: RequestRef
    counts_until: datetime


async def low_ratings(
    conn: aiosqlite.Connection, now: datetime, enterprise_ids: Sequence[int]
) -> list[LowRating]:
    """The low ratings (2 or lower) of the last 90 days of these enterprises, lowest first.

    The literal `rating <= 2` matches the partial index requests_low_rating_enterprise (migration 0080).
    """
    cur = await conn.execute(
        "SELECT r.enterprise_id, r.rating, r.reference, r.category, r.rated_at FROM requests r"
        f" WHERE r.rating <= 2 AND r.enterprise_id IN ({','.join('?' * len(enterprise_ids))})"
        " AND r.rated_at >= ? ORDER BY r.rating, r.id",
        (*enterprise_ids, ts(now - RATING_WINDOW)),
    )
    return [
        LowRating(e, rating, RequestRef(reference, category), from_ts(at) + RATING_WINDOW)
        for e, rating, reference, category, at in await cur.fetchall()
    ]


async def resolved_in_time(conn: aiosqlite.Connection, since: datetime) -> dict[int | None, tuple[int, int]]:
    """building -> (requests resolved since `since`, of which without a missed deadline)."""
    cur = await conn.execute(
        "SELECT r.building_id, COUNT(*), SUM(NOT EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id"
        " AND e.kind IN ('deadline_escalated', 'first_response_missed')))"
        " FROM requests r WHERE r.resolved_at IS NOT NULL AND r.resolved_at >= ? GROUP BY r.building_id",
        (ts(since),),
    )
    return {r[0]: (r[1], r[2] or 0) for r in await cur.fetchall()}
