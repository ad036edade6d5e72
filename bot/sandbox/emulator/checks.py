"""What Telegram refuses in what a bot sends: lengths, HTML entities, keyboards, buttons, coordinates.

Why a module of pure functions: these checks are the reason the emulator exists (mocks accept
anything), and they are where it must follow Telegram most closely.  Each takes plain values and
either returns the normalised value or raises :class:`ApiError` with Telegram's own wording, so a
new rule (or a stricter one, as tdlib/telegram-bot-api applies it) goes here and nowhere else.
"""

from __future__ import annotations

import re
from typing import Any

from bot.domain.links import button_url_problem
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.records import JSON
from bot.sandbox.emulator.webapps import check_web_app
from bot.sandbox.telegram_html import HTMLParseError, parse_html, utf16_len

__all__ = [
    "ANSWER_TEXT_LIMIT",
    "CALLBACK_DATA_LIMIT",
    "CAPTION_LIMIT",
    "DESCRIPTION_LIMITS",
    "NOT_MODIFIED",
    "TEXT_LIMIT",
    "check_answer_text",
    "check_commands",
    "check_coordinates",
    "check_description",
    "check_inline_button",
    "check_markup",
    "check_venue",
    "format_text",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
ANSWER_TEXT_LIMIT = 200
BUTTONS_LIMIT = 100
COMMANDS_LIMIT = 100
#: setMyDescription / setMyShortDescription / setMyName: the longest text each accepts.
DESCRIPTION_LIMITS = {"description": 512, "short_description": 120, "name": 64}

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)

_WS = " \t\r\n\v\f"
_INLINE_BUTTON_KINDS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def format_text(
    text: str | None, parse_mode: str | None, entities: Any, *, caption: bool, strict_html: bool = True
) -> tuple[str, list[JSON]]:
    """Parse per parse_mode, trim like Telegram, and enforce the visible-length limit.

    Returns the text a person sees and its entities (UTF-16 offsets into that text).
    """
    text = text or ""
    mode = (parse_mode or "").strip()
    if mode.lower() == "html":
        try:
            parsed = parse_html(text, strict=strict_html)
        except HTMLParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        visible, ents = parsed.text, [dict(e) for e in parsed.entities]
    elif mode == "" or mode.lower() in ("markdown", "markdownv2"):
        # Markdown is not interpreted (this project renders HTML); counted as typed.
        visible = text
        ents = [dict(e) for e in entities] if isinstance(entities, list) else []
    else:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    stripped = visible.lstrip(_WS)
    shift = utf16_len(visible) - utf16_len(stripped)
    visible = stripped.rstrip(_WS)
    total = utf16_len(visible)
    trimmed: list[JSON] = []
    for e in ents:
        start = max(0, int(e.get("offset", 0)) - shift)
        end = min(total, int(e.get("offset", 0)) + int(e.get("length", 0)) - shift)
        if end > start:
            trimmed.append({**e, "offset": start, "length": end - start})
    if caption:
        if len(visible) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
    else:
        if not visible:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
    return visible, trimmed


def check_markup(markup: Any, *, private: bool = True, test_environment: bool = False) -> JSON | None:
    """Validate reply_markup the way Telegram does where bots commonly break.

    ``private``: the message is in a private chat with a person (Web App buttons are allowed only
    there); ``test_environment``: Telegram's test environment, which accepts http Web App URLs.
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(
                400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array'
            )
        count = 0
        for row in rows:
            for button in row:
                count += 1
                check_inline_button(button, private=private, test_environment=test_environment)
        if count > BUTTONS_LIMIT:
            raise ApiError(400, "Bad Request: reply markup is too long")
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an Array')
        for row in rows:
            for button in row:
                label = button if isinstance(button, str) else (button or {}).get("text")
                if not isinstance(label, str) or not label:
                    raise ApiError(400, "Bad Request: can't parse keyboard button: Text must be non-empty")
                if isinstance(button, dict) and "web_app" in button:
                    check_web_app(
                        button["web_app"],
                        where="keyboard button",
                        private=private,
                        test_environment=test_environment,
                    )
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    return markup


def check_inline_button(button: Any, *, private: bool = True, test_environment: bool = False) -> None:
    """One button of an inline keyboard: a label, exactly the kinds Telegram knows, valid data/URL,
    and a Web App only in a private chat (see webapps.py)."""
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(
            400, 'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"].strip():
        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    if not any(k in button for k in _INLINE_BUTTON_KINDS):
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not (1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT):
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "web_app" in button:
        check_web_app(
            button["web_app"],
            where="inline keyboard button",
            private=private,
            test_environment=test_environment,
        )
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str):
            raise ApiError(
                400, 'Bad Request: can\'t parse inline keyboard button: Field "url" must be of type String'
            )
        problem = button_url_problem(url)
        if problem is not None:
            raise ApiError(400, f"Bad Request: inline keyboard button URL '{url}' is invalid: {problem}")


def check_coordinates(latitude: float, longitude: float) -> JSON:
    """A Location object, if the point exists on Earth."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ApiError(400, "Bad Request: wrong coordinates")
    return {"latitude": latitude, "longitude": longitude}


def check_venue(title: str, address: str) -> None:
    if not title.strip() or not address.strip():
        raise ApiError(400, "Bad Request: venue title and address must be non-empty")


def check_answer_text(text: str | None) -> None:
    """The toast or alert of answerCallbackQuery."""
    if text is not None and len(text) > ANSWER_TEXT_LIMIT:
        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")


def check_commands(commands: Any) -> list[JSON]:
    """setMyCommands' list: at most 100, names [a-z0-9_]{1,32}, descriptions 1-256 characters."""
    if not isinstance(commands, list):
        raise ApiError(400, 'Bad Request: parameter "commands" is required')
    if len(commands) > COMMANDS_LIMIT:
        raise ApiError(400, "Bad Request: too many commands")
    for cmd in commands:
        name = cmd.get("command", "") if isinstance(cmd, dict) else ""
        desc = cmd.get("description", "") if isinstance(cmd, dict) else ""
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name)):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not (1 <= len(str(desc).strip()) <= 256):
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]


def check_description(kind: str, value: str) -> str:
    """The bot's description, short description or name (``kind``), within its length limit."""
    if len(value) > DESCRIPTION_LIMITS[kind]:
        raise ApiError(400, f"Bad Request: {kind.replace('_', ' ')} is too long")
    return value
