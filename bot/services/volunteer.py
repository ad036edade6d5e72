"""Volunteer use cases: browse, sign up, waitlist and held offers, reminders, check-in, hours.

Each public method is one transaction (`db.tx()` is serialised, so the place-counting in
`sign_up` and `take` cannot race: two presses for the last place give it to exactly one). Every
message sent on the bot's own initiative (reminders, offers, announcements) is enqueued in the
outbox inside the transaction that causes it, rendered in the recipient's language; cancelling a
sign-up withdraws its queued messages with `outbox.cancel_prefix("shift:<id>:user:<uid>:")`.

Public API used by other features:
- `figures(since, until) -> dict` for the stats feature.
- `import_projects(text, actor_id)` for `python -m bot import projects FILE.yaml`.
- `attendance_csv(actor_id, month)` for the shared export.
"""

from __future__ import annotations

import csv
import io
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.callbacks import button
from bot.domain import capacity as cap
from bot.domain import shifts as rules
from bot.domain.projects_yaml import ProjectSpec, parse_projects
from bot.msgids import N_
from bot.services.access import NOT_ORGANISER, NotAllowed
from bot.services.base import InvalidInput
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage import shifts as repo
from bot.storage import users as users_repo

if TYPE_CHECKING:
    import aiosqlite

    from bot.services import Services

FEATURE = "vol"
ACTIVE = ("confirmed", "offered", "waitlisted")
PAGE = 6
MESSAGE_MAX = 1000
CHECKIN_RECENT = timedelta(minutes=30)


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

    @property
    def id(self) -> int:
        return self.shift.id


@dataclass(frozen=True)
class SignUpResult:
    status: str  # confirmed | waitlisted | already_confirmed | already_waitlisted | already_offered
    card: ShiftCard
    position: int = 0


@dataclass(frozen=True)
class CheckIn:
    card: ShiftCard
    already: bool
    checked_in_at: datetime


@dataclass(frozen=True)
class Hours:
    total: float
    this_year: float
    shifts: int
    no_shows: int
    projects: list[tuple[str, float]]  # (title in the person's language, hours)
    name: str


@dataclass(frozen=True)
class RosterLine:
    signup_id: int
    user_id: int
    name: str
    status: str
    checked_in_at: datetime | None
    attended: bool | None
    coming: bool


@dataclass(frozen=True)
class Roster:
    card: ShiftCard
    lines: list[RosterLine]
    asked: list[str]


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    updated: list[str]
    shifts_created: int
    shifts_cancelled: int


class VolunteerService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.offer_window = services.settings.vol_offer_window
        self.offer_lead = services.settings.vol_offer_lead
        self.cutoff = services.settings.vol_cutoff
        self.fill_ahead = services.settings.vol_fill_ahead
        self.team_release = services.settings.vol_team_release

    @property
    def db(self):
        return self.services.db

    @property
    def tz(self):
        return self.services.settings.tz

    def now(self) -> datetime:
        return self.services.clock.now()

    # ------------------------------------------------------------------ helpers

    async def _lang(self, conn: aiosqlite.Connection, user_id: int) -> str:
        user = await users_repo.get(conn, user_id)
        return self.services.users.language_of(user)

    async def _card(
        self, conn: aiosqlite.Connection, shift: repo.Shift, user_id: int | None = None
    ) -> ShiftCard:
        project = await repo.project(conn, shift.project_id)
        assert project is not None
        counts = await repo.counts(conn, shift.id)
        held = await repo.held_places(conn, shift.id)
        snap = cap.Snapshot(shift.capacity, counts.confirmed, counts.offered, held, counts.waiting)
        mine = await repo.signup(conn, shift.id, user_id) if user_id is not None else None
        return ShiftCard(
            shift,
            project,
            counts.confirmed,
            snap.free,
            counts.waiting,
            mine.status if mine else None,
            mine.late_cancel if mine else False,
        )

    async def _snapshot(self, conn: aiosqlite.Connection, shift: repo.Shift) -> cap.Snapshot:
        counts = await repo.counts(conn, shift.id)
        held = await repo.held_places(conn, shift.id)
        return cap.Snapshot(shift.capacity, counts.confirmed, counts.offered, held, counts.waiting)

    async def _open_shift(self, conn: aiosqlite.Connection, shift_id: int, now: datetime) -> repo.Shift:
        shift = await repo.shift(conn, shift_id)
        if shift is None or shift.status != "open":
            raise InvalidInput("shift_gone")
        if shift.starts_at <= now:
            raise InvalidInput("shift_started")
        return shift

    def _deliver_at(self, now: datetime, starts_at: datetime | None, *, own: bool) -> datetime:
        """When a message the bot sends on its own may go out: quiet hours respected (see domain)."""
        return max(now, rules.quiet_adjust(now, self.tz, starts_at=starts_at, own_shift=own))

    def _no_hold(self, shift: repo.Shift, now: datetime) -> bool:
        """Too close to the start to hold a place for anyone: a free place goes to whoever takes it."""
        deliver = self._deliver_at(now, shift.starts_at, own=True)
        return cap.offer_expiry(deliver, shift.starts_at, self.offer_window, self.offer_lead) is None

    @staticmethod
    def _gen(signup: repo.Signup) -> str:
        """A per-sign-up generation in dedupe keys, so re-joining after leaving gets fresh reminders."""
        return str(int(signup.queued_at.timestamp() * 1000))

    @staticmethod
    def _prefix(shift_id: int, user_id: int) -> str:
        return f"shift:{shift_id}:user:{user_id}:"

    async def _overlap(self, conn: aiosqlite.Connection, user_id: int, shift: repo.Shift) -> None:
        held = await repo.of_user(conn, user_id, ("confirmed", "offered"), after=self.now())
        for _signup, other_shift in held:
            if other_shift.id != shift.id and rules.overlaps(
                (shift.starts_at, shift.ends_at), (other_shift.starts_at, other_shift.ends_at)
            ):
                project = await repo.project(conn, other_shift.project_id)
                assert project is not None
                raise InvalidInput("overlap", other=other_shift, project=project)

    async def _schedule_reminders(
        self,
        conn: aiosqlite.Connection,
        shift: repo.Shift,
        project: repo.Project,
        signup: repo.Signup,
        now: datetime,
    ) -> int:
        lang = await self._lang(conn, signup.user_id)
        reminders = [rules.parse_reminder(r) for r in project.reminders.split(",") if r.strip()]
        card = await self._card(conn, shift, signup.user_id)
        made = 0
        for n, when in rules.reminder_times(shift.starts_at, reminders, self.tz, now):
            kind = reminders[n].kind
            text = self.services.renderer.render(
                lang, "volunteer/reminder.html", card=card, eve=kind == "eve"
            )
            await outbox.enqueue(
                conn,
                chat_id=signup.user_id,
                kind="vol_reminder",
                text=text,
                now=now,
                not_before=when,
                expires_at=shift.starts_at,
                dedupe_key=f"{self._prefix(shift.id, signup.user_id)}rem:{n}:g{self._gen(signup)}",
                buttons=self._reminder_buttons(lang, shift.id),
            )
            made += 1
        return made

    def _t(self, lang: str, msgid: str, **values: Any) -> str:
        return self.services.renderer.gettext(lang, msgid, **values)

    def _reminder_buttons(self, lang: str, shift_id: int) -> list[list[dict[str, str]]]:
        return [
            [
                button(self._t(lang, N_("I'm coming")), FEATURE, "ok", shift_id),
                button(self._t(lang, N_("I can't come")), FEATURE, "no", shift_id),
            ],
            [button(self._t(lang, N_("Check in")), FEATURE, "in", shift_id)],
        ]

    async def _notify(
        self,
        conn: aiosqlite.Connection,
        user_id: int,
        template: str,
        key: str,
        now: datetime,
        *,
        starts_at: datetime | None,
        own: bool,
        expires_at: datetime | None = None,
        buttons_for: Any = None,
        kind: str = "vol_notice",
        **values: Any,
    ) -> None:
        lang = await self._lang(conn, user_id)
        text = self.services.renderer.render(lang, template, **values)
        await outbox.enqueue(
            conn,
            chat_id=user_id,
            kind=kind,
            text=text,
            now=now,
            not_before=self._deliver_at(now, starts_at, own=own),
            expires_at=expires_at,
            dedupe_key=key,
            buttons=buttons_for(lang) if buttons_for else None,
        )

    async def _fill_from_waitlist(self, conn: aiosqlite.Connection, shift: repo.Shift, now: datetime) -> int:
        """Offer freed places to the first people waiting, each held for them for the offer window."""
        if shift.status != "open" or shift.starts_at <= now:
            return 0
        snap = await self._snapshot(conn, shift)
        n = cap.offers_to_make(snap)
        if n == 0:
            return 0
        waiting = await repo.of_shift(conn, shift.id, ("waitlisted",))
        deliver = self._deliver_at(now, shift.starts_at, own=True)
        expiry = cap.offer_expiry(deliver, shift.starts_at, self.offer_window, self.offer_lead)
        if expiry is None:
            # No time left to hold a place: tell everyone waiting; the first to press gets it.
            for person in waiting:
                card = await self._card(conn, shift, person.user_id)
                await self._notify(
                    conn, person.user_id, "volunteer/open_place.html",
                    f"{self._prefix(shift.id, person.user_id)}open:g{self._gen(person)}:{snap.confirmed}",
                    now, starts_at=shift.starts_at, own=True, expires_at=shift.starts_at,
                    buttons_for=lambda lang, sid=shift.id: [[button(self._t(lang, N_("Take it")), FEATURE, "take", sid)]],
                    kind="vol_offer", card=card,
                )  # fmt: skip
            return 0
        for person in waiting[:n]:
            await repo.set_status(conn, person.id, "offered", now, offer_expires_at=expiry)
            card = await self._card(conn, shift, person.user_id)
            await self._notify(
                conn, person.user_id, "volunteer/offer.html",
                f"{self._prefix(shift.id, person.user_id)}offer:g{self._gen(person)}:{int(now.timestamp())}",
                now, starts_at=shift.starts_at, own=True, expires_at=expiry,
                buttons_for=lambda lang, sid=shift.id: [[
                    button(self._t(lang, N_("Take it")), FEATURE, "take", sid),
                    button(self._t(lang, N_("Pass")), FEATURE, "pass", sid),
                ]],
                kind="vol_offer", card=card, held_until=expiry,
            )  # fmt: skip
        return n

    async def _leave(
        self, conn: aiosqlite.Connection, shift: repo.Shift, signup: repo.Signup, now: datetime, status: str
    ) -> bool:
        """Take a person off a shift (cancel, pass, expire); withdraw their queued messages; refill."""
        late = signup.status == "confirmed" and rules.is_late_cancellation(shift.starts_at, now, self.cutoff)
        await repo.set_status(
            conn, signup.id, status, now, late_cancel=late if status == "cancelled" else None
        )
        await outbox.cancel_prefix(conn, self._prefix(shift.id, signup.user_id), now)
        await self._fill_from_waitlist(conn, shift, now)
        return late

    # ------------------------------------------------------------------ browsing

    async def projects(self) -> list[repo.Project]:
        async with self.db.read() as conn:
            return await repo.active_projects(conn)

    async def project_page(
        self, user_id: int, project_id: int, page: int = 0
    ) -> tuple[repo.Project, list[ShiftCard], bool]:
        """A project and one page of its upcoming shifts (with free places), and whether more follow."""
        page = max(0, min(page, 50))
        async with self.db.read() as conn:
            project = await repo.project(conn, project_id)
            if project is None or not project.active:
                raise InvalidInput("project_gone")
            shifts = await repo.upcoming_shifts(
                conn, project_id, self.now(), limit=PAGE + 1, offset=page * PAGE
            )
            cards = [await self._card(conn, s, user_id) for s in shifts[:PAGE]]
        return project, cards, len(shifts) > PAGE

    async def card(self, user_id: int, shift_id: int) -> ShiftCard:
        async with self.db.read() as conn:
            shift = await repo.shift(conn, shift_id)
            if shift is None:
                raise InvalidInput("shift_gone")
            return await self._card(conn, shift, user_id)

    # ------------------------------------------------------------------ signing up and leaving

    async def sign_up(self, user_id: int, shift_id: int, *, team_id: int | None = None) -> SignUpResult:
        """One tap: a place if one is free and nobody waits before you, else the waitlist."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await self._open_shift(conn, shift_id, now)
            existing = await repo.signup(conn, shift_id, user_id)
            if existing is not None and existing.status in ACTIVE:
                card = await self._card(conn, shift, user_id)
                return SignUpResult(f"already_{existing.status}", card)
            await self._overlap(conn, user_id, shift)
            snap = await self._snapshot(conn, shift)
            if team_id is not None:
                status = "confirmed"  # the team's held place becomes this member's
            elif snap.free > 0 and (snap.waiting == 0 or self._no_hold(shift, now)):
                status = "confirmed"
            else:
                status = "confirmed" if cap.decide_join(snap) is cap.Join.CONFIRM else "waitlisted"
            signup_id = await repo.put_signup(conn, shift_id, user_id, status, now, team_id=team_id)
            signup = await repo.signup_by_id(conn, signup_id)
            assert signup is not None
            project = await repo.project(conn, shift.project_id)
            assert project is not None
            if status == "confirmed":
                await self._schedule_reminders(conn, shift, project, signup, now)
                await outbox.cancel_prefix(conn, f"{self._prefix(shift_id, user_id)}fill", now)
            card = await self._card(conn, shift, user_id)
            position = snap.waiting + 1 if status == "waitlisted" else 0
            return SignUpResult(status, card, position)

    async def cancel(self, user_id: int, shift_id: int) -> tuple[ShiftCard, bool]:
        """Leave a shift or its waitlist; after the cut-off it still works but counts as late."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            signup = await repo.signup(conn, shift_id, user_id) if shift else None
            if shift is None or signup is None or signup.status not in ACTIVE:
                raise InvalidInput("not_signed_up")
            if shift.starts_at <= now:
                raise InvalidInput("shift_started")
            late = await self._leave(conn, shift, signup, now, "cancelled")
            return await self._card(conn, shift, user_id), late

    async def coming(self, user_id: int, shift_id: int) -> ShiftCard:
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            signup = await repo.signup(conn, shift_id, user_id) if shift else None
            if shift is None or shift.status != "open" or signup is None or signup.status != "confirmed":
                raise InvalidInput("not_signed_up")
            if shift.ends_at <= now:
                raise InvalidInput("shift_over")
            await repo.set_coming(conn, signup.id, now)
            return await self._card(conn, shift, user_id)

    async def take(self, user_id: int, shift_id: int) -> SignUpResult:
        """'Take it': the held place becomes yours, if your offer still stands (or the place is open)."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await self._open_shift(conn, shift_id, now)
            signup = await repo.signup(conn, shift_id, user_id)
            if signup is not None and signup.status == "confirmed":
                return SignUpResult("already_confirmed", await self._card(conn, shift, user_id))
            if signup is None:
                raise InvalidInput("offer_gone")
            snap = await self._snapshot(conn, shift)
            ok = (signup.status == "offered" and cap.offer_valid(signup.offer_expires_at, now)) or (
                signup.status == "waitlisted" and snap.free > 0 and self._no_hold(shift, now)
            )
            if not ok:
                raise InvalidInput("offer_gone")
            await self._overlap(conn, user_id, shift)
            await repo.set_status(conn, signup.id, "confirmed", now)
            project = await repo.project(conn, shift.project_id)
            assert project is not None
            fresh = await repo.signup_by_id(conn, signup.id)
            assert fresh is not None
            await self._schedule_reminders(conn, shift, project, fresh, now)
            return SignUpResult("confirmed", await self._card(conn, shift, user_id))

    async def pass_offer(self, user_id: int, shift_id: int) -> ShiftCard:
        """'Pass': the held place goes to the next person waiting."""
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            signup = await repo.signup(conn, shift_id, user_id) if shift else None
            if shift is None or signup is None or signup.status not in ("offered", "waitlisted"):
                raise InvalidInput("offer_gone")
            await self._leave(conn, shift, signup, now, "passed")
            return await self._card(conn, shift, user_id)

    # ------------------------------------------------------------------ my shifts, calendar

    async def my_shifts(self, user_id: int) -> list[ShiftCard]:
        async with self.db.read() as conn:
            rows = await repo.of_user(conn, user_id, ACTIVE, after=self.now())
            return [await self._card(conn, shift, user_id) for _, shift in rows]

    async def ics(self, user_id: int, shift_id: int | None = None) -> tuple[bytes, str]:
        """An .ics file: one shift (with an alarm) or all of the person's upcoming shifts."""
        from bot.calendar_files import shifts_ics

        async with self.db.read() as conn:
            lang = await self._lang(conn, user_id)
            rows = await repo.of_user(conn, user_id, ("confirmed", "offered", "waitlisted"), after=self.now())
            cards = [
                await self._card(conn, s, user_id) for _, s in rows if shift_id is None or s.id == shift_id
            ]
        if shift_id is not None and not cards:
            raise InvalidInput("not_signed_up")
        name = f"shift-{shift_id}.ics" if shift_id is not None else "my-shifts.ics"
        return shifts_ics(cards, lang, self.services.renderer, self.now()), name

    # ------------------------------------------------------------------ check-in and hours

    async def check_in(self, user_id: int, shift_id: int, method: str = "button") -> CheckIn:
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            signup = await repo.signup(conn, shift_id, user_id) if shift else None
            if shift is None or shift.status != "open" or signup is None or signup.status != "confirmed":
                raise InvalidInput("not_signed_up")
            return await self._check_in(conn, shift, signup, method, now)

    async def _check_in(
        self, conn: aiosqlite.Connection, shift: repo.Shift, signup: repo.Signup, method: str, now: datetime
    ) -> CheckIn:
        if signup.checked_in_at is not None:
            return CheckIn(await self._card(conn, shift, signup.user_id), True, signup.checked_in_at)
        if not rules.in_checkin_window(shift.starts_at, shift.ends_at, now):
            opens, closes = rules.checkin_window(shift.starts_at, shift.ends_at)
            raise InvalidInput("checkin_window", opens=opens, closes=closes, early=now < opens)
        await repo.check_in(conn, signup.id, method, now)
        return CheckIn(await self._card(conn, shift, signup.user_id), False, now)

    async def check_in_code(self, user_id: int, code: str) -> CheckIn:
        """The QR poster's deep link: check in to your shift of that project happening now."""
        async with self.db.tx() as conn:
            now = self.now()
            project = await repo.project_by_code(conn, code.strip()[:40]) if code.strip() else None
            if project is None:
                raise InvalidInput("bad_code")
            mine = [
                (g, s)
                for g, s in await repo.of_user(conn, user_id, ("confirmed",), after=now - timedelta(hours=1))
                if s.project_id == project.id
            ]
            if not mine:
                raise InvalidInput("no_shift_here", project=project)
            for signup, shift in mine:
                if signup.checked_in_at is not None or rules.in_checkin_window(
                    shift.starts_at, shift.ends_at, now
                ):
                    return await self._check_in(conn, shift, signup, "qr", now)
            signup, shift = mine[0]
            return await self._check_in(conn, shift, signup, "qr", now)

    async def location_shared(
        self, user_id: int, latitude: float, longitude: float
    ) -> tuple[ShiftCard, bool, int]:
        """A location shared just after checking in: is it within the project's radius?"""
        async with self.db.tx() as conn:
            now = self.now()
            for signup, shift in await repo.of_user(
                conn, user_id, ("confirmed",), after=now - timedelta(hours=1)
            ):
                if signup.checked_in_at is None or now - signup.checked_in_at > CHECKIN_RECENT:
                    continue
                project = await repo.project(conn, shift.project_id)
                assert project is not None
                if project.latitude is None or project.longitude is None:
                    continue
                distance = int(distance_m(latitude, longitude, project.latitude, project.longitude))
                ok = distance <= project.radius_m
                await repo.set_location_ok(conn, signup.id, ok, now)
                return await self._card(conn, shift, user_id), ok, distance
        raise InvalidInput("no_recent_checkin")

    async def hours(self, user_id: int) -> Hours:
        async with self.db.read() as conn:
            now = self.now()
            lang = await self._lang(conn, user_id)
            user = await users_repo.get(conn, user_id)
            served = await repo.served(conn, user_id)
            no_shows = await repo.no_shows(conn, user_id, now)
            by_project: dict[int, float] = {}
            year = now.astimezone(self.tz).year
            this_year = 0.0
            for row in served:
                h = rules.hours_of(row.starts_at, row.ends_at)
                by_project[row.project_id] = by_project.get(row.project_id, 0.0) + h
                if row.starts_at.astimezone(self.tz).year == year:
                    this_year += h
            projects = []
            for project_id, h in by_project.items():
                project = await repo.project(conn, project_id)
                projects.append((project.title_in(lang) if project else "?", round(h, 2)))
        return Hours(
            total=round(sum(by_project.values()), 2),
            this_year=round(this_year, 2),
            shifts=len(served),
            no_shows=no_shows,
            projects=projects,
            name=user.name if user else str(user_id),
        )

    async def certificate(self, user_id: int) -> tuple[bytes, str]:
        """A PDF certificate of hours served, in the person's language."""
        from bot.certificates import certificate_pdf

        hours = await self.hours(user_id)
        if hours.shifts == 0:
            raise InvalidInput("no_hours")
        async with self.db.read() as conn:
            lang = await self._lang(conn, user_id)
        pdf = certificate_pdf(hours, lang, self.services.renderer, self.now().astimezone(self.tz).date())
        return pdf, "volunteer-certificate.pdf"

    # ------------------------------------------------------------------ availability

    async def set_availability(self, user_id: int, slots: list[str]) -> list[str]:
        from bot.domain.projects_yaml import SLOTS

        chosen = [s for s in SLOTS if s in slots]
        async with self.db.tx() as conn:
            user = await users_repo.get(conn, user_id)
            await repo.set_availability(conn, user_id, chosen, user.building_id if user else None, self.now())
        return chosen

    async def toggle_availability(self, user_id: int, slot: str) -> list[str]:
        from bot.domain.projects_yaml import SLOTS

        if slot not in SLOTS:
            raise InvalidInput("bad_slot")
        async with self.db.read() as conn:
            current, _ = await repo.availability(conn, user_id)
        chosen = [s for s in current if s != slot] if slot in current else [*current, slot]
        return await self.set_availability(user_id, chosen)

    async def availability(self, user_id: int) -> list[str]:
        async with self.db.read() as conn:
            return (await repo.availability(conn, user_id))[0]

    # ------------------------------------------------------------------ organisers

    async def _project_of(self, conn: aiosqlite.Connection, shift_id: int) -> tuple[repo.Shift, repo.Project]:
        shift = await repo.shift(conn, shift_id)
        if shift is None:
            raise InvalidInput("shift_gone")
        project = await repo.project(conn, shift.project_id)
        assert project is not None
        return shift, project

    async def organiser_shifts(self, actor_id: int, days: int = 7) -> list[ShiftCard]:
        """Upcoming (and today's) shifts of the projects this person organises."""
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, actor_id)
            if not (access.is_organiser or access.is_staff):
                raise NotAllowed(NOT_ORGANISER)
            projects = [
                p for p in await repo.active_projects(conn) if access.organises(p.key) or access.is_staff
            ]
            now = self.now()
            start_of_day = datetime.combine(now.astimezone(self.tz).date(), time(0), self.tz)
            shifts = await repo.shifts_between(
                conn, start_of_day, now + timedelta(days=days), [p.id for p in projects]
            )
            return [await self._card(conn, s) for s in shifts if s.status == "open"][:30]

    async def roster(self, actor_id: int, shift_id: int) -> Roster:
        async with self.db.read() as conn:
            shift, project = await self._project_of(conn, shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            if not (access.organises(project.key) or access.is_staff):
                raise NotAllowed(NOT_ORGANISER)
            signups = await repo.of_shift(conn, shift_id, ACTIVE)
            users = await users_repo.get_many(conn, [s.user_id for s in signups])
            lines = [
                RosterLine(
                    s.id, s.user_id, users[s.user_id].name if s.user_id in users else str(s.user_id), s.status,
                    s.checked_in_at, s.attended, s.coming_at is not None,
                )
                for s in signups
            ]  # fmt: skip
            asked_ids = await repo.asked(conn, shift_id)
            asked_users = await users_repo.get_many(conn, asked_ids)
            asked = [asked_users[u].name if u in asked_users else str(u) for u in asked_ids]
            return Roster(await self._card(conn, shift), lines, asked)

    async def mark(self, actor_id: int, signup_id: int, present: bool) -> Roster:
        """The organiser (or staff) marks a volunteer present or absent from the roster."""
        async with self.db.tx() as conn:
            now = self.now()
            signup = await repo.signup_by_id(conn, signup_id)
            if signup is None or signup.status != "confirmed":
                raise InvalidInput("not_signed_up")
            shift, project = await self._project_of(conn, signup.shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            if not (access.organises(project.key) or access.is_staff):
                raise NotAllowed(NOT_ORGANISER)
            if now < shift.starts_at - rules.CHECKIN_EARLY:
                raise InvalidInput("too_early_to_mark")
            await repo.mark_attendance(conn, signup_id, present, actor_id, now)
            await roles_repo.audit(
                conn,
                now,
                actor_id,
                "vol.mark",
                f"shift:{shift.id}",
                f"user {signup.user_id} present={present}",
            )
        return await self.roster(actor_id, shift.id)

    async def message_shift(self, actor_id: int, shift_id: int, text: str) -> int:
        """The organiser writes to everyone on a shift (through the outbox, each in their language)."""
        text = text.strip()
        if not text or len(text) > MESSAGE_MAX:
            raise InvalidInput("message_length", max=MESSAGE_MAX)
        async with self.db.tx() as conn:
            now = self.now()
            shift, project = await self._project_of(conn, shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            if not access.organises(project.key):
                raise NotAllowed(NOT_ORGANISER)
            if shift.status != "open" or shift.ends_at <= now:
                raise InvalidInput("shift_over")
            people = await repo.of_shift(conn, shift_id, ("confirmed", "offered"))
            sender = await users_repo.get(conn, actor_id)
            card = await self._card(conn, shift)
            stamp = int(now.timestamp() * 1000)
            for person in people:
                await self._notify(
                    conn, person.user_id, "volunteer/organiser_message.html",
                    f"{self._prefix(shift_id, person.user_id)}msg:{stamp}", now,
                    starts_at=shift.starts_at, own=True, expires_at=shift.ends_at,
                    card=card, message=text, sender=sender.name if sender else "",
                )  # fmt: skip
            await roles_repo.audit(conn, now, actor_id, "vol.message", f"shift:{shift_id}", text[:200])
            return len(people)

    async def cancel_shift(self, actor_id: int, shift_id: int) -> tuple[ShiftCard, int]:
        """Cancel one shift (administrators or its organiser): everyone on it is told, reminders withdrawn."""
        async with self.db.tx() as conn:
            now = self.now()
            shift, project = await self._project_of(conn, shift_id)
            access = await self.services.access.of_in(conn, actor_id)
            if not access.organises(project.key):
                raise NotAllowed(NOT_ORGANISER)
            if shift.status != "open":
                raise InvalidInput("shift_gone")
            if shift.ends_at <= now:
                raise InvalidInput("shift_over")
            told = await self._cancel_shift(conn, shift, actor_id, now)
            await roles_repo.audit(conn, now, actor_id, "vol.cancel_shift", f"shift:{shift_id}", project.key)
            refreshed = await repo.shift(conn, shift_id)
            assert refreshed is not None
            return await self._card(conn, refreshed), told

    async def _cancel_shift(
        self, conn: aiosqlite.Connection, shift: repo.Shift, actor_id: int | None, now: datetime
    ) -> int:
        await repo.cancel_shift(conn, shift.id, actor_id, now)
        people = await repo.of_shift(conn, shift.id, ACTIVE)
        card = await self._card(conn, shift)
        for person in people:
            await repo.set_status(conn, person.id, "cancelled", now)
            await outbox.cancel_prefix(conn, self._prefix(shift.id, person.user_id), now)
            await self._notify(
                conn, person.user_id, "volunteer/shift_cancelled.html",
                f"{self._prefix(shift.id, person.user_id)}cancelled", now,
                starts_at=shift.starts_at, own=True, expires_at=shift.starts_at, card=card,
            )  # fmt: skip
        return len(people)

    async def poster(self, actor_id: int, project_id: int, bot_username: str) -> tuple[bytes, str]:
        from bot.certificates import poster_pdf

        async with self.db.read() as conn:
            project = await repo.project(conn, project_id)
            if project is None:
                raise InvalidInput("project_gone")
            access = await self.services.access.of_in(conn, actor_id)
            if not (access.organises(project.key) or access.is_staff):
                raise NotAllowed(NOT_ORGANISER)
        link = f"https://t.me/{bot_username}?start=in-{project.checkin_code}"
        return poster_pdf(project, link, self.services.renderer), f"checkin-{project.key}.pdf"

    async def organised_projects(self, actor_id: int) -> list[repo.Project]:
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, actor_id)
            if not (access.is_organiser or access.is_staff):
                raise NotAllowed(NOT_ORGANISER)
            return [p for p in await repo.active_projects(conn) if access.organises(p.key) or access.is_staff]

    async def attendance_csv(self, actor_id: int | None, month: str) -> tuple[bytes, str]:
        """A month's attendance (shifts starting in it) as CSV for the national volunteer platform.

        `actor_id=None` is the command line (an operator with database access): every project.
        """
        try:
            first = date.fromisoformat(f"{month.strip()}-01")
        except ValueError:
            raise InvalidInput("bad_month", month=month[:20]) from None
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        start = datetime.combine(first, time(0), self.tz)
        end = datetime.combine(nxt, time(0), self.tz)
        async with self.db.read() as conn:
            keys = None
            if actor_id is not None:
                access = await self.services.access.of_in(conn, actor_id)
                if not access.is_organiser:
                    raise NotAllowed(NOT_ORGANISER)
                if not access.is_admin:
                    keys = list(access.organiser_scopes)
            rows = await repo.attendance_between(conn, start, end, keys)
        now = self.now()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["volunteer_id", "name", "project", "project_title", "date", "start", "end", "hours", "status"]
        )
        for r in rows:
            local_start, local_end = r.starts_at.astimezone(self.tz), r.ends_at.astimezone(self.tz)
            if r.attended:
                status = "attended"
            elif r.ends_at > now:
                status = "upcoming"
            else:
                status = "absent" if r.attended is False else "no_show"
            writer.writerow([
                r.user_id, _csv_safe(r.name), r.project_key, _csv_safe(r.project_title),
                local_start.date().isoformat(), f"{local_start:%H:%M}", f"{local_end:%H:%M}",
                rules.hours_of(r.starts_at, r.ends_at) if r.attended else 0, status,
            ])  # fmt: skip
        return ("\ufeff" + out.getvalue()).encode("utf-8"), f"volunteer-attendance-{first:%Y-%m}.csv"

    # ------------------------------------------------------------------ teams

    async def claim_team(self, user_id: int, shift_id: int, places: int) -> tuple[repo.Team, ShiftCard]:
        """A linked enterprise liaison holds places on one shift for their company's team."""
        if not 1 <= places <= 50:
            raise InvalidInput("team_places")
        async with self.db.tx() as conn:
            now = self.now()
            companies = await enterprises_repo.of_liaison(conn, user_id)
            if not companies:
                raise NotAllowed(N_("Sorry, only a company's linked liaison can claim places for a team."))
            shift = await self._open_shift(conn, shift_id, now)
            snap = await self._snapshot(conn, shift)
            available = snap.free - snap.waiting
            if places > available:
                raise InvalidInput("team_too_many", free=max(0, available))
            release = max(now, min(shift.starts_at - self.team_release, shift.starts_at - self.offer_lead))
            code = secrets.token_hex(3).upper()
            team_id = await repo.insert_team(
                conn, shift_id, companies[0].id, user_id, places, code, release, now
            )
            await roles_repo.audit(
                conn, now, user_id, "vol.team_claim", f"shift:{shift_id}", f"{companies[0].key} x{places}"
            )
            team = await repo.team_by_code(conn, code)
            assert team is not None and team.id == team_id
            return team, await self._card(conn, shift, user_id)

    async def join_team(self, user_id: int, code: str) -> SignUpResult:
        code = code.strip().upper()[:12]
        async with self.db.read() as conn:
            team = await repo.team_by_code(conn, code) if code else None
            if team is None or team.released_at is not None:
                raise InvalidInput("bad_team_code")
            if await repo.team_members(conn, team.id) >= team.places:
                raise InvalidInput("team_full")
        return await self.sign_up(user_id, team.shift_id, team_id=team.id)

    # ------------------------------------------------------------------ importing projects

    async def import_projects(self, text: str, actor_id: int | None = None) -> ImportResult:
        """Create or update projects from the YAML file; any problem raises and nothing changes."""
        now = self.now()
        specs = parse_projects(text, now, self.tz)
        added: list[str] = []
        updated: list[str] = []
        created = cancelled = 0
        async with self.db.tx() as conn:
            for spec in specs:
                building_id = None
                if spec.building:
                    building = await buildings_repo.by_code(conn, spec.building)
                    if building is None:
                        from bot.domain.projects_yaml import ProjectFileError

                        raise ProjectFileError([f"line {spec.line}: unknown building code {spec.building!r}"])
                    building_id = building.id
                existed = await repo.project_by_key(conn, spec.key) is not None
                project_id = await repo.upsert_project(
                    conn, _project_values(spec, building_id), secrets.token_hex(4), now
                )
                (updated if existed else added).append(spec.key)
                await repo.replace_schedules(conn, project_id, [_schedule_values(s) for s in spec.schedules])
                c1, c2 = await self._sync_shifts(conn, project_id, spec, now)
                created += c1
                cancelled += c2
            await roles_repo.audit(conn, now, actor_id, "vol.import", "projects", ", ".join(added + updated))
        return ImportResult(added, updated, created, cancelled)

    async def _sync_shifts(
        self, conn: aiosqlite.Connection, project_id: int, spec: ProjectSpec, now: datetime
    ) -> tuple[int, int]:
        """Make the project's future shifts match the file: new ones created, vanished ones cancelled."""
        today = now.astimezone(self.tz).date()
        horizon = today + timedelta(weeks=spec.weeks_ahead)
        wanted: dict[datetime, tuple[datetime, int]] = {}
        for s in spec.schedules:
            schedule = rules.Schedule(s.weekdays, s.start, s.end, s.capacity, s.first_day, s.last_day, s.skip)
            for starts, ends in rules.expand(schedule, today, horizon, self.tz):
                if starts > now:
                    wanted[starts] = (ends, s.capacity)
        for o in spec.one_offs:
            starts, ends = rules.local_slot(o.day, o.start, o.end, self.tz)
            wanted[starts] = (ends, o.capacity)
        created = cancelled = 0
        existing = await repo.shifts_between(conn, now, datetime.max.replace(tzinfo=UTC), [project_id])
        schedules = [s for s in await repo.active_schedules(conn) if s.project_id == project_id]
        for shift in existing:
            if shift.status != "open":
                continue
            if shift.starts_at not in wanted or wanted[shift.starts_at][0] != shift.ends_at:
                await self._cancel_shift(conn, shift, None, now)
                cancelled += 1
            else:
                await repo.set_shift_capacity(conn, shift.id, wanted[shift.starts_at][1])
                del wanted[shift.starts_at]
        for starts, (ends, capacity) in sorted(wanted.items()):
            schedule_id = next((s.id for s in schedules if _in_schedule(s, starts, self.tz)), None)
            old = await repo.shift_at(conn, project_id, starts)
            if old is not None:
                await repo.reopen_shift(conn, old.id, ends, capacity)
                created += 1
            elif await repo.insert_shift(conn, project_id, schedule_id, starts, ends, capacity, now):
                created += 1
        for s in schedules:
            await repo.set_generated_until(conn, s.id, horizon)
        return created, cancelled

    # ------------------------------------------------------------------ ticks

    async def tick(self) -> dict[str, int]:
        """Everything time-based of the feature; each step reads what is due and records it in one tx."""
        done = {
            "generated": await self._generate(),
            "expired": await self._expire_offers(),
            "released": await self._release_teams(),
            "asked": await self._fill_empty(),
        }
        return done

    async def _generate(self) -> int:
        """Extend recurring schedules so there are always `weeks_ahead` weeks of shifts to sign up for."""
        made = 0
        async with self.db.tx() as conn:
            now = self.now()
            today = now.astimezone(self.tz).date()
            for s in await repo.active_schedules(conn):
                project = await repo.project(conn, s.project_id)
                assert project is not None
                horizon = today + timedelta(weeks=project.weeks_ahead)
                if s.generated_until is not None and s.generated_until >= horizon:
                    continue
                first = (s.generated_until + timedelta(days=1)) if s.generated_until else today
                schedule = rules.Schedule(
                    s.weekdays, time.fromisoformat(s.start_time), time.fromisoformat(s.end_time), s.capacity,
                    s.first_day, s.last_day, s.skip_days,
                )  # fmt: skip
                for starts, ends in rules.expand(schedule, first, horizon, self.tz):
                    if starts > now and await repo.insert_shift(
                        conn, s.project_id, s.id, starts, ends, s.capacity, now
                    ):
                        made += 1
                await repo.set_generated_until(conn, s.id, horizon)
        return made

    async def _expire_offers(self) -> int:
        async with self.db.tx() as conn:
            now = self.now()
            expired = await repo.expired_offers(conn, now)
            for signup in expired:
                shift = await repo.shift(conn, signup.shift_id)
                assert shift is not None
                await self._leave(conn, shift, signup, now, "expired")
            return len(expired)

    async def _release_teams(self) -> int:
        async with self.db.tx() as conn:
            now = self.now()
            teams = await repo.teams_to_release(conn, now)
            for team in teams:
                await repo.release_team(conn, team.id, now)
                shift = await repo.shift(conn, team.shift_id)
                assert shift is not None
                await self._fill_from_waitlist(conn, shift, now)
            return len(teams)

    async def _fill_empty(self) -> int:
        """24 h ahead, offer a shift that still has free places to matching volunteers — once."""
        asked = 0
        async with self.db.tx() as conn:
            now = self.now()
            for shift in await repo.shifts_to_fill(conn, now, now + self.fill_ahead):
                await repo.mark_fill_offered(conn, shift.id, now)
                project = await repo.project(conn, shift.project_id)
                assert project is not None
                snap = await self._snapshot(conn, shift)
                if snap.free == 0 or snap.waiting > 0 or not project.slot:
                    continue
                card = await self._card(conn, shift)
                for user_id in await repo.available_for(conn, project.slot, project.building_id, shift.id):
                    await repo.record_ask(conn, shift.id, user_id, now)
                    await self._notify(
                        conn, user_id, "volunteer/fill_ask.html", f"{self._prefix(shift.id, user_id)}fill", now,
                        starts_at=shift.starts_at, own=False, expires_at=shift.starts_at - self.offer_lead,
                        buttons_for=lambda lang, sid=shift.id: [[button(self._t(lang, N_("Sign me up")), FEATURE, "s", sid)]],
                        kind="vol_fill", card=card,
                    )  # fmt: skip
                    asked += 1
        return asked

    # ------------------------------------------------------------------ figures for the stats feature

    async def figures(self, since: datetime, until: datetime) -> dict[str, float]:
        """Sign-ups, attendance rate, hours served and no-shows of shifts starting in [since, until)."""
        async with self.db.read() as conn:
            f = await repo.figures(conn, since, until, self.now())
        ended, attended = int(f["ended"]), int(f["attended"])
        return {
            "signups": int(f["signups"]),
            "attendance_rate": round(attended / ended, 3) if ended else 0.0,
            "hours_served": round(f["hours"], 2),
            "no_shows": ended - attended,
            "late_cancellations": int(f["late"]),
        }


# ---------------------------------------------------------------------------- module helpers


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): enough for 'is this person at the desk'."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _csv_safe(value: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is shown as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _in_schedule(s: repo.ScheduleRow, starts: datetime, tz: Any) -> bool:
    local = starts.astimezone(tz)
    return local.weekday() in s.weekdays and f"{local:%H:%M}" == s.start_time


def _project_values(spec: ProjectSpec, building_id: int | None) -> dict[str, object]:
    values: dict[str, object] = {"key": spec.key, "kind": spec.kind}
    for field_name in ("title", "description", "requirements", "place"):
        for lang in repo.LANGS:
            values[f"{field_name}_{lang}"] = getattr(spec, field_name)[lang]
    values.update(
        address=spec.address,
        latitude=spec.latitude,
        longitude=spec.longitude,
        radius_m=spec.radius_m,
        building_id=building_id,
        capacity=spec.capacity,
        reminders=",".join(r.describe() for r in spec.reminders),
        slot=spec.slot,
        weeks_ahead=spec.weeks_ahead,
    )
    return values


def _schedule_values(s: Any) -> dict[str, object]:
    return {
        "weekdays": s.weekdays,
        "start_time": f"{s.start:%H:%M}",
        "end_time": f"{s.end:%H:%M}",
        "capacity": s.capacity,
        "first_day": s.first_day.isoformat(),
        "last_day": s.last_day.isoformat() if s.last_day else None,
        "skip_days": {d.isoformat() for d in s.skip},
    }
