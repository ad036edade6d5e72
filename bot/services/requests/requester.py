"""The requester's side after filing: /myrequests, answers to staff questions, rating, "not solved".

A requester sees and answers only their own requests (a linked liaison also reads those about
the companies they represent). Every change is one transaction that also queues the staff card's
edit and any staff alert through the outbox.
"""

from __future__ import annotations

import aiosqlite

from bot.domain import requests as rules
from bot.domain.escalation import TOP_TIER
from bot.services.access import ensure, is_requester, may_withdraw
from bot.services.base import InvalidInput
from bot.services.requests.base import NOT_ALLOWED, RequestUseCases, checked_words
from bot.services.requests.views import Outcome, RequestView
from bot.storage import requests as repo
from bot.storage.requests import RequestRow


class Requester(RequestUseCases):
    """What a requester does with their own requests once filed."""

    async def mine(self, user_id: int, lang: str) -> list[RequestView]:
        async with self.db.read() as conn:
            view = self.requests.cards.view
            return [await view(conn, r, lang, history=0) for r in await repo.of_requester(conn, user_id)]

    async def of_my_companies(self, user_id: int, lang: str) -> list[RequestView]:
        """What colleagues asked about the companies this person represents (a linked liaison)."""
        async with self.db.read() as conn:
            view = self.requests.cards.view
            return [await view(conn, r, lang, history=0) for r in await repo.of_liaison(conn, user_id)]

    @staticmethod
    async def own(conn: aiosqlite.Connection, user_id: int, request_id: int) -> RequestRow:
        """A request of this requester (a user sees and answers only their own)."""
        r = await repo.get(conn, request_id)
        ensure(r is not None and is_requester(user_id, r), NOT_ALLOWED)
        assert r is not None  # refused above: an id we never gave out
        return r

    async def answer(self, user_id: int, text: str | None, *, busy: bool = False) -> Outcome | None:
        """Text typed (not a reply) in private: the answer to the person's oldest open question.

        None when no question waits, or when another conversation of theirs is waiting for this text
        (`busy`): then only a reply to the question answers it (bot/handlers/replies.py).
        """
        if busy:
            return None
        return await self.requests.conversation.answer_waiting(user_id, text)

    async def can_withdraw(self, user_id: int, request_id: int) -> str:
        """Before asking "are you sure?": is it theirs and still open? Returns the reference."""
        async with self.db.read() as conn:
            r = await self.own(conn, user_id, request_id)
        if not may_withdraw(user_id, r):
            raise InvalidInput("not_open", reference=r.reference)
        return r.reference

    async def withdraw(self, user_id: int, request_id: int) -> Outcome:
        """The requester no longer needs it: closed, and the staff see it on the card at once."""
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.own(conn, user_id, request_id)
            if not may_withdraw(user_id, r):
                raise InvalidInput("not_open", reference=r.reference)
            r = await self.requests.routing.close_in(conn, r, now, "withdrawn")
            event_id = await repo.add_event(conn, r.id, now, user_id, "withdrawn", r.tier)
            cards = self.requests.cards
            await cards.refresh(conn, r, now)
            await cards.alert_staff(
                conn,
                r,
                now,
                key=f"req:{r.id}:withdrawn:{event_id}",
                template="requests/staff_withdrawn.html",
                thread=True,
            )
            return Outcome(r.reference, "withdrawn", r.tier)

    async def rate(self, user_id: int, request_id: int, stars: int) -> Outcome:
        """One tap: the requester confirms it is solved and rates the handling."""
        if not 1 <= stars <= 5:
            raise InvalidInput("stars")
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.own(conn, user_id, request_id)
            if r.rating is not None:
                raise InvalidInput("already_rated", reference=r.reference)
            if r.status not in ("resolved", "closed"):
                raise InvalidInput("not_resolved", reference=r.reference)
            if r.status == "resolved":
                await repo.add_event(conn, r.id, now, user_id, "confirmed", r.tier)
            await repo.update(
                conn, r.id, now, status="closed", closed_at=r.closed_at or now, rating=stars, rated_at=now
            )
            await repo.add_event(conn, r.id, now, user_id, "rated", r.tier, "★" * stars)
            r = await self.reload(conn, r)
            await self.requests.cards.refresh(conn, r, now)
            return Outcome(r.reference, "rated", r.tier)

    @staticmethod
    def check_comment(text: str | None) -> str:
        """A comment after the stars: 1 to COMMENT_MAX characters."""
        return checked_words(text, rules.COMMENT_MAX, "comment_length")

    @staticmethod
    def check_reason(text: str | None) -> str:
        """Why it is not solved: 1 to NOTE_MAX characters."""
        return checked_words(text, rules.NOTE_MAX, "reason_length")

    async def comment(self, user_id: int, request_id: int, text: str | None) -> Outcome:
        """A few words after the stars (once)."""
        comment = self.check_comment(text)
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.own(conn, user_id, request_id)
            if r.rating is None or r.rating_comment is not None:
                raise InvalidInput("not_rated", reference=r.reference)
            await repo.update(conn, r.id, now, rating_comment=comment)
            await repo.add_event(conn, r.id, now, user_id, "rated", r.tier, comment)
            r = await self.reload(conn, r)
            await self.requests.cards.refresh(conn, r, now)
            return Outcome(r.reference, "commented", r.tier)

    async def can_reopen(self, user_id: int, request_id: int) -> str:
        """Before asking for the reason: is "not solved" still possible? Returns the reference."""
        async with self.db.read() as conn:
            r = await self.own(conn, user_id, request_id)
        self._check_reopen(r)
        return r.reference

    def _check_reopen(self, r: RequestRow) -> None:
        today = self.calendar.local_date(self.now())
        resolved_on = self.calendar.local_date(r.resolved_at) if r.resolved_at else None
        if not rules.may_reopen(r.status, resolved_on, today):
            raise InvalidInput("not_reopenable", reference=r.reference, days=rules.REOPEN_DAYS)

    async def not_solved(self, user_id: int, request_id: int, text: str | None) -> Outcome:
        """Back before the current tier's staff with the reason; the second time, one tier up at once."""
        reason = self.check_reason(text)
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.own(conn, user_id, request_id)
            self._check_reopen(r)
            await repo.add_event(conn, r.id, now, user_id, "not_solved", r.tier, reason)
            if r.not_solved >= 1 and r.tier < TOP_TIER:
                r = await self.requests.ladder.step_up(
                    conn, r, now, actor_id=user_id, reason=reason, kind="not_solved"
                )
                return Outcome(r.reference, "escalated", r.tier)
            d = self.sla.deadlines(r.tier, now)
            await repo.update(
                conn,
                r.id,
                now,
                status="new",
                claimed_by=None,
                claimed_at=None,
                tier_started_at=now,
                respond_by=d.respond_by,
                resolve_by=d.resolve_by,
                warn_at=d.warn_at,
                resolved_at=None,
                resolved_by=None,
                closed_at=None,
                rating=None,
                rating_comment=None,
                rated_at=None,
                not_solved=r.not_solved + 1,
            )
            r = await self.reload(conn, r)
            event = (await repo.events(conn, r.id))[-1]
            cards = self.requests.cards
            await cards.ensure(conn, r, now)
            await cards.alert_staff(
                conn,
                r,
                now,
                held_as="reopened",
                key=f"req:{r.id}:reopened:{event.id}",
                template="requests/staff_reopened.html",
                reason=reason,
            )
            return Outcome(r.reference, "reopened", r.tier)
