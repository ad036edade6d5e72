"""The capacity rules every "N places, then a waitlist" feature relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.capacity import (
    CapacityError,
    Join,
    Snapshot,
    check_capacity,
    decide_join,
    offer_expiry,
    offer_valid,
    offers_to_make,
)

START = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # 06:00 Shanghai the next day


def test_free_places_count_offers_and_held_places_as_taken() -> None:
    snap = Snapshot(capacity=8, confirmed=5, offered=1, held=1)
    assert snap.taken == 7 and snap.free == 1 and not snap.is_full
    assert Snapshot(8, confirmed=9).free == 0  # never negative, even after a capacity cut


def test_newcomer_confirmed_only_when_nobody_waits() -> None:
    assert decide_join(Snapshot(8, confirmed=7)) is Join.CONFIRM
    assert decide_join(Snapshot(8, confirmed=8)) is Join.WAITLIST
    # A place freed while people wait is theirs first: no queue jumping.
    assert decide_join(Snapshot(8, confirmed=7, waiting=2)) is Join.WAITLIST
    assert decide_join(Snapshot(8, confirmed=7, offered=1)) is Join.WAITLIST


def test_offers_never_exceed_free_places_or_the_queue() -> None:
    assert offers_to_make(Snapshot(8, confirmed=7, waiting=3)) == 1
    assert offers_to_make(Snapshot(8, confirmed=7, offered=1, waiting=2)) == 0
    assert offers_to_make(Snapshot(8, confirmed=5, waiting=2)) == 2
    assert offers_to_make(Snapshot(8, confirmed=8, waiting=5)) == 0


def test_offer_held_two_hours_but_released_an_hour_before_start() -> None:
    now = START - timedelta(hours=10)
    assert offer_expiry(now, START) == now + timedelta(hours=2)
    late = START - timedelta(hours=2, minutes=30)
    assert offer_expiry(late, START) == START - timedelta(hours=1)
    assert offer_expiry(START - timedelta(minutes=50), START) is None


def test_offer_validity_is_exclusive_at_expiry() -> None:
    expires = START - timedelta(hours=1)
    assert offer_valid(expires, expires - timedelta(seconds=1))
    assert not offer_valid(expires, expires)
    assert not offer_valid(None, START)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "8", True, None, 10_001])
def test_bad_capacities_are_refused(bad: object) -> None:
    with pytest.raises(CapacityError):
        check_capacity(bad)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        offer_expiry(datetime(2026, 11, 24, 5, 0), START)
