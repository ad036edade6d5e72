# i18n-domain: volunteer
"""Changes to a shift after people signed up: a new time or place (everyone on it is told at once,
and the next reminder says the new one), and fewer places than people confirmed (the organiser
is asked who stays; the others are told with an apology and other dates to choose from).

Why the organiser decides a cut: an import or a smaller room must not silently drop whoever
signed up last. Until they answer, everyone keeps their place; if they have not answered by the
deadline, the first to sign up stay (the tick decides, and says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import aiosqlite

from bot.callbacks import Action
from bot.domain import shifts as rules
from bot.msgids import N_
from bot.services.access import NOT_ORGANISER, ensure, may_run_shifts
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ACTIVE, ShiftCard, shift_and_project, shift_card
from bot.services.volunteer.notices import SIGN_UP, prefix
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage import shifts as repo
from bot.storage import users as users_repo

PLACE_MAX = 200
CUT_DECIDE_WITHIN = timedelta(hours=12)  # the organiser's time to choose, at most
MAX_ASKED = 40  # people listed (one button each) in the question of a cut
KEEP = Action("vol", "keep")  # a cut's question: toggle whether this person stays
DECIDE = Action("vol", "cut")  # a cut's question: done, tell the others
_TIME = re.compile(
    r"^\s*([01]?\d|2[0-3])[:：.h]([0-5]\d)\s*(?:[-–~至到]\s*([01]?\d|2[0-3])[:：.h]([0-5]\d))?\s*$"
)


@dataclass(frozen=True)
class Cut:
    """A shift with fewer places than people confirmed, and who stays so far."""

    card: ShiftCard
    people: list[tuple[int, str, bool]]  # (sign-up id, name, stays)
    capacity: int

    @property
    def keeping(self) -> int:
        return sum(1 for _, _, stays in self.people if stays)


class Changes(UseCases):
    # ------------------------------------------------------------------ time and place

    async def change_place(self, actor_id: int, shift_id: int, text: str) -> tuple[ShiftCard, int]:
        """The organiser moves one shift to another place (a room, a hall): everyone on it is told."""
        place = " ".join(text.split())
        if not place or len(place) > PLACE_MAX:
            raise InvalidInput("place_length", max=PLACE_MAX)
        async with self.db.tx() as conn:
            now = self.now()
            shift, _project = await self._organised(conn, actor_id, shift_id, now)
            await repo.set_place_note(conn, shift.id, place)
            await roles_repo.audit(conn, now, actor_id, "vol.move_place", f"shift:{shift.id}", place)
            return await self._tell_changed(conn, shift.id, now, old=shift, what="place")

    async def change_time(self, actor_id: int, shift_id: int, text: str) -> tuple[ShiftCard, int]:
        """The organiser moves one shift to another time the same day ("06:30" or "06:30-07:30")."""
        match = _TIME.match(text)
        if not match:
            raise InvalidInput("time_format")
        async with self.db.tx() as conn:
            now = self.now()
            shift, _project = await self._organised(conn, actor_id, shift_id, now)
            day = shift.starts_at.astimezone(self.settings.tz).date()
            start = time(int(match.group(1)), int(match.group(2)))
            if match.group(3):
                end = time(int(match.group(3)), int(match.group(4)))
                starts, ends = (
                    datetime.combine(day, start, self.settings.tz),
                    datetime.combine(day, end, self.settings.tz),
                )
            else:
                starts = datetime.combine(day, start, self.settings.tz)
                ends = starts + (shift.ends_at - shift.starts_at)
            try:
                rules.check_slot(starts, ends, now)
            except rules.ShiftError as error:
                raise InvalidInput("time_" + error.code) from None
            clash = await repo.shift_at(conn, shift.project_id, starts)
            if clash is not None and clash.id != shift.id:
                raise InvalidInput("time_taken")
            await repo.move_shift(conn, shift.id, starts, ends)
            moved = await repo.shift(conn, shift.id)
            assert moved is not None
            await self.services.volunteer.reminders.reschedule(conn, moved, now)
            await roles_repo.audit(
                conn, now, actor_id, "vol.move_time", f"shift:{shift.id}", f"{starts:%Y-%m-%d %H:%M}"
            )
            return await self._tell_changed(conn, shift.id, now, old=shift, what="time")

    async def project_moved(self, conn: aiosqlite.Connection, project: repo.Project, now: datetime) -> int:
        """The projects file gave a project a new place: people on its coming shifts are told."""
        told = 0
        for shift in await repo.upcoming_shifts(conn, project.id, now, limit=200):
            if shift.place_note is None:
                told += (await self._tell_changed(conn, shift.id, now, old=shift, what="place"))[1]
        return told

    async def _organised(
        self, conn: aiosqlite.Connection, actor_id: int, shift_id: int, now: datetime
    ) -> tuple[repo.Shift, repo.Project]:
        shift, project = await shift_and_project(conn, shift_id)
        access = await self.services.access.of_in(conn, actor_id)
        ensure(may_run_shifts(access, project), NOT_ORGANISER)
        if shift.status != "open":
            raise InvalidInput("shift_gone")
        if shift.ends_at <= now:
            raise InvalidInput("shift_over")
        return shift, project

    async def _tell_changed(
        self, conn: aiosqlite.Connection, shift_id: int, now: datetime, *, old: repo.Shift, what: str
    ) -> tuple[ShiftCard, int]:
        shift = await repo.shift(conn, shift_id)
        assert shift is not None
        people = await repo.of_shift(conn, shift.id, ACTIVE)
        stamp = int(now.timestamp() * 1000)
        for person in people:
            await self.services.volunteer.notices.notify(
                conn, person.user_id, "volunteer/shift_changed.html",
                f"{prefix(shift.id, person.user_id)}changed:{what}:{stamp}", now,
                starts_at=shift.starts_at, own=True, expires_at=shift.ends_at,
                card=await shift_card(conn, shift, person.user_id), old=old, what=what,
            )  # fmt: skip
        return await shift_card(conn, shift), len(people)

    # ------------------------------------------------------------------ places cut below the confirmed count

    async def set_capacity(self, actor_id: int, shift_id: int, capacity: int) -> ShiftCard:
        """The organiser changes a shift's number of places (from the roster)."""
        if not 1 <= capacity <= 500:
            raise InvalidInput("capacity_range")
        async with self.db.tx() as conn:
            now = self.now()
            shift, _project = await self._organised(conn, actor_id, shift_id, now)
            await roles_repo.audit(conn, now, actor_id, "vol.capacity", f"shift:{shift.id}", str(capacity))
            await self.capacity_changed(conn, shift, capacity, now)
            fresh = await repo.shift(conn, shift.id)
            assert fresh is not None
            return await shift_card(conn, fresh)

    async def capacity_changed(
        self, conn: aiosqlite.Connection, shift: repo.Shift, capacity: int, now: datetime
    ) -> bool:
        """A new number of places (organiser or import): more places go to the waitlist; fewer than
        people confirmed asks the organisers who stays, the first to sign up pre-selected."""
        await repo.set_shift_capacity(conn, shift.id, capacity)
        fresh = await repo.shift(conn, shift.id)
        assert fresh is not None
        confirmed = await repo.of_shift(conn, shift.id, ("confirmed",))
        if len(confirmed) <= capacity:
            if shift.cut_due_at is not None:
                await repo.set_cut(conn, shift.id, None, None)
            await self.services.volunteer.signups.fill_from_waitlist(conn, fresh, now)
            return False
        for n, signup in enumerate(confirmed):
            await repo.set_keep(conn, signup.id, n < capacity)
        due = max(now, min(now + CUT_DECIDE_WITHIN, shift.starts_at - self.settings.vol_cutoff))
        await repo.set_cut(conn, shift.id, now, due)
        project = await repo.project(conn, shift.project_id)
        assert project is not None
        askers = await repo.organisers_of(conn, project.key) or sorted(self.settings.admin_ids)
        cut = await self._cut(conn, fresh)
        for user_id in askers:
            lang = await self.services.volunteer.notices.language(conn, user_id)
            await outbox.enqueue(
                conn, chat_id=user_id, kind="vol_cut",
                text=self.render(lang, "volunteer/cut_ask.html", cut=cut, card=cut.card, due=due),
                now=now, dedupe_key=f"cut:{shift.id}:{user_id}:{int(now.timestamp())}",
                buttons=self.cut_buttons(lang, cut),
            )  # fmt: skip
        return True

    def cut_buttons(self, lang: str, cut: Cut) -> outbox.Buttons:
        rows = [
            [KEEP.button(("✅ " if stays else "▫️ ") + name[:30], signup_id)]
            for signup_id, name, stays in cut.people[:MAX_ASKED]
        ]
        rows.append([DECIDE.button(self.gettext(lang, N_("Done: tell the others")), cut.card.id)])
        return rows

    async def _cut(self, conn: aiosqlite.Connection, shift: repo.Shift) -> Cut:
        confirmed = await repo.of_shift(conn, shift.id, ("confirmed",))
        users = await users_repo.get_many(conn, [s.user_id for s in confirmed])
        people = [
            (s.id, users[s.user_id].name if s.user_id in users else str(s.user_id), bool(s.cut_keep))
            for s in confirmed
        ]
        return Cut(await shift_card(conn, shift), people, shift.capacity)

    async def toggle_keep(self, actor_id: int, signup_id: int) -> Cut:
        async with self.db.tx() as conn:
            now = self.now()
            signup = await repo.signup_by_id(conn, signup_id)
            if signup is None or signup.status != "confirmed":
                raise InvalidInput("not_signed_up")
            shift, _project = await self._organised(conn, actor_id, signup.shift_id, now)
            if shift.cut_due_at is None:
                raise InvalidInput("cut_done")
            await repo.set_keep(conn, signup.id, not signup.cut_keep)
            return await self._cut(conn, shift)

    async def decide(self, actor_id: int | None, shift_id: int) -> tuple[Cut, int]:
        """Keep the chosen people; the others are told, with an apology and other dates."""
        async with self.db.tx() as conn:
            now = self.now()
            if actor_id is None:
                shift, _ = await shift_and_project(conn, shift_id)
            else:
                shift, _ = await self._organised(conn, actor_id, shift_id, now)
            if shift.cut_due_at is None:
                raise InvalidInput("cut_done")
            cut = await self._cut(conn, shift)
            if cut.keeping > shift.capacity:
                raise InvalidInput("cut_too_many", capacity=shift.capacity, keeping=cut.keeping)
            told = await self.apply_cut(conn, shift, cut, now)
            return await self._cut(conn, shift), told

    async def apply_cut(self, conn: aiosqlite.Connection, shift: repo.Shift, cut: Cut, now: datetime) -> int:
        await repo.set_cut(conn, shift.id, None, None)
        alternatives = [
            s
            for s in await repo.upcoming_shifts(conn, shift.project_id, now, limit=12)
            if s.id != shift.id and (await shift_card(conn, s)).free > 0
        ][:3]
        told = 0
        for signup_id, _name, stays in cut.people:
            signup = await repo.signup_by_id(conn, signup_id)
            assert signup is not None
            await repo.set_keep(conn, signup_id, None)
            if stays:
                continue
            await repo.set_status(conn, signup.id, "cancelled", now)
            await outbox.cancel_prefix(conn, prefix(shift.id, signup.user_id), now)
            await self.services.volunteer.reminders.withdraw(conn, signup)
            cards = [await shift_card(conn, s, signup.user_id) for s in alternatives]
            await self.services.volunteer.notices.notify(
                conn, signup.user_id, "volunteer/cut_apology.html", f"{prefix(shift.id, signup.user_id)}cut", now,
                starts_at=shift.starts_at, own=False, expires_at=shift.starts_at,
                buttons=[[(N_("Sign me up: %(when)s"), SIGN_UP.data(c.id), {"when": c.shift.starts_at})] for c in cards],
                card=cut.card, alternatives=cards,
            )  # fmt: skip
            told += 1
        await self.services.volunteer.signups.fill_from_waitlist(conn, shift, now)
        return told

    async def decide_due(self) -> int:
        """Cuts nobody decided by their deadline: the first to sign up stay (the tick)."""
        async with self.db.tx() as conn:
            now = self.now()
            done = 0
            for shift in await repo.cuts_due(conn, now):
                await self.apply_cut(conn, shift, await self._cut(conn, shift), now)
                done += 1
            return done
