"""The Mini App's screens (GET): parse the query, call one use case, render the fragment.

Each first authenticates the request (auth.authenticate); the use case then checks what this
person may see, exactly as the chat's commands do.
"""

from __future__ import annotations

from aiohttp import web

from bot.services.miniapp.board import Filters
from bot.services.miniapp.queue import SECTIONS, QueueFilters
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


async def queue(request: web.Request) -> web.Response:
    viewer = await authenticate(request)
    q = request.query
    filters = QueueFilters.parse(q.get("section"), q.get("tier"), q.get("building"))
    found = await services_of(request).miniapp.queue.queue(viewer.user_id, filters, viewer.lang)
    return screen(request, viewer, "webapp/queue.html", queue=found, sections=SECTIONS)


async def request_page(request: web.Request) -> web.Response:
    viewer = await authenticate(request)
    card, actionable = await services_of(request).miniapp.queue.request(
        viewer.user_id, _id(request), viewer.lang
    )
    return screen(request, viewer, "webapp/request.html", card=card, actionable=actionable)


async def figures(request: web.Request) -> web.Response:
    viewer = await authenticate(request)
    found = await services_of(request).miniapp.figures.screen(
        viewer.user_id, request.query.get("period", "week")
    )
    return screen(request, viewer, "webapp/figures.html", screen=found)
