"""The Mini App's web server, run by the bot's own process beside polling or the webhook.

`WebAppServer(services)` is started by bot/app.py's start-up when BOT_WEBAPP_URL is set and
listens on BOT_WEBAPP_LISTEN (a reverse proxy terminates TLS in front of it, see
docs/operations.md). It serves the URL's path, so the proxy forwards requests unchanged:

    <path>/                 the page (a shell; screens are fetched into it)
    <path>/static/...       its stylesheet and script (ours, no third-party code)
    <path>/api/view/...     the screens, as HTML fragments (GET)
    <path>/api/...          the changes (POST, JSON)
    <path>/healthz          "ok", for the proxy's and doctor's checks

Every API request proves who sends it with Telegram's initData (auth.py); problems become a
fragment in the person's language with the matching status: 400 bad input, 401 initData refused,
403 not allowed, 404 unknown, 500/503 our side.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from babel import Locale, UnknownLocaleError

from bot.domain import risk
from bot.services import Services
from bot.services.access import NotAllowed
from bot.services.base import InvalidInput
from bot.services.miniapp.links import ROUTE
from bot.settings import LANGUAGES
from bot.storage.db import DatabaseUnavailable
from bot.webapp import actions, views
from bot.webapp.auth import SERVICES, VIEWER, Unauthorized
from bot.webapp.pages import fragment
from bot.webapp.problems import FALLBACK, NOT_FOUND, PROBLEMS, SERVER_ERROR, UNAUTHORIZED, UNAVAILABLE

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
ID = r"{id:\d{1,12}}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SECURITY_HEADERS = {
    # Only our own script and style; inline SVG and data: images for the charts.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def prefix_of(services: Services) -> str:
    url = services.settings.webapp_url or ""
    return urlsplit(url).path.rstrip("/")


def language_of_browser(request: web.Request, default: str) -> str:
    """Before anyone is known (the page itself): the browser's first language we speak."""
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().replace("-", "_")
        try:
            language = Locale.parse(code).language if code else None
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return default


def _language(request: web.Request, services: Services, claimed: str | None = None) -> str:
    viewer = request.get(VIEWER)
    if viewer is not None:
        return viewer.lang
    return (
        services.users.language_of(None, claimed)
        if claimed
        else language_of_browser(request, services.settings.default_language)
    )


def _problem(request: web.Request, lang: str, status: int, message: str, **details: object) -> web.Response:
    services = request.app[SERVICES]
    if "colour" in details and details["colour"] in risk.LABELS:
        details["colour"] = services.renderer.gettext(lang, risk.LABELS[str(details["colour"])])
    try:
        text = services.renderer.gettext(lang, message, **details)
    except (KeyError, ValueError, TypeError):  # a placeholder the details do not fill
        text = services.renderer.gettext(lang, message)
    return fragment(request, lang, "webapp/problem.html", status=status, message=text, status_code=status)


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Never silent: every refusal or failure is a fragment the page shows, in the person's language."""
    services = request.app[SERVICES]
    try:
        return await handler(request)
    except Unauthorized as refused:
        lang = _language(request, services, refused.language)
        return _problem(request, lang, 401, UNAUTHORIZED.get(refused.reason, UNAUTHORIZED["forged"]))
    except NotAllowed as refused:
        return _problem(request, _language(request, services), 403, refused.message)
    except InvalidInput as problem:
        status = 404 if problem.code in NOT_FOUND else 400
        message = PROBLEMS.get(problem.code, FALLBACK)
        return _problem(request, _language(request, services), status, message, **problem.details)
    except web.HTTPException:
        raise
    except DatabaseUnavailable:
        log.exception("mini app: database unavailable")
        return _problem(request, _language(request, services), 503, UNAVAILABLE)
    except Exception:
        log.exception("mini app: %s %s failed", request.method, request.path)
        return _problem(request, _language(request, services), 500, SERVER_ERROR)


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:  # a redirect, or aiohttp's own 404/405: same headers
        for name, value in SECURITY_HEADERS.items():
            error.headers.setdefault(name, value)
        raise
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def shell(request: web.Request) -> web.Response:
    """The page Telegram opens. It holds no data: its script reads the launch parameters Telegram
    put in the URL's #fragment and fetches each screen with the initData found there."""
    services = request.app[SERVICES]
    lang = language_of_browser(request, services.settings.default_language)
    prefix = prefix_of(services)
    start = request.query.get("startapp", "")
    return fragment(
        request,
        lang,
        "webapp/shell.html",
        base=prefix,
        start=start if ROUTE.fullmatch(start) else "",
    )


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def unknown_screen(request: web.Request) -> web.Response:
    raise InvalidInput("app_unknown_screen")


def make_app(services: Services) -> web.Application:
    app = web.Application(middlewares=[headers, problems], client_max_size=actions.BODY_MAX)
    app[SERVICES] = services
    p = prefix_of(services)
    router = app.router
    router.add_get(p + "/", shell)
    if p:

        async def slash(request: web.Request) -> web.Response:
            raise web.HTTPMovedPermanently(p + "/")

        router.add_get(p, slash)
    router.add_static(p + "/static/", STATIC)
    router.add_get(p + "/healthz", health)
    router.add_get(p + "/api/view/board", views.board)
    router.add_get(p + f"/api/view/building/{ID}", views.building)
    router.add_get(p + f"/api/view/ent/{ID}", views.enterprise)
    router.add_get(p + "/api/view/queue", views.queue)
    router.add_get(p + f"/api/view/req/{ID}", views.request_page)
    router.add_get(p + "/api/view/stats", views.figures)
    router.add_post(p + f"/api/ent/{ID}/colour", actions.colour)
    router.add_post(p + f"/api/ent/{ID}/visit", actions.visit)
    router.add_post(p + f"/api/req/{ID}/claim", actions.claim)
    router.add_post(p + f"/api/req/{ID}/resolve", actions.resolve)
    router.add_route("*", p + "/api/{tail:.*}", unknown_screen)
    return app


class WebAppServer:
    """The aiohttp server of the Mini App, started and stopped with the Application."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        host, port = self.services.settings.webapp_listen_address
        runner = web.AppRunner(make_app(self.services), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            await runner.cleanup()
            raise RuntimeError(
                f"the Mini App cannot listen on {host}:{port} (BOT_WEBAPP_LISTEN): {error.strerror or error}"
            ) from None
        self._runner = runner
        log.info("mini app listening on %s:%s for %s", host, port, self.services.settings.webapp_url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
