"""Who is asking: Telegram's signed initData on every API request, checked before anything else.

The page sends it as `Authorization: tma <initData>` (a header, never the URL, so it stays out of
proxy logs and browser history). No cookie is involved, so another site cannot make a
logged-in browser send a request on its own (no CSRF), and nothing is remembered between
requests: each one proves itself, and the person's roles are read again for each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.services.base import InvalidInput
from bot.webapp.initdata import InitData, InitDataError, claimed_language, verify

if TYPE_CHECKING:
    from bot.services import Services

SERVICES: web.AppKey[Services] = web.AppKey("services")
ACTION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


class Unauthorized(Exception):
    """initData missing, malformed, forged, expired, or a write replayed: 401, nothing changed."""

    def __init__(self, reason: str, language: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.language = language


@dataclass(frozen=True)
class Viewer:
    user_id: int
    lang: str
    init: InitData


VIEWER: web.RequestKey[Viewer] = web.RequestKey("viewer", Viewer)


def services_of(request: web.Request) -> Services:
    return request.app[SERVICES]


async def authenticate(request: web.Request) -> Viewer:
    services = services_of(request)
    header = request.headers.get("Authorization", "")
    raw = header[4:].strip() if header[:4].lower() == "tma " else None
    token = services.settings.token
    if not token:  # without the token nothing can be verified: refuse rather than trust
        raise Unauthorized("forged", claimed_language(raw))
    try:
        init = verify(raw, token, services.clock.now(), services.settings.webapp_max_age)
    except InitDataError as error:
        raise Unauthorized(error.reason, claimed_language(raw)) from None
    lang = await services.miniapp.sessions.language(init.user_id, init.language_code)
    viewer = Viewer(init.user_id, lang, init)
    request[VIEWER] = viewer
    return viewer


async def first_use(request: web.Request, viewer: Viewer, action_id: object) -> None:
    """A write's one-time action id, used for the first time with this initData (else 401)."""
    if not isinstance(action_id, str) or not ACTION_ID.fullmatch(action_id):
        raise InvalidInput("app_bad_form")  # a write must be one-time: without its id it is not taken
    if not await services_of(request).miniapp.sessions.first_use(viewer.init.hash, action_id, viewer.user_id):
        raise Unauthorized("replayed", viewer.lang)
