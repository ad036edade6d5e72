"""Finding requests: by reference, by company (Chinese or English name, typos forgiven), by the
requester's name, or by words of the description; staff see only what their role covers.

A use case returning plain data (the same lines as the queue), so the Mini App can reuse it.
Company and person names are matched with bot/domain/names.py, the registry's own fuzzy matcher.
Also the enterprise card's list of that enterprise's requests (`of_enterprise`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiosqlite

from bot.domain import names
from bot.domain import requests as rules
from bot.services.access import NOT_STAFF, ensure, may_look_up_requests, sees_request
from bot.services.base import InvalidInput
from bot.services.requests.base import RequestUseCases
from bot.services.requests.queue import PAGE, QueueItem
from bot.storage import enterprises as enterprises_repo
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage.requests import RequestRow

QUERY_MAX = 100
# How a match ranks: the reference itself, then a company, then a person, then the description.
REFERENCE, COMPANY, PERSON, WORDS = 4.0, 2.0, 1.5, 1.0
PERSON_THRESHOLD = 0.8
RECENT = timedelta(days=90)  # an enterprise card lists requests filed this recently (and every open one)


@dataclass(frozen=True)
class SearchPage:
    query: str
    items: list[QueueItem] = field(default_factory=list)
    total: int = 0
    page: int = 0
    pages: int = 1


@dataclass(frozen=True)
class EnterpriseRequest:
    """A line of the enterprise card: one of its requests."""

    reference: str
    category: str  # msgid
    status: str  # msgid
    created_at: datetime
    is_open: bool


class Search(RequestUseCases):
    async def find(
        self, actor_id: int, text: str, page: int = 0, lang: str = "zh", *, chat_id: int = 0
    ) -> SearchPage:
        """`/find <words>`: the best matches first (open ones before closed), ten a page."""
        query = " ".join((text or "").split())
        if not query:
            raise InvalidInput("find_usage")
        if len(query) > QUERY_MAX:
            raise InvalidInput("find_long", max=QUERY_MAX)
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, actor_id)
            ensure(may_look_up_requests(access), NOT_STAFF)
            await self.check_place(conn, chat_id or actor_id)
            scored = await self._matches(conn, query)
            ranked = sorted(
                (pair for pair in scored.values() if sees_request(access, pair[1])),
                key=lambda pair: (-pair[0], pair[1].status not in rules.OPEN_STATUSES, -pair[1].id),
            )
            pages = max(1, math.ceil(len(ranked) / PAGE))
            page = min(max(page, 0), pages - 1)
            shown = [r for _, r in ranked[page * PAGE : (page + 1) * PAGE]]
            items = await self.requests.queue.items(conn, shown, lang)
        return SearchPage(query, items, len(ranked), page, pages)

    async def _matches(self, conn: aiosqlite.Connection, query: str) -> dict[int, tuple[float, RequestRow]]:
        found: dict[int, tuple[float, RequestRow]] = {}

        def add(score: float, rows: list[RequestRow]) -> None:
            for r in rows:
                if r.id not in found or found[r.id][0] < score:
                    found[r.id] = (score, r)

        reference = rules.parse_reference(query)
        if reference is not None:
            exact = await repo.by_reference(conn, reference)
            add(REFERENCE, [exact] if exact else [])
        for enterprise_id, score in names.rank(query, await enterprises_repo.names(conn), limit=20):
            add(COMPANY + score, await desk_repo.of_enterprises(conn, [enterprise_id]))
        typed = [
            (rid, s)
            for rid, name in await desk_repo.typed_company_names(conn)
            if (s := names.score(query, name)) >= names.THRESHOLD
        ]
        rows = await repo.get_many(conn, [rid for rid, _ in typed])
        for rid, score in typed:
            add(COMPANY + score, [rows[rid]] if rid in rows else [])
        for user_id, display, first, username in await desk_repo.requester_names(conn):
            score = names.score(query, display, first, username)
            if score >= PERSON_THRESHOLD:
                add(PERSON + score, await desk_repo.of_requesters(conn, [user_id]))
        add(WORDS, await desk_repo.with_words(conn, query.split()))
        return found


async def of_enterprise(
    conn: aiosqlite.Connection, enterprise_id: int, now: datetime
) -> list[EnterpriseRequest]:
    """An enterprise's open requests and those of the last three months, for its card."""
    return [
        EnterpriseRequest(
            reference=r.reference,
            category=rules.CATEGORY_LABELS.get(r.category, rules.CATEGORY_LABELS["other"]),
            status=rules.CLOSE_LABELS[r.close_reason] if r.close_reason else rules.STATUS_LABELS[r.status],
            created_at=r.created_at,
            is_open=r.status in rules.OPEN_STATUSES,
        )
        for r in await desk_repo.of_enterprise(conn, enterprise_id, now - RECENT)
    ]
