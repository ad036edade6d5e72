"""Request figures for the reporting feature's /stats (services.stats reads them)."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from bot.domain import requests as rules
from bot.domain.escalation import TOP_TIER
from bot.services.requests.base import RequestUseCases
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo


class Figures(RequestUseCases):
    """Counts and durations over a period, for reports."""

    async def between(self, since: datetime, until: datetime) -> dict[str, Any]:
        """Request figures for [since, until).

        Keys: opened, resolved, by_category {key: n}, resolution_hours {tier: {median, p90, n}}
        (wall hours from filing to resolution, by the tier that resolved it), breaches {tier: n}
        (deadlines missed, i.e. automatic escalations from that tier, plus tier-4 reminders),
        escalated_by_hand {tier: n}, satisfaction (average stars or None), ratings (n),
        paused {requester|department|third_party: n} (pauses begun), closed_without {duplicate|
        out_of_scope|withdrawn|no_answer: n} (closed other than by a resolution).
        """
        async with self.db.read() as conn:
            opened = await repo.created_between(conn, since, until)
            resolved = await repo.events_between(conn, ("resolved",), since, until)
            breaches = await repo.events_between(conn, ("deadline_escalated", "reminded"), since, until)
            by_hand = await repo.events_between(conn, ("escalated",), since, until)
            rows = await repo.get_many(conn, sorted({e.request_id for e in resolved}))
            ratings = await repo.rated_between(conn, since, until)
            paused = await desk_repo.pauses_started_between(conn, since, until)
            closed_without = {
                reason: await desk_repo.closed_between(conn, reason, since, until)
                for reason in rules.CLOSE_REASONS
            }
        by_category = {key: 0 for key in rules.CATEGORIES}
        for r in opened:
            by_category[r.category] = by_category.get(r.category, 0) + 1
        durations: dict[int, list[float]] = {t: [] for t in range(1, TOP_TIER + 1)}
        for e in resolved:
            request = rows.get(e.request_id)
            if request is not None:
                durations[e.tier].append((e.at - request.created_at).total_seconds() / 3600)
        return {
            "opened": len(opened),
            "resolved": len(resolved),
            "by_category": by_category,
            "resolution_hours": {t: _spread(values) for t, values in durations.items()},
            "breaches": {t: sum(1 for e in breaches if e.tier == t) for t in range(1, TOP_TIER + 1)},
            "escalated_by_hand": {t: sum(1 for e in by_hand if e.tier == t) for t in range(1, TOP_TIER + 1)},
            "satisfaction": round(statistics.fmean(ratings), 2) if ratings else None,
            "ratings": len(ratings),
            "paused": {reason: paused.get(reason, 0) for reason in rules.WAIT_REASONS},
            "closed_without": closed_without,
        }


def _spread(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"n": len(values), "median": round(statistics.median(ordered), 2), "p90": round(p90, 2)}
