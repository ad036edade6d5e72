# i18n-domain: stats
"""The periods figures are gathered for: ISO weeks and calendar months in the station's time zone,
and when the Monday report is due."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

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


def next_report_at(now: datetime, tz: ZoneInfo) -> datetime:
    """The first Monday 09:00 (station time) strictly after `now`."""
    local = now.astimezone(tz)
    days = (REPORT_WEEKDAY - local.weekday()) % 7
    candidate = datetime.combine(local.date() + timedelta(days=days), REPORT_TIME, tzinfo=tz)
    if candidate <= local:
        candidate += timedelta(days=7)
    return candidate


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
