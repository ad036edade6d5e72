# i18n-domain: requests
"""Working time: SLA deadlines counted in the station's opening hours, not in wall-clock time.

A request filed on Friday at 17:00 with a 2-hour SLA is due on Monday at 10:00, and one filed on
the eve of National Day is due after the Golden Week. Mainland China's public holidays and its
official make-up working days ("调休", e.g. a Saturday worked to bridge a holiday) come from the
`chinese_calendar` package, which only knows the years the State Council has announced; for other
years the calendar falls back to plain Monday–Friday, and `WorkCalendar.covers(year)` lets a test
fail before that data runs out.

Pure module: no I/O and no reading of the current time. Every moment passed in must be
timezone-aware (any zone); every moment returned is aware UTC. Working periods are half-open:
a day with 09:00–18:00 hours is working at 09:00 and at 17:59:59, not at 18:00 — but a deadline
can land exactly at 18:00 (the instant the last working second has run out).

"1 working day" in the product means one full opening day (`WORKING_DAY`, 9 hours), so an SLA
of "1d" depends on the clock mode: 24 hours of wall time, or 9 hours of working time
(see `parse_sla`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "CLOCK_MODES",
    "WORKING_DAY",
    "ClockMode",
    "SlaClock",
    "Span",
    "WallClockSla",
    "WorkCalendar",
    "WorkingClockSla",
    "add_working_time",
    "is_working_time",
    "make_sla_clock",
    "next_working_start",
    "parse_duration",
    "parse_sla",
    "say_span",
    "span_of",
    "working_time_between",
]

WORKING_DAY = timedelta(hours=9)
"""One working day of SLA in "working" clock mode: a full 09:00–18:00 opening day."""

ClockMode = Literal["wall", "working"]
CLOCK_MODES: tuple[ClockMode, ...] = ("wall", "working")

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
# A run of this many consecutive non-working days can only mean a broken calendar; stop rather
# than loop for ever (the longest real closure, Spring Festival, is 9 days).
_MAX_CLOSED_DAYS = 366

# The years chinese_calendar has data for (it raises NotImplementedError outside them).
_CC_FIRST_YEAR: int = min(chinese_calendar.holidays).year  # the library ships no type information
_CC_LAST_YEAR: int = max(chinese_calendar.holidays).year


# --------------------------------------------------------------------------- durations

_DURATION_RE = re.compile(r"(?P<number>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>[smhd]?)", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _split_duration(text: str) -> tuple[Decimal, str]:
    if not isinstance(text, str):
        raise TypeError(f"duration must be a str, got {type(text).__name__}")
    match = _DURATION_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"invalid duration {text!r}: expected a non-negative number with an optional unit "
            "s, m, h or d, e.g. '90s', '15m', '8h', '1.5h', '3d' (a plain number means seconds)"
        )
    try:
        number = Decimal(match["number"])
    except InvalidOperation as exc:  # pragma: no cover - the regex only lets decimals through
        raise ValueError(f"invalid duration {text!r}: bad number") from exc
    return number, match["unit"].lower()


def _to_timedelta(text: str, seconds: Decimal) -> timedelta:
    try:
        return timedelta(microseconds=int(seconds * 1_000_000))
    except OverflowError as exc:
        raise ValueError(f"invalid duration {text!r}: too large") from exc


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '8h', '1.5h', '3d' or a plain number of seconds -> timedelta.

    Units are case-insensitive and spaces around the value or before the unit are allowed.
    'd' is a wall-clock day (24 hours); for an SLA that may be counted in working days use
    `parse_sla`. Raises ValueError (with the offending text in the message) for anything else:
    empty text, negative numbers, unknown units, compound values like '1h30m'.
    """
    number, unit = _split_duration(text)
    return _to_timedelta(text, number * _UNIT_SECONDS[unit])


def _check_mode(mode: str) -> ClockMode:
    normalised = mode.strip().lower() if isinstance(mode, str) else None
    for known in CLOCK_MODES:
        if normalised == known:
            return known
    raise ValueError(f"invalid SLA clock mode {mode!r}: expected one of {', '.join(CLOCK_MODES)}")


def parse_sla(text: str, clock_mode: str) -> timedelta:
    """An SLA setting -> the duration to give the SLA clock of that mode.

    In "working" mode 'Nd' means N working days of `WORKING_DAY` (9 hours) each, so '1d' is one
    full opening day; in "wall" mode it is N*24 hours. Seconds, minutes and hours are literal in
    both modes ('8h' is 8 working hours or 8 wall hours).
    """
    mode = _check_mode(clock_mode)
    number, unit = _split_duration(text)
    if mode == "working" and unit == "d":
        return _to_timedelta(text, number * Decimal(int(WORKING_DAY.total_seconds())))
    return _to_timedelta(text, number * _UNIT_SECONDS[unit])


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class WorkCalendar:
    """When the station is open: daily hours in `tz` on working days.

    A date is a working day when it is an official make-up working day, or when its weekday is in
    `weekdays` and it is not an official public holiday. For years chinese_calendar has no data
    for (see `covers`) only `weekdays` decides. Hours must lie within one local day
    (day_start < day_end); `tz` may also be given as an IANA name.
    """

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    weekdays: frozenset[int] = frozenset(range(5))

    def __post_init__(self) -> None:
        if isinstance(self.tz, str):
            object.__setattr__(self, "tz", ZoneInfo(self.tz))
        if not isinstance(self.tz, tzinfo):
            raise TypeError(f"tz must be a ZoneInfo (or an IANA name), got {type(self.tz).__name__}")
        weekdays = frozenset(self.weekdays)
        if not weekdays or not weekdays <= frozenset(range(7)):
            raise ValueError(
                f"weekdays must be a non-empty subset of 0 (Monday) .. 6 (Sunday), got {self.weekdays!r}"
            )
        object.__setattr__(self, "weekdays", weekdays)
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise ValueError("day_start and day_end are local wall times: give them without tzinfo")
        if not self.day_start < self.day_end:
            raise ValueError(f"day_start ({self.day_start}) must be before day_end ({self.day_end})")

    @staticmethod
    def covers(year: int) -> bool:
        """Whether the installed chinese_calendar knows the official holidays of `year`."""
        return _CC_FIRST_YEAR <= year <= _CC_LAST_YEAR

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            d = d.date()
        if self.covers(d.year):
            if d in chinese_calendar.workdays:  # official make-up working day (调休)
                return True
            if d in chinese_calendar.holidays:
                return False
        return d.weekday() in self.weekdays

    def hours(self, d: date) -> tuple[datetime, datetime]:
        """The opening hours of local date `d` as a UTC [start, end) pair (whether or not it is a working day)."""
        start = datetime.combine(d, self.day_start, tzinfo=self.tz).astimezone(UTC)
        end = datetime.combine(d, self.day_end, tzinfo=self.tz).astimezone(UTC)
        return start, end

    def local_date(self, moment: datetime) -> date:
        return _utc(moment).astimezone(self.tz).date()

    def working_periods(self, moment: datetime) -> Iterable[tuple[datetime, datetime]]:
        """The UTC [start, end) working periods from the day of `moment` on (the first may have ended already).

        One period per working day; raises RuntimeError after an absurd run of closed days.
        """
        d = self.local_date(moment)
        closed = 0
        while True:
            if self.is_working_day(d):
                closed = 0
                yield self.hours(d)
            else:
                closed += 1
                if closed > _MAX_CLOSED_DAYS:
                    raise RuntimeError(f"no working day in the {_MAX_CLOSED_DAYS} days before {d}")
            d += _ONE_DAY


def _utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: working time needs a timezone-aware moment")
    return moment.astimezone(UTC)


# --------------------------------------------------------------------------- working time


def add_working_time(start: datetime, duration: timedelta, cal: WorkCalendar) -> datetime:
    """The UTC moment when `duration` of working time has elapsed since `start`.

    Outside working hours the count begins at the next opening. The result is the earliest such
    moment, so a deadline can fall exactly on closing time (Tue 10:00 + 8h -> Tue 18:00, not
    Wed 09:00). A zero duration returns `start` itself. Loops once per calendar day at most.
    """
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    moment = _utc(start)
    if duration == _ZERO:
        return moment
    remaining = duration
    for opening, closing in cal.working_periods(moment):
        begin = max(moment, opening)
        if begin >= closing:
            continue
        available = closing - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover - working_periods never ends


def working_time_between(a: datetime, b: datetime, cal: WorkCalendar) -> timedelta:
    """Working time elapsed from `a` to `b`; negative when `b` is before `a` (e.g. an overdue deadline).

    The inverse of `add_working_time`: working_time_between(s, add_working_time(s, d, cal), cal) == d.
    """
    start, end = _utc(a), _utc(b)
    if end < start:
        return -working_time_between(end, start, cal)
    total = _ZERO
    for opening, closing in cal.working_periods(start):
        if opening >= end:
            break
        overlap = min(closing, end) - max(opening, start)
        if overlap > _ZERO:
            total += overlap
    return total


def is_working_time(moment: datetime, cal: WorkCalendar) -> bool:
    """Whether `moment` falls within the working hours [day_start, day_end) of a working day."""
    moment = _utc(moment)
    d = cal.local_date(moment)
    if not cal.is_working_day(d):
        return False
    opening, closing = cal.hours(d)
    return opening <= moment < closing


def next_working_start(moment: datetime, cal: WorkCalendar) -> datetime:
    """The earliest working instant at or after `moment`, in UTC.

    `moment` itself when it is working time, otherwise the next opening (e.g. Saturday 12:00 or
    Friday 18:00 -> Monday 09:00): when to release an alert held outside working hours.
    """
    moment = _utc(moment)
    for opening, closing in cal.working_periods(moment):
        if moment < closing:
            return max(moment, opening)
    raise AssertionError("unreachable")  # pragma: no cover - working_periods never ends


# --------------------------------------------------------------------------- SLA clocks


class SlaClock(Protocol):
    """How SLA time runs: `add` gives a deadline, `between` the SLA time elapsed (or left)."""

    @property
    def mode(self) -> ClockMode: ...

    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def between(self, a: datetime, b: datetime) -> timedelta: ...


@dataclass(frozen=True)
class WallClockSla:
    """SLA time is plain elapsed time, nights, weekends and holidays included."""

    @property
    def mode(self) -> ClockMode:
        return "wall"

    def add(self, start: datetime, duration: timedelta) -> datetime:
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        # In UTC: adding to a local aware datetime would add wall time across DST changes.
        return _utc(start) + duration

    def between(self, a: datetime, b: datetime) -> timedelta:
        return _utc(b) - _utc(a)


@dataclass(frozen=True)
class WorkingClockSla:
    """SLA time only runs during the working hours of `cal`."""

    cal: WorkCalendar

    @property
    def mode(self) -> ClockMode:
        return "working"

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return add_working_time(start, duration, self.cal)

    def between(self, a: datetime, b: datetime) -> timedelta:
        return working_time_between(a, b, self.cal)


def make_sla_clock(mode: str, cal: WorkCalendar | None = None) -> WallClockSla | WorkingClockSla:
    """The SLA clock for BOT_SLA_CLOCK=wall|working (`cal` is required for "working")."""
    checked = _check_mode(mode)
    if checked == "wall":
        return WallClockSla()
    if cal is None:
        raise ValueError("the 'working' SLA clock needs a WorkCalendar")
    return WorkingClockSla(cal)


# --------------------------------------------------------------------------- time left, in words


@dataclass(frozen=True)
class Span:
    """An amount of SLA time as people read it: a whole number of one unit, never a mix.

    "1 d 3 h" of wall time beside a working-hours deadline misled staff (27 working hours are three
    working days, not one day and three hours), so a span is counted on the clock of the deadlines:
    in "working" mode a day is a `WORKING_DAY` of opening hours.
    """

    count: int
    unit: Literal["day", "hour", "minute"]
    working: bool


def span_of(delta: timedelta, mode: str) -> Span:
    """`delta` (its absolute value; the caller knows whether it is overdue) as whole units, rounded down.

    Under an hour: minutes (at least 1 unless it is zero); under two days: hours; else days.
    Rounding down never promises more time than there is.
    """
    working = _check_mode(mode) == "working"
    day = WORKING_DAY if working else _ONE_DAY
    amount = abs(delta)
    if amount < timedelta(hours=1):
        minutes = int(amount.total_seconds() // 60)
        return Span(minutes if minutes or amount == _ZERO else 1, "minute", working)
    if amount < 2 * day:
        return Span(int(amount.total_seconds() // 3600), "hour", working)
    return Span(int(amount / day), "day", working)


Ngettext = Callable[[str, str, int], str]


def say_span(span: Span, ngettext: Ngettext) -> str:
    """ "3 working days", "2 working hours", "5 minutes"... in the language `ngettext` translates to."""
    n = span.count
    if span.working:
        if span.unit == "day":
            text = ngettext("%(num)s working day", "%(num)s working days", n)
        elif span.unit == "hour":
            text = ngettext("%(num)s working hour", "%(num)s working hours", n)
        else:
            text = ngettext("%(num)s working minute", "%(num)s working minutes", n)
    elif span.unit == "day":
        text = ngettext("%(num)s day", "%(num)s days", n)
    elif span.unit == "hour":
        text = ngettext("%(num)s hour", "%(num)s hours", n)
    else:
        text = ngettext("%(num)s minute", "%(num)s minutes", n)
    return text % {"num": n}
