"""The requester's side after filing: /myrequests, answers to staff questions, rating, "not solved".

A requester sees and answers only their own requests (a linked liaison also reads those about
the companies they represent). Every change is one transaction that also queues the staff card's
edit and any staff alert through the outbox.
"""

from __future__ import annotations

import aiosqlite

from bot.domain import requests as rules
from bot.domain.escalation import TOP_TIER
from bot.services.access import ensure, is_requester
from bot.services.base import InvalidInput
from bot.services.requests.base import NOT_ALLOWED, RequestUseCases, checked_words
from bot.services.requests.ladder import deadlines_of
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
    async def _own(conn: aiosqlite.Connection, user_id: int, request_id: int) -> RequestRow:
        """A request of this requester (a user sees and answers only their own)."""
        r = await repo.get(conn, request_id)
        ensure(r is not None and is_requester(user_id, r), NOT_ALLOWED)
        assert r is not None  # refused above: an id we never gave out
        return r

    async def answer(
        self, user_id: int, text: str | None, *, reply_to: int | None = None, only_reply: bool = False
    ) -> Outcome | None:
        """The requester's answer to a staff question; None when nothing is waiting for one.

        A reply to the question message answers that request; otherwise the oldest open question
        (unless `only_reply`: the person is busy in another conversation).
        """
        async with self.db.read() as conn:
            if not await repo.waiting_for(conn, user_id):
                return None  # the usual case: no write transaction for every message a person sends
        now = self.now()
        async with self.db.tx() as conn:
            target: RequestRow | None = None
            if reply_to is not None:
                request_id = await repo.request_of_message(conn, user_id, reply_to, "req:")
                if request_id is not None:
                    candidate = await repo.get(conn, request_id)
                    if candidate and candidate.requester_id == user_id and candidate.status == "waiting":
                        target = candidate
            if target is None and not only_reply:
                waiting = await repo.waiting_for(conn, user_id)
                target = waiting[0] if waiting else None
            if target is None:
                return None
            answer = rules.clean_text(text)
            problem = rules.description_problem(answer)
            if problem:
                raise InvalidInput(problem, length=len(answer), max=rules.DESCRIPTION_MAX)
            r = target
            assert r.paused_at is not None, "a waiting request is paused"
            resumed = self.sla.resume(deadlines_of(r), r.paused_at, now)
            await repo.update(
                conn,
                r.id,
                now,
                status="claimed" if r.claimed_by else "new",
                paused_at=None,
                question=None,
                asked_by=None,
                respond_by=resumed.respond_by,
                resolve_by=resumed.resolve_by,
                warn_at=resumed.warn_at,
            )
            event_id = await repo.add_event(conn, r.id, now, user_id, "answered", r.tier, answer)
            r = await self.reload(conn, r)
            cards = self.requests.cards
            await cards.alert_staff(
                conn,
                r,
                now,
                key=f"req:{r.id}:answer:{event_id}",
                template="requests/staff_answer.html",
                answer=answer,
            )
            await cards.refresh(conn, r, now)
            return Outcome(r.reference, "answered", r.tier)

    async def rate(self, user_id: int, request_id: int, stars: int) -> Outcome:
        """One tap: the requester confirms it is solved and rates the handling."""
        if not 1 <= stars <= 5:
            raise InvalidInput("stars")
        now = self.now()
        async with self.db.tx() as conn:
            r = await self._own(conn, user_id, request_id)
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
            r = await self._own(conn, user_id, request_id)
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
            r = await self._own(conn, user_id, request_id)
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
            r = await self._own(conn, user_id, request_id)
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
