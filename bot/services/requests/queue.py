# i18n-domain: requests
"""The work queue: a scope's open requests in sections, with counts and working time left.

A use case returning plain data (no Telegram, no rendering), so the staff chats' /queue and the
Mini App's queue screen show the same thing: the same sections with the same counts, the same
lines, the most urgent first. The scope is a bound staff chat's (its tier and building, plus
cards shown there while another tier has no chat), or, in private and in the Mini App, everything
the person's roles let them handle. Sections overlap: an unclaimed overdue request counts in both.
/queue pages it ten at a time (`page`); the Mini App lists it whole, narrowed to a tier or a
building if asked (`whole`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import aiosqlite

from bot.domain import requests as rules
from bot.domain.worktime import Span
from bot.msgids import N_
from bot.services.access import NOT_STAFF, Access, ensure, may_handle_request, may_see_queue, sees_request
from bot.services.requests.base import RequestUseCases
from bot.services.requests.views import enterprise_name
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import request_desk as desk_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.requests import RequestRow
from bot.storage.roles import StaffChat

PAGE = 10  # items a page: ten lines and ten buttons stay far below Telegram's limits
ROWS_MAX = 100  # the Mini App's list scrolls instead: the hundred most urgent, and how many more
SECTIONS: tuple[str, ...] = ("open", "unclaimed", "overdue", "today", "waiting", "mine")
SECTION_LABELS = {  # the sections' names, in /queue's tabs, its text and the Mini App alike
    "open": N_("Open"),
    "unclaimed": N_("Unclaimed"),
    "overdue": N_("Overdue"),
    "today": N_("Due today"),
    "waiting": N_("Waiting"),
    "mine": N_("Mine"),
}


@dataclass(frozen=True)
class QueueItem:
    """One line of the queue: enough to choose what to open next."""

    id: int
    reference: str
    category: str  # a msgid (rules.CATEGORY_LABELS)
    status: str
    tier: int
    enterprise: str | None
    building: str | None  # its name in the reader's language
    requester: str
    handler: str | None
    resolve_by: datetime | None
    left: Span | None  # working time left while the clock runs (see `overdue`)
    overdue: bool
    waiting_on: str | None  # requester, department, third_party
    waiting_for: str | None  # the department or third party, as staff typed it
    expected_on: date | None

    @property
    def status_label(self) -> str:
        if self.waiting_on:
            return rules.WAIT_LABELS[self.waiting_on]
        return rules.STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Scope:
    """Whose queue this is: a staff chat's tier and building, or a person's roles (`chat` None)."""

    tier: int | None
    building: str | None
    chat: str | None


@dataclass(frozen=True)
class QueuePage:
    scope: Scope
    section: str
    counts: dict[str, int]
    items: list[QueueItem] = field(default_factory=list)
    page: int = 0
    pages: int = 1

    @staticmethod
    def label(section: str) -> str:
        """A section's name (a msgid)."""
        return SECTION_LABELS[section]


@dataclass(frozen=True)
class WholeQueue:
    """A person's whole queue (what /queue in private holds), unpaged, maybe narrowed."""

    section: str
    counts: dict[str, int]  # of the narrowed queue
    items: list[QueueItem]  # the section's first ROWS_MAX
    more: int  # how many more the section holds
    tier: int | None  # the narrowing asked for
    building_id: int | None
    tiers: list[int]  # what the whole queue holds, to narrow by
    buildings: list[tuple[int, str]]  # (id, name in the reader's language)

    @staticmethod
    def label(section: str) -> str:
        """A section's name (a msgid)."""
        return SECTION_LABELS[section]


class Queue(RequestUseCases):
    """What is open, what is late, what waits on whom, and what is mine."""

    async def page(
        self, actor_id: int, chat_id: int, section: str = "open", page: int = 0, lang: str = "zh"
    ) -> QueuePage:
        """`/queue` in a staff chat (that chat's scope) or in private (what the person may handle)."""
        if section not in SECTIONS:
            section = "open"
        now = self.now()
        async with self.db.read() as conn:
            access = await self._staff(conn, actor_id)
            chat = await self.check_place(conn, chat_id)
            if chat is not None:
                requests = [r for r in await self.in_chat(conn, chat) if sees_request(access, r)]
                scope = await self._chat_scope(conn, chat, lang)
            else:
                requests = await self._handled_by(conn, access)
                scope = Scope(None, None, None)
            chosen_by = _sections(actor_id, now, self.calendar.local_date)
            counts = _counts(requests, chosen_by)
            chosen = [r for r in requests if chosen_by[section](r)]
            pages = max(1, math.ceil(len(chosen) / PAGE))
            page = min(max(page, 0), pages - 1)
            items = await self.items(conn, chosen[page * PAGE : (page + 1) * PAGE], lang)
        return QueuePage(scope, section, counts, items, page, pages)

    async def whole(
        self,
        actor_id: int,
        section: str = "open",
        *,
        tier: int | None = None,
        building_id: int | None = None,
        lang: str = "zh",
    ) -> WholeQueue:
        """The Mini App's queue: /queue in private, unpaged, narrowed to one tier and/or building.

        The counts are the narrowed queue's, so the sections' numbers match the lines below them.
        """
        if section not in SECTIONS:
            section = "open"
        now = self.now()
        async with self.db.read() as conn:
            access = await self._staff(conn, actor_id)
            requests = await self._handled_by(conn, access)
            narrowed = [
                r
                for r in requests
                if (tier is None or r.tier == tier) and (building_id is None or r.building_id == building_id)
            ]
            chosen_by = _sections(actor_id, now, self.calendar.local_date)
            chosen = [r for r in narrowed if chosen_by[section](r)]
            items = await self.items(conn, chosen[:ROWS_MAX], lang)
            buildings = {b.id: b.name(lang) for b in await buildings_repo.all_buildings(conn)}
        covered = {r.building_id for r in requests}
        return WholeQueue(
            section=section,
            counts=_counts(narrowed, chosen_by),
            items=items,
            more=max(0, len(chosen) - ROWS_MAX),
            tier=tier,
            building_id=building_id,
            tiers=sorted({r.tier for r in requests}),
            buildings=[(b, name) for b, name in sorted(buildings.items()) if b in covered],
        )

    async def _staff(self, conn: aiosqlite.Connection, actor_id: int) -> Access:
        """The person's access, if they may see a queue at all (staff)."""
        access = await self.services.access.of_in(conn, actor_id)
        ensure(may_see_queue(access), NOT_STAFF)
        return access

    @staticmethod
    async def _handled_by(conn: aiosqlite.Connection, access: Access) -> list[RequestRow]:
        """The private scope: every open request the person's roles let them handle, most urgent first."""
        return [r for r in await desk_repo.open_requests(conn) if may_handle_request(access, r)]

    async def in_chat(self, conn: aiosqlite.Connection, chat: StaffChat) -> list[RequestRow]:
        """A staff chat's open requests: its tier (its building, or the buildings without their own
        chat of that tier), and any other request whose current card is shown there."""
        found: dict[int, RequestRow] = {}
        chats = await roles_repo.all_staff_chats(conn)  # read once: a district chat holds hundreds
        for r in await desk_repo.open_requests(conn, chat.tier):
            if r.tier != chat.tier:
                continue
            if chat.building_id is not None and r.building_id != chat.building_id:
                continue
            own = roles_repo.chat_among(chats, chat.tier, r.building_id)
            if own is None or own.chat_id == chat.chat_id:
                found[r.id] = r
        for r in await desk_repo.open_with_card_in(conn, chat.chat_id):
            found.setdefault(r.id, r)
        return sorted(found.values(), key=_urgency)

    async def _chat_scope(self, conn: aiosqlite.Connection, chat: StaffChat, lang: str) -> Scope:
        building = await buildings_repo.get(conn, chat.building_id) if chat.building_id else None
        return Scope(chat.tier, building.name(lang) if building else None, chat.title)

    async def items(
        self, conn: aiosqlite.Connection, requests: list[RequestRow], lang: str
    ) -> list[QueueItem]:
        """Queue lines for these requests (also the search's lines), names in `lang`."""
        now = self.now()
        pauses = await desk_repo.open_pauses(conn, [r.id for r in requests])
        enterprises = await enterprises_repo.get_many(
            conn, sorted({r.enterprise_id for r in requests if r.enterprise_id})
        )
        people = await users_repo.get_many(
            conn,
            sorted({r.requester_id for r in requests} | {r.claimed_by for r in requests if r.claimed_by}),
        )
        buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)} if requests else {}
        items = []
        for r in requests:
            running = r.status in ("new", "claimed")
            left = self.sla.time_left(r.resolve_by, now) if running else None
            pause = pauses.get(r.id)
            requester = people.get(r.requester_id)
            handler = people.get(r.claimed_by) if r.claimed_by else None
            building = buildings.get(r.building_id) if r.building_id else None
            items.append(
                QueueItem(
                    id=r.id,
                    reference=r.reference,
                    category=rules.CATEGORY_LABELS.get(r.category, rules.CATEGORY_LABELS["other"]),
                    status=r.status,
                    tier=r.tier,
                    enterprise=enterprise_name(
                        enterprises.get(r.enterprise_id or 0), r.enterprise_name, lang
                    ),
                    building=building.name(lang) if building else None,
                    requester=requester.name if requester else str(r.requester_id),
                    handler=handler.name if handler else None,
                    resolve_by=r.resolve_by if r.status in rules.OPEN_STATUSES else None,
                    left=self.span(left) if left is not None else None,
                    overdue=left is not None and left < timedelta(0),
                    waiting_on=pause.reason if pause and r.status == "waiting" else None,
                    waiting_for=pause.party if pause and r.status == "waiting" else None,
                    expected_on=pause.expected_on if pause and r.status == "waiting" else None,
                )
            )
        return items


def _urgency(r: RequestRow) -> tuple[bool, datetime, int]:
    """The nearest deadline first; requests without one (paused) after."""
    far = datetime.max.replace(tzinfo=r.created_at.tzinfo)
    return (r.resolve_by is None, r.resolve_by or far, r.id)


def _counts(requests: list[RequestRow], chosen_by: dict[str, Callable[[RequestRow], bool]]) -> dict[str, int]:
    return {name: sum(1 for r in requests if chosen_by[name](r)) for name in SECTIONS}


def _sections(
    actor_id: int, now: datetime, local_date: Callable[[datetime], date]
) -> dict[str, Callable[[RequestRow], bool]]:
    """Which requests each section holds (a running clock: not paused)."""
    today = local_date(now)

    def running(r: RequestRow) -> bool:
        return r.status in ("new", "claimed")

    return {
        "open": lambda r: True,
        "unclaimed": lambda r: r.claimed_by is None and r.status != "waiting",
        "overdue": lambda r: running(r) and r.resolve_by is not None and r.resolve_by <= now,
        "today": lambda r: (
            running(r)
            and r.resolve_by is not None
            and r.resolve_by > now
            and local_date(r.resolve_by) == today
        ),
        "waiting": lambda r: r.status == "waiting",
        "mine": lambda r: r.claimed_by == actor_id,
    }
