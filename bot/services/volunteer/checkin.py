"""Checking in with proof: a code of the shift (typed, or scanned from the organiser's screen or the
shift's poster) or a location within the project's radius; without either, an unverified check-in
that credits nothing until the organiser confirms it (domain/checkin says why).

The organiser's side: the rotating code of a shift on their screen, and the shift's printable
poster (its code works only in that shift's check-in window).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.domain import checkin as proofs
from bot.domain import shifts as rules
from bot.services.access import NOT_ORGANISER, ensure, may_run_shifts
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ShiftCard, shift_and_project, shift_card
from bot.storage import shifts as repo


@dataclass(frozen=True)
class CheckIn:
    card: ShiftCard
    proof: proofs.Proof
    already: bool  # a verified check-in was already recorded
    checked_in_at: datetime


@dataclass(frozen=True)
class CodeScreen:
    """What the organiser shows: the code of this minute (and its deep link), until when it holds."""

    card: ShiftCard
    code: str
    link_payload: str  # /start payload of the QR code: in-<shift>-<code>
    changes_at: datetime
    opens: datetime
    closes: datetime


class CheckIns(UseCases):
    async def window(self, user_id: int, shift_id: int) -> ShiftCard:
        """The reminder's Check in button: may this person check in now? (They then give a proof.)"""
        async with self.db.read() as conn:
            shift, signup = await self._mine(conn, user_id, shift_id)
            _check_window(shift, self.now())
            return await shift_card(conn, shift, signup.user_id)

    async def happening(self, user_id: int) -> bool:
        """Does this person have a shift whose check-in is open now (so six digits are a code)?"""
        async with self.db.read() as conn:
            now = self.now()
            return any(
                rules.in_checkin_window(shift.starts_at, shift.ends_at, now)
                for _, shift in await repo.of_user(
                    conn, user_id, ("confirmed",), after=now - timedelta(hours=1)
                )
            )

    async def with_code(self, user_id: int, code: str, shift_id: int | None = None) -> CheckIn:
        """A code typed, or scanned (`/start in-<shift>-<code>`): of the shift, now, or unverified."""
        async with self.db.tx() as conn:
            now = self.now()
            if shift_id is not None:
                shift, signup = await self._mine(conn, user_id, shift_id)
            else:
                shift, signup = await self._happening(conn, user_id, now, code=code)
            _check_window(shift, now)
            secret = shift.checkin_secret or await repo.set_checkin_secret(
                conn, shift.id, secrets.token_hex(16)
            )
            return await self._record(conn, shift, signup, proofs.by_code(secret, code, now), now)

    async def with_location(self, user_id: int, latitude: float, longitude: float) -> CheckIn:
        """A shared location: within the project's radius of its place, or unverified with the distance."""
        async with self.db.tx() as conn:
            now = self.now()
            shift, signup = await self._happening(conn, user_id, now, at=(latitude, longitude))
            project = await repo.project(conn, shift.project_id)
            assert project is not None
            proof = proofs.by_location(latitude, longitude, project.location, project.radius_m)
            return await self._record(conn, shift, signup, proof, now)

    async def without_proof(self, user_id: int, shift_id: int) -> CheckIn:
        """ "I'm here but can't show a code or location": recorded for the organiser to confirm."""
        async with self.db.tx() as conn:
            now = self.now()
            shift, signup = await self._mine(conn, user_id, shift_id)
            _check_window(shift, now)
            return await self._record(conn, shift, signup, proofs.Proof("none", False), now)

    async def _record(
        self,
        conn: aiosqlite.Connection,
        shift: repo.Shift,
        signup: repo.Signup,
        proof: proofs.Proof,
        now: datetime,
    ) -> CheckIn:
        card = await shift_card(conn, shift, signup.user_id)
        if signup.verified:
            assert signup.checked_in_at is not None
            return CheckIn(card, proof, True, signup.checked_in_at)
        await repo.record_checkin(conn, signup.id, proof.method, proof.verified, proof.distance_m, now)
        return CheckIn(card, proof, False, signup.checked_in_at or now)

    async def _mine(
        self, conn: aiosqlite.Connection, user_id: int, shift_id: int
    ) -> tuple[repo.Shift, repo.Signup]:
        shift = await repo.shift(conn, shift_id)
        signup = await repo.signup(conn, shift_id, user_id) if shift else None
        if shift is None or shift.status != "open" or signup is None or signup.status != "confirmed":
            raise InvalidInput("not_signed_up")
        return shift, signup

    async def _happening(
        self,
        conn: aiosqlite.Connection,
        user_id: int,
        now: datetime,
        *,
        code: str | None = None,
        at: tuple[float, float] | None = None,
    ) -> tuple[repo.Shift, repo.Signup]:
        """The person's shift whose check-in window is open now (the one the code or place fits best)."""
        mine = [
            (shift, signup)
            for signup, shift in await repo.of_user(
                conn, user_id, ("confirmed",), after=now - timedelta(hours=1)
            )
            if rules.in_checkin_window(shift.starts_at, shift.ends_at, now)
        ]
        if not mine:
            raise InvalidInput("no_shift_now")
        if code is not None:
            for shift, signup in mine:
                if shift.checkin_secret and proofs.code_valid(shift.checkin_secret, code, now):
                    return shift, signup
        if at is not None and len(mine) > 1:
            projects = {s.project_id: await repo.project(conn, s.project_id) for s, _ in mine}

            def far(item: tuple[repo.Shift, repo.Signup]) -> float:
                place = projects[item[0].project_id]
                where = place.location if place else None
                return proofs.distance_m(at[0], at[1], *where) if where else float("inf")

            return min(mine, key=far)
        return mine[0]

    # ------------------------------------------------------------------ the organiser's side

    async def code_screen(self, actor_id: int, shift_id: int) -> CodeScreen:
        """The code to show volunteers at the place (a new one every minute) and its QR payload."""
        async with self.db.tx() as conn:
            now = self.now()
            shift, project = await shift_and_project(conn, shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_run_shifts(access, project), NOT_ORGANISER)
            if shift.status != "open" or shift.ends_at <= now:
                raise InvalidInput("shift_over")
            secret = shift.checkin_secret or await repo.set_checkin_secret(
                conn, shift.id, secrets.token_hex(16)
            )
            code = proofs.rotating_code(secret, now)
            opens, closes = rules.checkin_window(shift.starts_at, shift.ends_at)
            return CodeScreen(
                await shift_card(conn, shift),
                code,
                f"in-{shift.id}-{code}",
                proofs.next_rotation(now),
                opens,
                closes,
            )

    async def poster_code(self, actor_id: int, shift_id: int) -> tuple[ShiftCard, str]:
        """The code printed on this shift's poster (valid only in its check-in window)."""
        async with self.db.tx() as conn:
            shift, project = await shift_and_project(conn, shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_run_shifts(access, project), NOT_ORGANISER)
            if shift.status != "open":
                raise InvalidInput("shift_gone")
            secret = shift.checkin_secret or await repo.set_checkin_secret(
                conn, shift.id, secrets.token_hex(16)
            )
            return await shift_card(conn, shift), proofs.poster_code(secret)


def _check_window(shift: repo.Shift, now: datetime) -> None:
    if not rules.in_checkin_window(shift.starts_at, shift.ends_at, now):
        opens, closes = rules.checkin_window(shift.starts_at, shift.ends_at)
        raise InvalidInput("checkin_window", opens=opens, closes=closes, early=now < opens)
