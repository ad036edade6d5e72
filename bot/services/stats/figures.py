"""Figures for leaders, gathered from the feature services: /stats for staff, and the sections of
the weekly and monthly reports.

Why gathered from the feature services instead of one big SQL file: each feature knows what its
numbers mean (what counts as a breach, which visits cover an enterprise), and keeps them right
when its tables change. A feature whose figures fail simply leaves its section out (logged); the
rest of the report still goes out.

Sources, as promised by each feature:
- services.requests.figures.between(since, until) -> opened, resolved, resolution_hours {tier: {n, median, p90}},
  breaches {tier: n}, satisfaction, ratings
- services.enterprises.board.figures(start, end) -> enterprises, by_colour, colour_changes_total, visits,
  visit_coverage {visited, total, percent}, overdue_followups
- services.volunteer.attendance.figures(since, until) -> signups, attendance_rate (0..1), hours_served, no_shows
- services.guide.top_misses(since, limit) -> [(search, count)]
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from bot.charts import TrendPoint
from bot.services.base import InvalidInput, UseCases
from bot.services.stats.periods import Period, month_period, week_of

log = logging.getLogger(__name__)
T = TypeVar("T")

TOP_MISSES = 5
TIERS = (1, 2, 3, 4)
COLOURS = ("green", "blue", "yellow", "orange", "red")


@dataclass(frozen=True)
class TierLine:
    tier: int
    resolved: int
    median_hours: float | None
    p90_hours: float | None
    breaches: int


@dataclass(frozen=True)
class RequestFigures:
    opened: int
    resolved: int
    tiers: list[TierLine]
    satisfaction: float | None
    ratings: int


@dataclass(frozen=True)
class EnterpriseFigures:
    total: int
    colours: list[tuple[str, int]]
    changes: int
    visits: int
    visited: int
    coverage_percent: float | None
    overdue: int


@dataclass(frozen=True)
class VolunteerFigures:
    signups: int
    no_shows: int
    attendance_percent: float | None  # None: no shift of the period has ended yet
    hours: float


@dataclass(frozen=True)
class Figures:
    period: Period
    requests: RequestFigures | None = None
    enterprises: EnterpriseFigures | None = None
    volunteer: VolunteerFigures | None = None
    misses: list[tuple[str, int]] | None = None
    trend: list[TrendPoint] = field(default_factory=list)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _by_tier(mapping: Any, tier: int) -> Any:
    """Feature dicts are keyed by int tiers; tolerate string keys too (e.g. after JSON)."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(tier, mapping.get(str(tier)))


def request_figures(raw: Mapping[str, Any]) -> RequestFigures:
    spreads = raw.get("resolution_hours") or {}
    breaches = raw.get("breaches") or {}
    tiers = []
    for tier in TIERS:
        spread = _by_tier(spreads, tier) or {}
        tiers.append(
            TierLine(
                tier=tier,
                resolved=_int(spread.get("n")),
                median_hours=_float(spread.get("median")),
                p90_hours=_float(spread.get("p90")),
                breaches=_int(_by_tier(breaches, tier)),
            )
        )
    return RequestFigures(
        opened=_int(raw.get("opened")),
        resolved=_int(raw.get("resolved")),
        tiers=tiers,
        satisfaction=_float(raw.get("satisfaction")),
        ratings=_int(raw.get("ratings")),
    )


def enterprise_figures(raw: Mapping[str, Any]) -> EnterpriseFigures:
    by_colour = raw.get("by_colour") or {}
    coverage = raw.get("visit_coverage") or {}
    total = _int(raw.get("enterprises")) or sum(_int(v) for v in by_colour.values())
    return EnterpriseFigures(
        total=total,
        colours=[(c, _int(by_colour.get(c))) for c in COLOURS],
        changes=_int(raw.get("colour_changes_total")),
        visits=_int(raw.get("visits")),
        visited=_int(coverage.get("visited")),
        coverage_percent=_float(coverage.get("percent")),
        overdue=_int(raw.get("overdue_followups")),
    )


def volunteer_figures(raw: Mapping[str, Any]) -> VolunteerFigures:
    """Either counts (ended, attended) or the volunteer feature's rate and no-shows."""
    hours = _float(raw.get("hours_served", raw.get("hours"))) or 0.0
    if "ended" in raw:
        ended, attended = _int(raw.get("ended")), _int(raw.get("attended"))
        percent = round(100 * attended / ended, 1) if ended else None
        no_shows = ended - attended
    else:
        no_shows = _int(raw.get("no_shows"))
        rate = _float(raw.get("attendance_rate")) or 0.0
        # The feature reports 0.0 when nothing has ended: that is "no figure", not "nobody came".
        percent = round(100 * rate, 1) if rate or no_shows else None
    return VolunteerFigures(
        signups=_int(raw.get("signups")), no_shows=no_shows, attendance_percent=percent, hours=round(hours, 1)
    )


class Gatherer(UseCases):
    """Every feature's figures for a period, each section on its own (one failing leaves a gap)."""

    async def _section(self, name: str, figures: Awaitable[T]) -> T | None:
        try:
            return await figures
        except Exception:
            # A broken section must not keep the other figures from leaders: log it loudly.
            log.exception("figures of %s failed", name)
            return None

    async def gather(
        self, period: Period, *, until: datetime | None = None, trend: list[Period] | None = None
    ) -> Figures:
        """Every available section for [period.start, until or period.end)."""
        since, end = period.start, min(until or period.end, period.end)
        services = self.services
        requests = await self._section("requests", services.requests.figures.between(since, end))
        enterprises = await self._section("enterprises", services.enterprises.board.figures(since, end))
        volunteer = await self._section("volunteer", services.volunteer.attendance.figures(since, end))
        misses = await self._section("guide", services.guide.top_misses(since, TOP_MISSES))
        points = await self.trend(trend) if trend else []
        return Figures(
            period=period,
            requests=request_figures(requests) if requests is not None else None,
            enterprises=enterprise_figures(enterprises) if enterprises is not None else None,
            volunteer=volunteer_figures(volunteer) if volunteer is not None else None,
            misses=[(str(q), _int(n)) for q, n in misses] if misses is not None else None,
            trend=points,
        )

    async def trend(self, periods: list[Period]) -> list[TrendPoint]:
        """Requests opened and resolved in each period (empty if the requests figures fail)."""
        points = []
        for p in periods:
            raw = await self._section("requests", self.services.requests.figures.between(p.start, p.end))
            if raw is None:
                return []
            label = (
                p.label.split("-", 1)[1]
                if p.kind == "week"
                else p.start.astimezone(self.settings.tz).strftime("%m-%d")
            )
            points.append(TrendPoint(label, _int(raw.get("opened")), _int(raw.get("resolved"))))
        return points

    async def for_staff(self, user_id: int, kind: str) -> Figures:
        """This week or this month so far, for staff only (checked at the moment of asking)."""
        access = await self.services.access.of(user_id)
        access.require_staff()
        now = self.now()
        tz = self.settings.tz
        if kind == "week":
            period = week_of(now, tz)
        elif kind == "month":
            local = now.astimezone(tz)
            period = month_period(local.year, local.month, tz)
        else:
            raise InvalidInput("period")
        return await self.gather(period, until=now)
