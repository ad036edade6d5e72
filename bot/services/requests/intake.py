"""Filing a request: the choices offered on the way, the checks of what was typed, the submission.

The draft lives in the conversation until Send (nothing is stored before); `submit` numbers the
request, starts its ladder (orange and red enterprises at tier 2) and posts the tier's card.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.domain import requests as rules
from bot.domain.escalation import never_held, starting_tier
from bot.domain.text_safety import neutralise_optional
from bot.services.base import InvalidInput
from bot.services.requests.base import RequestUseCases
from bot.services.requests.views import RequestView, enterprise_name
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import requests as repo
from bot.storage import users as users_repo
from bot.storage.enterprises import Enterprise

ENTERPRISE_BUTTONS = 8


@dataclass
class Draft:
    """What the requester has chosen so far in the intake (kept in the conversation, not the DB)."""

    category: str | None = None
    enterprise_id: int | None = None
    enterprise_name: str | None = None
    description: str | None = None
    suggestion: str | None = None
    attachment_kind: str | None = None
    attachment_ref: str | None = None
    attachment_name: str | None = None


@dataclass(frozen=True)
class DraftView:
    category: str
    enterprise: str | None
    building: str | None
    description: str
    attachment_kind: str | None
    attachment_name: str | None


@dataclass(frozen=True)
class IntakeChoices:
    building: str | None
    enterprises: list[Enterprise]


class Intake(RequestUseCases):
    """The steps of filing a request, and the submission."""

    @staticmethod
    def check_description(text: str | None) -> str:
        """The description as it will be filed (1 to DESCRIPTION_MAX characters, line breaks kept)."""
        cleaned = rules.clean_text(text)
        problem = rules.description_problem(cleaned)
        if problem:
            raise InvalidInput(problem, length=len(cleaned), max=rules.DESCRIPTION_MAX)
        return cleaned

    @staticmethod
    def check_category(category: str | None) -> str:
        if category is None or category not in rules.CATEGORIES:
            raise InvalidInput("category")
        return category

    async def choices(self, user_id: int, lang: str) -> IntakeChoices:
        """The user's building and its companies (their own company first) for the enterprise step."""
        async with self.db.read() as conn:
            user = await users_repo.get(conn, user_id)
            if user is None or user.building_id is None:
                return IntakeChoices(None, [])
            building = await buildings_repo.get(conn, user.building_id)
            companies = await enterprises_repo.in_building(conn, user.building_id)
            represented = await enterprises_repo.of_liaison(conn, user_id)
        own = (user.company or "").casefold()

        def mine(e: Enterprise) -> bool:
            return bool(own) and (own in e.name.casefold() or own in (e.name_en or "").casefold())

        # A liaison reports on behalf of the companies they represent: those come first.
        others = [e for e in companies if e.id not in {r.id for r in represented}]
        others.sort(key=lambda e: not mine(e))
        return IntakeChoices(
            building.name(lang) if building else None, [*represented, *others][:ENTERPRISE_BUTTONS]
        )

    async def find_enterprises(self, user_id: int, words: str) -> list[Enterprise]:
        """Typed company name -> registry matches, the user's building first, then the district."""
        words = " ".join(words.split())
        if not words or len(words) > rules.ENTERPRISE_NAME_MAX:
            raise InvalidInput("enterprise_length", max=rules.ENTERPRISE_NAME_MAX)
        async with self.db.read() as conn:
            user = await users_repo.get(conn, user_id)
            found: list[Enterprise] = []
            if user and user.building_id:
                found = await enterprises_repo.search_by_name(conn, words, user.building_id, limit=6)
            if not found:
                found = await enterprises_repo.search_by_name(conn, words, limit=6)
        return found

    async def enterprise(self, enterprise_id: int) -> Enterprise:
        async with self.db.read() as conn:
            found = await enterprises_repo.get(conn, enterprise_id)
        if found is None:
            raise InvalidInput("enterprise")
        return found

    async def preview(self, user_id: int, draft: Draft, lang: str) -> DraftView:
        async with self.db.read() as conn:
            building_id, enterprise = await self._building_of(conn, user_id, draft)
            building = await buildings_repo.get(conn, building_id) if building_id else None
        return DraftView(
            category=rules.CATEGORY_LABELS[self.check_category(draft.category)],
            enterprise=enterprise_name(enterprise, draft.enterprise_name, lang),
            building=building.name(lang) if building else None,
            description=draft.description or "",
            attachment_kind=draft.attachment_kind,
            attachment_name=draft.attachment_name,
        )

    @staticmethod
    async def _building_of(
        conn: aiosqlite.Connection, user_id: int, draft: Draft
    ) -> tuple[int | None, Enterprise | None]:
        """The request's building: its enterprise's, else the requester's own."""
        enterprise = await enterprises_repo.get(conn, draft.enterprise_id) if draft.enterprise_id else None
        if enterprise is not None and enterprise.building_id is not None:
            return enterprise.building_id, enterprise
        user = await users_repo.get(conn, user_id)
        return (user.building_id if user else None), enterprise

    async def submit(self, user_id: int, draft: Draft) -> RequestView:
        """File the request: number it, start its ladder, post the card, confirm to the requester."""
        category = self.check_category(draft.category)
        description = self.check_description(draft.description)
        now = self.now()
        async with self.db.tx() as conn:
            building_id, enterprise = await self._building_of(conn, user_id, draft)
            if draft.enterprise_id and enterprise is None:
                raise InvalidInput("enterprise")
            colour = enterprise.colour if enterprise else None
            tier = starting_tier(colour)
            year = self.calendar.local_date(now).year
            number = await repo.next_number(conn, year)
            d = self.sla.deadlines(tier, now)
            request_id = await repo.insert(
                conn,
                reference=rules.reference(year, number),
                requester_id=user_id,
                category=category,
                enterprise_id=enterprise.id if enterprise else None,
                enterprise_name=None if enterprise else (neutralise_optional(draft.enterprise_name) or None),
                building_id=building_id,
                description=description,
                attachment_kind=draft.attachment_kind,
                attachment_ref=draft.attachment_ref,
                attachment_name=neutralise_optional(draft.attachment_name),
                never_hold=never_held(colour),
                status="new",
                tier=tier,
                tier_started_at=now,
                respond_by=d.respond_by,
                resolve_by=d.resolve_by,
                warn_at=d.warn_at,
                created_at=now,
                updated_at=now,
            )
            await repo.add_event(conn, request_id, now, user_id, "created", tier)
            r = await repo.get(conn, request_id)
            assert r is not None, "inserted above"
            await self.requests.cards.post(conn, r, now)
            lang = await self.lang_of(conn, user_id)
            return await self.requests.cards.view(conn, r, lang, history=0)
