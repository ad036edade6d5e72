"""Privacy rights (PIPL): see everything stored about oneself, erase it, share a phone only by choice.

`export` and `forget` walk `storage/personal_data.REGISTRY`, so every feature that registered its
tables is covered without this module knowing it. Erasure keeps the rows (and their ids, times,
states, buildings) so counts and statistics stay right; what identifies or was written by the
person is replaced by a placeholder or cleared.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from bot.services.base import InvalidInput, UseCases
from bot.storage import personal_data
from bot.storage import privacy as privacy_repo
from bot.storage import users as users_repo
from bot.storage.db import ts
from bot.storage.privacy import Cell

if TYPE_CHECKING:
    from bot.services import Services

PLACEHOLDER = "[erased]"
# Tables of text rendered FOR others that may quote anyone; scrubbed by value, not by user id.
QUOTING_TABLES: dict[str, tuple[str, ...]] = {
    "outbox": ("text", "buttons"),
    "audit_log": ("subject", "detail"),
}
PREFIX = 24  # staff cards may quote the start of a long text: scrub that too
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


def _needles(values: list[Cell]) -> list[str]:
    """The person's strings as they may appear in rendered text: raw, HTML-escaped, and the
    first characters of long ones; longest first so a name inside a text goes with the text."""
    found: set[str] = set()
    for value in values:
        if not isinstance(value, str):
            continue
        value = value.strip()
        if len(value) < 2 or value == PLACEHOLDER:
            continue
        for form in (value, html.escape(value, quote=False), html.escape(value)):
            found.add(form)
            if len(form) > PREFIX:
                found.add(form[:PREFIX])
    return sorted(found, key=len, reverse=True)


class PrivacyService(UseCases):
    async def status(self, user_id: int) -> PrivacyStatus:
        async with self.db.read() as conn:
            user = await users_repo.get(conn, user_id)
        return PrivacyStatus(bool(user and user.phone), bool(user and user.forgotten_at))

    async def export(self, user_id: int) -> Export:
        """Everything stored about the person, table by table (only rows that are theirs)."""
        tables: dict[str, list[dict[str, Cell]]] = {}
        async with self.db.read() as conn:
            for entry in personal_data.REGISTRY:
                if not await privacy_repo.table_exists(conn, entry.table):
                    continue
                rows = await privacy_repo.rows_of(conn, entry, user_id)
                if rows:
                    tables.setdefault(entry.table, []).extend(rows)
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
        """Erase the person's personal data everywhere, in one transaction; counts stay right."""
        async with self.db.tx() as conn:
            now = self.now()
            entries = [e for e in personal_data.REGISTRY if await privacy_repo.table_exists(conn, e.table)]
            values: list[Cell] = []
            for entry in entries:
                for row in await privacy_repo.rows_of(conn, entry, user_id):
                    values.extend(row.get(c) for c in (*entry.text_columns, *entry.clear_columns))
            rows = 0
            for entry in entries:
                rows += await privacy_repo.erase(conn, entry, user_id, PLACEHOLDER)
            await privacy_repo.cancel_pending_to(conn, user_id, now)
            needles = _needles(values)
            for table, columns in QUOTING_TABLES.items():
                rows += await privacy_repo.scrub(conn, table, columns, needles, PLACEHOLDER)
            await privacy_repo.mark_forgotten(conn, user_id, now)
            await privacy_repo.count_erasure(conn, now, rows)
        return Erasure(rows)

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
