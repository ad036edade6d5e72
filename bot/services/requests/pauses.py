# i18n-domain: requests
"""Honest pauses: a request's clock stops while it waits on someone, and the wait never lasts for ever.

Waiting on the requester (a question): they are nudged after BOT_WAIT_NUDGE of working time and
the request is closed without an answer after BOT_WAIT_CLOSE, with a notice; their reply reopens
it. Waiting on another department or a third party: staff give an expected date (at most
BOT_PAUSE_MAX ahead) and the handler is reminded that morning. A request may be paused
BOT_PAUSE_LIMIT times. Every due time is a column of `request_pauses` that the ladder's tick reads
and clears in the transaction that acts on it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import aiosqlite

from bot.domain import requests as rules
from bot.domain.worktime import WORKING_DAY, next_working_start
from bot.services.base import InvalidInput
from bot.services.requests.base import RequestUseCases
from bot.services.requests.ladder import deadlines_of
from bot.services.requests.views import Outcome
from bot.storage import outbox as outbox_repo
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage.requests import RequestRow


class Pauses(RequestUseCases):
    """Pausing a request's clock, resuming it, and what happens while it waits."""

    async def start(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        now: datetime,
        actor_id: int,
        reason: str,
        *,
        question: str | None = None,
        party: str | None = None,
        expected_on: date | None = None,
    ) -> RequestRow:
        """Stop the clock of `r` (in the caller's transaction): one pause row with its due times."""
        if r.status == "waiting":
            raise InvalidInput("already_waiting", reference=r.reference)
        limit = self.settings.pause_limit
        if await desk_repo.pause_count(conn, r.id) >= limit:
            raise InvalidInput("pause_limit", reference=r.reference, max=limit)
        clock = self.sla.clock
        on_requester = reason == "requester"
        await desk_repo.start_pause(
            conn,
            r.id,
            reason,
            now,
            actor_id,
            party=party,
            expected_on=expected_on,
            nudge_at=clock.add(now, self.wait_nudge) if on_requester else None,
            close_at=clock.add(now, self.wait_close) if on_requester else None,
            remind_at=self._morning_of(expected_on) if expected_on else None,
        )
        await repo.update(
            conn,
            r.id,
            now,
            status="waiting",
            paused_at=now,
            wait_on=reason,
            question=question,
            asked_by=actor_id if on_requester else None,
        )
        return await self.reload(conn, r)

    def _morning_of(self, day: date) -> datetime:
        """When the station opens on `day` (or the next working day)."""
        opening, _ = self.calendar.hours(day)
        return next_working_start(opening, self.calendar)

    async def resume_in(
        self, conn: aiosqlite.Connection, r: RequestRow, now: datetime, how: str
    ) -> RequestRow:
        """The clock runs again with the time each deadline had left when the pause began."""
        await desk_repo.end_pause(conn, r.id, now, how)
        paused_at = r.paused_at or now
        resumed = self.sla.resume(deadlines_of(r), paused_at, now)
        await repo.update(
            conn,
            r.id,
            now,
            status="claimed" if r.claimed_by else "new",
            paused_at=None,
            wait_on=None,
            question=None,
            asked_by=None,
            respond_by=resumed.respond_by,
            resolve_by=resumed.resolve_by,
            warn_at=resumed.warn_at,
            closed_at=None,
            close_reason=None,
        )
        return await self.reload(conn, r)

    # ------------------------------------------------------------------ staff: another department, resume

    def expected_date(self, text: str | None, now: datetime) -> tuple[str, date]:
        """ "Tax bureau 12-05" / "Tax bureau 3" -> (who, when), within BOT_PAUSE_MAX of working time."""
        today = self.calendar.local_date(now)
        latest = self.calendar.local_date(self.sla.clock.add(now, self.pause_max))
        parsed = rules.parse_expected(text or "", today)
        if parsed is None:
            raise InvalidInput("expected_format")
        party, when = parsed
        if len(party) > rules.PARTY_MAX:
            raise InvalidInput("party_length", max=rules.PARTY_MAX)
        if isinstance(when, int):
            when = self.calendar.local_date(self.sla.clock.add(now, when * self._day()))
        if when > latest:
            raise InvalidInput("expected_too_far", latest=latest.isoformat())
        return party, when

    def _day(self) -> timedelta:
        return WORKING_DAY if self.sla.clock.mode == "working" else timedelta(days=1)

    async def wait_on(self, actor_id: int, request_id: int, reason: str, text: str | None) -> Outcome:
        """Waiting on another department or a third party, until an expected date (the clock stops)."""
        if reason not in ("department", "third_party"):
            raise InvalidInput("wait_reason")
        now = self.now()
        party, expected_on = self.expected_date(text, now)
        async with self.db.tx() as conn:
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            r = await self.start(conn, r, now, actor_id, reason, party=party, expected_on=expected_on)
            event_id = await repo.add_event(
                conn, r.id, now, actor_id, "paused", r.tier, f"{party} · {expected_on.isoformat()}"
            )
            await self.requests.staff.audit(conn, now, actor_id, "pause", r, f"{reason} {expected_on}")
            cards = self.requests.cards
            await cards.refresh(conn, r, now)
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:n:paused:{event_id}",
                "requests/notice_paused.html",
                party=party,
                expected_on=expected_on,
                reason=reason,
            )
            return Outcome(r.reference, "paused", r.tier, party)

    async def resume(self, actor_id: int, request_id: int) -> Outcome:
        """Staff press Resume: the answer came (by phone, from the department): the clock runs again."""
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            if r.status != "waiting":
                raise InvalidInput("not_waiting", reference=r.reference)
            r = await self.resume_in(conn, r, now, "resumed")
            await repo.add_event(conn, r.id, now, actor_id, "resumed", r.tier)
            await self.requests.cards.refresh(conn, r, now)
            return Outcome(r.reference, "resumed", r.tier)

    # ------------------------------------------------------------------ the requester's side

    def may_reopen(self, r: RequestRow, now: datetime) -> bool:
        """Closed for want of an answer, a reply within REOPEN_DAYS opens it again."""
        if r.status != "closed" or r.close_reason != "no_answer" or r.closed_at is None:
            return False
        return now - r.closed_at <= timedelta(days=rules.REOPEN_DAYS)

    async def reopen_in(
        self, conn: aiosqlite.Connection, r: RequestRow, now: datetime, user_id: int
    ) -> RequestRow:
        """The requester answered after all: the request is open again, its clock where it stopped."""
        r = await self.resume_in(conn, r, now, "reopened")
        await repo.add_event(conn, r.id, now, user_id, "reopened", r.tier)
        return r

    # ------------------------------------------------------------------ the tick

    async def tick(self, conn: aiosqlite.Connection, now: datetime) -> dict[str, int]:
        """Nudge requesters, close what waited too long, remind handlers of expected dates."""
        done = {"nudged": 0, "closed_no_answer": 0, "wait_reminded": 0}
        cards = self.requests.cards
        for pause in await desk_repo.due_pauses(conn, "nudge_at", now):
            await desk_repo.clear_due(conn, pause.id, "nudge_at")
            r = await repo.get(conn, pause.request_id)
            if r is None or r.status != "waiting" or pause.close_at is None:
                continue
            await repo.add_event(conn, r.id, now, None, "nudged", r.tier)
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:nudge:{pause.id}",
                "requests/notice_nudge.html",
                partial(cards.reply_button, r.id),
                close_on=pause.close_at,
            )
            done["nudged"] += 1
        for pause in await desk_repo.due_pauses(conn, "close_at", now):
            r = await repo.get(conn, pause.request_id)
            if r is None or r.status != "waiting":
                await desk_repo.clear_due(conn, pause.id, "close_at")
                continue
            await desk_repo.end_pause(conn, r.id, now, "closed")
            await repo.update(conn, r.id, now, status="closed", closed_at=now, close_reason="no_answer")
            await repo.add_event(conn, r.id, now, None, "closed_no_answer", r.tier)
            r = await self.reload(conn, r)
            await cards.refresh(conn, r, now)
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:noanswer:{pause.id}",
                "requests/notice_closed_no_answer.html",
                partial(cards.reply_button, r.id),
                days=rules.REOPEN_DAYS,
            )
            done["closed_no_answer"] += 1
        for pause in await desk_repo.due_pauses(conn, "remind_at", now):
            await desk_repo.clear_due(conn, pause.id, "remind_at")
            r = await repo.get(conn, pause.request_id)
            if r is None or r.status != "waiting":
                continue
            await repo.add_event(conn, r.id, now, None, "wait_reminded", r.tier, pause.party)
            await self._remind_handler(conn, r, now, pause)
            done["wait_reminded"] += 1
        return done

    async def _remind_handler(
        self, conn: aiosqlite.Connection, r: RequestRow, now: datetime, pause: desk_repo.PauseRow
    ) -> None:
        """The expected date has come: the handler hears it in private, else the card's chat does."""
        values: dict[str, Any] = {
            "party": pause.party,
            "expected_on": pause.expected_on,
            "reason": pause.reason,
        }
        key = f"req:{r.id}:waitdue:{pause.id}"
        if r.claimed_by is None:
            await self.requests.cards.alert_staff(
                conn, r, now, key=key, template="requests/staff_wait_due.html", thread=True, **values
            )
            return
        lang = await self.lang_of(conn, r.claimed_by)
        view = await self.requests.cards.view(conn, r, lang, history=0)
        await outbox_repo.enqueue(
            conn,
            chat_id=r.claimed_by,
            kind="staff_alert",
            text=self.render(lang, "requests/staff_wait_due.html", card=view, **values),
            now=now,
            dedupe_key=key,
        )
