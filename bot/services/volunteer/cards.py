"""A shift as a person sees it, and the counts behind it: the one presenter of a shift.

Every part of the feature reads shifts through these functions, inside the caller's transaction
(so the counts are the ones its decision is based on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain import capacity as cap
from bot.services.base import InvalidInput
from bot.storage import shifts as repo

# A sign-up in one of these states holds (or waits for) a place.
ACTIVE = ("confirmed", "offered", "waitlisted")


@dataclass(frozen=True)
class ShiftCard:
    """One shift as a person sees it: where, when, how many places are left, and their own status."""

    shift: repo.Shift
    project: repo.Project
    confirmed: int
    free: int
    waiting: int
    my_status: str | None = None
    late: bool = False
    position: int = 0  # on the waitlist: the person's number in the line

    @property
    def id(self) -> int:
        return self.shift.id


async def snapshot(conn: aiosqlite.Connection, shift: repo.Shift) -> cap.Snapshot:
    """The shift's places as they stand: confirmed, held for an offer or a team, waiting."""
    counts = await repo.counts(conn, shift.id)
    held = await repo.held_places(conn, shift.id)
    return cap.Snapshot(shift.capacity, counts.confirmed, counts.offered, held, counts.waiting)


async def shift_card(conn: aiosqlite.Connection, shift: repo.Shift, user_id: int | None = None) -> ShiftCard:
    """The card of `shift`, with `user_id`'s own sign-up status if given."""
    project = await repo.project(conn, shift.project_id)
    assert project is not None
    snap = await snapshot(conn, shift)
    mine = await repo.signup(conn, shift.id, user_id) if user_id is not None else None
    position = 0
    if mine is not None and mine.status == "waitlisted":
        line = await repo.of_shift(conn, shift.id, ("waitlisted",))
        position = next((n for n, s in enumerate(line, 1) if s.id == mine.id), 0)
    return ShiftCard(
        shift,
        project,
        snap.confirmed,
        snap.free,
        snap.waiting,
        mine.status if mine else None,
        mine.late_cancel if mine else False,
        position,
    )


async def open_shift(conn: aiosqlite.Connection, shift_id: int, now: datetime) -> repo.Shift:
    """A shift one can still join: not cancelled and not started."""
    shift = await repo.shift(conn, shift_id)
    if shift is None or shift.status != "open":
        raise InvalidInput("shift_gone")
    if shift.starts_at <= now:
        raise InvalidInput("shift_started")
    return shift


async def shift_and_project(conn: aiosqlite.Connection, shift_id: int) -> tuple[repo.Shift, repo.Project]:
    shift = await repo.shift(conn, shift_id)
    if shift is None:
        raise InvalidInput("shift_gone")
    project = await repo.project(conn, shift.project_id)
    assert project is not None
    return shift, project
