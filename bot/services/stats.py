"""Figures for leaders: /stats, the Monday report to the tier-2 chat, and `report --month`.

Why gathered from the feature services instead of one big SQL file: each feature knows what its
numbers mean (what counts as a breach, which visits cover an enterprise), and keeps them right
when its tables change. A feature that is not installed (services.<name> raises AttributeError)
or fails simply leaves its section out; the rest of the report still goes out.

Sources, as promised by each feature:
- services.requests.figures.between(since, until) -> opened, resolved, resolution_hours {tier: {n, median, p90}},
  breaches {tier: n}, satisfaction, ratings
- services.enterprises.figures(start, end) -> enterprises, by_colour, colour_changes_total, visits,
  visit_coverage {visited, total, percent}, overdue_followups
- services.volunteer.figures(since, until) -> signups, attendance_rate (0..1), hours_served, no_shows
- services.guide.top_misses(since, limit) -> [(search, count)]
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from bot.charts import TrendPoint, write_trend_png
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage import stats as stats_repo

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")

WEEKLY = "weekly"
REPORT_TIER = 2  # the station's platform chat receives the weekly report
REPORT_WEEKDAY, REPORT_TIME = 0, time(9, 0)  # Monday 09:00 in BOT_TIMEZONE
TREND_WEEKS = 8
TOP_MISSES = 5
TIERS = (1, 2, 3, 4)
COLOURS = ("green", "blue", "yellow", "orange", "red")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

PERIOD_KINDS = {"week": N_("This week"), "month": N_("This month")}


# ------------------------------------------------------------------------------------ periods


@dataclass(frozen=True)
class Period:
    kind: str  # week / month
    label: str  # 2026-W48 / 2026-11
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware

    @property
    def last_moment(self) -> datetime:
        """For showing 'until': the period's last second, so a week reads Monday–Sunday."""
        return self.end - timedelta(seconds=1)


def week_of(moment: datetime, tz: ZoneInfo) -> Period:
    """The Monday-to-Monday week (in the station's time zone) containing `moment`."""
    local = moment.astimezone(tz)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tzinfo=tz)
    year, week, _ = monday.isocalendar()
    return Period("week", f"{year}-W{week:02d}", monday, monday + timedelta(days=7))


def month_period(year: int, month: int, tz: ZoneInfo) -> Period:
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return Period("month", f"{year}-{month:02d}", start, end)


def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11); anything else is a clear error, not a guess."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ValueError(f"expected a month like 2026-11, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def next_report_at(now: datetime, tz: ZoneInfo) -> datetime:
    """The first Monday 09:00 (station time) strictly after `now`."""
    local = now.astimezone(tz)
    days = (REPORT_WEEKDAY - local.weekday()) % 7
    candidate = datetime.combine(local.date() + timedelta(days=days), REPORT_TIME, tzinfo=tz)
    if candidate <= local:
        candidate += timedelta(days=7)
    return candidate


# ------------------------------------------------------------------------------------ figures


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


def request_figures(raw: dict[str, Any]) -> RequestFigures:
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


def enterprise_figures(raw: dict[str, Any]) -> EnterpriseFigures:
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


def volunteer_figures(raw: dict[str, Any]) -> VolunteerFigures:
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


# What each CSV row means, in the station's language (the key column stays stable for scripts).
METRIC_LABELS = {
    "requests.opened": N_("Requests opened"),
    "requests.resolved": N_("Requests resolved"),
    "requests.resolved_at_tier": N_("Requests resolved at this tier"),
    "requests.median_hours": N_("Median hours to resolution"),
    "requests.p90_hours": N_("90th-percentile hours to resolution"),
    "requests.breaches": N_("Deadlines missed"),
    "requests.satisfaction": N_("Average satisfaction (1–5)"),
    "requests.ratings": N_("Ratings given"),
    "enterprises.total": N_("Enterprises"),
    "enterprises.colour": N_("Enterprises of this colour"),
    "enterprises.colour_changes": N_("Colour changes"),
    "enterprises.visits": N_("Visits logged"),
    "enterprises.visited": N_("Enterprises visited within their follow-up interval"),
    "enterprises.coverage_percent": N_("Visit coverage (%)"),
    "enterprises.overdue_followups": N_("Follow-ups overdue"),
    "volunteer.signups": N_("Volunteer sign-ups"),
    "volunteer.no_shows": N_("Volunteer no-shows"),
    "volunteer.attendance_percent": N_("Attendance rate (%)"),
    "volunteer.hours": N_("Volunteer hours served"),
    "guide.unanswered_search": N_("Unanswered guide search"),
    "trend.opened": N_("Requests opened (trend)"),
    "trend.resolved": N_("Requests resolved (trend)"),
}


def figure_rows(figures: Figures) -> list[tuple[str, str, str, Any]]:
    """(metric key, qualifier such as a tier or colour, value) — the CSV body, in report order."""
    rows: list[tuple[str, str, str, Any]] = []
    r = figures.requests
    if r is not None:
        rows += [("requests.opened", "", "", r.opened), ("requests.resolved", "", "", r.resolved)]
        for t in r.tiers:
            tier = f"tier {t.tier}"
            rows += [
                ("requests.resolved_at_tier", tier, "", t.resolved),
                ("requests.median_hours", tier, "", t.median_hours if t.median_hours is not None else ""),
                ("requests.p90_hours", tier, "", t.p90_hours if t.p90_hours is not None else ""),
                ("requests.breaches", tier, "", t.breaches),
            ]
        rows += [
            ("requests.satisfaction", "", "", r.satisfaction if r.satisfaction is not None else ""),
            ("requests.ratings", "", "", r.ratings),
        ]
    e = figures.enterprises
    if e is not None:
        rows.append(("enterprises.total", "", "", e.total))
        rows += [("enterprises.colour", colour, "", n) for colour, n in e.colours]
        rows += [
            ("enterprises.colour_changes", "", "", e.changes),
            ("enterprises.visits", "", "", e.visits),
            ("enterprises.visited", "", "", e.visited),
            (
                "enterprises.coverage_percent",
                "",
                "",
                e.coverage_percent if e.coverage_percent is not None else "",
            ),
            ("enterprises.overdue_followups", "", "", e.overdue),
        ]
    v = figures.volunteer
    if v is not None:
        rows += [
            ("volunteer.signups", "", "", v.signups),
            ("volunteer.no_shows", "", "", v.no_shows),
            (
                "volunteer.attendance_percent",
                "",
                "",
                v.attendance_percent if v.attendance_percent is not None else "",
            ),
            ("volunteer.hours", "", "", v.hours),
        ]
    for search, count in figures.misses or []:
        rows.append(("guide.unanswered_search", "", search, count))
    for point in figures.trend:
        rows += [
            ("trend.opened", point.label, "", point.opened),
            ("trend.resolved", point.label, "", point.resolved),
        ]
    return rows


class StatsService:
    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def tz(self) -> ZoneInfo:
        return self.services.settings.tz

    # ----------------------------------------------------------------------------- gathering

    async def _section(self, name: str, call: Callable[[Any], Awaitable[T]]) -> T | None:
        feature = getattr(self.services, name, None)
        if feature is None:
            return None
        try:
            return await call(feature)
        except Exception:
            # A broken section must not keep the other figures from leaders: log it loudly.
            log.exception("figures of %s failed", name)
            return None

    async def figures(
        self, period: Period, *, until: datetime | None = None, trend: list[Period] | None = None
    ) -> Figures:
        """Every available section for [period.start, until or period.end)."""
        since, end = period.start, min(until or period.end, period.end)
        requests = await self._section("requests", lambda f: f.figures.between(since, end))
        enterprises = await self._section("enterprises", lambda f: f.figures(since, end))
        volunteer = await self._section("volunteer", lambda f: f.figures(since, end))
        misses = await self._section("guide", lambda f: f.top_misses(since, TOP_MISSES))
        points = await self.trend(trend) if trend else []
        return Figures(
            period=period,
            requests=request_figures(requests) if isinstance(requests, dict) else None,
            enterprises=enterprise_figures(enterprises) if isinstance(enterprises, dict) else None,
            volunteer=volunteer_figures(volunteer) if isinstance(volunteer, dict) else None,
            misses=[(str(q), _int(n)) for q, n in misses] if misses is not None else None,
            trend=points,
        )

    async def trend(self, periods: list[Period]) -> list[TrendPoint]:
        """Requests opened and resolved in each period (empty without the requests feature)."""
        points = []
        for p in periods:
            raw = await self._section("requests", lambda f, p=p: f.figures.between(p.start, p.end))
            if not isinstance(raw, dict):
                return []
            label = (
                p.label.split("-", 1)[1]
                if p.kind == "week"
                else p.start.astimezone(self.tz).strftime("%m-%d")
            )
            points.append(TrendPoint(label, _int(raw.get("opened")), _int(raw.get("resolved"))))
        return points

    def _weeks_ending(self, last: Period, count: int = TREND_WEEKS) -> list[Period]:
        return [week_of(last.start - timedelta(days=7 * i), self.tz) for i in reversed(range(count))]

    def _days_of(self, month: Period) -> list[Period]:
        days, day = [], month.start
        while day < month.end:
            following = datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=self.tz)
            days.append(Period("day", day.strftime("%Y-%m-%d"), day, following))
            day = following
        return days

    # ---------------------------------------------------------------------------------- /stats

    async def for_staff(self, user_id: int, kind: str) -> Figures:
        """This week or this month so far, for staff only (checked at the moment of asking)."""
        access = await self.services.access.of(user_id)
        access.require_staff()
        now = self.services.clock.now()
        if kind == "week":
            period = week_of(now, self.tz)
        elif kind == "month":
            local = now.astimezone(self.tz)
            period = month_period(local.year, local.month, self.tz)
        else:
            raise InvalidInput("period")
        return await self.figures(period, until=now)

    # ------------------------------------------------------------------------- weekly report

    def report_path(self, name: str) -> Path:
        """Charts live next to the database, so backups and the sender find them."""
        return Path(self.services.settings.db_path).resolve().parent / "reports" / name

    async def weekly_tick(self) -> bool:
        """Monday 09:00: the last week's figures and trend chart to the tier-2 chat, once.

        Figures are gathered before the write transaction (feature services take the database
        themselves); the transaction then re-checks the schedule, queues the two messages with
        dedupe keys naming the ISO week, and moves the schedule on — all or nothing.
        """
        db, now = self.services.db, self.services.clock.now()
        async with db.read() as conn:
            schedule = await stats_repo.schedule(conn, WEEKLY)
        if schedule is None:
            async with db.tx() as conn:
                await stats_repo.create_schedule(conn, WEEKLY, next_report_at(now, self.tz))
            return False
        if now < schedule.next_at:
            return False
        week = week_of(schedule.next_at - timedelta(days=7), self.tz)
        figures = await self.figures(week, trend=self._weeks_ending(week))
        chart = (
            write_trend_png(figures.trend, self.report_path(f"weekly-{week.label}.png"))
            if figures.trend
            else None
        )
        lang = self.services.settings.default_language
        renderer = self.services.renderer
        async with db.tx() as conn:
            again = await stats_repo.schedule(conn, WEEKLY)
            if again is None or now < again.next_at or again.last_period == week.label:
                return False
            chat = await roles_repo.chat_for(conn, REPORT_TIER, None)
            if chat is None:
                log.warning("weekly report %s not sent: no tier-%s chat is bound", week.label, REPORT_TIER)
            else:
                text = renderer.render(lang, "stats/weekly.html", figures=figures)
                await outbox.enqueue(
                    conn,
                    chat_id=chat.chat_id,
                    kind="stats_report",
                    text=text,
                    now=now,
                    dedupe_key=f"stats:weekly:{week.label}:text",
                )
                if chart is not None:
                    caption = renderer.render(
                        lang, "stats/chart_caption.html", figures=figures, weeks=len(figures.trend)
                    )
                    await outbox.enqueue(
                        conn,
                        chat_id=chat.chat_id,
                        kind="stats_report",
                        text=caption,
                        now=now,
                        dedupe_key=f"stats:weekly:{week.label}:chart",
                        media_kind="photo",
                        media_ref=str(chart),
                        media_name=chart.name,
                    )
            await stats_repo.record_sent(conn, WEEKLY, week.label, next_report_at(now, self.tz), now)
        return chat is not None

    # --------------------------------------------------------------------------- report --month

    async def month_report(self, month: str, out_dir: Path) -> tuple[Path, Path]:
        """`python -m bot report --month 2026-11`: the month's figures as CSV plus a daily trend PNG."""
        year, number = parse_month(month)
        period = month_period(year, number, self.tz)
        figures = await self.figures(period, trend=self._days_of(period))
        out_dir.mkdir(parents=True, exist_ok=True)
        csv_path = out_dir / f"figures-{period.label}.csv"
        png_path = write_trend_png(figures.trend, out_dir / f"trend-{period.label}.png")
        csv_path.write_text(self.csv_text(figures), encoding="utf-8-sig")  # the BOM lets Excel read Chinese
        return csv_path, png_path

    def csv_text(self, figures: Figures) -> str:
        lang = self.services.settings.default_language
        renderer = self.services.renderer
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["period", "metric", "qualifier", "text", "value", "label"])
        for metric, qualifier, text, value in figure_rows(figures):
            label = renderer.gettext(lang, METRIC_LABELS[metric])
            writer.writerow([figures.period.label, metric, qualifier, _cell(text), value, label])
        return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Text someone typed (a guide search) must not become a spreadsheet formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
