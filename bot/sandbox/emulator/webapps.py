"""Mini Apps as Telegram opens them: where a Web App may be opened from, and the launch URL.

What Telegram refuses (``checks.py`` calls these): a ``web_app`` inline or reply-keyboard button
outside a private chat between a person and the bot (``BUTTON_TYPE_INVALID``), and a Web App URL
that is not HTTPS ("Only HTTPS links are allowed") — except in Telegram's *test environment*,
which accepts plain http, as the emulator does when created with ``test_environment=True``.

What Telegram does when a person opens one: it appends the launch parameters to the app's URL
after ``#`` — ``tgWebAppData`` (the initData: ``user``, ``auth_date``, a ``query_id`` for a
button or the menu, ``chat_type``/``chat_instance``/``start_param`` for a direct link, and the
``hash`` = HMAC-SHA-256 of the sorted ``key=value`` lines keyed with HMAC-SHA-256("WebAppData",
bot token)), ``tgWebAppVersion``, ``tgWebAppPlatform`` and ``tgWebAppThemeParams``. This module
signs it independently of the bot's own checker (bot/webapp/initdata.py), so the two meet only
through the protocol, as the bot and Telegram do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.records import JSON

__all__ = ["LIGHT_THEME", "check_web_app", "direct_link_target", "launch_url", "sign_init_data"]

VERSION = "8.0"
PLATFORM = "weba"  # Telegram Web A: the page runs in an iframe and talks through postMessage
LIGHT_THEME = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
    "header_bg_color": "#ffffff",
    "accent_text_color": "#3390ec",
    "section_bg_color": "#ffffff",
    "section_header_text_color": "#3390ec",
    "subtitle_text_color": "#707579",
    "destructive_text_color": "#df3f40",
}
_DIRECT = re.compile(r"^https://t\.me/(?P<bot>[A-Za-z0-9_]{4,32})(?:/(?P<app>[A-Za-z0-9_]{3,64}))?/?$")


def check_web_app(value: Any, *, where: str, private: bool, test_environment: bool) -> str:
    """A ``web_app`` field (WebAppInfo) of a button: its URL, or Telegram's refusal."""
    if not private:
        raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
    url = value.get("url") if isinstance(value, dict) else None
    if not isinstance(url, str):
        raise ApiError(400, f'Bad Request: can\'t parse {where}: Field "url" must be of type String')
    parts = urlsplit(url)
    allowed = ("https", "http") if test_environment else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ApiError(
            400, f"Bad Request: {where} Web App URL '{url}' is invalid: Only HTTPS links are allowed"
        )
    return url


def sign_init_data(token: str, fields: dict[str, str]) -> str:
    """The query string Telegram gives the page: `fields` plus their hash under the bot's token."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest}, quote_via=quote)


def init_fields(
    user: JSON,
    auth_date: int,
    *,
    query: bool = False,
    start_param: str | None = None,
    chat_type: str | None = None,
) -> dict[str, str]:
    fields = {
        "user": json.dumps({**user, "allows_write_to_pm": True}, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(auth_date),
    }
    if query:
        fields["query_id"] = "AAE" + secrets.token_urlsafe(16)
    if chat_type is not None:
        fields["chat_type"] = chat_type
        fields["chat_instance"] = str(secrets.randbits(60))
    if start_param:
        fields["start_param"] = start_param
    return fields


def launch_url(url: str, init_data: str, *, start_param: str | None = None, theme: JSON | None = None) -> str:
    params = {
        "tgWebAppData": init_data,
        "tgWebAppVersion": VERSION,
        "tgWebAppPlatform": PLATFORM,
        "tgWebAppThemeParams": json.dumps(theme or LIGHT_THEME, separators=(",", ":")),
    }
    if start_param:
        params["tgWebAppStartParam"] = start_param
    return f"{url}#{urlencode(params, quote_via=quote)}"


def direct_link_target(link: str, bot_username: str) -> tuple[str | None, str | None] | None:
    """(app short name or None for the main Mini App, startapp) of a t.me link to this bot's Mini
    App, or None when the link is something else (a plain URL, another bot, no startapp)."""
    head, _, query = link.partition("?")
    match = _DIRECT.match(head)
    if match is None or match.group("bot").lower() != bot_username.lower():
        return None
    params = parse_qs(query)
    if "startapp" not in params and match.group("app") is None:
        return None
    start = params.get("startapp", [""])[0] or None
    return match.group("app"), start
