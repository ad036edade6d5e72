# i18n-domain: stats
"""Reports: the Monday report to the tier-2 chat, and `python -m bot report --month` (CSV + chart)."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.charts import write_trend_png
from bot.domain.worktime import WorkCalendar
from bot.msgids import N_
from bot.services.base import UseCases
from bot.services.stats.figures import Figures
from bot.services.stats.periods import (
    days_of,
    first_week_to_report,
    month_period,
    parse_month,
    report_due,
    week_after,
    week_labelled,
    week_of,
    weeks_ending,
)
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage import stats as stats_repo

log = logging.getLogger(__name__)

WEEKLY = "weekly"
REPORT_TIER = 2  # the station's platform chat receives the weekly report
TREND_WEEKS = 8

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


def _cell(value: Any) -> Any:
    """Text someone typed (a guide search) must not become a spreadsheet formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class Reports(UseCases):
    def report_path(self, name: str) -> Path:
        """Charts live next to the database, so backups and the sender find them."""
        return Path(self.settings.db_path).resolve().parent / "reports" / name

    async def weekly_tick(self) -> bool:
        """Monday 09:00: the last week's figures and trend chart to the tier-2 chat, once.

        Figures are gathered before the write transaction (feature services take the database
        themselves); the transaction then re-checks the schedule, queues the two messages with
        dedupe keys naming the ISO week, and moves the schedule on — all or nothing.
        """
        db, now, tz = self.db, self.now(), self.settings.tz
        cal = WorkCalendar(tz)
        async with db.read() as conn:
            schedule = await stats_repo.schedule(conn, WEEKLY)
        if schedule is None:
            first = first_week_to_report(now, cal)
            before = week_of(first.start - timedelta(hours=12), tz)
            async with db.tx() as conn:
                await stats_repo.create_schedule(conn, WEEKLY, report_due(first, cal), before.label)
            return False
        if now < schedule.next_at:
            return False
        # The week after the last one reported: two holiday Mondays in a row still get two reports.
        if schedule.last_period:
            week = week_after(week_labelled(schedule.last_period, tz), tz)
        else:
            week = week_of(schedule.next_at - timedelta(days=7), tz)
        figures = await self.services.stats.figures.gather(week, trend=weeks_ending(week, TREND_WEEKS, tz))
        chart = (
            write_trend_png(figures.trend, self.report_path(f"weekly-{week.label}.png"))
            if figures.trend
            else None
        )
        lang = self.settings.default_language
        async with db.tx() as conn:
            again = await stats_repo.schedule(conn, WEEKLY)
            if again is None or now < again.next_at or again.last_period == week.label:
                return False
            chat = await roles_repo.chat_for(conn, REPORT_TIER, None)
            if chat is None:
                log.warning("weekly report %s not sent: no tier-%s chat is bound", week.label, REPORT_TIER)
            else:
                text = self.render(lang, "stats/weekly.html", figures=figures)
                await outbox.enqueue(
                    conn,
                    chat_id=chat.chat_id,
                    kind="stats_report",
                    text=text,
                    now=now,
                    dedupe_key=f"stats:weekly:{week.label}:text",
                )
                if chart is not None:
                    caption = self.render(
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
            await stats_repo.record_sent(conn, WEEKLY, week.label, report_due(week_after(week, tz), cal), now)
        return chat is not None

    async def month_report(self, month: str, out_dir: Path) -> tuple[Path, Path]:
        """`python -m bot report --month 2026-11`: the month's figures as CSV plus a daily trend PNG."""
        year, number = parse_month(month)
        tz = self.settings.tz
        period = month_period(year, number, tz)
        figures = await self.services.stats.figures.gather(period, trend=days_of(period, tz))
        out_dir.mkdir(parents=True, exist_ok=True)
        csv_path = out_dir / f"figures-{period.label}.csv"
        png_path = write_trend_png(figures.trend, out_dir / f"trend-{period.label}.png")
        csv_path.write_text(self.csv_text(figures), encoding="utf-8-sig")  # the BOM lets Excel read Chinese
        return csv_path, png_path

    def csv_text(self, figures: Figures) -> str:
        lang = self.settings.default_language
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["period", "metric", "qualifier", "text", "value", "label"])
        for metric, qualifier, text, value in figure_rows(figures):
            label = self.gettext(lang, METRIC_LABELS[metric])
            writer.writerow([figures.period.label, metric, qualifier, _cell(text), value, label])
        return buffer.getvalue()
