"""Recognised hours: /myhours (with this year's hours per project and earlier years), certificates
as PDF and PNG with a serial number, and checking a serial (anyone may: `/verify <serial>` or the
certificate's deep link).

Credited hours are those of verified check-ins or of the organiser's marks, at the shift's length
unless the organiser corrected them (storage/shifts.served).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from bot.domain.erasure import PLACEHOLDER
from bot.services.base import InvalidInput, UseCases
from bot.storage import shifts as repo
from bot.storage import users as users_repo
from bot.storage import vol_certificates as certificates_repo

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud or typed from paper
SERIAL = re.compile(r"^JA\d{2}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")


@dataclass(frozen=True)
class Hours:
    total: float
    this_year: float
    shifts: int
    no_shows: int
    projects: list[tuple[str, float]]  # this year: (title in the person's language, hours)
    name: str
    year: int = 0
    years: list[tuple[int, float]] | None = None  # earlier years, newest first
    first_day: date | None = None
    last_day: date | None = None
    all_projects: list[tuple[str, float]] | None = None  # every year: (title, hours), most first

    @property
    def named(self) -> bool:
        """False after /forgetme: the name is the placeholder, and nothing is certified to it."""
        return self.name != PLACEHOLDER

    @property
    def certifiable(self) -> bool:
        return self.shifts > 0 and self.named


@dataclass(frozen=True)
class Issued:
    pdf: bytes
    png: bytes
    serial: str
    link: str


def new_serial(year: int) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"JA{year % 100:02d}-{body[:4]}-{body[4:]}"


def normalise_serial(text: str) -> str:
    return re.sub(r"\s", "", text).upper()[:20]


class Recognition(UseCases):
    async def hours(self, user_id: int) -> Hours:
        tz = self.settings.tz
        async with self.db.read() as conn:
            now = self.now()
            lang = await self.services.volunteer.notices.language(conn, user_id)
            user = await users_repo.get(conn, user_id)
            served = await repo.served(conn, user_id)
            no_shows = await repo.no_shows(conn, user_id, now)
            year = now.astimezone(tz).year
            this_year: dict[int, float] = {}
            overall: dict[int, float] = {}
            by_year: dict[int, float] = {}
            for row in served:
                h = row.minutes / 60
                y = row.starts_at.astimezone(tz).year
                by_year[y] = by_year.get(y, 0.0) + h
                overall[row.project_id] = overall.get(row.project_id, 0.0) + h
                if y == year:
                    this_year[row.project_id] = this_year.get(row.project_id, 0.0) + h
            titles = {
                pid: (p.title_in(lang) if p else "?")
                for pid, p in (await repo.projects_many(conn, list(overall))).items()
            }

            def listed(hours: dict[int, float]) -> list[tuple[str, float]]:
                return [
                    (titles.get(pid, "?"), round(h, 2))
                    for pid, h in sorted(hours.items(), key=lambda i: -i[1])
                ]

            projects = listed(this_year)
        return Hours(
            total=round(sum(by_year.values()), 2),
            this_year=round(by_year.get(year, 0.0), 2),
            shifts=len(served),
            no_shows=no_shows,
            projects=projects,
            name=user.name if user else str(user_id),
            year=year,
            years=[(y, round(h, 2)) for y, h in sorted(by_year.items(), reverse=True) if y != year],
            first_day=served[0].starts_at.astimezone(tz).date() if served else None,
            last_day=served[-1].starts_at.astimezone(tz).date() if served else None,
            all_projects=listed(overall),
        )

    async def certificate(self, user_id: int, bot_username: str) -> Issued:
        """A certificate of the hours credited so far: a serial recorded, then a PDF and a PNG."""
        from bot.certificates import certificate_pdf, certificate_png

        hours = await self.hours(user_id)
        if hours.shifts == 0:
            raise InvalidInput("no_hours")
        if not hours.named:
            raise InvalidInput("name_erased")
        async with self.db.tx() as conn:
            now = self.now()
            lang = await self.services.volunteer.notices.language(conn, user_id)
            serial = new_serial(now.astimezone(self.settings.tz).year)
            await certificates_repo.insert(
                conn,
                certificates_repo.Certificate(
                    serial,
                    user_id,
                    hours.name,
                    hours.total,
                    hours.shifts,
                    hours.first_day,
                    hours.last_day,
                    now,
                ),
            )
        link = f"https://t.me/{bot_username}?start=cert-{serial}"
        today = now.astimezone(self.settings.tz).date()
        return Issued(
            certificate_pdf(hours, lang, self.renderer, today, serial, link),
            certificate_png(hours, lang, self.renderer, today, serial, link),
            serial,
            link,
        )

    async def verify(self, serial: str) -> certificates_repo.Certificate:
        """What a serial certifies (anyone may ask); an unknown or malformed one is refused."""
        serial = normalise_serial(serial)
        if not SERIAL.match(serial):
            raise InvalidInput("bad_serial", serial=serial[:20])
        async with self.db.read() as conn:
            found = await certificates_repo.get(conn, serial)
        if found is None:
            raise InvalidInput("unknown_serial", serial=serial)
        return found
