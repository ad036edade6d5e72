# i18n-domain: webapp
"""An enterprise's page in the Mini App: its whole colour history with reasons, visits, requests
and liaison; and the two things staff do there, through the very use cases the chat's buttons call
(services.enterprises.colours.set_colour, services.enterprises.visits.log_visit), so the rules,
the transaction, the audit event and the staff chat's alert are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.risk import FollowUpRule
from bot.services.base import InvalidInput, UseCases
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import users as users_repo
from bot.storage import visits as visits_repo
from bot.storage import webapp as repo
from bot.storage.buildings import Building
from bot.storage.enterprises import Enterprise
from bot.storage.requests import RequestRow
from bot.storage.users import UserRow

HISTORY = 50
VISITS = 20
REQUESTS = 20


@dataclass(frozen=True)
class EnterprisePage:
    enterprise: Enterprise
    building: Building | None
    history: list[risk_repo.ColourChange]
    visits: list[visits_repo.Visit]
    requests: list[RequestRow]
    followup: risk_repo.FollowUp | None
    overdue: bool
    rule: FollowUpRule
    liaison: UserRow | None
    people: dict[int, UserRow]

    def who(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        person = self.people.get(user_id)
        return person.name if person else str(user_id)


class EnterpriseScreens(UseCases):
    async def page(self, user_id: int, enterprise_id: int) -> EnterprisePage:
        """The page, for staff whose role covers the enterprise's building (the /ent card's rule)."""
        registry = self.services.enterprises.registry
        now = self.now()
        async with self.db.read() as conn:
            access = await registry.staff_in(conn, user_id)
            e = await registry.editable_in(conn, access, enterprise_id)
            history = await risk_repo.history(conn, e.id, limit=HISTORY)
            visits = await visits_repo.latest(conn, e.id, limit=VISITS)
            requests = await repo.requests_of_enterprise(conn, e.id, limit=REQUESTS)
            followup = await risk_repo.followup(conn, e.id)
            ids = {h.changed_by for h in history} | {v.visitor_id for v in visits} | {e.liaison_user_id}
            people = await users_repo.get_many(conn, sorted(i for i in ids if i))
            building = await buildings_repo.get(conn, e.building_id) if e.building_id else None
        return EnterprisePage(
            enterprise=e,
            building=building,
            history=history,
            visits=visits,
            requests=requests,
            followup=followup,
            overdue=followup is not None and followup.due_at <= now,
            rule=registry.deadlines.rules[e.colour],
            liaison=people.get(e.liaison_user_id) if e.liaison_user_id else None,
            people=people,
        )

    async def change_colour(
        self, user_id: int, enterprise_id: int, colour: str, reason: str
    ) -> EnterprisePage:
        """The chat's colour button and typed reason, in one request: same use case, same checks."""
        await self.services.enterprises.colours.set_colour(user_id, enterprise_id, colour, reason)
        return await self.page(user_id, enterprise_id)

    async def log_visit(
        self,
        user_id: int,
        enterprise_id: int,
        *,
        outcome: str,
        notes: str,
        visited_on: str = "",
        next_on: str = "",
        next_step: str = "",
    ) -> EnterprisePage:
        """The chat's visit steps (outcome, notes with an optional date, an optional dated next step)."""
        visits = self.services.enterprises.visits
        when = self._date(visited_on)
        text = visits.take_notes(notes)
        if when is not None:
            text = f"{when.isoformat()} {text}"
        step_on: date | None = None
        step: str | None = None
        if next_on.strip() or next_step.strip():
            step_on, step = visits.parse_next_step(f"{next_on.strip()} {next_step.strip()}")
        await visits.log_visit(user_id, enterprise_id, outcome, text, step, step_on)
        return await self.page(user_id, enterprise_id)

    @staticmethod
    def _date(text: str) -> date | None:
        if not text.strip():
            return None
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise InvalidInput("ent_visit_date") from None
