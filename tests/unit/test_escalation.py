"""The ladder rules on their own: where a request starts, what is due, pauses, holds and digests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import requests as rules
from bot.domain.escalation import (
    Deadlines,
    Ladder,
    due_today,
    hold_until,
    never_held,
    next_digest_at,
    next_tier,
    starting_tier,
)
from bot.domain.worktime import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(SH)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def working() -> Ladder:
    return Ladder.from_settings("working", ("1d", "3d", "5d", "1d"), "2h", SH)


def wall() -> Ladder:
    return Ladder.from_settings("wall", ("2s", "2s", "2s", "2s"), "1h", SH)


@pytest.mark.parametrize(
    ("colour", "tier", "held"),
    [
        (None, 1, True),
        ("green", 1, True),
        ("blue", 1, True),
        ("yellow", 1, True),
        ("orange", 2, True),
        ("red", 2, False),
    ],
)
def test_orange_and_red_start_at_tier_2_and_red_is_never_held(colour, tier, held) -> None:
    assert starting_tier(colour) == tier
    assert never_held(colour) is not held


def test_tier_4_is_the_top() -> None:
    assert [next_tier(t) for t in (1, 2, 3, 4)] == [2, 3, 4, None]
    with pytest.raises(ValueError):
        next_tier(5)


def test_working_deadlines_skip_the_weekend() -> None:
    friday_5pm = local(2026, 11, 27, 17, 0)
    d = working().deadlines(1, friday_5pm)
    assert d.respond_by == local(2026, 11, 30, 10, 0)  # 1 h on Friday, 1 h on Monday
    assert d.resolve_by == local(2026, 11, 30, 17, 0)  # one working day = 9 working hours
    assert d.warn_at == local(2026, 11, 30, 12, 30)  # half of it


def test_working_deadlines_skip_national_day_and_count_the_make_up_saturday() -> None:
    # 2026: National Day holiday 1-7 October; Saturday 10 October is a make-up working day.
    d = working().deadlines(1, local(2026, 9, 30, 17, 0))
    assert d.resolve_by == local(2026, 10, 8, 17, 0)
    d = working().deadlines(1, local(2026, 10, 9, 18, 0))  # after closing on Friday
    assert d.resolve_by == local(2026, 10, 10, 18, 0)  # the make-up Saturday counts


def test_tier_4_has_no_half_way_warning_and_is_reminded_not_escalated() -> None:
    ladder = wall()
    start = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    d = ladder.deadlines(4, start)
    assert d.warn_at is None
    due = ladder.due(4, d, start + timedelta(seconds=2))
    assert due.remind and not due.escalate
    assert ladder.next_reminder(start) == start + timedelta(seconds=2)


def test_escalation_supersedes_this_tiers_ping_and_warning() -> None:
    ladder = wall()
    start = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    d = Deadlines(respond_by=start, resolve_by=start, warn_at=start)
    due = ladder.due(1, d, start)
    assert due.escalate and not due.ping and not due.warn
    d = Deadlines(respond_by=start, resolve_by=start + timedelta(hours=1), warn_at=start)
    due = ladder.due(2, d, start)
    assert (due.escalate, due.ping, due.warn) == (False, True, True)
    assert not ladder.due(2, d, start - timedelta(seconds=1))
    assert not ladder.due(1, Deadlines(start, start, start), start, paused=True)


def test_a_pause_keeps_the_time_that_was_left() -> None:
    ladder = working()
    start = local(2026, 11, 23, 9, 0)  # Monday
    d = ladder.deadlines(1, start)
    paused_at = local(2026, 11, 23, 12, 0)  # 6 working hours left of 9
    resumed = ladder.resume(d, paused_at, local(2026, 11, 25, 16, 0))  # answered on Wednesday afternoon
    assert resumed.resolve_by == local(2026, 11, 26, 13, 0)  # 2 h on Wednesday + 4 h on Thursday
    # The first response (due 11:00) was already late when the pause began: still due at once.
    assert resumed.respond_by == local(2026, 11, 25, 16, 0)


def test_alerts_outside_working_hours_wait_for_the_next_opening_unless_urgent() -> None:
    saturday_night = local(2026, 11, 28, 22, 0)
    assert hold_until(saturday_night, CAL, urgent=False) == local(2026, 11, 30, 9, 0)
    assert hold_until(saturday_night, CAL, urgent=True) is None
    assert hold_until(local(2026, 11, 30, 10, 0), CAL, urgent=False) is None


def test_the_daily_digest_is_at_nine_on_working_days() -> None:
    assert next_digest_at(local(2026, 11, 27, 10, 0), CAL) == local(2026, 11, 30, 9, 0)  # Fri -> Mon
    assert next_digest_at(local(2026, 11, 30, 8, 0), CAL) == local(2026, 11, 30, 9, 0)
    assert next_digest_at(local(2026, 9, 30, 9, 0), CAL) == local(2026, 10, 8, 9, 0)  # after National Day
    now = local(2026, 11, 30, 10, 0)
    assert due_today(local(2026, 11, 30, 17, 0), now, CAL)
    assert not due_today(local(2026, 12, 1, 9, 30), now, CAL)
    assert not due_today(local(2026, 11, 30, 9, 30), now, CAL)  # already overdue


def test_references_and_reopening() -> None:
    assert rules.reference(2026, 123) == "JA-2026-000123"
    assert rules.parse_reference(" ja-2026-123 ") == "JA-2026-000123"
    assert rules.parse_reference("2026-000123") == "JA-2026-000123"
    for bad in ("", "JA-26-1", "JA-2026-0", "JA-2026-1234567", "JA-2026-12a", "<b>"):
        assert rules.parse_reference(bad) is None
    assert rules.may_reopen("resolved", None, date(2026, 12, 1))
    assert rules.may_reopen("closed", date(2026, 11, 24), date(2026, 12, 1))
    assert not rules.may_reopen("closed", date(2026, 11, 23), date(2026, 12, 1))
    assert not rules.may_reopen("new", None, date(2026, 12, 1))


def test_descriptions_of_1_to_2000_characters() -> None:
    assert rules.description_problem("") == "too_short"
    assert rules.description_problem("x") is None
    assert rules.description_problem("字" * 2000) is None
    assert rules.description_problem("字" * 2001) == "too_long"
    assert rules.CATEGORIES == (
        "party", "gov", "tax", "registration", "office", "hr", "talent", "counselling", "community", "other",
    )  # fmt: skip
