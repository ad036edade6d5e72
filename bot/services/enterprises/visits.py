# i18n-domain: enterprises
"""Visits and follow-up: staff log a visit (outcome, notes, an optional dated next step), which
restarts the colour's follow-up clock; the scheduler tick reminds the building's staff chat when
a visit is late (and escalates orange and red to tier 3), once per deadline.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain import risk
from bot.services.base import InvalidInput, UseCases
from bot.services.enterprises.cards import OPEN_CARD, OPEN_CARD_LABEL, Card
from bot.services.enterprises.deadlines import Deadlines
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage import visits as visits_repo
from bot.storage.db import from_ts, ts
from bot.storage.enterprises import Enterprise

if TYPE_CHECKING:
    from bot.services import Services


NOTES_MAX = 1000
NEXT_STEP_MAX = 300
REMINDERS_PER_ROUND = 100


class Visits(UseCases):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.deadlines = Deadlines(self.settings)

    def today(self) -> date:
        return self.now().astimezone(self.settings.tz).date()

    # ------------------------------------------------------------------ logging a visit

    async def check_visit(self, user_id: int, enterprise_id: int) -> Enterprise:
        """ "Log a visit" was pressed: may this person? (The outcome, notes and next step are asked next.)"""
        registry = self.services.enterprises.registry
        async with self.db.read() as conn:
            access = await registry.staff_in(conn, user_id)
            return await registry.editable_in(conn, access, enterprise_id)

    @staticmethod
    def take_notes(text: str | None) -> str:
        """The visit's notes as typed (checked in full when the visit is logged): not empty."""
        notes = (text or "").strip()
        if not notes:
            raise InvalidInput("ent_notes_missing")
        return notes

    @staticmethod
    def parse_visit_notes(text: str) -> tuple[date | None, str]:
        """Notes may start with the visit's date (YYYY-MM-DD) when it was not today."""
        text = (text or "").strip()
        first, _, rest = text.partition(" ")
        try:
            return date.fromisoformat(first), rest.strip()
        except ValueError:
            return None, text

    def parse_next_step(self, text: str | None) -> tuple[date, str]:
        """'YYYY-MM-DD what to do' -> (date, what), the date from today on; else InvalidInput."""
        first, _, rest = (text or "").strip().partition(" ")
        try:
            when = date.fromisoformat(first)
        except ValueError:
            raise InvalidInput("ent_next_format") from None
        rest = " ".join(rest.split())
        if not rest:
            raise InvalidInput("ent_next_format")
        if len(rest) > NEXT_STEP_MAX:
            raise InvalidInput("ent_next_long", max=NEXT_STEP_MAX)
        if when < self.today():
            raise InvalidInput("ent_next_past")
        return when, rest

    async def log_visit(
        self,
        user_id: int,
        enterprise_id: int,
        outcome: str,
        notes: str,
        next_step: str | None = None,
        next_step_on: date | None = None,
    ) -> Card:
        """A visit restarts the colour's follow-up clock (a next step's date may bring it forward)."""
        if outcome not in visits_repo.OUTCOMES:
            raise InvalidInput("ent_bad_button")
        visited_on, notes = self.parse_visit_notes(notes)
        notes = notes.strip()
        if not notes:
            raise InvalidInput("ent_notes_missing")
        if len(notes) > NOTES_MAX:
            raise InvalidInput("ent_notes_long", max=NOTES_MAX)
        now = self.now()
        today = now.astimezone(self.settings.tz).date()
        if visited_on is not None and (visited_on > today or (today - visited_on).days > 365):
            raise InvalidInput("ent_visit_date")
        if next_step_on is not None and next_step_on < today:
            raise InvalidInput("ent_next_past")
        visited_at = now
        if visited_on is not None and visited_on != today:
            visited_at = datetime.combine(visited_on, time(12, 0), tzinfo=self.settings.tz)
        registry = self.services.enterprises.registry
        async with self.db.tx() as conn:
            access = await registry.staff_in(conn, user_id)
            enterprise = await registry.editable_in(conn, access, enterprise_id)
            await visits_repo.add(
                conn, enterprise.id, visited_at, user_id, outcome, notes, now, next_step, next_step_on
            )
            colour_since = from_ts(await enterprises_repo.colour_changed_at(conn, enterprise.id))
            started = max(visited_at, colour_since or visited_at)
            due = self.deadlines.due(enterprise.colour, started)
            if next_step_on is not None:
                step_due = datetime.combine(next_step_on, time(9, 0), tzinfo=self.settings.tz)
                due = min(due, step_due)
            await risk_repo.set_followup(conn, enterprise.id, enterprise.colour, started, due)
            await roles_repo.audit(
                conn,
                now,
                user_id,
                "enterprise.visit",
                f"enterprise:{enterprise.id}",
                f"{outcome}: {notes[:200]}",
            )
            return await registry.card_in(conn, enterprise)

    # ------------------------------------------------------------------ the scheduler tick

    async def tick(self) -> None:
        """Remind about passed follow-up deadlines, then (hourly) look for colours worth suggesting."""
        while await self.remind():
            pass
        await self.services.enterprises.suggestions.sweep()

    async def remind(self) -> int:
        """One batch of late visits: remind the building's chat, escalate orange and red; how many were due."""
        now = self.now()
        async with self.db.tx() as conn:
            due = await risk_repo.due_followups(conn, now, limit=REMINDERS_PER_ROUND)
            if not due:
                return 0
            enterprises = await enterprises_repo.get_many(conn, [f.enterprise_id for f in due])
            buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)}
            for followup in due:
                enterprise = enterprises.get(followup.enterprise_id)
                escalate_tier = risk.ESCALATE_OVERDUE.get(followup.colour)
                if not await risk_repo.mark_reminded(
                    conn, followup.enterprise_id, followup.due_at, now, escalate_tier is not None
                ):
                    continue
                if enterprise is None:
                    continue
                building = buildings.get(enterprise.building_id) if enterprise.building_id else None
                await self._remind_one(conn, enterprise, building, followup, escalate_tier, now)
            return len(due)

    async def _remind_one(
        self,
        conn: aiosqlite.Connection,
        enterprise: Enterprise,
        building: buildings_repo.Building | None,
        followup: risk_repo.FollowUp,
        escalate_tier: int | None,
        now: datetime,
    ) -> None:
        lang = self.settings.default_language
        last = await visits_repo.last_visit_at(conn, enterprise.id)
        key = f"ent:{enterprise.id}:due:{ts(followup.due_at)}"
        buttons = [[OPEN_CARD.button(self.gettext(lang, OPEN_CARD_LABEL), enterprise.id)]]

        def reminder(escalated: bool) -> str:
            return self.render(
                lang,
                "enterprises/reminder.html",
                escalated=escalated,
                enterprise=enterprise,
                building=building,
                followup=followup,
                last_visit=last,
                emoji=risk.EMOJI,
                labels=risk.LABELS,
            )

        # The building's tier-1 chat, and for orange and red also the escalation tier's (once).
        targets: list[tuple[int, str, bool, str]] = []
        chat = await roles_repo.chat_for(conn, 1, enterprise.building_id)
        if chat is not None:
            targets.append((chat.chat_id, "enterprise_reminder", False, key))
        if escalate_tier is not None:
            top = await roles_repo.chat_for(conn, escalate_tier, enterprise.building_id)
            if top is not None and (chat is None or top.chat_id != chat.chat_id):
                targets.append((top.chat_id, "enterprise_escalation", True, key + ":esc"))
        for chat_id, kind, escalated, dedupe_key in targets:
            await outbox.enqueue(
                conn,
                chat_id=chat_id,
                kind=kind,
                text=reminder(escalated),
                now=now,
                dedupe_key=dedupe_key,
                buttons=buttons,
            )
