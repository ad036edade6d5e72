"""The organisers' desk: upcoming shifts, a shift's roster and attendance marks, writing to
everyone on a shift, cancelling a shift, and the check-in poster of a project.

Who may do what is decided by the volunteering rules of services/access.py, checked here at the
moment of the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import aiosqlite

from bot.domain import shifts as rules
from bot.services.access import (
    NOT_ORGANISER,
    ensure,
    may_open_organiser_desk,
    may_run_shifts,
    organises,
)
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ACTIVE, ShiftCard, shift_and_project, shift_card
from bot.services.volunteer.notices import prefix
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage import shifts as repo
from bot.storage import users as users_repo

MESSAGE_MAX = 1000  # characters of an organiser's message to a shift
ROSTER_PAGE = 12  # people on one page of a roster (two buttons each: far below Telegram's 100)
PROJECTS_PAGE = 8


@dataclass(frozen=True)
class RosterLine:
    signup_id: int
    user_id: int
    name: str
    status: str
    checked_in_at: datetime | None
    attended: bool | None
    coming: bool
    method: str | None = None  # code | poster | location | none | organiser
    verified: bool | None = None
    distance_m: int | None = None
    credited_minutes: int | None = None


@dataclass(frozen=True)
class Roster:
    card: ShiftCard
    lines: list[RosterLine]
    asked: list[str]
    page: int = 0
    total: int = 0

    @property
    def more(self) -> bool:
        return self.total > (self.page + 1) * ROSTER_PAGE


class Organisers(UseCases):
    async def organiser_shifts(self, actor_id: int, days: int = 7) -> list[ShiftCard]:
        """Upcoming (and today's) shifts of the projects this person organises."""
        tz = self.settings.tz
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_open_organiser_desk(access), NOT_ORGANISER)
            projects = [p for p in await repo.active_projects(conn) if may_run_shifts(access, p)]
            now = self.now()
            start_of_day = datetime.combine(now.astimezone(tz).date(), time(0), tz)
            shifts = await repo.shifts_between(
                conn, start_of_day, now + timedelta(days=days), [p.id for p in projects]
            )
            # Cards (four queries each) only for the 20 shown: an administrator runs 2,000 projects.
            return [await shift_card(conn, s) for s in [s for s in shifts if s.status == "open"][:20]]

    async def organised_projects(self, actor_id: int, page: int = 0) -> tuple[list[repo.Project], bool]:
        """One page of the projects this person runs (an administrator runs all 2,000 of them)."""
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_open_organiser_desk(access), NOT_ORGANISER)
            mine = [p for p in await repo.active_projects(conn) if may_run_shifts(access, p)]
        page = max(0, page)
        return mine[page * PROJECTS_PAGE : (page + 1) * PROJECTS_PAGE], len(mine) > (page + 1) * PROJECTS_PAGE

    async def project_shifts(self, actor_id: int, project_id: int) -> tuple[repo.Project, list[ShiftCard]]:
        """The next shifts of one project (to print a shift's poster)."""
        async with self.db.read() as conn:
            project = await repo.project(conn, project_id)
            if project is None:
                raise InvalidInput("project_gone")
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_run_shifts(access, project), NOT_ORGANISER)
            start = self.now() - timedelta(hours=12)
            shifts = await repo.upcoming_shifts(conn, project_id, start, limit=8)
            return project, [await shift_card(conn, s) for s in shifts]

    async def roster(self, actor_id: int, shift_id: int, page: int = 0) -> Roster:
        async with self.db.read() as conn:
            shift, project = await shift_and_project(conn, shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_run_shifts(access, project), NOT_ORGANISER)
            signups = await repo.of_shift(conn, shift_id, ACTIVE)
            page = max(0, min(page, len(signups) // ROSTER_PAGE))
            shown = signups[page * ROSTER_PAGE : (page + 1) * ROSTER_PAGE]
            users = await users_repo.get_many(conn, [s.user_id for s in shown])
            lines = [
                RosterLine(
                    s.id, s.user_id, users[s.user_id].name if s.user_id in users else str(s.user_id), s.status,
                    s.checked_in_at, s.attended, s.coming_at is not None, s.checkin_method, s.verified,
                    s.checkin_distance_m, s.credited_minutes,
                )
                for s in shown
            ]  # fmt: skip
            asked_ids = await repo.asked(conn, shift_id)
            asked_users = await users_repo.get_many(conn, asked_ids[:30])
            asked = [asked_users[u].name if u in asked_users else str(u) for u in asked_ids[:30]]
            return Roster(await shift_card(conn, shift), lines, asked, page, len(signups))

    async def credit(self, actor_id: int, signup_id: int, minutes: int) -> Roster:
        """The organiser corrects the time credited to one volunteer (present, for this long)."""
        if not 0 <= minutes <= 12 * 60:
            raise InvalidInput("minutes_range")
        return await self._attendance(actor_id, signup_id, "vol.credit", f"{minutes} min", minutes=minutes)

    async def mark(self, actor_id: int, signup_id: int, present: bool) -> Roster:
        """The organiser (or staff) marks a volunteer present or absent from the roster (present
        also confirms an unverified check-in)."""
        return await self._attendance(actor_id, signup_id, "vol.mark", f"present={present}", present=present)

    async def _attendance(
        self,
        actor_id: int,
        signup_id: int,
        action: str,
        detail: str,
        *,
        present: bool = True,
        minutes: int | None = None,
    ) -> Roster:
        async with self.db.tx() as conn:
            now = self.now()
            signup = await repo.signup_by_id(conn, signup_id)
            if signup is None or signup.status != "confirmed":
                raise InvalidInput("not_signed_up")
            shift, project = await shift_and_project(conn, signup.shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_run_shifts(access, project), NOT_ORGANISER)
            if now < shift.starts_at - rules.CHECKIN_EARLY:
                raise InvalidInput("too_early_to_mark")
            if minutes is None:
                await repo.mark_attendance(conn, signup_id, present, actor_id, now)
            else:
                await repo.set_credited(conn, signup_id, minutes, actor_id, now)
            await roles_repo.audit(
                conn, now, actor_id, action, f"shift:{shift.id}", f"user {signup.user_id} {detail}"
            )
        return await self.roster(actor_id, shift.id)

    async def message_shift(self, actor_id: int, shift_id: int, text: str) -> int:
        """The organiser writes to everyone on a shift (through the outbox, each in their language)."""
        text = text.strip()
        if not text or len(text) > MESSAGE_MAX:
            raise InvalidInput("message_length", max=MESSAGE_MAX)
        async with self.db.tx() as conn:
            now = self.now()
            shift, project = await shift_and_project(conn, shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            ensure(organises(access, project), NOT_ORGANISER)
            if shift.status != "open" or shift.ends_at <= now:
                raise InvalidInput("shift_over")
            people = await repo.of_shift(conn, shift_id, ("confirmed", "offered"))
            sender = await users_repo.get(conn, actor_id)
            card = await shift_card(conn, shift)
            stamp = int(now.timestamp() * 1000)
            for person in people:
                await self.services.volunteer.notices.notify(
                    conn, person.user_id, "volunteer/organiser_message.html",
                    f"{prefix(shift_id, person.user_id)}msg:{stamp}", now,
                    starts_at=shift.starts_at, own=True, expires_at=shift.ends_at,
                    card=card, message=text, sender=sender.name if sender else "",
                )  # fmt: skip
            await roles_repo.audit(conn, now, actor_id, "vol.message", f"shift:{shift_id}", text[:200])
            return len(people)

    async def cancel_shift(self, actor_id: int, shift_id: int) -> tuple[ShiftCard, int]:
        """Cancel one shift (administrators or its organiser): everyone on it is told, reminders withdrawn."""
        async with self.db.tx() as conn:
            now = self.now()
            shift, project = await shift_and_project(conn, shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            ensure(organises(access, project), NOT_ORGANISER)
            if shift.status != "open":
                raise InvalidInput("shift_gone")
            if shift.ends_at <= now:
                raise InvalidInput("shift_over")
            told = await self.cancel_in(conn, shift, actor_id, now)
            await roles_repo.audit(conn, now, actor_id, "vol.cancel_shift", f"shift:{shift_id}", project.key)
            refreshed = await repo.shift(conn, shift_id)
            assert refreshed is not None
            return await shift_card(conn, refreshed), told

    async def cancel_in(
        self, conn: aiosqlite.Connection, shift: repo.Shift, actor_id: int | None, now: datetime
    ) -> int:
        """Cancel `shift` in the caller's transaction (also when an import drops it): tell everyone."""
        await repo.cancel_shift(conn, shift.id, actor_id, now)
        people = await repo.of_shift(conn, shift.id, ACTIVE)
        card = await shift_card(conn, shift)
        for person in people:
            await repo.set_status(conn, person.id, "cancelled", now)
            await outbox.cancel_prefix(conn, prefix(shift.id, person.user_id), now)
            await self.services.volunteer.reminders.withdraw(conn, person)
            await self.services.volunteer.notices.notify(
                conn, person.user_id, "volunteer/shift_cancelled.html",
                f"{prefix(shift.id, person.user_id)}cancelled", now,
                starts_at=shift.starts_at, own=True, expires_at=shift.starts_at, card=card,
            )  # fmt: skip
        return len(people)

    async def poster(self, actor_id: int, shift_id: int, bot_username: str) -> tuple[bytes, str]:
        """The printable check-in poster of one shift: its QR code works only in that shift's window."""
        from bot.certificates import poster_pdf

        card, code = await self.services.volunteer.checkin.poster_code(actor_id, shift_id)
        link = f"https://t.me/{bot_username}?start=in-{card.id}-{code}"
        local = card.shift.starts_at.astimezone(self.settings.tz)
        when = f"{local:%Y-%m-%d %H:%M}–{card.shift.ends_at.astimezone(self.settings.tz):%H:%M}"
        pdf = poster_pdf(card.project, card.shift, when, code, link, self.renderer)
        return pdf, f"checkin-{card.project.key}-{local:%Y%m%d-%H%M}.pdf"
