"""What an organiser types in /publish: language versions, dates, places and capacities."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot.clock import ManualClock
from bot.services.base import InvalidInput
from bot.services.events.publishing import Publishing, parse_versions
from bot.services.events.views import pick_text
from bot.settings import Settings

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai


@pytest.fixture
def events() -> Publishing:
    services = SimpleNamespace(
        settings=Settings(), clock=ManualClock(NOW, frozen=True), db=None, renderer=None
    )
    return Publishing(services)  # type: ignore[arg-type]


def test_language_lines_give_versions_and_plain_text_is_the_senders_language() -> None:
    assert parse_versions("zh：学习会\nEN: Study\n  more\nfr: Étude", "zh", 120, "title") == {
        "zh": "学习会",
        "en": "Study\n  more",
        "fr": "Étude",
    }
    assert parse_versions("Lunch talk <b>", "fr", 120, "title") == {"fr": "Lunch talk <b>"}
    with pytest.raises(InvalidInput) as empty:
        parse_versions("en:   \n", "en", 120, "title")
    assert empty.value.code == "title_empty"
    with pytest.raises(InvalidInput) as long:
        parse_versions("x" * 121, "en", 120, "title")
    assert long.value.code == "title_length" and long.value.details == {"max": 120}


def test_readers_get_their_language_then_the_default_then_any() -> None:
    versions = {"en": "Study", "fr": "Étude"}
    assert pick_text(versions, "fr", "zh") == "Étude"
    assert pick_text(versions, "zh", "zh") == "Study"
    assert pick_text({}, "zh", "zh") == ""


def test_dates_are_station_time_and_in_the_future(events: Publishing) -> None:
    assert events.parse_when("2026-12-03 19:00") == datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert events.parse_when("12/3 19.00") == datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert events.parse_when("11-23 08:00").year == 2027  # no year and already past: next year's
    for text, code in [
        ("tomorrow", "when_format"),
        ("2026-02-30 10:00", "when_format"),
        ("2026-11-23 09:00", "when_past"),
        ("2028-01-01 10:00", "when_far"),
    ]:
        with pytest.raises(InvalidInput) as problem:
            events.parse_when(text)
        assert problem.value.code == code


def test_places_and_capacities(events: Publishing) -> None:
    assert events.parse_place("  Park   Place\n5F ") == "Park Place 5F"
    assert events.parse_capacity("30") == 30 and events.parse_capacity(None) is None
    for bad in ("0", "-3", "2.5", "lots", "10001"):
        with pytest.raises(InvalidInput):
            events.parse_capacity(bad)
    with pytest.raises(InvalidInput):
        events.parse_place("   ")
