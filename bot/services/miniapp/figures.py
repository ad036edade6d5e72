# i18n-domain: webapp
"""The figures screen of the Mini App: this week's or this month's KPIs (the very figures /stats
and the Monday report gather), their trend over the last weeks or months, and the coverage of
the article's three targets ("knowing all situations, visiting all enterprises, handling all
problems") against 100 %, for the district and each building the person covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.charts import TrendPoint
from bot.services.access import NOT_STAFF, ensure, may_open_staff_app, sees_building
from bot.services.base import InvalidInput, UseCases
from bot.services.enterprises.board import CoverageLine
from bot.services.stats.figures import Figures
from bot.services.stats.periods import Period, month_period, week_of, weeks_ending

KINDS = ("week", "month")
TREND_WEEKS = 8
TREND_MONTHS = 6


@dataclass(frozen=True)
class FiguresScreen:
    kind: str
    figures: Figures
    trend: list[TrendPoint]
    district: CoverageLine
    buildings: list[CoverageLine]


class FigureScreens(UseCases):
    async def screen(self, user_id: int, kind: str) -> FiguresScreen:
        if kind not in KINDS:
            raise InvalidInput("app_bad_filter")
        access = await self.services.access.of(user_id)
        ensure(may_open_staff_app(access), NOT_STAFF)
        stats = self.services.stats.figures
        figures = await stats.for_staff(user_id, kind)
        periods = self._trend_periods(kind)
        trend = await stats.trend(periods)
        if kind == "month" and len(trend) == len(periods):  # "2026-11", not its first day's date
            trend = [TrendPoint(p.label, t.opened, t.resolved) for p, t in zip(periods, trend, strict=True)]
        coverage = await self.services.enterprises.board.coverage(user_id)
        lines = [
            line for line in coverage.buildings if line.building and sees_building(access, line.building.id)
        ]
        return FiguresScreen(kind, figures, trend, coverage.district, lines)

    def _trend_periods(self, kind: str) -> list[Period]:
        tz, now = self.settings.tz, self.now()
        if kind == "week":
            return weeks_ending(week_of(now, tz), TREND_WEEKS, tz)
        local = now.astimezone(tz)
        months = []
        year, month = local.year, local.month
        for _ in range(TREND_MONTHS):
            months.append(month_period(year, month, tz))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return list(reversed(months))
