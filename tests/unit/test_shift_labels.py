"""Shift labels on buttons (handlers/volunteer/router.py `when`) are cached: the cache must never
answer in the wrong language or the wrong zone."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from bot.handlers.volunteer.router import when

SHIFT = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # Wednesday 06:00 in Shanghai


def _context(lang: str, tz: str = "Asia/Shanghai") -> Any:
    return SimpleNamespace(lang=lang, services=SimpleNamespace(settings=SimpleNamespace(tz=ZoneInfo(tz))))


def test_a_language_change_shows_at_once_in_the_next_label() -> None:
    assert when(_context("zh"), SHIFT) == "周三 11-25 06:00"
    assert when(_context("en"), SHIFT) == "Wed 11-25 06:00"
    assert when(_context("fr"), SHIFT) == "mer. 11-25 06:00"
    assert when(_context("zh"), SHIFT) == "周三 11-25 06:00"


def test_the_same_instant_in_another_zone_is_not_served_from_the_cache() -> None:
    assert when(_context("en"), SHIFT) == "Wed 11-25 06:00"
    assert when(_context("en", "Europe/Paris"), SHIFT) == "Tue 11-24 23:00"


def test_a_pattern_is_part_of_the_label() -> None:
    assert when(_context("en"), SHIFT, "EEEE") == "Wednesday"
    assert when(_context("en"), SHIFT, "HH:mm") == "06:00"
