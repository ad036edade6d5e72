"""Sandbox: a local Telegram Bot API emulator and simulated people, for end-to-end tests and the demo.

Why a package of its own: the bot must be exercised through the same HTTP protocol and the same
failure modes (bad HTML, limits, flood control, blocked users, flaky network) as in production,
without a network or a real Telegram account.  Nothing here is imported by the production bot.
"""

from bot.sandbox.emulator import (
    MESSAGE_CREATING_METHODS,
    ApiError,
    Emulator,
    ErrorRecord,
    Event,
    Faults,
    FileRecord,
    Limits,
    Revision,
    SentMessage,
    Stats,
)
from bot.sandbox.people import CallbackAnswer, Group, Person
from bot.sandbox.telegram_html import HTMLParseError, ParsedText, html_to_text, parse_html, validate_html

__all__ = [
    "MESSAGE_CREATING_METHODS",
    "ApiError",
    "CallbackAnswer",
    "Emulator",
    "ErrorRecord",
    "Event",
    "Faults",
    "FileRecord",
    "Group",
    "HTMLParseError",
    "Limits",
    "ParsedText",
    "Person",
    "Revision",
    "SentMessage",
    "Stats",
    "html_to_text",
    "parse_html",
    "validate_html",
]
