"""Privacy rights (PIPL): see everything stored about oneself, erase it, share a phone only by choice.

`export` and `forget` walk storage/personal_data.TABLES, the one list of every table and text
column (a test keeps it complete). Erasure keeps the rows (and their ids, times, states,
buildings) so counts and statistics stay right; what identifies or was written by the person, or
about them, is replaced by "[erased]" or cleared, and their values are found and erased in every
text that may quote them, however it was escaped, reflowed, cut or spaced (bot/domain/erasure.py).
Staff cards still on screen are edited through the outbox, and the write-ahead log is emptied so
the erased values are in neither database file.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from bot.services.base import InvalidInput, UseCases
from bot.storage import privacy as privacy_repo
from bot.storage import users as users_repo
from bot.storage.db import ts
from bot.storage.privacy import Cell

if TYPE_CHECKING:
    from bot.services import Services

_PHONE = re.compile(r"^\+?[0-9]{5,20}$")


class Export(TypedDict):
    """/mydata's file: a mapping, written out as JSON as it is."""

    about: str
    user_id: int
    generated_at: str
    tables: dict[str, list[dict[str, Cell]]]
    # Each feature's own account of what it holds: titles and dates instead of internal ids.
    sections: dict[str, object]
    summaries: list[str]  # the same, as Telegram HTML in the person's language (/mydata shows them)


@dataclass(frozen=True)
class Section:
    """What one feature holds about a person, readable: a summary and the data behind it."""

    summary: str  # Telegram HTML, in the person's language
    data: object  # JSON-serialisable (titles and dates, not internal ids)


# A feature adds its section once, at start-up (services/volunteer registers "volunteering").
SectionProvider = Callable[["Services", int, str], Awaitable[Section | None]]
SECTIONS: dict[str, SectionProvider] = {}


def register_section(name: str, provider: SectionProvider) -> None:
    SECTIONS[name] = provider


@dataclass(frozen=True)
class PrivacyStatus:
    has_phone: bool
    forgotten: bool


@dataclass(frozen=True)
class Erasure:
    rows: int
    again: bool  # the person had been erased before and nothing new was found (a double tap)


class PrivacyService(UseCases):
    async def status(self, user_id: int) -> PrivacyStatus:
        async with self.db.read() as conn:
            user = await users_repo.get(conn, user_id)
        return PrivacyStatus(bool(user and user.phone), bool(user and user.forgotten_at))

    async def export(self, user_id: int) -> Export:
        """Everything stored about the person, table by table (only rows that are theirs)."""
        async with self.db.read() as conn:
            tables = await privacy_repo.export(conn, user_id)
            lang = self.services.users.language_of(await users_repo.get(conn, user_id))
        sections: dict[str, object] = {}
        summaries: list[str] = []
        for name, provider in SECTIONS.items():
            section = await provider(self.services, user_id, lang)
            if section is not None:
                sections[name] = section.data
                summaries.append(section.summary)
        return Export(
            about="Personal data held by the Jing'an Temple Party-mass Service Station bot",
            user_id=user_id,
            generated_at=ts(self.now()),
            tables=tables,
            sections=sections,
            summaries=summaries,
        )

    async def forget(self, user_id: int) -> Erasure:
        """Erase the person's personal data everywhere, in one transaction; counts stay right.

        A person is counted once however often they ask (a double tap on "Yes, erase" is one
        person); asking again still erases whatever they wrote since.
        """
        async with self.db.tx() as conn:
            now = self.now()
            counted_before = await privacy_repo.forgotten_at(conn, user_id) is not None
            values = await privacy_repo.values_of(conn, user_id)
            rows = await privacy_repo.erase_rows(conn, user_id)
            scrubbed = await privacy_repo.scrub(conn, values.needles())
            rows += scrubbed.count
            await privacy_repo.cancel_pending_to(conn, user_id, now)
            await privacy_repo.cancel_erased_files(conn, now)
            cards = self.services.requests.cards
            theirs = await privacy_repo.request_ids_of(conn, user_id) if rows else []
            for request_id in theirs:
                await cards.show_erased(conn, request_id, now)
            for request_id in await privacy_repo.requests_quoting(conn, scrubbed):
                if request_id not in theirs:
                    await cards.redraw(conn, request_id, now)
            await privacy_repo.mark_forgotten(conn, user_id, now)
            await privacy_repo.count_erasure(conn, now, people=0 if counted_before else 1, rows=rows)
        await self.db.checkpoint()
        return Erasure(rows, again=counted_before and rows == 0)

    async def set_phone(self, user_id: int, phone: str, *, contact_user_id: int | None) -> str:
        """Store a phone number the person shared with Telegram's contact button.

        Only their OWN contact is accepted (`contact_user_id` must be them): a forwarded card of
        someone else, or a typed number, never becomes a stored phone number.
        """
        if contact_user_id != user_id:
            raise InvalidInput("not_own_contact")
        phone = re.sub(r"[\s().-]", "", phone or "")
        if not _PHONE.match(phone):
            raise InvalidInput("bad_phone")
        if not phone.startswith("+"):
            phone = "+" + phone
        async with self.db.tx() as conn:
            await users_repo.update(conn, user_id, self.now(), phone=phone)
        return phone

    async def clear_phone(self, user_id: int) -> bool:
        async with self.db.tx() as conn:
            user = await users_repo.get(conn, user_id)
            if user is None or user.phone is None:
                return False
            await users_repo.update(conn, user_id, self.now(), phone=None)
        return True
