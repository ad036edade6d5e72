"""Places, waitlists and held offers: the rules for anything with a limited number of places.

Pure module (no I/O, no clock): volunteer shifts use it, and so can event RSVPs or any other
"N places, then a waitlist" feature. The caller loads a snapshot of one capacity-limited thing
inside its write transaction (`Database.tx()` is serialised, so the snapshot cannot change under
it), asks these functions what to do, writes the answer and commits. Two presses for the last
place therefore see each other's commit: exactly one gets it.

Vocabulary
----------
- `confirmed`: people who hold a place.
- `offered`: people a freed place is being held for, until their offer expires (they press
  "Take it" or "Pass"). A held place counts as taken, so it never goes to two people.
- `held`: places reserved for someone else (e.g. a team claim) that nobody holds yet.
- `waiting`: people on the waitlist, in the order they asked (press order).

API
---
`Snapshot(capacity, confirmed, offered, held=0, waiting=0)`
    `.taken`, `.free` (never negative), `.is_full`.
`decide_join(snapshot) -> Join.CONFIRM | Join.WAITLIST`
    A newcomer gets a place only when one is free AND nobody is already waiting or being
    offered one (no queue jumping: a place freed while people wait goes to the waitlist first).
`offers_to_make(snapshot) -> int`
    How many of the first waiting people should be offered a place now.
`offer_expiry(now, starts_at, window=2h, min_lead=1h) -> datetime | None`
    Until when an offer is held: `now + window`, but never later than `starts_at - min_lead`.
    None when there is no time left to hold a place (the place is then simply open).
`offer_valid(expires_at, now) -> bool`
    Whether an offer can still be taken at `now` (expiry is exclusive).
`check_capacity(capacity) -> None`
    Raises `CapacityError` for a capacity that is not a positive whole number.

Example (the 8-place 06:00 hospital desk)::

    snap = Snapshot(capacity=8, confirmed=8, offered=0, waiting=3)
    decide_join(snap)            # Join.WAITLIST
    snap = Snapshot(8, confirmed=7, offered=0, waiting=3)   # someone cancelled
    offers_to_make(snap)         # 1: offer the freed place to the first in line
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "DEFAULT_MIN_LEAD",
    "DEFAULT_OFFER_WINDOW",
    "CapacityError",
    "Join",
    "Snapshot",
    "check_capacity",
    "decide_join",
    "offer_expiry",
    "offer_valid",
    "offers_to_make",
]

DEFAULT_OFFER_WINDOW = timedelta(hours=2)
DEFAULT_MIN_LEAD = timedelta(hours=1)
MAX_CAPACITY = 10_000


class CapacityError(ValueError):
    """A capacity that cannot be right (zero, negative, absurdly large or not a whole number)."""


class Join(enum.Enum):
    CONFIRM = "confirm"
    WAITLIST = "waitlist"


@dataclass(frozen=True)
class Snapshot:
    """One capacity-limited thing as it stands inside the caller's transaction."""

    capacity: int
    confirmed: int
    offered: int = 0
    held: int = 0
    waiting: int = 0

    @property
    def taken(self) -> int:
        return self.confirmed + self.offered + self.held

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def is_full(self) -> bool:
        return self.free == 0


def check_capacity(capacity: object) -> None:
    """Why: a shift of 0 places would put everyone on a waitlist that can never move."""
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise CapacityError("capacity must be a whole number")
    if capacity < 1:
        raise CapacityError("capacity must be at least 1")
    if capacity > MAX_CAPACITY:
        raise CapacityError(f"capacity must be at most {MAX_CAPACITY}")


def decide_join(snapshot: Snapshot) -> Join:
    """A newcomer gets a place only if one is free and nobody queued before them is owed it."""
    if snapshot.free > 0 and snapshot.waiting == 0:
        return Join.CONFIRM
    return Join.WAITLIST


def offers_to_make(snapshot: Snapshot) -> int:
    """How many of the first waiting people to offer a place now (outstanding offers already count)."""
    return min(snapshot.free, snapshot.waiting)


def offer_expiry(
    now: datetime,
    starts_at: datetime,
    window: timedelta = DEFAULT_OFFER_WINDOW,
    min_lead: timedelta = DEFAULT_MIN_LEAD,
) -> datetime | None:
    """Hold an offered place for `window`, but release it `min_lead` before the start at the latest.

    Why the lead: the organiser must know who is coming before the desk opens, so a place still
    undecided an hour before the start is better given to whoever asks first.
    """
    if now.tzinfo is None or starts_at.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    expires = min(now + window, starts_at - min_lead)
    return expires if expires > now else None


def offer_valid(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and now < expires_at
