"""A local Telegram Bot API server for end-to-end tests and the browser demo.

Why: mocks of ``telegram.Bot`` accept anything, so the failures that actually take bots down
(bad HTML, 4096-character overflows, 65-byte callback data, flood limits, blocked users, flaky
networks) only show up in production.  :class:`Emulator` speaks the real HTTP protocol, so the bot
under test runs unmodified python-telegram-bot code (``base_url=f"{emu.api_url}/bot"``), and it
applies Telegram's checks with Telegram's error texts, so the bot's error handling is exercised.

It runs an ``aiohttp`` server inside the caller's event loop; the Python API that plays the humans
(:class:`~bot.sandbox.people.Person`, :class:`~bot.sandbox.people.Group`) lives in ``people.py``.

Where things are (one public :class:`Emulator`; the rest are its parts):

=====================  ===========================================================================
``emulator.py``        :class:`Emulator`: builds the parts, lifecycle, people and groups, waiting
``server.py``          HTTP: routes, token, dispatch by method name, error envelopes, faults played
``params.py``          request parameters whatever the encoding (form, multipart, JSON, query)
``checks.py``          what Telegram refuses: lengths, HTML entities, keyboards, buttons, commands
``ratelimit.py``       flood control: per-chat and overall token buckets (429 + retry_after)
``faults.py``          injected failures (429, 500, 502, connection resets) and blocked chats
``store.py``           chats and every message in them: ids, delivery, edits, deletes, pins
``files.py``           files by file_id and file_path, uploads, photo sizes
``updates.py``         updates waiting for the bot, getUpdates' long poll
``callbacks.py``       button presses open until the bot answers them
``events.py``          the ordered event stream, change notification, the bot's output, activity
``records.py``         the values tests read: SentMessage, Event, Stats, Limits...
``errors.py``          ApiError, Telegram's refusal as the bot receives it
``methods/``           the Bot API methods by group: messages, edits, chats, updates, profile, files
``methods/targets``    the chat and message a request names, found and checked once for all
=====================  ===========================================================================

Making it as strict as Telegram: a refusal of what a message contains goes in ``checks.py``; of
which chat or message a request names (an upgraded group's ``migrate_to_chat_id``) in
``methods/targets.py``; of how fast the bot goes (edits per group) in ``ratelimit.py``; of a
button press answered too late in ``callbacks.py``.  Each raises :class:`ApiError` with
Telegram's wording, and ``tests/sandbox`` checks it over HTTP with a real ``telegram.Bot``.
"""

from bot.sandbox.emulator.emulator import Emulator
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.faults import Faults
from bot.sandbox.emulator.records import (
    MESSAGE_CREATING_METHODS,
    ErrorRecord,
    Event,
    FileRecord,
    Limits,
    Revision,
    SentMessage,
    Stats,
)

__all__ = [
    "MESSAGE_CREATING_METHODS",
    "ApiError",
    "Emulator",
    "ErrorRecord",
    "Event",
    "Faults",
    "FileRecord",
    "Limits",
    "Revision",
    "SentMessage",
    "Stats",
]
