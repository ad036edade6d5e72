# i18n-domain: volunteer
"""Signing up and leaving: one tap for a place or the waitlist, cancelling, "I'm coming", and the
places freed on a full shift offered to the people waiting (held for them a while: "Take it" or
"Pass").

Each public method is one transaction (`db.tx()` is serialised, so the place-counting in
`sign_up` and `take` cannot race: two presses for the last place give it to exactly one).
`leave` and `fill_from_waitlist` are also used by the tick (expired offers, released teams).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain import capacity as cap
from bot.domain import shifts as rules
from bot.msgids import N_
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ACTIVE, ShiftCard, open_shift, shift_card, snapshot
from bot.services.volunteer.notices import PASS, TAKE, generation, prefix
from bot.storage import outbox
from bot.storage import shift_reminders as reminders_repo
from bot.storage import shifts as repo
from bot.storage import users as users_repo


@dataclass(frozen=True)
class SignUpResult:
    status: str  # confirmed | waitlisted | already_confirmed | already_waitlisted | already_offered
    card: ShiftCard
    position: int = 0


class Signups(UseCases):
    async def sign_up(
        self, user_id: int, shift_id: int, *, team_id: int | None = None, series_id: int | None = None
    ) -> SignUpResult:
        """One tap: a place if one is free and nobody waits before you, else the waitlist."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await open_shift(conn, shift_id, now)
            existing = await repo.signup(conn, shift_id, user_id)
            if existing is not None and existing.status in ACTIVE:
                return SignUpResult(f"already_{existing.status}", await shift_card(conn, shift, user_id))
            await self._overlap(conn, user_id, shift, now)
            snap = await snapshot(conn, shift)
            if team_id is not None:
                status = "confirmed"  # the team's held place becomes this member's
            elif snap.free > 0 and (snap.waiting == 0 or self.no_hold(shift, now)):
                status = "confirmed"
            else:
                status = "confirmed" if cap.decide_join(snap) is cap.Join.CONFIRM else "waitlisted"
            signup_id = await repo.put_signup(
                conn, shift_id, user_id, status, now, team_id=team_id, series_id=series_id
            )
            signup = await repo.signup_by_id(conn, signup_id)
            assert signup is not None
            project = await repo.project(conn, shift.project_id)
            assert project is not None
            if status == "confirmed":
                await self.services.volunteer.reminders.schedule(conn, shift, project, signup, now)
                await outbox.cancel_prefix(conn, f"{prefix(shift_id, user_id)}fill", now)
            card = await shift_card(conn, shift, user_id)
            position = snap.waiting + 1 if status == "waitlisted" else 0
            if position:
                await repo.set_position_told(conn, signup_id, position)
            return SignUpResult(status, card, position)

    async def cancel(
        self, user_id: int, shift_id: int, *, from_reminder: bool = False
    ) -> tuple[ShiftCard, bool]:
        """Leave a shift or its waitlist; after the cut-off it still works but counts as late, unless
        it answers the bot's own reminder (the bot asked; telling it is never penalised)."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            signup = await repo.signup(conn, shift_id, user_id) if shift else None
            if shift is None or signup is None or signup.status not in ACTIVE:
                raise InvalidInput("not_signed_up")
            if shift.starts_at <= now:
                raise InvalidInput("shift_started")
            # Callback data is only a request: the reminder must really have been sent to them.
            answered = from_reminder and await reminders_repo.was_reminded(conn, signup.id)
            late = await self.leave(conn, shift, signup, now, "cancelled", excused=answered)
            return await shift_card(conn, shift, user_id), late

    async def coming(self, user_id: int, shift_id: int) -> ShiftCard:
        """'I'm coming' from a reminder: the organiser sees it on the roster."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            signup = await repo.signup(conn, shift_id, user_id) if shift else None
            if shift is None or shift.status != "open" or signup is None or signup.status != "confirmed":
                raise InvalidInput("not_signed_up")
            if shift.ends_at <= now:
                raise InvalidInput("shift_over")
            await repo.set_coming(conn, signup.id, now)
            return await shift_card(conn, shift, user_id)

    async def take(self, user_id: int, shift_id: int) -> SignUpResult:
        """'Take it': the held place becomes yours, if your offer still stands (or the place is open)."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await open_shift(conn, shift_id, now)
            signup = await repo.signup(conn, shift_id, user_id)
            if signup is not None and signup.status == "confirmed":
                return SignUpResult("already_confirmed", await shift_card(conn, shift, user_id))
            if signup is None:
                raise InvalidInput("offer_gone")
            snap = await snapshot(conn, shift)
            ok = (signup.status == "offered" and cap.offer_valid(signup.offer_expires_at, now)) or (
                signup.status == "waitlisted" and snap.free > 0 and self.no_hold(shift, now)
            )
            if not ok:
                raise InvalidInput("offer_gone")
            await self._overlap(conn, user_id, shift, now)
            await repo.set_status(conn, signup.id, "confirmed", now)
            project = await repo.project(conn, shift.project_id)
            assert project is not None
            fresh = await repo.signup_by_id(conn, signup.id)
            assert fresh is not None
            await self.services.volunteer.reminders.schedule(conn, shift, project, fresh, now)
            return SignUpResult("confirmed", await shift_card(conn, shift, user_id))

    async def pass_offer(self, user_id: int, shift_id: int) -> ShiftCard:
        """'Pass': the held place goes to the next person waiting."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            signup = await repo.signup(conn, shift_id, user_id) if shift else None
            if shift is None or signup is None or signup.status not in ("offered", "waitlisted"):
                raise InvalidInput("offer_gone")
            await self.leave(conn, shift, signup, now, "passed")
            return await shift_card(conn, shift, user_id)

    # ------------------------------------------------------------------ the waitlist (also for the tick)

    def no_hold(self, shift: repo.Shift, now: datetime) -> bool:
        """Too close to the start to hold a place for anyone: a free place goes to whoever takes it."""
        return self._offer_expiry(shift, now) is None

    def _offer_expiry(self, shift: repo.Shift, now: datetime) -> datetime | None:
        deliver = self.services.volunteer.notices.deliver_at(now, shift.starts_at, own=True)
        return cap.offer_expiry(
            deliver, shift.starts_at, self.settings.vol_offer_window, self.settings.vol_offer_lead
        )

    async def leave(
        self,
        conn: aiosqlite.Connection,
        shift: repo.Shift,
        signup: repo.Signup,
        now: datetime,
        status: str,
        *,
        excused: bool = False,
    ) -> bool:
        """Take a person off a shift (cancel, pass, expire); withdraw their queued messages; refill.

        Returns whether it was a late cancellation (a confirmed place given up after the cut-off,
        not `excused` by answering the bot's reminder).
        """
        late = (
            not excused
            and signup.status == "confirmed"
            and rules.is_late_cancellation(shift.starts_at, now, self.settings.vol_cutoff)
        )
        await repo.set_status(
            conn, signup.id, status, now, late_cancel=late if status == "cancelled" else None
        )
        await outbox.cancel_prefix(conn, prefix(shift.id, signup.user_id), now)
        await self.services.volunteer.reminders.withdraw(conn, signup)
        await self.fill_from_waitlist(conn, shift, now)
        return late

    async def fill_from_waitlist(self, conn: aiosqlite.Connection, shift: repo.Shift, now: datetime) -> int:
        """Offer freed places to the first people waiting who can take them (no overlapping place,
        still reachable), each held for them for the offer window; then tell everyone still waiting
        their new position."""
        if shift.status != "open" or shift.starts_at <= now:
            return 0
        snap = await snapshot(conn, shift)
        n = cap.offers_to_make(snap)
        made = 0
        if n > 0:
            notices = self.services.volunteer.notices
            able = [
                p
                for p in await repo.of_shift(conn, shift.id, ("waitlisted",))
                if await self._can_take(conn, p, shift, now)
            ]
            expiry = self._offer_expiry(shift, now)
            if expiry is None:
                # No time left to hold a place: tell everyone waiting; the first to press gets it.
                for person in able:
                    await notices.notify(
                        conn, person.user_id, "volunteer/open_place.html",
                        f"{prefix(shift.id, person.user_id)}open:g{generation(person)}:{snap.confirmed}",
                        now, starts_at=shift.starts_at, own=True, expires_at=shift.starts_at,
                        buttons=[[(N_("Take it"), TAKE.data(shift.id))]],
                        kind="vol_offer", card=await shift_card(conn, shift, person.user_id),
                    )  # fmt: skip
            else:
                for person in able[:n]:
                    await repo.set_status(conn, person.id, "offered", now, offer_expires_at=expiry)
                    await notices.notify(
                        conn, person.user_id, "volunteer/offer.html",
                        f"{prefix(shift.id, person.user_id)}offer:g{generation(person)}:{int(now.timestamp())}",
                        now, starts_at=shift.starts_at, own=True, expires_at=expiry,
                        buttons=[[(N_("Take it"), TAKE.data(shift.id)), (N_("Pass"), PASS.data(shift.id))]],
                        kind="vol_offer", card=await shift_card(conn, shift, person.user_id), held_until=expiry,
                    )  # fmt: skip
                    made += 1
        await self.tell_positions(conn, shift, now)
        return made

    async def _can_take(
        self, conn: aiosqlite.Connection, person: repo.Signup, shift: repo.Shift, now: datetime
    ) -> bool:
        """An offer is only worth holding for someone free at that time who can still be reached."""
        user = await users_repo.get(conn, person.user_id)
        if user is not None and (user.unreachable_at is not None or user.forgotten_at is not None):
            return False
        return await self._clash(conn, person.user_id, shift, now) is None

    async def tell_positions(self, conn: aiosqlite.Connection, shift: repo.Shift, now: datetime) -> None:
        """Everyone waiting whose place in the line changed since they were last told hears it."""
        if shift.status != "open" or shift.starts_at <= now:
            return
        notices = self.services.volunteer.notices
        for position, person in enumerate(await repo.of_shift(conn, shift.id, ("waitlisted",)), 1):
            if person.position_told in (None, position):
                if person.position_told is None:
                    await repo.set_position_told(conn, person.id, position)
                continue
            await repo.set_position_told(conn, person.id, position)
            await outbox.cancel_prefix(conn, f"{prefix(shift.id, person.user_id)}pos:", now)
            await notices.notify(
                conn, person.user_id, "volunteer/position.html",
                f"{prefix(shift.id, person.user_id)}pos:g{generation(person)}:{position}", now,
                starts_at=shift.starts_at, own=False, expires_at=shift.starts_at,
                card=await shift_card(conn, shift, person.user_id), position=position,
            )  # fmt: skip

    async def _overlap(
        self, conn: aiosqlite.Connection, user_id: int, shift: repo.Shift, now: datetime
    ) -> None:
        """Nobody holds two places at once: the other shift is named so they can choose."""
        other = await self._clash(conn, user_id, shift, now)
        if other is not None:
            project = await repo.project(conn, other.project_id)
            assert project is not None
            raise InvalidInput("overlap", other=other, project=project)

    async def _clash(
        self, conn: aiosqlite.Connection, user_id: int, shift: repo.Shift, now: datetime
    ) -> repo.Shift | None:
        """Another shift this person holds (or is being offered) at the same time, if any."""
        for _signup, other in await repo.of_user(conn, user_id, ("confirmed", "offered"), after=now):
            if other.id != shift.id and rules.overlaps(
                (shift.starts_at, shift.ends_at), (other.starts_at, other.ends_at)
            ):
                return other
        return None
