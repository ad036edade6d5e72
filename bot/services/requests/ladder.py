"""The escalation ladder at work: a step up, and the scheduler tick that reads what is due.

The tick reads only what is due and clears or moves the deadline it acted on in the same
transaction, so a restart neither skips nor repeats a step (bot/jobs/ticks.py runs it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from bot.domain import requests as rules
from bot.domain.escalation import Deadlines, due_today, next_digest_at, next_tier
from bot.services.requests.base import RequestUseCases
from bot.services.requests.views import RequestView
from bot.storage import outbox as outbox_repo
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage import roles as roles_repo
from bot.storage.requests import HeldAlert, RequestRow

# An expired prompt is kept a day, so a late reply is told it expired rather than ignored; a card
# shown by a handler keeps answering replies for three months.
PROMPTS_KEPT = timedelta(days=1)
SHOWN_KEPT = timedelta(days=90)
# Deadlines one round acts on (oldest request first); the next round, a tick later, goes on. Each
# escalation writes and renders three messages in the round's transaction, which every person's
# update waits for: a backlog after an outage is worked off at 480 an hour (BOT_TICK_SECONDS=30),
# many times the district's busiest hour, instead of in one long round.
DUE_PER_ROUND = 4


def deadlines_of(r: RequestRow) -> Deadlines:
    return Deadlines(r.respond_by, r.resolve_by, r.warn_at)


class EscalationLadder(RequestUseCases):
    """Moves requests up the four tiers and runs their deadlines (`self.sla` holds the rules)."""

    async def step_up(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        now: datetime,
        *,
        actor_id: int | None,
        reason: str | None,
        kind: str,
    ) -> RequestRow:
        """One tier up: fresh deadlines, the old card marked as passed on, a new card, the requester told.

        `kind` is 'deadline' (the tick), 'escalated' (staff) or 'not_solved' (the requester, twice).
        """
        new_tier = next_tier(r.tier)
        assert new_tier is not None, "tier 4 is reminded, never escalated"
        d = self.sla.deadlines(new_tier, now)
        await repo.add_event(
            conn,
            r.id,
            now,
            actor_id,
            "deadline_escalated" if kind == "deadline" else "escalated",
            r.tier,
            reason,
        )
        await desk_repo.end_pause(conn, r.id, now, "escalated")
        await repo.update(
            conn,
            r.id,
            now,
            tier=new_tier,
            tier_started_at=now,
            status="new",
            wait_on=None,
            claimed_by=None,
            claimed_at=None,
            respond_by=d.respond_by,
            resolve_by=d.resolve_by,
            warn_at=d.warn_at,
            paused_at=None,
            question=None,
            asked_by=None,
            not_solved=0,
            resolved_at=None,
            resolved_by=None,
            resolution=None,
            closed_at=None,
            rating=None,
            rating_comment=None,
            rated_at=None,
        )
        old_tier = r.tier
        r = await self.reload(conn, r)
        cards = self.requests.cards
        # Read once: the old card, the new one and (in the staff's language) the requester's notice.
        view = await cards.view(conn, r, self.staff_lang)
        place = await cards.pass_on(conn, r, old_tier, now, view)
        await cards.tell_requester(
            conn,
            r,
            now,
            f"req:{r.id}:n:esc:t{new_tier}",
            "requests/notice_escalated.html",
            staff_view=view,
            tier_label=rules.TIER_LABELS[new_tier],
            seen=place.how != "nowhere",
        )
        return r

    async def tick(self) -> dict[str, int]:
        """Deadlines, auto-closing, the 09:00 digests and held alerts: read what is due, act, record."""
        now = self.now()
        done = {"escalated": 0, "reminded": 0, "pinged": 0, "warned": 0, "closed": 0, "digests": 0}
        # (pauses add: nudged, closed_no_answer, wait_reminded)
        cards = self.requests.cards
        async with self.db.tx() as conn:
            for r in await repo.due(conn, now, limit=DUE_PER_ROUND):
                due = self.sla.due(r.tier, deadlines_of(r), now)
                if due.escalate:
                    await self.step_up(conn, r, now, actor_id=None, reason=None, kind="deadline")
                    done["escalated"] += 1
                    continue
                if due.remind:
                    count = r.reminders + 1
                    await repo.update(
                        conn, r.id, now, reminders=count, resolve_by=self.sla.next_reminder(now)
                    )
                    await repo.add_event(conn, r.id, now, None, "reminded", r.tier)
                    r = await self.reload(conn, r)
                    await cards.alert_staff(
                        conn,
                        r,
                        now,
                        held_as="reminder",
                        key=f"req:{r.id}:remind:{count}",
                        template="requests/staff_reminder.html",
                        count=count,
                    )
                    done["reminded"] += 1
                if due.ping:
                    await repo.update(conn, r.id, now, respond_by=None)
                    await repo.add_event(conn, r.id, now, None, "first_response_missed", r.tier)
                    await cards.alert_staff(
                        conn,
                        r,
                        now,
                        held_as="ping",
                        key=f"req:{r.id}:ping:t{r.tier}:{r.tier_started_at.timestamp():.0f}",
                        template="requests/staff_ping.html",
                    )
                    done["pinged"] += 1
                if due.warn:
                    await repo.update(conn, r.id, now, warn_at=None)
                    await repo.add_event(conn, r.id, now, None, "warned", r.tier)
                    r = await self.reload(conn, r)
                    await cards.alert_staff(
                        conn,
                        r,
                        now,
                        held_as="warning",
                        key=f"req:{r.id}:warn:t{r.tier}:{r.tier_started_at.timestamp():.0f}",
                        template="requests/staff_warning.html",
                    )
                    done["warned"] += 1
                await cards.refresh(conn, await self.reload(conn, r), now)
            done["closed"] = await self._auto_close(conn, now)
            done.update(await self.requests.pauses.tick(conn, now))
            await desk_repo.drop_expired_prompts(conn, now - PROMPTS_KEPT)
            await desk_repo.forget_shown_before(conn, now - SHOWN_KEPT)
            done["digests"] = await self._digests(conn, now)
        return done

    async def _auto_close(self, conn: aiosqlite.Connection, now: datetime) -> int:
        """Resolved and never confirmed: closed after the reopen window, so the figures settle."""
        closed = 0
        for r in await repo.resolved_before(conn, now - timedelta(days=rules.REOPEN_DAYS)):
            await repo.update(conn, r.id, now, status="closed", closed_at=now)
            await repo.add_event(conn, r.id, now, None, "closed", r.tier)
            closed += 1
        return closed

    async def _digests(self, conn: aiosqlite.Connection, now: datetime) -> int:
        """Each staff chat's 09:00 digest (overdue and due-today items plus alerts held overnight)."""
        sent = 0
        chats = await roles_repo.all_staff_chats(conn)
        times = await repo.digest_times(conn)
        held = await repo.held_due(conn, now)
        view = self.requests.cards.view
        for chat in chats:
            next_at = times.get(chat.chat_id)
            if next_at is None:
                await repo.set_digest_time(conn, chat.chat_id, next_digest_at(now, self.calendar))
                continue
            alerts = held.pop(chat.chat_id, [])
            if next_at > now and not alerts:
                continue
            digest_due = next_at <= now
            overdue: list[RequestView] = []
            today: list[RequestView] = []
            if digest_due:
                for r in await self.requests.queue.in_chat(conn, chat):  # the chat's own queue
                    if r.resolve_by is not None and r.resolve_by <= now and r.status != "waiting":
                        overdue.append(await view(conn, r, self.staff_lang, history=0))
                    elif due_today(r.resolve_by, now, self.calendar):
                        today.append(await view(conn, r, self.staff_lang, history=0))
                await repo.set_digest_time(conn, chat.chat_id, next_digest_at(now, self.calendar), now)
            held_views: list[tuple[HeldAlert, RequestView]] = []
            by_request = await repo.get_many(conn, sorted({a.request_id for a in alerts}))
            for alert in alerts:
                held_request = by_request.get(alert.request_id)
                if held_request is not None and held_request.status in rules.OPEN_STATUSES:
                    held_views.append((alert, await view(conn, held_request, self.staff_lang, history=0)))
            await repo.release(conn, [a.id for a in alerts], now)
            if not (overdue or today or held_views):
                continue
            await outbox_repo.enqueue(
                conn,
                chat_id=chat.chat_id,
                kind="staff_digest",
                text=self.render(
                    self.staff_lang,
                    "requests/digest.html",
                    overdue=overdue,
                    today=today,
                    held=held_views,
                    daily=digest_due,
                ),
                now=now,
                dedupe_key=f"req:digest:{chat.chat_id}:{now.timestamp():.0f}",
            )
            sent += 1
        return sent
