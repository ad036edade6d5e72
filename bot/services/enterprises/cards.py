# i18n-domain: enterprises
"""The enterprise card: everything staff see about one enterprise, and the button that opens it.

One presenter (`card_of`) for every use case that answers with a card (a search, a colour change,
a visit, a decided suggestion), and one `OPEN_CARD` action for every message that links to a card
(colour alerts, follow-up reminders, suggestion notices, a search's list of matches).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from bot.callbacks import Action
from bot.domain.risk import FollowUpRule
from bot.msgids import N_
from bot.services.enterprises.actions import FEATURE
from bot.services.requests.search import EnterpriseRequest
from bot.services.requests.search import of_enterprise as enterprise_requests
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import users as users_repo
from bot.storage import visits as visits_repo
from bot.storage.buildings import Building
from bot.storage.enterprises import Enterprise

# Callback data "1|ent|o|<enterprise id>": buttons already sent in staff chats must keep working.
OPEN_CARD = Action(FEATURE, "o")
OPEN_CARD_LABEL = N_("Open the card")


@dataclass(frozen=True)
class Card:
    """Everything the enterprise card shows."""

    enterprise: Enterprise
    building: Building | None
    history: list[risk_repo.ColourChange]
    visits: list[visits_repo.Visit]
    followup: risk_repo.FollowUp | None
    overdue: bool
    rule: FollowUpRule
    liaison: users_repo.UserRow | None
    people: dict[int, users_repo.UserRow]
    suggestion: risk_repo.SuggestionRow | None
    requests: list[EnterpriseRequest] = field(default_factory=list)  # its open and recent requests


async def card_of(
    conn: aiosqlite.Connection, enterprise: Enterprise, now: datetime, rules: Mapping[str, FollowUpRule]
) -> Card:
    """The card of `enterprise` as it is now: its last colour changes and visits, its follow-up."""
    building = await buildings_repo.get(conn, enterprise.building_id) if enterprise.building_id else None
    history = await risk_repo.history(conn, enterprise.id, limit=3)
    visits = await visits_repo.latest(conn, enterprise.id, limit=2)
    followup = await risk_repo.followup(conn, enterprise.id)
    ids = [h.changed_by for h in history if h.changed_by] + [v.visitor_id for v in visits if v.visitor_id]
    if enterprise.liaison_user_id:
        ids.append(enterprise.liaison_user_id)
    people = await users_repo.get_many(conn, sorted(set(ids)))
    live = (await risk_repo.live_suggestions(conn, [enterprise.id])).get(enterprise.id, [])
    open_suggestion = next((s for s in reversed(live) if s.status == "open"), None)
    return Card(
        enterprise=enterprise,
        building=building,
        history=history,
        visits=visits,
        followup=followup,
        overdue=followup is not None and followup.due_at <= now,
        rule=rules[enterprise.colour],
        liaison=people.get(enterprise.liaison_user_id) if enterprise.liaison_user_id else None,
        people=people,
        suggestion=open_suggestion,
        requests=await enterprise_requests(conn, enterprise.id, now),
    )
