# i18n-domain: enterprises
"""Colours: staff mark an enterprise green, blue, yellow, orange or red, always with a reason.

Every change, whoever makes it (a person, an accepted suggestion, an import), goes through
`change`: it is recorded in the colour history and the audit log with its source, restarts the
follow-up clock and retires the suggestions it answers. `alert` then tells the staff chats of the
colours' tiers (orange: tier 2, red: tier 3; the old colour's tier too, so they learn it is
settled) through the outbox, in the same transaction: one message per chat, a single alert for
one change and one digest for many (an import), never one message per company.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
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
DIGEST_LINES = 25  # changes listed by name in one digest (the rest are counted)
DIGEST_BUTTONS = 8  # the worst of them also get a button that opens their card
# The history's source of a change -> who holds the colour afterwards (enterprises.colour_source).
HOLDER = {"staff": "staff", "suggestion": "staff", "import": "import"}


@dataclass(frozen=True)
class ColourChanged:
    card: Card
    alerted_tier: int | None


@dataclass(frozen=True)
class Change:
    """One recorded colour change, as its alert shows it."""

    id: int
    enterprise: Enterprise  # as it was before the change (a new enterprise: as created)
    previous: str | None  # the colour before (None: a new enterprise)
    colour: str
    reason: str
    source: str  # staff, suggestion or import
    by: int | None
    due: datetime


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
            change = await self.change(conn, enterprise, colour, reason, "staff", user_id)
            tiers = await self.alert(conn, [change])
            changed = await enterprises_repo.get(conn, enterprise.id)
            card = await registry.card_in(conn, changed or enterprise)
        return ColourChanged(card, max(tiers, default=None))

    async def change(
        self,
        conn: aiosqlite.Connection,
        enterprise: Enterprise,
        colour: str,
        reason: str,
        source: str,
        by: int | None,
    ) -> Change:
        """Record the change with its source and restart the follow-up clock (callers checked the person may).

        The caller then passes its changes to `alert`, once per transaction.
        """
        now = self.now()
        await enterprises_repo.set_colour(conn, enterprise.id, colour, ts(now), HOLDER[source])
        change_id = await risk_repo.add_change(
            conn, enterprise.id, enterprise.colour, colour, reason, source, by, now
        )
        due = self.deadlines.due(colour, now)
        await risk_repo.set_followup(conn, enterprise.id, colour, now, due)
        await risk_repo.supersede(conn, enterprise.id, now)
        await roles_repo.audit(
            conn,
            now,
            by,
            "enterprise.colour",
            f"enterprise:{enterprise.id}",
            f"{source}: {enterprise.colour}->{colour}: {reason}",
        )
        return Change(change_id, enterprise, enterprise.colour, colour, reason, source, by, due)

    def tiers_of(self, change: Change) -> set[int]:
        """The tiers whose chat hears of a change: those of the new colour and of the old one."""
        rules = self.deadlines.rules
        found = {rules[change.colour].alert_tier}
        if change.previous is not None:
            found.add(rules[change.previous].alert_tier)
        return {tier for tier in found if tier is not None}

    async def alert(self, conn: aiosqlite.Connection, changes: list[Change]) -> set[int]:
        """Tell each concerned staff chat once: one change as an alert, several as one digest.

        Returns the tiers whose chats were told.
        """
        by_chat: dict[int, list[Change]] = defaultdict(list)
        tiers_by_chat: dict[int, int] = {}
        chats = await roles_repo.all_staff_chats(conn)  # an import alerts about hundreds at once
        for change in changes:
            for tier in sorted(self.tiers_of(change)):
                chat = roles_repo.chat_among(chats, tier, change.enterprise.building_id)
                if chat is not None and change not in by_chat[chat.chat_id]:
                    by_chat[chat.chat_id].append(change)
                    tiers_by_chat[chat.chat_id] = tier
        if not by_chat:
            return set()
        now = self.now()
        lang = self.settings.default_language
        buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)}
        people = await users_repo.get_many(conn, sorted({c.by for c in changes if c.by}))
        for chat_id, told in by_chat.items():
            first = told[0]
            values = {
                "buildings": buildings,
                "people": people,
                "emoji": risk.EMOJI,
                "labels": risk.LABELS,
            }
            if len(told) == 1:
                text = self.render(lang, "enterprises/alert_colour.html", change=first, **values)
                buttons = [[OPEN_CARD.button(self.gettext(lang, OPEN_CARD_LABEL), first.enterprise.id)]]
            else:
                worst = sorted(told, key=lambda c: (-risk.SEVERITY[c.colour], c.enterprise.name))
                text = self.render(
                    lang,
                    "enterprises/alert_digest.html",
                    changes=worst[:DIGEST_LINES],
                    more=len(told) - DIGEST_LINES,
                    **values,
                )
                buttons = [
                    [OPEN_CARD.button(f"{risk.EMOJI[c.colour]} {c.enterprise.name}"[:40], c.enterprise.id)]
                    for c in worst[:DIGEST_BUTTONS]
                ]
            await outbox.enqueue(
                conn,
                chat_id=chat_id,
                kind="enterprise_alert",
                text=text,
                now=now,
                dedupe_key=f"ent:colours:{chat_id}:{first.id}",
                buttons=buttons,
            )
        return set(tiers_by_chat.values())
