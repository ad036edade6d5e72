"""On the day and after: checking in (a button, the QR poster at the place, then an optional shared
location), and the hours served with their printable certificate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.domain import shifts as rules
from bot.domain.erasure import PLACEHOLDER
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ShiftCard, shift_card
from bot.storage import shifts as repo
from bot.storage import users as users_repo

CHECKIN_RECENT = timedelta(minutes=30)  # a location shared later than this after checking in is not expected


@dataclass(frozen=True)
class CheckIn:
    card: ShiftCard
    already: bool
    checked_in_at: datetime


@dataclass(frozen=True)
class LocationCheck:
    """A location shared just after checking in: was the person within the project's radius?"""

    card: ShiftCard
    ok: bool
    distance_m: int


@dataclass(frozen=True)
class Hours:
    total: float
    this_year: float
    shifts: int
    no_shows: int
    projects: list[tuple[str, float]]  # (title in the person's language, hours)
    name: str

    @property
    def named(self) -> bool:
        """False once the person erased their data: a certificate to "[erased]" certifies no one."""
        return self.name != PLACEHOLDER

    @property
    def certifiable(self) -> bool:
        return self.shifts > 0 and self.named


class CheckIns(UseCases):
    async def check_in(self, user_id: int, shift_id: int, method: str = "button") -> CheckIn:
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            signup = await repo.signup(conn, shift_id, user_id) if shift else None
            if shift is None or shift.status != "open" or signup is None or signup.status != "confirmed":
                raise InvalidInput("not_signed_up")
            return await self._check_in(conn, shift, signup, method, now)

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

    async def location_shared(self, user_id: int, latitude: float, longitude: float) -> LocationCheck | None:
        """A location shared just after checking in: is it within the project's radius?

        None when no check-in of the last half hour expected one (nothing is recorded).
        """
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
                return LocationCheck(await shift_card(conn, shift, user_id), ok, distance)
        return None

    async def _check_in(
        self, conn: aiosqlite.Connection, shift: repo.Shift, signup: repo.Signup, method: str, now: datetime
    ) -> CheckIn:
        if signup.checked_in_at is not None:
            return CheckIn(await shift_card(conn, shift, signup.user_id), True, signup.checked_in_at)
        if not rules.in_checkin_window(shift.starts_at, shift.ends_at, now):
            opens, closes = rules.checkin_window(shift.starts_at, shift.ends_at)
            raise InvalidInput("checkin_window", opens=opens, closes=closes, early=now < opens)
        await repo.check_in(conn, signup.id, method, now)
        return CheckIn(await shift_card(conn, shift, signup.user_id), False, now)

    # ------------------------------------------------------------------ hours and certificate

    async def hours(self, user_id: int) -> Hours:
        tz = self.settings.tz
        async with self.db.read() as conn:
            now = self.now()
            lang = await self.services.volunteer.notices.language(conn, user_id)
            user = await users_repo.get(conn, user_id)
            served = await repo.served(conn, user_id)
            no_shows = await repo.no_shows(conn, user_id, now)
            by_project: dict[int, float] = {}
            year = now.astimezone(tz).year
            this_year = 0.0
            for row in served:
                h = rules.hours_of(row.starts_at, row.ends_at)
                by_project[row.project_id] = by_project.get(row.project_id, 0.0) + h
                if row.starts_at.astimezone(tz).year == year:
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
        if not hours.named:
            raise InvalidInput("name_erased")
        async with self.db.read() as conn:
            lang = await self.services.volunteer.notices.language(conn, user_id)
        pdf = certificate_pdf(hours, lang, self.renderer, self.now().astimezone(self.settings.tz).date())
        return pdf, "volunteer-certificate.pdf"


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): enough for 'is this person at the desk'."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
