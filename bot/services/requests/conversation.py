# i18n-domain: requests
"""Talking with the requester: staff write to them from the card, and their replies come back
threaded under the card in the staff chat.

Staff reply to the card (or press "Message requester"); the text, photo or document reaches the
requester's private chat through the outbox with a Reply button. The requester replies to it (or
presses Reply) and the message is posted as a reply to the card. Messages never touch the clock:
only a question ("Need info") pauses it, and the requester's answer to a question resumes it. A
request closed for want of an answer opens again when they reply. Everything is in the history.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

import aiosqlite

from bot.domain import requests as rules
from bot.services.access import ensure, may_handle_request
from bot.services.base import InvalidInput
from bot.services.requests.base import NOT_ALLOWED, RequestUseCases
from bot.services.requests.views import Outcome
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage import users as users_repo
from bot.storage.requests import RequestRow

Media = tuple[str, str, str | None]  # (photo|document, Telegram file_id, file name)
CAPTION_MAX = 600  # words under a photo: room is left for the header within Telegram's 1,024


class Conversation(RequestUseCases):
    """Messages between staff and the requester, about one request."""

    async def request_of(self, conn: aiosqlite.Connection, chat_id: int, message_id: int) -> int | None:
        """Which request a bot message is about: a card, a notice, a relayed message, a shown card."""
        found = await repo.request_of_message(conn, chat_id, message_id, "req:")
        return found if found is not None else await desk_repo.shown_request(conn, chat_id, message_id)

    async def about(self, chat_id: int, message_id: int) -> RequestRow | None:
        async with self.db.read() as conn:
            request_id = await self.request_of(conn, chat_id, message_id)
            return await repo.get(conn, request_id) if request_id is not None else None

    async def shown(self, chat_id: int, message_id: int, request_id: int) -> None:
        """A handler showed this request's card: a reply to it talks to its requester too."""
        async with self.db.tx() as conn:
            await desk_repo.remember_shown(conn, chat_id, message_id, request_id, self.now())

    @staticmethod
    def _words(text: str | None, media: Media | None, maximum: int) -> str:
        words = rules.clean_text(text)
        limit = min(maximum, CAPTION_MAX) if media else maximum
        if (not words and media is None) or len(words) > limit:
            raise InvalidInput("message_length", max=limit, length=len(words))
        return words

    # ------------------------------------------------------------------ staff -> requester

    async def check_staff(self, actor_id: int, request_id: int) -> str:
        """Before prompting for a message: may this person write to this request's requester?"""
        async with self.db.read() as conn:
            r = await self._writable(conn, actor_id, request_id)
        return r.reference

    async def _writable(self, conn: aiosqlite.Connection, actor_id: int, request_id: int) -> RequestRow:
        r = await repo.get(conn, request_id)
        access = await self.services.access.of_in(conn, actor_id)
        ensure(r is not None and may_handle_request(access, r), NOT_ALLOWED)
        assert r is not None  # refused above
        if r.status not in (*rules.OPEN_STATUSES, "resolved"):
            raise InvalidInput("not_open", reference=r.reference)
        return r

    async def to_requester(
        self, actor_id: int, request_id: int, text: str | None, media: Media | None = None
    ) -> Outcome:
        """A progress update, a photo or a document for the requester; the clock is not touched."""
        words = self._words(text, media, rules.NOTE_MAX)
        now = self.now()
        async with self.db.tx() as conn:
            r = await self._writable(conn, actor_id, request_id)
            event_id = await repo.add_event(
                conn, r.id, now, actor_id, "to_requester", r.tier, words or None, media=media
            )
            await self.requests.staff.audit(conn, now, actor_id, "message", r, words)
            cards = self.requests.cards
            staff = await users_repo.get(conn, actor_id)
            author = staff.name if staff else None
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:to:{event_id}",
                "requests/notice_message.html",
                partial(cards.reply_button, r.id),
                media=media,
                author=author,
                words=words,
            )
            await cards.refresh(conn, r, now)
            return Outcome(r.reference, "relayed", r.tier)

    # ------------------------------------------------------------------ requester -> staff

    async def check_requester(self, user_id: int, request_id: int) -> str:
        """Before prompting for a reply: is this the person's request, and can it still hear them?"""
        async with self.db.read() as conn:
            r = await self.requests.requester.own(conn, user_id, request_id)
            self._check_listening(r)
        return r.reference

    def _check_listening(self, r: RequestRow) -> None:
        """Staff read messages about open and resolved requests, and a reply reopens one closed for
        want of an answer; other closed requests point to /request instead."""
        if r.status in (*rules.OPEN_STATUSES, "resolved") or self.requests.pauses.may_reopen(r, self.now()):
            return
        raise InvalidInput("closed_request", reference=r.reference)

    async def from_requester(
        self, user_id: int, request_id: int, text: str | None, media: Media | None = None
    ) -> Outcome:
        """The requester writes about their request: an answer (the clock runs again), a reply that
        reopens it, or a message; each is threaded under the card in the staff chat."""
        words = self._words(text, media, rules.DESCRIPTION_MAX)
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.requests.requester.own(conn, user_id, request_id)
            self._check_listening(r)
            return await self.take_in(conn, r, user_id, words, media, now)

    async def take_in(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        user_id: int,
        words: str,
        media: Media | None,
        now: datetime,
    ) -> Outcome:
        pauses = self.requests.pauses
        result = "relayed"
        if r.status == "waiting" and r.wait_on == "requester":
            r = await pauses.resume_in(conn, r, now, "answered")
            result = "answered"
        elif pauses.may_reopen(r, now):
            r = await pauses.reopen_in(conn, r, now, user_id)
            result = "reopened"
        kind = "answered" if result == "answered" else "from_requester"
        event_id = await repo.add_event(conn, r.id, now, user_id, kind, r.tier, words or None, media=media)
        cards = self.requests.cards
        if result == "reopened":
            await cards.ensure(conn, r, now)
        else:
            await cards.refresh(conn, r, now)
        await cards.alert_staff(
            conn,
            r,
            now,
            key=f"req:{r.id}:from:{event_id}",
            template="requests/staff_message.html",
            thread=True,
            media=media,
            words=words,
            result=result,
        )
        return Outcome(r.reference, result, r.tier)

    async def answer_waiting(self, user_id: int, text: str | None) -> Outcome | None:
        """Text typed (not a reply) while staff wait on this person: the answer to their oldest
        question. None when no question waits (the usual case: no write for every message)."""
        async with self.db.read() as conn:
            waiting = await repo.waiting_for(conn, user_id)
        if not waiting:
            return None
        return await self.from_requester(user_id, waiting[0].id, text)
