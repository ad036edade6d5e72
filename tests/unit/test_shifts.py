"""Shift rules on exact Shanghai instants: recurrence, overlap, reminders and quiet hours,
check-in window, cut-off; and the projects file's line-precise validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.projects_yaml import ProjectFileError, parse_projects
from bot.domain.shifts import (
    Schedule,
    ShiftError,
    expand,
    in_checkin_window,
    is_late_cancellation,
    overlaps,
    parse_reminder,
    parse_weekdays,
    quiet_adjust,
    reminder_times,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH).astimezone(UTC)


def test_weekdays_schedule_expands_to_concrete_utc_shifts_with_skips() -> None:
    schedule = Schedule(
        parse_weekdays("weekdays"),
        time(6),
        time(7),
        8,
        date(2026, 11, 23),
        skip=frozenset({date(2026, 11, 25)}),
    )
    slots = expand(schedule, date(2026, 11, 23), date(2026, 11, 29), SH)
    assert [s[0] for s in slots] == [local(2026, 11, d, 6) for d in (23, 24, 26, 27)]
    assert all(e - s == timedelta(hours=1) for s, e in slots)
    assert parse_weekdays("tue,thu") == frozenset({1, 3})
    assert parse_weekdays("mon-wed") == frozenset({0, 1, 2})
    with pytest.raises(ShiftError):
        parse_weekdays("someday")


def test_a_shift_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ShiftError) as error:
        Schedule(frozenset({0}), time(7), time(6), 8, date(2026, 11, 23))
    assert error.value.code == "ends_before_start"


def test_overlap_is_half_open() -> None:
    a = (local(2026, 11, 24, 6), local(2026, 11, 24, 7))
    assert overlaps(a, (local(2026, 11, 24, 6, 30), local(2026, 11, 24, 7, 30)))
    assert not overlaps(a, (local(2026, 11, 24, 7), local(2026, 11, 24, 8)))


def test_hospital_reminders_at_20_00_and_05_00_local_even_in_quiet_hours() -> None:
    starts = local(2026, 11, 24, 6)
    times = reminder_times(starts, [parse_reminder("eve 20:00"), parse_reminder("60m")], SH, NOW)
    assert times == [(0, local(2026, 11, 23, 20)), (1, local(2026, 11, 24, 5))]


def test_reminders_already_past_are_not_scheduled() -> None:
    starts = local(2026, 11, 24, 6)
    late = local(2026, 11, 23, 21)
    assert reminder_times(starts, [parse_reminder("eve 20:00"), parse_reminder("60m")], SH, late) == [
        (1, local(2026, 11, 24, 5))
    ]


def test_quiet_hours_hold_other_messages_until_06_00() -> None:
    night = local(2026, 11, 23, 23)
    # A fill-in request for a 12:00 shift waits for the morning.
    assert quiet_adjust(night, SH, starts_at=local(2026, 11, 24, 12)) == local(2026, 11, 24, 6)
    # A reminder of one's own 09:00 shift (not an early one) also waits.
    assert quiet_adjust(night, SH, starts_at=local(2026, 11, 24, 9), own_shift=True) == local(2026, 11, 24, 6)
    # Not quiet: unchanged.
    assert quiet_adjust(local(2026, 11, 23, 21, 59), SH) == local(2026, 11, 23, 21, 59)


def test_check_in_window_and_cutoff() -> None:
    starts, ends = local(2026, 11, 24, 6), local(2026, 11, 24, 7)
    assert not in_checkin_window(starts, ends, starts - timedelta(minutes=16))
    assert in_checkin_window(starts, ends, starts - timedelta(minutes=15))
    assert in_checkin_window(starts, ends, ends)
    assert not in_checkin_window(starts, ends, ends + timedelta(seconds=1))
    assert not is_late_cancellation(starts, starts - timedelta(hours=12))
    assert is_late_cancellation(starts, starts - timedelta(hours=11, minutes=59))


@pytest.mark.parametrize("bad", ["tomorrow", "eve 25:00", "0m", "-5m"])
def test_bad_reminders(bad: str) -> None:
    with pytest.raises(ShiftError):
        parse_reminder(bad)


# ------------------------------------------------------------------ the projects file

GOOD = """projects:
  - key: demo
    title: {zh: 演示, en: Demo, fr: Démo}
    description: {zh: 说明, en: About, fr: À propos}
    place: {zh: 大厅, en: Hall, fr: Hall}
    capacity: 4
    schedules:
      - {days: tue, start: "12:00", end: "13:00"}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ProjectFileError) as error:
        parse_projects(text, NOW, SH)
    return error.value.problems


def test_shipped_projects_file_is_valid() -> None:
    path = Path(__file__).resolve().parents[2] / "bot" / "data" / "projects.yaml"
    specs = parse_projects(path.read_text(encoding="utf-8"), NOW, SH)
    assert [s.key for s in specs] == ["hospital-guide", "smartphone-elderly", "jogging-litter"]
    hospital = specs[0]
    assert hospital.capacity == 8 and hospital.schedules[0].start == time(6)
    assert all(s.title["zh"] and s.title["en"] and s.title["fr"] for s in specs)


def test_good_file_parses() -> None:
    (spec,) = parse_projects(GOOD, NOW, SH)
    assert spec.schedules[0].capacity == 4  # the project's default


def test_bad_yaml_names_its_line() -> None:
    assert problems("projects:\n  - key: x\n   title: [oops\n") == [
        problems("projects:\n  - key: x\n   title: [oops\n")[0]
    ]
    (message,) = problems("projects:\n  - key: demo\n    title: {zh: a\n")
    assert message.startswith("line ") and "not valid YAML" in message


def test_shift_ending_before_it_starts_names_its_line() -> None:
    text = GOOD.replace('end: "13:00"', 'end: "11:00"')
    assert problems(text) == ["line 8: the shift ends (11:00) before it starts (12:00)"]


def test_capacity_zero_names_its_line() -> None:
    assert problems(GOOD.replace("capacity: 4", "capacity: 0")) == [
        "line 6: capacity '0': capacity must be at least 1"
    ]


def test_past_one_off_date_names_its_line() -> None:
    text = GOOD + '    shifts:\n      - {date: 2026-11-20, start: "08:00", end: "09:00"}\n'
    assert problems(text) == ["line 10: the shift on 2026-11-20 at 08:00 is in the past"]


def test_every_problem_is_listed_in_line_order() -> None:
    text = GOOD.replace("capacity: 4", "capacity: many").replace("days: tue", "days: someday")
    found = problems(text)
    assert [p.split(":")[0] for p in found] == ["line 6", "line 8"]
