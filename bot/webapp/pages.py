"""Rendering the Mini App's HTML: one fragment per screen, in the viewer's language.

Templates live in templates/webapp/ and go through the bot's Renderer (autoescape on, the same
catalogs and date filters as the chat), so every name a person typed is escaped and every word is
translated like the rest of the bot.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.domain import requests as request_rules
from bot.domain import risk
from bot.handlers.enterprises import OUTCOMES
from bot.webapp import charts
from bot.webapp.auth import Viewer, services_of

HTML = "text/html"


class RequestLabels:
    """A request's category and status msgids, for lists that show storage rows."""

    @staticmethod
    def category(key: str) -> str:
        return request_rules.CATEGORY_LABELS.get(key, request_rules.CATEGORY_LABELS["other"])

    @staticmethod
    def status(key: str) -> str:
        return request_rules.STATUS_LABELS.get(key, key)


def values(**extra: Any) -> dict[str, Any]:
    """What every template may use besides its own values."""
    return {
        "colours": risk.COLOURS,
        "emoji": risk.EMOJI,
        "labels": risk.LABELS,
        "outcomes": OUTCOMES,
        "charts": charts,
        "request_labels": RequestLabels,
        **extra,
    }


def fragment(
    request: web.Request, lang: str, template: str, *, status: int = 200, **extra: Any
) -> web.Response:
    text = services_of(request).renderer.page(lang, template, **values(**extra))
    return web.Response(text=text, content_type=HTML, status=status, charset="utf-8")


def screen(request: web.Request, viewer: Viewer, template: str, **extra: Any) -> web.Response:
    """A screen for the person who asked, with the clock's now for 'due in' texts."""
    extra.setdefault("done", None)  # what a change just did, for its notice
    return fragment(
        request, viewer.lang, template, viewer=viewer, now=services_of(request).clock.now(), **extra
    )
