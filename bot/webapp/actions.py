"""The Mini App's changes (POST): the chat buttons' use cases, one per request.

Each checks, in order: Telegram's initData (401), that this write's one-time action id was never
used with it (401: a replay changes nothing), then calls the feature's use case, which checks the
person's access (403) and the input (400) inside its one transaction, writes the audit event
and queues what the chats must hear, as it does for a button. The answer is the refreshed screen.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.services.base import InvalidInput
from bot.webapp.auth import Viewer, authenticate, first_use, services_of
from bot.webapp.pages import screen

BODY_MAX = 16 * 1024


async def _form(request: web.Request) -> tuple[Viewer, dict[str, str]]:
    """The person (checked first) and the JSON form of a write, its action id used up."""
    viewer = await authenticate(request)
    try:
        raw = await request.content.read(BODY_MAX + 1)
        data: Any = json.loads(raw.decode("utf-8")) if len(raw) <= BODY_MAX else None
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InvalidInput("app_bad_form")
    await first_use(request, viewer, data.get("action_id"))
    return viewer, data


def _id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def colour(request: web.Request) -> web.Response:
    viewer, form = await _form(request)
    page = await services_of(request).miniapp.enterprise.change_colour(
        viewer.user_id, _id(request), form.get("colour", ""), form.get("reason", "")
    )
    return screen(request, viewer, "webapp/enterprise.html", page=page, done="colour")


async def visit(request: web.Request) -> web.Response:
    viewer, form = await _form(request)
    page = await services_of(request).miniapp.enterprise.log_visit(
        viewer.user_id,
        _id(request),
        outcome=form.get("outcome", ""),
        notes=form.get("notes", ""),
        visited_on=form.get("visited_on", ""),
        next_on=form.get("next_on", ""),
        next_step=form.get("next_step", ""),
    )
    return screen(request, viewer, "webapp/enterprise.html", page=page, done="visit")


async def claim(request: web.Request) -> web.Response:
    viewer, _ = await _form(request)
    card, actionable = await services_of(request).miniapp.request.claim(
        viewer.user_id, _id(request), viewer.lang
    )
    return screen(request, viewer, "webapp/request.html", card=card, actionable=actionable, done="claimed")


async def resolve(request: web.Request) -> web.Response:
    viewer, form = await _form(request)
    card, actionable = await services_of(request).miniapp.request.resolve(
        viewer.user_id, _id(request), form.get("text", ""), viewer.lang
    )
    return screen(request, viewer, "webapp/request.html", card=card, actionable=actionable, done="resolved")
