"""The escalation ladder: pure rules for where a request stands and what is due next.

Why a separate pure module: the ladder is the promise the district makes ("nothing is forgotten"),
so its rules are tested on their own, with plain datetimes, without a database or Telegram.

- Tiers 1–3 each have a resolution deadline; missing it moves the request one tier up.
- Tier 4 (the district joint meeting) is the top: missing its deadline sends a reminder and sets
  the next one (BOT_SLA_TIER4 is the reminder interval, a day by default); there is no tier 5.
- Every tier also has a first-response deadline (someone claims it); missing it pings the chat once.
- Half-way through the resolution time the tier's chat is warned once.
- While staff wait for the requester's answer the clock is paused; on the answer every pending
  deadline moves by the SLA time that was left when the pause began.
- Alerts outside working hours are held for the next opening, except for red enterprises.
- Orange and red enterprises start at tier 2 (the platform), since a building worker alone is
  not enough for a company already marked as at risk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.worktime import (
    SlaClock,
    WorkCalendar,
    is_working_time,
    make_sla_clock,
    next_working_start,
    parse_sla,
)

TOP_TIER = 4
DIGEST_TIME = time(9, 0)
_ZERO = timedelta(0)


def starting_tier(colour: str | None) -> int:
    """Where a new request enters the ladder, from its enterprise's colour (None: no enterprise)."""
    return 2 if colour in ("orange", "red") else 1


def never_held(colour: str | None) -> bool:
    """A red enterprise's alerts go out at once, night or weekend."""
    return colour == "red"


def next_tier(tier: int) -> int | None:
    """The tier above, or None at the top (tier 4 is reminded, never escalated)."""
    if not 1 <= tier <= TOP_TIER:
        raise ValueError(f"no tier {tier}")
    return tier + 1 if tier < TOP_TIER else None


@dataclass(frozen=True)
class Deadlines:
    """A request's pending deadlines at its current tier (None: met, sent, or not applicable)."""

    respond_by: datetime | None
    resolve_by: datetime | None
    warn_at: datetime | None


@dataclass(frozen=True)
class Due:
    """What the scheduler must do for one request now."""

    escalate: bool = False  # resolution deadline missed at tiers 1-3
    remind: bool = False  # resolution deadline passed at tier 4: remind, set the next reminder
    ping: bool = False  # first-response deadline missed (nobody claimed it)
    warn: bool = False  # half-way to the resolution deadline

    def __bool__(self) -> bool:
        return self.escalate or self.remind or self.ping or self.warn


@dataclass(frozen=True)
class Ladder:
    """The ladder configured from settings: an SLA clock and a duration per tier."""

    clock: SlaClock
    tiers: tuple[timedelta, timedelta, timedelta, timedelta]
    first_response: timedelta

    @classmethod
    def from_settings(
        cls, sla_clock: str, sla_tiers: tuple[str, ...], first_response: str, tz: ZoneInfo
    ) -> Ladder:
        clock = make_sla_clock(sla_clock, WorkCalendar(tz))
        tiers = [parse_sla(text, sla_clock) for text in sla_tiers]
        if len(tiers) != TOP_TIER:
            raise ValueError(f"expected {TOP_TIER} tier durations, got {len(tiers)}")
        one, two, three, four = tiers
        return cls(clock, (one, two, three, four), parse_sla(first_response, sla_clock))

    def duration(self, tier: int) -> timedelta:
        return self.tiers[tier - 1]

    def deadlines(self, tier: int, start: datetime, *, claimed: bool = False) -> Deadlines:
        """Fresh deadlines for a request entering (or re-entering) `tier` at `start`.

        Tier 4 gets no half-way warning: its deadline is a reminder, not a step up.
        """
        duration = self.duration(tier)
        respond_by = None if claimed else self.clock.add(start, self.first_response)
        resolve_by = self.clock.add(start, duration)
        warn_at = None if tier == TOP_TIER else self.clock.add(start, duration / 2)
        return Deadlines(respond_by, resolve_by, warn_at)

    def next_reminder(self, now: datetime) -> datetime:
        return self.clock.add(now, self.duration(TOP_TIER))

    def due(self, tier: int, deadlines: Deadlines, now: datetime, *, paused: bool = False) -> Due:
        """Which steps are due at `now`; escalation supersedes this tier's ping and warning."""
        if paused:
            return Due()
        late = deadlines.resolve_by is not None and deadlines.resolve_by <= now
        if late:
            return Due(remind=True) if tier == TOP_TIER else Due(escalate=True)
        return Due(
            ping=deadlines.respond_by is not None and deadlines.respond_by <= now,
            warn=deadlines.warn_at is not None and deadlines.warn_at <= now,
        )

    def resume(self, deadlines: Deadlines, paused_at: datetime, now: datetime) -> Deadlines:
        """Deadlines after a pause: each keeps the SLA time it had left when the pause began."""

        def shift(deadline: datetime | None) -> datetime | None:
            if deadline is None:
                return None
            left = max(_ZERO, self.clock.between(paused_at, deadline))
            return self.clock.add(now, left)

        return replace(
            deadlines,
            respond_by=shift(deadlines.respond_by),
            resolve_by=shift(deadlines.resolve_by),
            warn_at=shift(deadlines.warn_at),
        )

    def time_left(self, deadline: datetime | None, now: datetime) -> timedelta | None:
        """SLA time until `deadline` (negative when overdue), in the clock's own terms."""
        if deadline is None:
            return None
        return self.clock.between(now, deadline)


def hold_until(now: datetime, cal: WorkCalendar, *, urgent: bool) -> datetime | None:
    """When a staff alert raised at `now` may be delivered: None = at once (working time or urgent)."""
    if urgent or is_working_time(now, cal):
        return None
    return next_working_start(now, cal)


def next_digest_at(now: datetime, cal: WorkCalendar, at: time = DIGEST_TIME) -> datetime:
    """The first `at` (09:00 local) strictly after `now` on a working day: when the daily digest goes."""
    day: date = cal.local_date(now)
    for _ in range(400):
        if cal.is_working_day(day):
            moment = datetime.combine(day, at, tzinfo=cal.tz)
            if moment > now:
                return moment.astimezone(now.tzinfo)
        day += timedelta(days=1)
    raise RuntimeError("no working day within a year")  # pragma: no cover - a broken calendar


def due_today(deadline: datetime | None, now: datetime, cal: WorkCalendar) -> bool:
    """A deadline later today (station time) but not yet passed: for the morning digest."""
    return deadline is not None and deadline > now and cal.local_date(deadline) == cal.local_date(now)


def short_duration(delta: timedelta) -> tuple[int, int, int]:
    """(days, hours, minutes) of an absolute duration, for 'due in 2 h' texts."""
    seconds = int(abs(delta).total_seconds())
    return seconds // 86400, (seconds % 86400) // 3600, (seconds % 3600) // 60
