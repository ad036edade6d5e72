# i18n-domain: webapp
"""Where a button opens the staff Mini App, and on which screen.

Telegram allows a `web_app` button only in a private chat between a person and the bot; a
group gets a URL button to the Mini App's direct link (`https://t.me/<bot>/<app>?startapp=...`,
BOT_WEBAPP_LINK), which Telegram opens as the same Mini App. Either way the screen to open is a
short route (Telegram's `startapp` alphabet: letters, digits, `_` and `-`), e.g. `ent-123`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from bot.msgids import N_
from bot.settings import Settings

OPEN_APP = N_("📱 Open in the station app")
OPEN_BOARD = N_("📱 Board in the station app")
OPEN_FIGURES = N_("📊 Charts in the station app")
OPEN_QUEUE = N_("📱 Queue in the station app")
MENU_LABEL = N_("Station")

ROUTE = re.compile(r"[A-Za-z0-9_-]{1,64}")

Button = dict[str, str]


def route(kind: str, ident: int | str | None = None) -> str:
    """'ent', 123 -> 'ent-123'; 'queue' -> 'queue'."""
    text = kind if ident is None else f"{kind}-{ident}"
    if not ROUTE.fullmatch(text):
        raise ValueError(f"not a Mini App route: {text!r}")
    return text


def app_url(settings: Settings, screen: str | None = None) -> str | None:
    """The Mini App's page (what a web_app button and the menu button open), or None when it is off."""
    if settings.webapp_url is None:
        return None
    page = settings.webapp_url + "/"
    return page if screen is None else f"{page}?startapp={quote(screen)}"


def direct_link(settings: Settings, screen: str) -> str | None:
    """The t.me link that opens the Mini App on `screen` from any chat, or None when not configured."""
    if settings.webapp_url is None or settings.webapp_link is None:
        return None
    return f"{settings.webapp_link}?startapp={quote(screen)}"


def open_button(settings: Settings, text: str, screen: str, *, private: bool) -> Button | None:
    """A button opening `screen`: web_app in a private chat, the direct link elsewhere (None if neither)."""
    if private:
        url = app_url(settings, screen)
        return {"text": text, "web_app": url} if url else None
    link = direct_link(settings, screen)
    return {"text": text, "url": link} if link else None
