"""The Mini App's screens (GET): parse the query, call one use case, render the fragment.

Each first authenticates the request (auth.authenticate); the use case then checks what this
person may see, exactly as the chat's commands do.
"""

from __future__ import annotations

from aiohttp import web

from bot.domain.escalation import TOP_TIER
from bot.services.base import InvalidInput
from bot.services.miniapp.board import Filters
from bot.services.requests.queue import SECTIONS
from bot.webapp.auth import authenticate, services_of
from bot.webapp.pages import screen


def _id(request: web.Request) -> int:
    return int(request.match_info["id"])  # the route admits 1-12 digits only


def _filters(request: web.Request) -> Filters:
    q = request.query
    return Filters.parse(q.get("colour"), q.get("overdue") == "1", q.get("requests") == "1", q.get("q"))


async def board(request: web.Request) -> web.Response:
    viewer = await authenticate(request)
    district = await services_of(request).miniapp.board.district(viewer.user_id, _filters(request))
    return screen(request, viewer, "webapp/board.html", district=district, filters=district.filters)


async def building(request: web.Request) -> web.Response:
    viewer = await authenticate(request)
    board = await services_of(request).miniapp.board.building(viewer.user_id, _id(request), _filters(request))
    return screen(request, viewer, "webapp/building.html", board=board, filters=board.filters)


async def enterprise(request: web.Request) -> web.Response:
    viewer = await authenticate(request)
    page = await services_of(request).miniapp.enterprise.page(viewer.user_id, _id(request))
    return screen(request, viewer, "webapp/enterprise.html", page=page)


def _number(value: str | None, lowest: int, highest: int) -> int | None:
    """An optional whole number of a filter (a tier, a building id), else the filter is refused."""
    if not value:
        return None
    if not value.isdecimal() or not lowest <= int(value) <= highest:
        raise InvalidInput("app_bad_filter")
    return int(value)


async def queue(request: web.Request) -> web.Response:
    """/queue in private, as a screen: the same use case, its sections narrowed to a tier or building."""
    viewer = await authenticate(request)
    q = request.query
    section = q.get("section") or "open"
    if section not in SECTIONS:
        raise InvalidInput("app_bad_filter")
    found = await services_of(request).requests.queue.whole(
        viewer.user_id,
        section,
        tier=_number(q.get("tier"), 1, TOP_TIER),
        building_id=_number(q.get("building"), 1, 10**12),
        lang=viewer.lang,
    )
    return screen(request, viewer, "webapp/queue.html", queue=found, sections=SECTIONS)


async def request_page(request: web.Request) -> web.Response:
    viewer = await authenticate(request)
    card, actionable = await services_of(request).miniapp.request.page(
        viewer.user_id, _id(request), viewer.lang
    )
    return screen(request, viewer, "webapp/request.html", card=card, actionable=actionable)


async def figures(request: web.Request) -> web.Response:
    viewer = await authenticate(request)
    found = await services_of(request).miniapp.figures.screen(
        viewer.user_id, request.query.get("period", "week")
    )
    return screen(request, viewer, "webapp/figures.html", screen=found)
