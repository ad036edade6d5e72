# i18n-domain: requests
"""What every use case of service requests shares: the station's calendar, the ladder's deadline
rules, the staff chats' language, and the words of a refusal.

Staff chats have no language of their own: cards and alerts there use BOT_DEFAULT_LANGUAGE.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain import escalation
from bot.domain import requests as rules
from bot.domain.worktime import Span, WorkCalendar, parse_sla, span_of
from bot.msgids import N_
from bot.services.base import InvalidInput, UseCases
from bot.storage import requests as repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.requests import RequestRow
from bot.storage.roles import StaffChat

if TYPE_CHECKING:
    from bot.services import Services
    from bot.services.requests import Requests

# What a refused person reads (plain text: it is also a button alert, at most 200 characters).
NOT_ALLOWED = N_("Sorry, you are not allowed to do that.")
NOT_BINDER = N_("Only administrators can bind a staff chat.")


def checked_words(text: str | None, maximum: int, problem: str) -> str:
    """Typed words trimmed at the ends (line breaks kept): 1 to `maximum` characters, else `problem`."""
    words = rules.clean_text(text)
    if not words or len(words) > maximum:
        raise InvalidInput(problem, max=maximum)
    return words


class RequestUseCases(UseCases):
    """Base of the requests use cases; they reach each other through `self.requests.<part>`."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        settings = services.settings
        self.calendar = WorkCalendar(settings.tz)
        self.sla = escalation.Ladder.from_settings(
            settings.sla_clock, settings.sla_tiers, settings.sla_first_response, settings.tz
        )
        self.staff_lang = settings.default_language
        # Waiting on the requester: nudge, then close without an answer; the furthest expected date.
        self.wait_nudge = parse_sla(settings.wait_nudge, settings.sla_clock)
        self.wait_close = parse_sla(settings.wait_close, settings.sla_clock)
        self.pause_max = parse_sla(settings.pause_max, settings.sla_clock)

    def span(self, delta: timedelta) -> Span:
        """A duration as staff read it, on the clock of the deadlines ("3 working days")."""
        return span_of(delta, self.sla.clock.mode)

    @property
    def requests(self) -> Requests:
        return self.services.requests

    async def lang_of(self, conn: aiosqlite.Connection, user_id: int) -> str:
        """The language a person reads messages in (their choice, else Telegram's, else the default)."""
        return self.services.users.language_of(await users_repo.get(conn, user_id))

    @staticmethod
    async def check_place(conn: aiosqlite.Connection, chat_id: int) -> StaffChat | None:
        """Requests are shown in private or in a bound staff chat, never in another group (its
        members may not be staff, and a card names the requester). Returns the staff chat."""
        if chat_id > 0:
            return None
        chat = await roles_repo.staff_chat(conn, chat_id)
        if chat is None:
            raise InvalidInput("not_staff_chat")
        return chat

    @staticmethod
    async def reload(conn: aiosqlite.Connection, r: RequestRow) -> RequestRow:
        """The request as it is now, after a change in this transaction."""
        fresh = await repo.get(conn, r.id)
        assert fresh is not None, "requests are never deleted"
        return fresh
