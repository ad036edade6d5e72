# i18n-domain: enterprises
"""Colours: staff mark an enterprise green, blue, yellow, orange or red, always with a reason.

A change is recorded in the colour history and the audit log, restarts the follow-up clock,
retires the suggestions it answers, and alerts the colour's staff chat (orange: tier 2, red:
tier 3) through the outbox, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from bot.storage import users as users_repo
from bot.storage.db import ts
from bot.storage.enterprises import Enterprise

if TYPE_CHECKING:
    from bot.services import Services


REASON_MAX = 500


@dataclass(frozen=True)
class ColourChanged:
    card: Card
    alerted_tier: int | None


class Colours(UseCases):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.deadlines = Deadlines(self.settings)

    async def check_colour(self, user_id: int, enterprise_id: int, colour: str) -> Enterprise:
        """A colour button was pressed: may this person set it? (The reason is asked next.)"""
        registry = self.services.enterprises.registry
        async with self.db.read() as conn:
            access = await registry.staff_in(conn, user_id)
            if colour not in risk.SEVERITY:
                raise InvalidInput("ent_bad_button")
            enterprise = await registry.editable_in(conn, access, enterprise_id)
        if enterprise.colour == colour:
            raise InvalidInput("ent_same_colour", colour=colour)
        return enterprise

    @staticmethod
    def clean_reason(text: str | None) -> str:
        """A typed reason (for a colour, or for dismissing a suggestion) on one line: required, not too long.

        Handlers check it first, so that a problem with the text asks for it again.
        """
        reason = " ".join((text or "").split())
        if not reason:
            raise InvalidInput("ent_reason_missing")
        if len(reason) > REASON_MAX:
            raise InvalidInput("ent_reason_long", max=REASON_MAX)
        return reason

    async def set_colour(self, user_id: int, enterprise_id: int, colour: str, reason: str) -> ColourChanged:
        if colour not in risk.SEVERITY:
            raise InvalidInput("ent_bad_button")
        reason = self.clean_reason(reason)
        registry = self.services.enterprises.registry
        async with self.db.tx() as conn:
            access = await registry.staff_in(conn, user_id)
            enterprise = await registry.editable_in(conn, access, enterprise_id)
            if enterprise.colour == colour:
                raise InvalidInput("ent_same_colour", colour=colour)
            tier = await self.change(conn, enterprise, colour, reason, "staff", user_id)
            changed = await enterprises_repo.get(conn, enterprise.id)
            card = await registry.card_in(conn, changed or enterprise)
        return ColourChanged(card, tier)

    async def change(
        self,
        conn: aiosqlite.Connection,
        enterprise: Enterprise,
        colour: str,
        reason: str,
        source: str,
        by: int | None,
    ) -> int | None:
        """Record the change, restart the follow-up clock, alert the colour's tier chat (once per change).

        Returns the tier whose chat was alerted, if any. Callers have checked the person may.
        """
        now = self.now()
        await enterprises_repo.set_colour(conn, enterprise.id, colour, ts(now))
        change_id = await risk_repo.add_change(
            conn, enterprise.id, enterprise.colour, colour, reason, source, by, now
        )
        await risk_repo.set_followup(conn, enterprise.id, colour, now, self.deadlines.due(colour, now))
        await risk_repo.supersede(conn, enterprise.id, now)
        await roles_repo.audit(
            conn,
            now,
            by,
            "enterprise.colour",
            f"enterprise:{enterprise.id}",
            f"{enterprise.colour}->{colour}: {reason}",
        )
        rule = self.deadlines.rules[colour]
        if rule.alert_tier is None:
            return None
        chat = await roles_repo.chat_for(conn, rule.alert_tier, enterprise.building_id)
        if chat is None:
            return None
        followup = await risk_repo.followup(conn, enterprise.id)
        actor = await users_repo.get(conn, by) if by else None
        building = await buildings_repo.get(conn, enterprise.building_id) if enterprise.building_id else None
        lang = self.settings.default_language
        text = self.render(
            lang,
            "enterprises/alert_colour.html",
            enterprise=enterprise,
            building=building,
            colour=colour,
            previous=enterprise.colour,
            reason=reason,
            actor=actor,
            due=followup.due_at if followup else None,
            emoji=risk.EMOJI,
            labels=risk.LABELS,
        )
        await outbox.enqueue(
            conn,
            chat_id=chat.chat_id,
            kind="enterprise_alert",
            text=text,
            now=now,
            dedupe_key=f"ent:{enterprise.id}:colour:{change_id}",
            buttons=[[OPEN_CARD.button(self.gettext(lang, OPEN_CARD_LABEL), enterprise.id)]],
        )
        return rule.alert_tier
