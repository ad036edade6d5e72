"""The staff side of a request: the card's buttons (claim, note, ask, resolve, escalate), /req, /bindchat.

Every method is one transaction that checks who is acting at the moment of the press (the rules of
services/access.py), changes the request, writes an event row (the request's audit trail) and the
shared audit log, and queues the card's edit and the requester's notice through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

import aiosqlite

from bot.domain import requests as rules
from bot.domain.escalation import TOP_TIER, next_digest_at
from bot.services.access import (
    Access,
    ensure,
    may_bind_staff_chat,
    may_handle_request,
    may_look_up_requests,
    request_refusal,
    sees_request,
)
from bot.services.base import InvalidInput
from bot.services.requests.base import NOT_ALLOWED, NOT_BINDER, RequestUseCases, checked_words
from bot.services.requests.presenter import CARD_HISTORY
from bot.services.requests.views import Outcome, RequestView
from bot.storage import buildings as buildings_repo
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage import roles as roles_repo
from bot.storage.outbox import Buttons
from bot.storage.requests import RequestRow


class StaffDesk(RequestUseCases):
    """What staff do to a request from its card, and the staff commands of the feature."""

    @staticmethod
    def check_note(text: str | None) -> str:
        """The words of a note, question, resolution or escalation reason (1 to NOTE_MAX characters)."""
        return checked_words(text, rules.NOTE_MAX, "note_length")

    async def handled(self, conn: aiosqlite.Connection, actor_id: int, request_id: int) -> RequestRow:
        """The request a staff button refers to, if this person may act on it now."""
        r = await repo.get(conn, request_id)
        access = await self.services.access.of_in(conn, actor_id)
        ensure(
            r is not None and may_handle_request(access, r),
            request_refusal(access, r, NOT_ALLOWED) if r is not None else NOT_ALLOWED,
        )
        assert r is not None  # refused above: an id we never gave out
        if r.status not in rules.OPEN_STATUSES:
            raise InvalidInput("not_open", reference=r.reference)
        return r

    @staticmethod
    async def audit(
        conn: aiosqlite.Connection, now: datetime, actor_id: int, action: str, r: RequestRow, detail: str = ""
    ) -> None:
        await roles_repo.audit(conn, now, actor_id, f"request.{action}", r.reference, detail[:200])

    async def may_act(self, actor_id: int, request_id: int) -> str:
        """Checked when a card button that needs typing is pressed (and again when the text comes)."""
        async with self.db.read() as conn:
            r = await self.handled(conn, actor_id, request_id)
        return r.reference

    async def claim(self, actor_id: int, request_id: int) -> Outcome:
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.handled(conn, actor_id, request_id)
            if r.claimed_by is not None:
                raise InvalidInput("already_claimed", reference=r.reference)
            await repo.update(
                conn,
                r.id,
                now,
                status="waiting" if r.status == "waiting" else "claimed",
                claimed_by=actor_id,
                claimed_at=now,
                respond_by=None,
            )
            event_id = await repo.add_event(conn, r.id, now, actor_id, "claimed", r.tier)
            await self.audit(conn, now, actor_id, "claim", r)
            r = await self.reload(conn, r)
            await self.requests.cards.refresh(conn, r, now)
            await self.requests.cards.tell_requester(
                conn, r, now, f"req:{r.id}:n:claimed:{event_id}", "requests/notice_claimed.html"
            )
            return Outcome(r.reference, "claimed", r.tier)

    async def note(self, actor_id: int, request_id: int, text: str | None) -> Outcome:
        note = self.check_note(text)
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.handled(conn, actor_id, request_id)
            await repo.add_event(conn, r.id, now, actor_id, "note", r.tier, note)
            await self.audit(conn, now, actor_id, "note", r, note)
            await repo.update(conn, r.id, now)
            await self.requests.cards.refresh(conn, r, now)
            return Outcome(r.reference, "noted", r.tier)

    async def ask(self, actor_id: int, request_id: int, text: str | None) -> Outcome:
        """Need info: the question goes to the requester and the clock stops until they answer."""
        question = self.check_note(text)
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.handled(conn, actor_id, request_id)
            r = await self.requests.pauses.start(conn, r, now, actor_id, "requester", question=question)
            event_id = await repo.add_event(conn, r.id, now, actor_id, "asked", r.tier, question)
            await self.audit(conn, now, actor_id, "ask", r, question)
            cards = self.requests.cards
            await cards.refresh(conn, r, now)
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:ask:{event_id}",
                "requests/notice_question.html",
                partial(cards.reply_button, r.id),
                question=question,
            )
            return Outcome(r.reference, "asked", r.tier)

    async def resolve(self, actor_id: int, request_id: int, text: str | None) -> Outcome:
        """Resolved: the deadlines stop and the requester is asked to rate it (or say "not solved")."""
        resolution = self.check_note(text)
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.handled(conn, actor_id, request_id)
            await desk_repo.end_pause(conn, r.id, now, "resolved")
            await repo.update(
                conn,
                r.id,
                now,
                status="resolved",
                wait_on=None,
                resolution=resolution,
                resolved_by=actor_id,
                resolved_at=now,
                claimed_by=actor_id,
                claimed_at=r.claimed_at if r.claimed_by == actor_id else now,
                respond_by=None,
                resolve_by=None,
                warn_at=None,
                paused_at=None,
                question=None,
                asked_by=None,
            )
            event_id = await repo.add_event(conn, r.id, now, actor_id, "resolved", r.tier, resolution)
            await self.audit(conn, now, actor_id, "resolve", r, resolution)
            r = await self.reload(conn, r)
            cards = self.requests.cards
            await cards.refresh(conn, r, now)
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:n:resolved:{event_id}",
                "requests/notice_resolved.html",
                partial(cards.rating_buttons, r.id),
            )
            return Outcome(r.reference, "resolved", r.tier)

    async def escalate(self, actor_id: int, request_id: int, text: str | None) -> Outcome:
        reason = self.check_note(text)
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.handled(conn, actor_id, request_id)
            if r.tier >= TOP_TIER:
                raise InvalidInput("top_tier", reference=r.reference)
            await self.audit(conn, now, actor_id, "escalate", r, reason)
            r = await self.requests.ladder.step_up(
                conn, r, now, actor_id=actor_id, reason=reason, kind="escalated"
            )
            return Outcome(r.reference, "escalated", r.tier)

    async def history(
        self, actor_id: int, reference_text: str, lang: str, *, chat_id: int = 0
    ) -> tuple[RequestView, Buttons | None]:
        """/req <reference>: the card and its whole audit trail, for staff who cover its building."""
        reference = rules.parse_reference(reference_text)
        if reference is None:
            raise InvalidInput("reference")
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_look_up_requests(access), NOT_ALLOWED)
            await self.check_place(conn, chat_id or actor_id)
            r = await repo.by_reference(conn, reference)
            if r is None or not sees_request(access, r):
                raise InvalidInput("unknown_reference", reference=reference)
            return await self._shown(conn, access, r, lang, None)

    async def card(
        self, actor_id: int, request_id: int, lang: str, *, chat_id: int = 0
    ) -> tuple[RequestView, Buttons | None]:
        """A card opened from the queue or a search (its buttons only for who may work it)."""
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, actor_id)
            await self.check_place(conn, chat_id or actor_id)
            r = await repo.get(conn, request_id)
            ensure(r is not None and sees_request(access, r), NOT_ALLOWED)
            assert r is not None  # refused above
            return await self._shown(conn, access, r, lang, CARD_HISTORY)

    async def _shown(
        self, conn: aiosqlite.Connection, access: Access, r: RequestRow, lang: str, history: int | None
    ) -> tuple[RequestView, Buttons | None]:
        cards = self.requests.cards
        buttons = cards.buttons(r, lang)
        return await cards.view(conn, r, lang, history=history), buttons if may_handle_request(
            access, r
        ) else None

    async def bind_chat(
        self, actor_id: int, chat_id: int, title: str, args: list[str]
    ) -> tuple[int, str | None]:
        """/bindchat <1-4> [building code] in a group: administrators only. Returns (tier, building)."""
        now = self.now()
        async with self.db.tx() as conn:
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_bind_staff_chat(access), NOT_BINDER)
            if chat_id >= 0:
                raise InvalidInput("bind_private")
            if not 1 <= len(args) <= 2 or args[0] not in ("1", "2", "3", "4"):
                raise InvalidInput("bind_usage")
            tier = int(args[0])
            building = None
            if len(args) == 2:
                building = await buildings_repo.by_code(conn, args[1])
                if building is None:
                    raise InvalidInput("bind_building", building=args[1][:40])
            await roles_repo.bind_chat(
                conn, chat_id, title[:128], tier, building.id if building else None, actor_id, now
            )
            await roles_repo.audit(
                conn,
                now,
                actor_id,
                "staffchat.bind",
                str(chat_id),
                f"tier={tier} building={building.code if building else '-'}",
            )
            await repo.set_digest_time(conn, chat_id, next_digest_at(now, self.calendar))
            await self._gather_cards(conn, chat_id, tier, now, title[:128])
        return tier, building.name(self.staff_lang) if building else None

    async def _gather_cards(
        self, conn: aiosqlite.Connection, chat_id: int, tier: int, now: datetime, title: str
    ) -> None:
        """Cards of this tier shown elsewhere while it had no chat now come to the chat just bound."""
        chats = await roles_repo.all_staff_chats(conn)
        for r in await desk_repo.open_requests(conn, tier):
            if r.tier != tier:
                continue
            own = roles_repo.chat_among(chats, tier, r.building_id)
            card = await self.requests.cards.card_key(conn, r)
            if own is not None and own.chat_id == chat_id and card is not None and card[0] != chat_id:
                await self.requests.cards.relocate(conn, r, now, moved_to=title)
