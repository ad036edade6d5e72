# i18n-domain: enterprises
"""Visits and follow-up: staff log a visit (outcome, notes, an optional dated next step), which
restarts the colour's follow-up clock.

A late visit is not reminded once and forgotten: the tick reminds the building's staff chat at the
deadline and then on the colour's cadence (BOT_ENTERPRISE_REMINDERS: red every working day,
orange every other, yellow weekly...) at the station's opening, until a visit is logged or the
colour changes; after every BOT_ENTERPRISE_REMINDER_CLIMB reminders it climbs one tier, whose chat
hears it too. Each chat gets one message per round: the 09:00 digest of its buildings' late visits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import groupby
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain import risk
from bot.domain.worktime import is_working_time
from bot.services.base import InvalidInput, UseCases
from bot.services.enterprises.cards import OPEN_CARD, Card
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
REMINDERS_PER_ROUND = 1000
DIGEST_LINES = 30  # late visits named in one chat's digest (the rest are counted)
DIGEST_BUTTONS = 8  # the worst of them also get a button that opens their card


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
        """Remind about late visits, then (hourly) look for colours worth suggesting."""
        await self.remind()
        await self.services.enterprises.suggestions.sweep()

    async def remind(self) -> int:
        """The reminders due now, in working hours: one digest per staff chat; how many were sent."""
        now = self.now()
        if not is_working_time(now, self.deadlines.cal):
            return 0
        climb = self.settings.enterprise_reminder_climb
        async with self.db.tx() as conn:
            due = await risk_repo.due_reminders(conn, now, limit=REMINDERS_PER_ROUND)
            if not due:
                return 0
            enterprises = await enterprises_repo.get_many(conn, [f.enterprise_id for f in due])
            staff_chats = await roles_repo.all_staff_chats(conn)
            by_chat: dict[int, list[Reminder]] = defaultdict(list)
            sent = 0
            for followup in due:
                rule = self.settings.enterprise_reminders[followup.colour]
                next_at = rule.next_at(now, self.deadlines.cal)
                if not await risk_repo.record_reminder(conn, followup, now, next_at):
                    continue
                enterprise = enterprises.get(followup.enterprise_id)
                if enterprise is None:
                    continue
                count = followup.reminders + 1
                tier = risk.reminder_tier(count, climb)
                reminder = Reminder(enterprise, followup, count, tier)
                sent += 1
                chats = {roles_repo.chat_among(staff_chats, t, enterprise.building_id) for t in {1, tier}}
                for chat in chats:
                    if chat is not None:
                        by_chat[chat.chat_id].append(reminder)
            if by_chat:
                await self._digests(conn, by_chat, now)
            return sent

    async def _digests(
        self, conn: aiosqlite.Connection, by_chat: dict[int, list[Reminder]], now: datetime
    ) -> None:
        """One message per chat: its late visits by building, worst first, and each building's count."""
        lang = self.settings.default_language
        buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)}
        late = await risk_repo.overdue_by_building(conn, now)
        for chat_id, reminders in by_chat.items():
            reminders.sort(
                key=lambda r: (
                    r.enterprise.building_id or 0,
                    -risk.SEVERITY[r.followup.colour],
                    r.enterprise.name,
                )
            )
            groups = [
                (buildings.get(building_id) if building_id else None, list(items), late.get(building_id, {}))
                for building_id, items in groupby(reminders, key=lambda r: r.enterprise.building_id)
            ]
            worst = sorted(reminders, key=lambda r: (-risk.SEVERITY[r.followup.colour], -r.count))
            buttons = [
                [
                    OPEN_CARD.button(
                        f"{risk.EMOJI[r.followup.colour]} {r.enterprise.name}"[:40], r.enterprise.id
                    )
                ]
                for r in worst[:DIGEST_BUTTONS]
            ]
            text = self.render(
                lang,
                "enterprises/visits_digest.html",
                groups=groups,
                total=len(reminders),
                climb=self.settings.enterprise_reminder_climb,
                emoji=risk.EMOJI,
                labels=risk.LABELS,
                colours=risk.COLOURS,
                shown=DIGEST_LINES,
            )
            await outbox.enqueue(
                conn,
                chat_id=chat_id,
                kind="enterprise_reminder",
                text=text,
                now=now,
                dedupe_key=f"ent:visits:{chat_id}:{ts(now)}",
                buttons=buttons,
            )


@dataclass(frozen=True)
class Reminder:
    """One late visit reminded in this round: its count so far and the tier it has climbed to."""

    enterprise: Enterprise
    followup: risk_repo.FollowUp
    count: int
    tier: int
