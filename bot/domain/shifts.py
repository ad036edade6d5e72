"""Volunteer shifts as rules: recurrence, overlap, reminder times, quiet hours, check-in, cut-off.

Pure module: no I/O and no reading of the current time (callers pass `now`). Local wall times
(a schedule's "06:00", quiet hours, "the evening before at 20:00") are interpreted in the zone
the caller passes (the station's BOT_TIMEZONE); every moment returned is aware UTC.

Why these rules live here: they are what the 06:00 hospital desk depends on (a reminder that
must not be silenced by quiet hours, a cut-off that tells late cancellations apart), and pure
functions can be tested on exact instants without a bot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = [
    "CHECKIN_EARLY",
    "CUTOFF",
    "QUIET_END",
    "QUIET_START",
    "Reminder",
    "Schedule",
    "ShiftError",
    "checkin_window",
    "expand",
    "in_checkin_window",
    "is_late_cancellation",
    "local_slot",
    "overlaps",
    "parse_reminder",
    "quiet_adjust",
    "reminder_times",
]

CHECKIN_EARLY = timedelta(minutes=15)
CUTOFF = timedelta(hours=12)
QUIET_START = time(22, 0)
QUIET_END = time(6, 0)
# A reminder of one's own shift starting before this local time may wake people up: the 06:00
# hospital desk must not be left empty because its 05:00 reminder waited for the end of quiet hours.
EARLY_SHIFT_BEFORE = time(8, 0)
MAX_SHIFT = timedelta(hours=12)
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class ShiftError(ValueError):
    """A schedule or shift that cannot be right; `code` names the problem for the message shown."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Reminder:
    """When to remind: `eve` = the evening before at `at`; `before` = `minutes` before the start."""

    kind: str
    minutes: int = 0
    at: time | None = None

    def describe(self) -> str:
        if self.kind == "eve":
            assert self.at is not None
            return f"eve {self.at:%H:%M}"
        return f"{self.minutes}m"


_EVE = re.compile(r"^eve\s+([01]?\d|2[0-3]):([0-5]\d)$")
_BEFORE = re.compile(r"^(\d{1,4})\s*(m|min|h)$")


def parse_reminder(text: str) -> Reminder:
    """'eve 20:00' (the evening before at 20:00) or '60m' / '2h' (before the start)."""
    value = " ".join(str(text).strip().lower().split())
    match = _EVE.match(value)
    if match:
        return Reminder("eve", at=time(int(match.group(1)), int(match.group(2))))
    match = _BEFORE.match(value)
    if match:
        minutes = int(match.group(1)) * (60 if match.group(2) == "h" else 1)
        if 0 < minutes <= 7 * 24 * 60:
            return Reminder("before", minutes=minutes)
    raise ShiftError("reminder", value=str(text))


@dataclass(frozen=True)
class Schedule:
    """A recurring shift: on these weekdays (0 = Monday), from `start` to `end` local time."""

    weekdays: frozenset[int]
    start: time
    end: time
    capacity: int
    first_day: date
    last_day: date | None = None
    skip: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.weekdays or not all(0 <= d <= 6 for d in self.weekdays):
            raise ShiftError("weekdays")
        if self.end <= self.start:
            raise ShiftError("ends_before_start", start=f"{self.start:%H:%M}", end=f"{self.end:%H:%M}")
        if self.last_day is not None and self.last_day < self.first_day:
            raise ShiftError("last_before_first")


def parse_weekdays(text: str) -> frozenset[int]:
    """'weekdays', 'weekends', 'daily' or 'tue,thu' / 'mon-fri'."""
    value = str(text).strip().lower()
    named = {"weekdays": range(5), "weekends": range(5, 7), "daily": range(7)}
    if value in named:
        return frozenset(named[value])
    days: set[int] = set()
    for part in re.split(r"[,\s]+", value):
        if not part:
            continue
        if "-" in part:
            a, _, b = part.partition("-")
            if a not in WEEKDAYS or b not in WEEKDAYS or WEEKDAYS[a] > WEEKDAYS[b]:
                raise ShiftError("weekdays", value=str(text))
            days.update(range(WEEKDAYS[a], WEEKDAYS[b] + 1))
        elif part in WEEKDAYS:
            days.add(WEEKDAYS[part])
        else:
            raise ShiftError("weekdays", value=str(text))
    if not days:
        raise ShiftError("weekdays", value=str(text))
    return frozenset(days)


def local_slot(day: date, start: time, end: time, tz: tzinfo) -> tuple[datetime, datetime]:
    """One local date and times -> (start, end) in UTC; refuses a shift that ends before it starts."""
    starts = datetime.combine(day, start, tz).astimezone(UTC)
    ends = datetime.combine(day, end, tz).astimezone(UTC)
    check_slot(starts, ends)
    return starts, ends


def check_slot(starts_at: datetime, ends_at: datetime, now: datetime | None = None) -> None:
    if ends_at <= starts_at:
        raise ShiftError("ends_before_start")
    if ends_at - starts_at > MAX_SHIFT:
        raise ShiftError("too_long", hours=int(MAX_SHIFT.total_seconds() // 3600))
    if now is not None and starts_at <= now:
        raise ShiftError("past")


def expand(schedule: Schedule, first: date, last: date, tz: tzinfo) -> list[tuple[datetime, datetime]]:
    """Concrete (start, end) UTC pairs for each matching local day in [first, last], skips left out."""
    begin = max(first, schedule.first_day)
    end = min(last, schedule.last_day) if schedule.last_day else last
    slots = []
    day = begin
    while day <= end:
        if day.weekday() in schedule.weekdays and day not in schedule.skip:
            slots.append(local_slot(day, schedule.start, schedule.end, tz))
        day += timedelta(days=1)
    return slots


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Half-open intervals: a shift ending at 07:00 does not overlap one starting at 07:00."""
    return a[0] < b[1] and b[0] < a[1]


def is_quiet(moment: datetime, tz: tzinfo) -> bool:
    local = moment.astimezone(tz).time()
    return local >= QUIET_START or local < QUIET_END


def is_early_shift(starts_at: datetime, tz: tzinfo) -> bool:
    return starts_at.astimezone(tz).time() < EARLY_SHIFT_BEFORE


def quiet_adjust(
    when: datetime, tz: tzinfo, *, starts_at: datetime | None = None, own_shift: bool = False
) -> datetime:
    """Move a message out of quiet hours (22:00-06:00 local), unless it is about one's own early shift.

    Exempt: `own_shift` messages for a shift starting before 08:00 (the 05:00 reminder of the
    06:00 desk). Others go to 06:00, or to 21:59 the evening before when 06:00 would be too late
    for the shift they are about.
    """
    if not is_quiet(when, tz):
        return when
    if own_shift and starts_at is not None and is_early_shift(starts_at, tz):
        return when
    local = when.astimezone(tz)
    morning_day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    morning = datetime.combine(morning_day, QUIET_END, tz).astimezone(UTC)
    if starts_at is None or morning < starts_at:
        return morning
    evening = datetime.combine(morning_day - timedelta(days=1), QUIET_START, tz) - timedelta(minutes=1)
    return evening.astimezone(UTC)


def reminder_times(
    starts_at: datetime, reminders: Iterable[Reminder], tz: tzinfo, now: datetime
) -> list[tuple[int, datetime]]:
    """(index, when) of each reminder still ahead of `now`, quiet hours applied (own shift).

    The index is stable per reminder (it goes into the outbox dedupe key), so scheduling the
    same shift twice keeps one row per reminder.
    """
    out = []
    for n, reminder in enumerate(reminders):
        if reminder.kind == "eve":
            assert reminder.at is not None
            day_before = starts_at.astimezone(tz).date() - timedelta(days=1)
            when = datetime.combine(day_before, reminder.at, tz).astimezone(UTC)
        else:
            when = starts_at - timedelta(minutes=reminder.minutes)
        when = quiet_adjust(when, tz, starts_at=starts_at, own_shift=True)
        if now < when < starts_at:
            out.append((n, when))
    return out


def checkin_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    return starts_at - CHECKIN_EARLY, ends_at


def in_checkin_window(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """From 15 minutes before the start until the end (inclusive): later is not an attendance."""
    opens, closes = checkin_window(starts_at, ends_at)
    return opens <= now <= closes


def is_late_cancellation(starts_at: datetime, now: datetime, cutoff: timedelta = CUTOFF) -> bool:
    """Cancelling stays possible up to the start, but after the cut-off it counts as late."""
    return now > starts_at - cutoff


def hours_of(starts_at: datetime, ends_at: datetime) -> float:
    return round((ends_at - starts_at).total_seconds() / 3600, 2)
