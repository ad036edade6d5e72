# i18n-domain: enterprises
"""Suggestions: the hourly sweep compares every colour with what its signals point to (a lease
ending, a search for offices, escalated or late requests, a low rating, a missed visit) and posts
a notice with Accept / Dismiss buttons in the building's staff chat for the worse ones, once.

A dismissal needs a reason and keeps the notice quiet until a signal appears that the dismissed
notice did not have; an acceptance changes the colour like a staff member would (with the
signals as its reason). The rules themselves are pure, in bot/domain/risk.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.callbacks import Action
from bot.domain import risk
from bot.msgids import N_
from bot.services.base import InvalidInput, UseCases
from bot.services.enterprises.cards import FEATURE, OPEN_CARD, OPEN_CARD_LABEL, Card
from bot.services.enterprises.colours import ColourChanged
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import enterprise_signals as signals_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage.enterprise_risk import SuggestionRow
from bot.storage.enterprises import Enterprise, RiskInput

# The notice's buttons: "1|ent|sa|<suggestion id>" and "1|ent|sd|<suggestion id>" (notices already
# posted in staff chats must keep working).
ACCEPT = Action(FEATURE, "sa")
DISMISS = Action(FEATURE, "sd")
ACCEPT_LABEL = N_("Accept %(colour)s")
DISMISS_LABEL = N_("Dismiss")

SWEEP_EVERY = timedelta(hours=1)
MAX_NOTICES_PER_SWEEP = 10


@dataclass(frozen=True)
class Candidate:
    """An enterprise whose signals point to a worse colour, and what was said about it before."""

    row: RiskInput
    suggestion: risk.Suggestion
    live: list[SuggestionRow]
    dismissed: SuggestionRow | None


class Suggestions(UseCases):
    # ------------------------------------------------------------------ staff decide

    async def check(self, user_id: int, suggestion_id: int) -> Enterprise:
        """Dismiss was pressed: may this person decide it, and is it still open? (The reason is asked next.)"""
        async with self.db.read() as conn:
            row, enterprise = await self._decidable(conn, user_id, suggestion_id)
        if row.status != "open":
            raise InvalidInput("ent_suggestion_closed")
        return enterprise

    async def accept(self, user_id: int, suggestion_id: int) -> ColourChanged:
        registry = self.services.enterprises.registry
        async with self.db.tx() as conn:
            row, enterprise = await self._decidable(conn, user_id, suggestion_id)
            if row.status != "open" or enterprise.colour != row.colour_from:
                raise InvalidInput("ent_suggestion_closed")
            reasons = "; ".join(
                self.gettext(self.settings.default_language, risk.REASONS[r["code"]], **r["params"])
                for r in row.reasons
            )
            tier = await self.services.enterprises.colours.change(
                conn, enterprise, row.colour_to, reasons, "suggestion", user_id
            )
            # The change superseded every live suggestion; this one was accepted.
            await risk_repo.mark_accepted(conn, row.id, user_id)
            changed = await enterprises_repo.get(conn, enterprise.id)
            card = await registry.card_in(conn, changed or enterprise)
        return ColourChanged(card, tier)

    async def dismiss(self, user_id: int, suggestion_id: int, reason: str) -> Card:
        reason = self.services.enterprises.colours.clean_reason(reason)
        now = self.now()
        async with self.db.tx() as conn:
            row, enterprise = await self._decidable(conn, user_id, suggestion_id)
            if not await risk_repo.decide_suggestion(conn, row.id, "dismissed", user_id, now, reason):
                raise InvalidInput("ent_suggestion_closed")
            await roles_repo.audit(
                conn, now, user_id, "enterprise.suggestion_dismissed", f"enterprise:{enterprise.id}", reason
            )
            return await self.services.enterprises.registry.card_in(conn, enterprise)

    async def _decidable(
        self, conn: aiosqlite.Connection, user_id: int, suggestion_id: int
    ) -> tuple[SuggestionRow, Enterprise]:
        """The suggestion and its enterprise, if this person may decide it (open or not)."""
        registry = self.services.enterprises.registry
        access = await registry.staff_in(conn, user_id)
        row = await risk_repo.suggestion(conn, suggestion_id)
        if row is None:
            raise InvalidInput("ent_bad_button")
        return row, await registry.editable_in(conn, access, row.enterprise_id)

    # ------------------------------------------------------------------ the hourly sweep

    async def sweep(self) -> None:
        """Compare every enterprise's colour with what its signals suggest; notice the worse ones once."""
        now = self.now()
        async with self.db.tx() as conn:
            if not await risk_repo.sweep_due(conn, "signals", now):
                return
            await risk_repo.set_sweep(conn, "signals", now + SWEEP_EVERY)
            candidates = await self._candidates(conn, now)
            # Worst first, and only a chat-readable handful per sweep: the rest wait for the next one
            # (nothing is recorded for them, so they are found again).
            candidates.sort(key=lambda c: (-risk.SEVERITY[c.suggestion.colour], c.row.id))
            for candidate in candidates[:MAX_NOTICES_PER_SWEEP]:
                await self._suggest(conn, candidate, now)

    async def _candidates(self, conn: aiosqlite.Connection, now: datetime) -> list[Candidate]:
        """Enterprises worth a (new) notice; live suggestions whose signals went away are retired."""
        today = now.astimezone(self.settings.tz).date()
        overdue = await risk_repo.overdue_ids(conn, now)
        facts_by_id = await signals_repo.request_facts(conn, now)
        live = await risk_repo.live_suggestions(conn)
        candidates: list[Candidate] = []
        for row in await enterprises_repo.risk_inputs(conn):
            req = facts_by_id.get(row.id, signals_repo.RequestFacts())
            facts = risk.Facts(
                today=today,
                colour=row.colour,
                lease_end=row.lease_end,
                follow_up_overdue=row.id in overdue,
                office_requests=req.office_requests,
                high_tier_requests=req.high_tier_requests,
                overdue_requests=req.overdue_requests,
                lowest_rating=req.lowest_rating,
            )
            suggestion = risk.suggest(facts)
            mine = live.get(row.id, [])
            open_row = next((s for s in reversed(mine) if s.status == "open"), None)
            dismissed = next((s for s in reversed(mine) if s.status == "dismissed"), None)
            if suggestion is None or not risk.worse(suggestion.colour, row.colour):
                if mine:
                    await risk_repo.supersede(conn, row.id, now)
                continue
            if not risk.worth_notice(
                suggestion,
                row.colour,
                dismissed.signature if dismissed else None,
                open_row.signature if open_row and open_row.colour_to == suggestion.colour else None,
            ):
                continue
            candidates.append(Candidate(row, suggestion, mine, dismissed))
        return candidates

    async def _suggest(self, conn: aiosqlite.Connection, candidate: Candidate, now: datetime) -> None:
        """Record the suggestion (it replaces older ones) and post its notice in the building's chat."""
        row, suggestion = candidate.row, candidate.suggestion
        if candidate.live:
            await risk_repo.supersede(conn, row.id, now)
        chat = await roles_repo.chat_for(conn, 1, row.building_id)
        sid = await risk_repo.add_suggestion(
            conn,
            row.id,
            row.colour,
            suggestion.colour,
            suggestion.signature,
            [s.as_dict() for s in suggestion.signals],
            chat.chat_id if chat else None,
            now,
        )
        if chat is None:
            return
        lang = self.settings.default_language
        building = await buildings_repo.get(conn, row.building_id) if row.building_id else None
        text = self.render(
            lang,
            "enterprises/suggestion.html",
            enterprise=row,
            building=building,
            current=row.colour,
            suggested=suggestion.colour,
            reasons=[(risk.REASONS[s.code], dict(s.params)) for s in suggestion.signals],
            dismissed=candidate.dismissed,
            emoji=risk.EMOJI,
            labels=risk.LABELS,
        )
        colour = self.gettext(lang, risk.LABELS[suggestion.colour])
        buttons = [
            [
                ACCEPT.button(self.gettext(lang, ACCEPT_LABEL, colour=colour), sid),
                DISMISS.button(self.gettext(lang, DISMISS_LABEL), sid),
            ],
            [OPEN_CARD.button(self.gettext(lang, OPEN_CARD_LABEL), row.id)],
        ]
        await outbox.enqueue(
            conn,
            chat_id=chat.chat_id,
            kind="enterprise_suggestion",
            text=text,
            now=now,
            dedupe_key=f"ent:{row.id}:suggestion:{sid}",
            buttons=buttons,
        )
