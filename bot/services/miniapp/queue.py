# i18n-domain: webapp
"""The request queue in the Mini App: the open requests a person may work, in sections, with the
time left in the SLA clock's terms (working time by default), a request's whole history and
conversation, and claim and resolve through the chat cards' own use cases
(services.requests.staff), so the card in the staff chat is edited and the requester told.

A thin module on purpose: the queue, search and assignment use cases of the requests feature
(issue 16) take its place when they land; the screens need only `queue`, `request`, `claim` and
`resolve` with these signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.domain import requests as rules
from bot.domain.worktime import Span
from bot.services.access import NOT_STAFF, ensure, may_handle_request, may_open_staff_app, sees_request
from bot.services.base import InvalidInput
from bot.services.requests.base import NOT_ALLOWED, RequestUseCases
from bot.services.requests.views import RequestView, enterprise_name
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import requests as requests_repo
from bot.storage import users as users_repo
from bot.storage import webapp as repo

SECTIONS = ("all", "new", "mine", "waiting", "overdue")
ROWS_MAX = 100


@dataclass(frozen=True)
class QueueFilters:
    section: str = "all"
    tier: int | None = None
    building_id: int | None = None

    @classmethod
    def parse(cls, section: str | None, tier: str | None, building: str | None) -> QueueFilters:
        section = section or "all"
        if section not in SECTIONS:
            raise InvalidInput("app_bad_filter")
        try:
            tier_number = int(tier) if tier else None
            building_id = int(building) if building else None
        except ValueError:
            raise InvalidInput("app_bad_filter") from None
        if tier_number is not None and not 1 <= tier_number <= 4:
            raise InvalidInput("app_bad_filter")
        return cls(section, tier_number, building_id)


@dataclass(frozen=True)
class QueueLine:
    """One open request as a row of the queue."""

    id: int
    reference: str
    category: str  # msgid
    status: str
    status_label: str  # msgid
    tier: int
    enterprise: str | None
    building: str | None
    claimed_by: str | None
    mine: bool
    age: Span
    left: Span | None
    overdue: bool


@dataclass(frozen=True)
class Queue:
    filters: QueueFilters
    lines: list[QueueLine]
    counts: dict[str, int]
    more: int = 0
    tiers: list[int] = field(default_factory=list)
    buildings: list[tuple[int, str]] = field(default_factory=list)


class QueueDesk(RequestUseCases):
    async def queue(self, user_id: int, filters: QueueFilters, lang: str) -> Queue:
        """The open requests this person may work (their buildings, their tier and below)."""
        now = self.now()
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, user_id)
            ensure(may_open_staff_app(access), NOT_STAFF)
            mine = [r for r in await repo.open_requests(conn) if may_handle_request(access, r)]
            enterprises = await enterprises_repo.get_many(
                conn, sorted({r.enterprise_id for r in mine if r.enterprise_id})
            )
            people = await users_repo.get_many(conn, sorted({r.claimed_by for r in mine if r.claimed_by}))
            buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)}
        lines = []
        for r in mine:
            left = self.sla.time_left(r.resolve_by, now) if r.status in ("new", "claimed") else None
            claimer = people.get(r.claimed_by) if r.claimed_by else None
            building = buildings.get(r.building_id) if r.building_id else None
            lines.append(
                QueueLine(
                    id=r.id,
                    reference=r.reference,
                    category=rules.CATEGORY_LABELS.get(r.category, rules.CATEGORY_LABELS["other"]),
                    status=r.status,
                    status_label=rules.STATUS_LABELS[r.status],
                    tier=r.tier,
                    enterprise=enterprise_name(
                        enterprises.get(r.enterprise_id) if r.enterprise_id else None, r.enterprise_name, lang
                    ),
                    building=building.name(lang) if building else None,
                    claimed_by=claimer.name if claimer else (str(r.claimed_by) if r.claimed_by else None),
                    mine=r.claimed_by == user_id,
                    age=self.span(now - r.created_at),
                    left=self.span(left) if left is not None else None,
                    overdue=left is not None and left < timedelta(0),
                )
            )
        narrowed = [
            line
            for line, r in zip(lines, mine, strict=True)
            if (filters.tier is None or r.tier == filters.tier)
            and (filters.building_id is None or r.building_id == filters.building_id)
        ]
        counts = {section: sum(1 for line in narrowed if _in(section, line)) for section in SECTIONS}
        shown = [line for line in narrowed if _in(filters.section, line)]
        covered = sorted({r.building_id for r in mine if r.building_id})
        return Queue(
            filters,
            shown[:ROWS_MAX],
            counts,
            max(0, len(shown) - ROWS_MAX),
            sorted({r.tier for r in mine}),
            [(b, buildings[b].name(lang)) for b in covered if b in buildings],
        )

    async def request(self, user_id: int, request_id: int, lang: str) -> tuple[RequestView, bool]:
        """A request's whole history and conversation (the /req rule), and whether they may act on it."""
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, user_id)
            ensure(may_open_staff_app(access), NOT_STAFF)
            r = await requests_repo.get(conn, request_id)
            ensure(r is not None and sees_request(access, r), NOT_ALLOWED)
            assert r is not None  # refused above
            view = await self.requests.cards.view(conn, r, lang, history=None)
            return view, may_handle_request(access, r) and r.status in rules.OPEN_STATUSES

    async def claim(self, user_id: int, request_id: int, lang: str) -> tuple[RequestView, bool]:
        """The card's ✋ Claim: the same use case, so the staff chat's card and the requester follow."""
        await self.requests.staff.claim(user_id, request_id)
        return await self.request(user_id, request_id, lang)

    async def resolve(self, user_id: int, request_id: int, text: str, lang: str) -> tuple[RequestView, bool]:
        """The card's ✅ Resolve with its typed resolution: the requester is asked to rate it."""
        await self.requests.staff.resolve(user_id, request_id, text)
        return await self.request(user_id, request_id, lang)


def _in(section: str, line: QueueLine) -> bool:
    if section == "new":
        return line.status == "new"
    if section == "mine":
        return line.mine
    if section == "waiting":
        return line.status == "waiting"
    if section == "overdue":
        return line.overdue
    return True
