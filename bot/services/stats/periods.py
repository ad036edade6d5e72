# i18n-domain: stats
"""The periods figures are gathered for: ISO weeks and calendar months in the station's time zone,
and when the Monday report is due (09:00 of the first working day of the next week: a public
holiday Monday moves it to the next working day, on the station's calendar)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.worktime import WorkCalendar
from bot.msgids import N_

REPORT_WEEKDAY, REPORT_TIME = 0, time(9, 0)  # Monday 09:00 in BOT_TIMEZONE
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

PERIOD_KINDS = {"week": N_("This week"), "month": N_("This month")}


@dataclass(frozen=True)
class Period:
    kind: str  # week / month (or day, a point of a month's trend)
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


def week_labelled(label: str, tz: ZoneInfo) -> Period:
    """'2026-W07' -> that ISO week (the label of a report already sent)."""
    year, _, week = label.partition("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    return week_of(datetime.combine(monday, time(12), tzinfo=tz), tz)


def week_after(week: Period, tz: ZoneInfo) -> Period:
    return week_of(week.end + timedelta(hours=12), tz)


def report_due(week: Period, cal: WorkCalendar) -> datetime:
    """When the report of `week` goes out: 09:00 on the Monday after it, or on the first working
    day after that Monday when it is a public holiday (Qingming, Spring Festival...)."""
    day = week.end.astimezone(cal.tz).date()
    for _ in range(366):
        if cal.is_working_day(day):
            return datetime.combine(day, REPORT_TIME, tzinfo=cal.tz)
        day += timedelta(days=1)
    raise RuntimeError("no working day within a year")  # pragma: no cover - a broken calendar


def first_week_to_report(now: datetime, cal: WorkCalendar) -> Period:
    """The week whose report is the next one due after `now` (last week's, until it has gone out)."""
    current = week_of(now, cal.tz)
    last = week_of(current.start - timedelta(hours=12), cal.tz)
    return last if report_due(last, cal) > now else current


def next_report_at(now: datetime, tz: ZoneInfo) -> datetime:
    """The first report moment strictly after `now` (a Monday 09:00, or the next working day's)."""
    cal = WorkCalendar(tz)
    return report_due(first_week_to_report(now, cal), cal)


def weeks_ending(last: Period, count: int, tz: ZoneInfo) -> list[Period]:
    """`count` weeks, oldest first, the last of them `last` (the points of a weekly trend)."""
    return [week_of(last.start - timedelta(days=7 * i), tz) for i in reversed(range(count))]


def days_of(month: Period, tz: ZoneInfo) -> list[Period]:
    """Every day of a month (the points of its daily trend)."""
    days, day = [], month.start
    while day < month.end:
        following = datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=tz)
        days.append(Period("day", day.strftime("%Y-%m-%d"), day, following))
        day = following
    return days
