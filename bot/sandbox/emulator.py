"""A local Telegram Bot API server for end-to-end tests and the browser demo.

Why: mocks of ``telegram.Bot`` accept anything, so the failures that actually take bots down
(bad HTML, 4096-character overflows, 65-byte callback data, flood limits, blocked users, flaky
networks) only show up in production.  :class:`Emulator` speaks the real HTTP protocol, so the bot
under test runs unmodified python-telegram-bot code (``base_url=f"{emu.api_url}/bot"``), and it
applies Telegram's checks with Telegram's error texts, so the bot's error handling is exercised.

It runs an ``aiohttp`` server inside the caller's event loop; the Python API that plays the humans
(:class:`~bot.sandbox.people.Person`, :class:`~bot.sandbox.people.Group`) lives in ``people.py``.

Request encoding accepted, as python-telegram-bot sends it: ``application/x-www-form-urlencoded``
(nested values JSON-encoded strings), ``multipart/form-data`` when files are uploaded, and also
``application/json`` bodies and query strings.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import math
import random
import re
import struct
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.sandbox.people import CallbackAnswer, Group, Person
from bot.sandbox.telegram_html import HTMLParseError, parse_html, utf16_len

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

log = logging.getLogger(__name__)

JSON = dict[str, Any]

#: Methods that create a message: the only ones rate limits and (by default) faults apply to.
MESSAGE_CREATING_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendVenue"}
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
ANSWER_TEXT_LIMIT = 200
MAX_UPLOAD = 60 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
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


# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


@dataclass
class Limits:
    """Telegram's flood limits as token buckets; ``scale`` multiplies every rate (not the bursts).

    Defaults are Telegram's documented guidance: ~30 messages/s overall, ~1/s per private chat
    (we allow a burst of 3, as Telegram tolerates short bursts), 20/min per group.
    """

    enabled: bool = True
    overall_per_second: float = 30
    private_per_second: float = 1
    private_burst: int = 3
    group_per_minute: float = 20
    group_burst: int = 20
    scale: float = 1.0


@dataclass
class Revision:
    """One version of a bot message (the original or an edit)."""

    text: str | None
    caption: str | None
    parse_mode: str | None
    plain: str
    entities: list[JSON]
    reply_markup: JSON | None
    date: dt.datetime


@dataclass(eq=False)
class SentMessage:
    """A message the bot delivered, as recorded by the emulator (one per delivery, never merged).

    ``text``/``caption`` are the raw strings the bot sent (HTML source when parse_mode=HTML);
    ``plain`` is what the user sees (entities parsed, ends trimmed) — for media it is the caption,
    for a venue its title and address.  ``history`` holds every version, ``history[-1]`` being
    the current one, so ``len(history) - 1`` is the number of edits.
    """

    chat_id: int
    message_id: int
    kind: str  # "text" | "photo" | "document" | "location" | "venue"
    date: dt.datetime
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    plain: str = ""
    entities: list[JSON] = field(default_factory=list)
    reply_markup: JSON | None = None
    photo: bytes | None = field(default=None, repr=False)
    document: bytes | None = field(default=None, repr=False)
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    file_url: str | None = None
    location: JSON | None = None
    venue: JSON | None = None
    reply_to_message_id: int | None = None
    edited: bool = False
    edit_date: dt.datetime | None = None
    deleted: bool = False
    pinned: bool = False
    history: list[Revision] = field(default_factory=list, repr=False)
    raw: JSON = field(default_factory=dict, repr=False)

    @property
    def button_rows(self) -> list[list[JSON]]:
        """Inline keyboard rows (empty when the message has none)."""
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def buttons(self) -> list[str]:
        """Labels of the inline keyboard, or of a reply keyboard, flattened in reading order."""
        markup = self.reply_markup or {}
        if "inline_keyboard" in markup:
            return [b.get("text", "") for row in markup["inline_keyboard"] for b in row]
        if "keyboard" in markup:
            return [b if isinstance(b, str) else b.get("text", "") for row in markup["keyboard"] for b in row]
        return []

    @property
    def callback_data(self) -> list[str]:
        """All callback_data values of the inline keyboard."""
        return [b["callback_data"] for row in self.button_rows for b in row if "callback_data" in b]

    def button(self, label: str) -> JSON | None:
        """The inline button whose text equals ``label`` (else the first containing it)."""
        flat = [b for row in self.button_rows for b in row]
        for b in flat:
            if b.get("text") == label:
                return b
        for b in flat:
            if label in b.get("text", ""):
                return b
        return None


@dataclass(frozen=True)
class Event:
    """Something observable happened; streamed to :meth:`Emulator.subscribe` queues.

    kinds: ``message`` (bot sent), ``edit``, ``delete``, ``pin``, ``callback_answer``,
    ``chat_action``, ``user_message`` (a person sent; ``data`` is the Telegram message),
    ``callback_query`` (a person pressed a button).
    """

    seq: int
    kind: str
    chat_id: int | None
    message: SentMessage | None = None
    data: JSON = field(default_factory=dict)


@dataclass
class FileRecord:
    """A file known to the emulator (uploaded by the bot or by a person)."""

    file_id: str
    file_unique_id: str
    data: bytes | None = field(default=None, repr=False)
    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    file_path: str | None = None
    kind: str = "document"

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0


@dataclass
class ErrorRecord:
    """A non-2xx answer the emulator gave the bot; ``injected`` marks fault-injection answers."""

    method: str
    code: int
    description: str
    injected: bool = False
    params: JSON = field(default_factory=dict, repr=False)


@dataclass
class Stats:
    """Counters for assertions and benchmarks."""

    calls: Counter[str] = field(default_factory=Counter)
    errors: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0  # every 429 answered (rate limiter + injected)
    rate_limited: int = 0  # 429s from the rate limiter only
    injected: Counter[str] = field(default_factory=Counter)
    messages_sent: int = 0
    edits: int = 0
    updates_delivered: int = 0

    def reset(self) -> None:
        """Zero every counter (e.g. after a warm-up phase of a benchmark)."""
        fresh = Stats()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))


class ApiError(Exception):
    """A Telegram error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


# --------------------------------------------------------------------------------------------
# Fault injection
# --------------------------------------------------------------------------------------------


class Faults:
    """Injects the failures a bot must survive.

    Kinds: ``"429"`` (Too Many Requests, retry_after=1), ``"500"``, ``"502"`` (nginx HTML page,
    not JSON — python-telegram-bot raises NetworkError), ``"reset"`` (connection closed before
    anything is processed: nothing delivered), ``"reset_after"`` (the message IS delivered, then
    the connection drops: the bot cannot know, so a retry duplicates it).
    Unless ``methods`` is given, faults hit only :data:`MESSAGE_CREATING_METHODS`.
    """

    KINDS = ("429", "500", "502", "reset", "reset_after")

    def __init__(self) -> None:
        self.blocked: set[int] = set()
        self._queue: deque[tuple[str, frozenset[str]]] = deque()
        self._random: _RandomRule | None = None

    @staticmethod
    def _methods(methods: Iterable[str] | None) -> frozenset[str]:
        return frozenset(methods) if methods is not None else MESSAGE_CREATING_METHODS

    def _check_kind(self, kind: str) -> str:
        kind = str(kind)
        if kind not in self.KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {self.KINDS}")
        return kind

    def block(self, chat: int | Person | Group) -> None:
        """The user blocked the bot (private chat) / the bot was removed (group): 403 from now on."""
        self.blocked.add(int(getattr(chat, "id", chat)))

    def unblock(self, chat: int | Person | Group) -> None:
        self.blocked.discard(int(getattr(chat, "id", chat)))

    def is_blocked(self, chat_id: int) -> bool:
        return chat_id in self.blocked

    def fail_next(self, n: int = 1, kind: str = "429", *, methods: Iterable[str] | None = None) -> None:
        """The next ``n`` matching requests fail with ``kind`` (queued after earlier fail_next)."""
        kind = self._check_kind(kind)
        ms = self._methods(methods)
        self._queue.extend((kind, ms) for _ in range(n))

    def fail_randomly(
        self,
        probability: float,
        kinds: Iterable[str] = ("429", "502", "reset"),
        *,
        seed: int | None = None,
        until: int | float | None = None,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Fail each matching request with ``probability``, picking a kind uniformly.

        ``until``: an ``int`` is a number of matching requests to consider (then it stops); a
        ``float`` is a ``time.monotonic()`` deadline; ``None`` means until :meth:`clear`.
        """
        ks = tuple(self._check_kind(k) for k in kinds)
        if not ks:
            raise ValueError("kinds must not be empty")
        self._random = _RandomRule(float(probability), ks, random.Random(seed), until, self._methods(methods))

    def clear(self) -> None:
        """Stop all injection (blocked chats stay blocked; use :meth:`unblock`)."""
        self._queue.clear()
        self._random = None

    def _take(self, method: str) -> str | None:
        for idx, (kind, ms) in enumerate(self._queue):
            if method in ms:
                del self._queue[idx]
                return kind
        rule = self._random
        if rule is None or method not in rule.methods:
            return None
        if isinstance(rule.until, float) and time.monotonic() >= rule.until:
            self._random = None
            return None
        if isinstance(rule.until, int):
            if rule.until <= 0:
                self._random = None
                return None
            rule.until -= 1
        if rule.rng.random() < rule.probability:
            return rule.rng.choice(rule.kinds)
        return None


@dataclass
class _RandomRule:
    probability: float
    kinds: tuple[str, ...]
    rng: random.Random
    until: int | float | None
    methods: frozenset[str]


# --------------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------------


class _Params:
    """Typed access to request parameters, whatever the encoding (form, multipart, JSON)."""

    def __init__(self, values: JSON, files: dict[str, tuple[str, bytes, str]]) -> None:
        self.values = values
        self.files = files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def has(self, name: str) -> bool:
        return name in self.values or name in self.files

    def str(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise ApiError(400, f'Bad Request: parameter "{name}" is required')
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise ApiError(400, f"Bad Request: {name} is empty")
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, f'Bad Request: invalid value of parameter "{name}"') from None

    def float(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise ApiError(400, f"Bad Request: {name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, f'Bad Request: invalid value of parameter "{name}"') from None

    def bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f'Bad Request: can\'t parse "{name}" JSON object') from None
        return value


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    capacity: float = 1.0
    rate: float = 1.0

    def wait(self, now: float, capacity: float, rate: float) -> float:
        """Refill, then seconds until one token is available (0 if available now)."""
        self.capacity, self.rate = max(1.0, capacity), max(rate, 1e-9)
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class _Slot:
    """Every message in every chat (the bot's and the people's), for edits, replies and buttons."""

    raw: JSON
    sent: SentMessage | None = None
    deleted: bool = False
    pinned: bool = False


@dataclass
class _PendingCallback:
    query: JSON
    future: asyncio.Future[CallbackAnswer]
    answered: bool = False


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of PNG, GIF or JPEG bytes (None if not recognised)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return None


def _json_response(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=functools.partial(json.dumps, ensure_ascii=False))


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------


class Emulator:
    """A Telegram Bot API server (subset) in the current event loop.

    Usage::

        async with Emulator() as emu:
            alice = emu.user(1001, "Alice")
            bot = telegram.Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
            ...
            await alice.send("/start")
            await alice.wait_for("欢迎")

    ``web_app`` is the aiohttp application: add routes (e.g. a browser chat) before :meth:`start`.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        limits: Limits | None = None,
        bot_username: str = "jingan_bot",
        bot_first_name: str = "Jing'an Bot",
        clock: Callable[[], dt.datetime] | None = None,
        strict_html: bool = True,
    ) -> None:
        self.token = token
        self.limits = limits if limits is not None else Limits()
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.clock = clock
        self.strict_html = strict_html
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.faults = Faults()
        self.stats = Stats()
        self.error_log: list[ErrorRecord] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.sent: list[SentMessage] = []  # every bot message, all chats, in order
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.descriptions: dict[tuple[str, str], str] = {}  # (kind, language_code) -> text
        self.webhook_url: str = ""
        self.chat_actions: list[tuple[int, str]] = []

        self._people: dict[int, Person] = {}
        self._groups: dict[int, Group] = {}
        self._slots: dict[tuple[int, int], _Slot] = {}
        self._inboxes: dict[int, list[SentMessage]] = {}
        self._next_mid: dict[int, int] = {}
        self._files: dict[str, FileRecord] = {}
        self._files_by_path: dict[str, FileRecord] = {}
        self._file_counter = 0
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._delivered_max = 0
        self._poll_generation = 0
        self._callbacks: dict[str, _PendingCallback] = {}
        self._callback_counter = 0
        self._buckets: dict[object, _Bucket] = {}
        self._outputs: list[tuple[int, int, SentMessage]] = []  # (seq, chat_id, message) new + edits
        self._output_seqs: list[int] = []
        self._seq = 0
        self._subscribers: list[asyncio.Queue[Event]] = []
        self._changed: asyncio.Event | None = None
        self._inflight = 0
        self._last_activity = time.monotonic()
        # Set by whoever runs the bot beside the emulator: True while the bot is still handling
        # updates it fetched (it handles several at once, so silence alone does not mean done).
        self.bot_busy: Callable[[], bool] = lambda: False
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._host = "127.0.0.1"
        self._port = 0

        self._handlers: dict[str, tuple[str, Callable[[_Params], Awaitable[Any]]]] = {}
        for name in dir(self):
            if name.startswith("_api_"):
                canonical = name[5:]
                self._handlers[canonical.lower()] = (canonical, getattr(self, name))

        self.web_app = web.Application(client_max_size=MAX_UPLOAD)
        self.web_app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.web_app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)

    # ---------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        """Start listening (port 0 = an ephemeral port; read :attr:`api_url` afterwards)."""
        self._closing = False
        self._runner = web.AppRunner(self.web_app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port)
        await self._site.start()
        self._host = host
        addresses = self._runner.addresses  # the real port when port=0 was asked for
        self._port = int(addresses[0][1]) if addresses else port
        return self

    async def stop(self) -> None:
        """Stop the server; held getUpdates calls return an empty list first."""
        self._closing = True
        self._notify()
        for pending in self._callbacks.values():
            if not pending.future.done():
                pending.future.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """What to pass as python-telegram-bot ``base_url``."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass as python-telegram-bot ``base_file_url``."""
        return f"{self.api_url}/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The bot as a Telegram ``User`` object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @property
    def seq(self) -> int:
        """Monotonic event counter: pass as ``since=`` to only consider later messages."""
        return self._seq

    # ---------------------------------------------------------------- people and groups

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str | None = "zh",
        username: str | None = None,
        last_name: str | None = None,
    ) -> Person:
        """The person with this id (created and given a private chat with the bot on first call)."""
        if user_id in self._people:
            return self._people[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive")
        person = Person(
            self, user_id, first_name, language_code=language_code, username=username, last_name=last_name
        )
        self._people[user_id] = person
        self._inboxes.setdefault(user_id, [])
        return person

    def group(
        self,
        chat_id: int,
        title: str,
        members: Iterable[Person] = (),
        *,
        type: str = "supergroup",
        admins: Iterable[Person] = (),
        username: str | None = None,
    ) -> Group:
        """A group the bot is in (idempotent per id; later calls add members/admins)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if type not in ("group", "supergroup"):
            raise ValueError('type must be "group" or "supergroup"')
        group = self._groups.get(chat_id)
        if group is None:
            group = Group(self, chat_id, title, type=type, username=username)
            self._groups[chat_id] = group
            self._inboxes.setdefault(chat_id, [])
        for person in members:
            group.add(person)
        for person in admins:
            group.promote(person)
        return group

    @property
    def people(self) -> dict[int, Person]:
        return dict(self._people)

    @property
    def groups(self) -> dict[int, Group]:
        return dict(self._groups)

    def inbox(self, chat_id: int) -> list[SentMessage]:
        """Bot messages delivered to ``chat_id``, in order (edited in place, deleted flagged)."""
        return list(self._inboxes.get(chat_id, []))

    def chat_json(self, chat_id: int) -> JSON:
        if chat_id in self._people:
            return self._people[chat_id].chat_json
        if chat_id in self._groups:
            return self._groups[chat_id].chat_json
        raise KeyError(chat_id)

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The Telegram ``Message`` object of any message in any chat (bot's or a person's)."""
        slot = self._slots.get((chat_id, message_id))
        return slot.raw if slot else None

    def get_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        return list(self.commands.get((self._scope_key(scope), language_code), []))

    # ---------------------------------------------------------------- observation

    def subscribe(self, maxsize: int = 0) -> asyncio.Queue[Event]:
        """A queue receiving every :class:`Event` from now on (for the browser chat's SSE)."""
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(queue)

    async def wait_idle(self, quiet: float = 0.05, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once every queued update was fetched and the bot has been silent for ``quiet`` s.

        Raises TimeoutError (e.g. when the bot is not polling at all) after ``timeout``.
        """
        if not await self._settle(quiet, asyncio.get_running_loop().time() + timeout):
            unfetched, inflight, silent = self._idle_state()
            raise TimeoutError(
                f"emulator not idle after {timeout}s: {unfetched} update(s) not fetched, "
                f"{inflight} request(s) in flight, last activity {silent:.3f}s ago"
            )

    def _idle_state(self) -> tuple[int, int, float]:
        """(updates not yet fetched, bot requests in flight, seconds since the last activity)."""
        unfetched = sum(1 for u in self._pending if u["update_id"] > self._delivered_max)
        inflight = self._inflight + (1 if self.bot_busy() else 0)
        return unfetched, inflight, time.monotonic() - self._last_activity

    async def _settle(self, quiet: float, deadline: float) -> bool:
        """Wait (until the loop-time ``deadline``) for the bot to go idle; False if it did not."""
        loop = asyncio.get_running_loop()
        while True:
            unfetched, inflight, silent = self._idle_state()
            if not unfetched and inflight == 0 and silent >= quiet:
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(min(0.01, max(0.001, quiet / 4)))

    # ---------------------------------------------------------------- internal helpers

    def _now(self) -> dt.datetime:
        if self.clock is not None:
            return self.clock()
        return dt.datetime.now(dt.UTC)

    def _timestamp(self) -> int:
        return int(self._now().timestamp())

    def _notify(self) -> None:
        """Wake everything waiting on a state change (long polls, wait_for, wait_idle)."""
        if self._changed is not None:
            self._changed.set()
        self._changed = None

    async def _wait_change(self, seconds: float) -> None:
        if self._changed is None:
            self._changed = asyncio.Event()
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def _publish(
        self, kind: str, chat_id: int | None, sent: SentMessage | None = None, /, **data: Any
    ) -> Event:
        self._seq += 1
        event = Event(self._seq, kind, chat_id, sent, data)
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)
        self._notify()
        return event

    def _record_output(self, event: Event) -> None:
        assert event.message is not None and event.chat_id is not None
        self._outputs.append((event.seq, event.chat_id, event.message))
        self._output_seqs.append(event.seq)

    def _outputs_since(self, since: int, chat_id: int) -> list[SentMessage]:
        start = bisect.bisect_right(self._output_seqs, since)
        seen: list[SentMessage] = []
        ids: set[int] = set()
        for _seq, cid, message in self._outputs[start:]:
            if cid == chat_id and id(message) not in ids:
                ids.add(id(message))
                seen.append(message)
        return seen

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    def _new_message_id(self, chat_id: int) -> int:
        mid = self._next_mid.get(chat_id, 1)
        self._next_mid[chat_id] = mid + 1
        return mid

    def _push_update(self, payload: JSON) -> int:
        """Queue an update (``payload`` is e.g. ``{"message": {...}}``); returns its update_id."""
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._pending.append(update)
        self._notify()
        return int(update["update_id"])

    def push_update(self, payload: JSON) -> int:
        """Public escape hatch for update types the people API does not cover."""
        return self._push_update(payload)

    def _store_user_message(self, chat_id: int, raw: JSON) -> None:
        self._slots[(chat_id, int(raw["message_id"]))] = _Slot(raw)

    def _new_callback_id(self) -> str:
        self._callback_counter += 1
        return f"{self.bot_id}{self._callback_counter:012d}"

    def _register_file(
        self,
        data: bytes | None,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> FileRecord:
        self._file_counter += 1
        n = self._file_counter
        digest = hashlib.sha1((data or (url or "").encode()) + n.to_bytes(8, "big")).hexdigest()
        prefix = {"photo": "AgACAgUAAxk", "document": "BQACAgUAAxk"}.get(kind, "CAACAgUAAxk")
        record = FileRecord(
            file_id=f"{prefix}{digest[:24]}_{n}",
            file_unique_id=f"AQAD{digest[24:36]}{n}",
            data=data,
            url=url,
            file_name=file_name,
            mime_type=mime_type,
            kind=kind,
        )
        if size is not None:
            record.width, record.height = size
        self._files[record.file_id] = record
        return record

    def _register_upload(
        self, data: bytes, *, kind: str, file_name: str | None, mime_type: str | None
    ) -> FileRecord:
        """Register uploaded bytes; pictures get their real dimensions (800x600 if unreadable)."""
        size = (_image_size(data) or (800, 600)) if kind == "photo" else None
        return self._register_file(data, kind=kind, file_name=file_name, mime_type=mime_type, size=size)

    def _new_callback_query(
        self, person: Person, chat_id: int, target: SentMessage, data: str
    ) -> asyncio.Future[CallbackAnswer]:
        """Queue a callback_query update; the future resolves when the bot answers it."""
        query_id = self._new_callback_id()
        query: JSON = {
            "id": query_id,
            "from": person.user_json,
            "message": json.loads(json.dumps(target.raw)),
            "chat_instance": str((chat_id * 2654435761) % (1 << 62)),
            "data": data,
        }
        future: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        self._callbacks[query_id] = _PendingCallback(query, future)
        self._publish("callback_query", chat_id, target, query=query)
        self._push_update({"callback_query": query})
        return future

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool],
        *,
        since: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the documented API
        description: str = "predicate",
    ) -> SentMessage:
        """The oldest bot message (new or edited after ``since``) in the chat satisfying ``predicate``.

        Raises AssertionError, listing what did arrive, after ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            candidates = self._outputs_since(since, chat_id)
            for message in candidates:
                if predicate(message):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n".join(
                    f"  #{m.message_id}{' (edited)' if m.edited else ''} {m.plain[:80]!r}"
                    for m in candidates[-8:]
                )
                errors = "\n".join(f"  {e.method}: {e.code} {e.description}" for e in self.error_log[-5:])
                raise AssertionError(
                    f"no bot message matching {description} in chat {chat_id} within {timeout}s.\n"
                    f"Messages since the mark:\n{recent or '  (none)'}\n"
                    f"Recent API errors:\n{errors or '  (none)'}"
                )
            await self._wait_change(remaining)

    def file(self, file_id: str) -> FileRecord | None:
        """A known file (e.g. to read back what a person or the bot uploaded)."""
        return self._files.get(file_id)

    def _photo_sizes(self, record: FileRecord) -> list[JSON]:
        """PhotoSize list: a thumbnail first when the picture is large, like Telegram (use [-1])."""
        width, height = record.width or 800, record.height or 600
        full = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "width": width,
            "height": height,
            "file_size": record.size,
        }
        if max(width, height) <= 320:
            return [full]
        factor = 90 / max(width, height)
        thumb_key = f"{record.file_id}:thumb"
        thumb = self._files.get(thumb_key)
        if thumb is None:
            thumb = self._register_file(
                record.data,
                kind="photo",
                mime_type=record.mime_type,
                url=record.url,
                size=(max(1, round(width * factor)), max(1, round(height * factor))),
            )
            self._files[thumb_key] = thumb
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": thumb.width,
                "height": thumb.height,
                "file_size": thumb.size,
            },
            full,
        ]

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not scope:
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True, ensure_ascii=False)

    # ---------------------------------------------------------------- HTTP layer

    async def _read_params(self, request: web.Request) -> _Params:
        values: JSON = dict(request.query)
        files: dict[str, tuple[str, bytes, str]] = {}
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except (json.JSONDecodeError, UnicodeDecodeError):
                    raise ApiError(400, "Bad Request: can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON object expected")
                values.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = (
                            value.filename,
                            value.file.read(),
                            value.content_type or "application/octet-stream",
                        )
                    else:
                        values[key] = value if isinstance(value, str) else bytes(value).decode()
        return _Params(values, files)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        name = request.match_info["method"]
        entry = self._handlers.get(name.lower())
        if entry is None:
            return self._error(name, ApiError(404, "Not Found: method not found"))
        method, handler = entry
        self.stats.calls[method] += 1
        counts = method != "getUpdates"  # a held long poll is not the bot being busy
        if counts:
            self._inflight += 1
            self._touch()
        try:
            fault = self.faults._take(method)
            if fault is not None:
                return await self._inject(fault, method, handler, request)
            params = await self._read_params(request)
            try:
                result = await handler(params)
            except ApiError as exc:
                return self._error(method, exc, params=params.values)
            return _json_response({"ok": True, "result": result})
        except ApiError as exc:  # raised while reading the request
            return self._error(method, exc)
        except Exception as exc:  # an emulator bug must not look like a network error
            log.exception("emulator failed handling %s", method)
            return self._error(method, ApiError(500, f"Internal Server Error: emulator bug: {exc!r}"))
        finally:
            if counts:
                self._inflight -= 1
                self._touch()
                self._notify()

    def _error(
        self, method: str, exc: ApiError, *, params: JSON | None = None, injected: bool = False
    ) -> web.Response:
        """Answer with Telegram's error envelope and keep score."""
        self.stats.errors[exc.code] += 1
        if exc.code == 429:
            self.stats.too_many_requests += 1
        self.error_log.append(ErrorRecord(method, exc.code, exc.description, injected, params or {}))
        return _json_response(exc.envelope(), exc.code)

    async def _inject(
        self,
        fault: str,
        method: str,
        handler: Callable[[_Params], Awaitable[Any]],
        request: web.Request,
    ) -> web.StreamResponse:
        """Answer a request with an injected failure instead of (or, for reset_after, after) serving it."""
        self.stats.injected[fault] += 1
        if fault == "429":
            return self._error(
                method, ApiError(429, "Too Many Requests: retry after 1", retry_after=1), injected=True
            )
        if fault == "500":
            return self._error(method, ApiError(500, "Internal Server Error"), injected=True)
        params = await self._read_params(request)
        if fault == "502":
            self.stats.errors[502] += 1
            self.error_log.append(ErrorRecord(method, 502, "Bad Gateway", True, params.values))
            return web.Response(status=502, text=BAD_GATEWAY_HTML, content_type="text/html")
        if fault == "reset_after":
            with contextlib.suppress(ApiError):
                await handler(params)
        self.error_log.append(ErrorRecord(method, 0, f"connection {fault}", True, params.values))
        if request.transport is not None:
            request.transport.close()  # the client sees a disconnect, no HTTP response at all
        return web.Response(status=500)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        record = self._files_by_path.get(request.match_info["path"])
        if record is None or record.data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=record.data, content_type=record.mime_type or "application/octet-stream")

    # ---------------------------------------------------------------- validation helpers

    def _resolve_chat(self, p: _Params, name: str = "chat_id") -> int:
        raw = p.raw(name)
        if raw is None or raw == "":
            raise ApiError(400, f"Bad Request: {name} is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            wanted = raw[1:].lower()
            for group in self._groups.values():
                if group.username and group.username.lower() == wanted:
                    return group.id
            raise ApiError(400, "Bad Request: chat not found")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id not in self._people and chat_id not in self._groups:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _check_reachable(self, chat_id: int) -> None:
        if self.faults.is_blocked(chat_id):
            if chat_id > 0:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            kind = self._groups[chat_id].type if chat_id in self._groups else "group"
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")

    def _format(
        self, text: str | None, parse_mode: str | None, entities: Any, *, caption: bool
    ) -> tuple[str, list[JSON]]:
        """Parse per parse_mode, trim like Telegram, and enforce the visible-length limit."""
        text = text or ""
        mode = (parse_mode or "").strip()
        if mode.lower() == "html":
            try:
                parsed = parse_html(text, strict=self.strict_html)
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

    def _check_markup(self, markup: Any) -> JSON | None:
        """Validate reply_markup the way Telegram does where bots commonly break."""
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
                    self._check_inline_button(button)
            if count > 100:
                raise ApiError(400, "Bad Request: reply markup is too long")
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(
                    400, 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an Array'
                )
            for row in rows:
                for button in row:
                    label = button if isinstance(button, str) else (button or {}).get("text")
                    if not isinstance(label, str) or not label:
                        raise ApiError(
                            400, "Bad Request: can't parse keyboard button: Text must be non-empty"
                        )
        elif not ("remove_keyboard" in markup or "force_reply" in markup):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise ApiError(
                400, 'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        if not button["text"].strip():
            raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
        kinds = [k for k in _INLINE_BUTTON_KINDS if k in button]
        if not kinds:
            raise ApiError(
                400,
                "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not (1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT):
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            ok = isinstance(url, str) and url and not re.search(r"\s", url)
            if ok:
                parts = urlsplit(url)
                if parts.scheme in ("http", "https"):
                    ok = bool(parts.netloc)
                elif parts.scheme == "tg":
                    ok = True
                else:
                    ok = not parts.scheme and "." in url
            if not ok:
                raise ApiError(
                    400, f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
                )

    def _reply_to(self, p: _Params, chat_id: int) -> JSON | None:
        params = p.json("reply_parameters")
        mid: int | None = None
        allow_missing = p.bool("allow_sending_without_reply")
        if isinstance(params, dict) and params.get("message_id") is not None:
            mid = int(params["message_id"])
            allow_missing = bool(params.get("allow_sending_without_reply", allow_missing))
            if params.get("chat_id") not in (None, chat_id, str(chat_id)):
                raise ApiError(400, "Bad Request: message to be replied not found")
        elif p.int("reply_to_message_id") is not None:
            mid = p.int("reply_to_message_id")
        if mid is None:
            return None
        slot = self._slots.get((chat_id, mid))
        if slot is None or slot.deleted:
            if allow_missing:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in slot.raw.items() if k != "reply_to_message"}

    def _rate_limit(self, chat_id: int) -> None:
        lim = self.limits
        if not lim.enabled:
            return
        now = time.monotonic()
        plan: list[tuple[object, float, float]] = [
            ("overall", lim.overall_per_second, lim.overall_per_second * lim.scale)
        ]
        if chat_id > 0:
            plan.append((chat_id, lim.private_burst, lim.private_per_second * lim.scale))
        else:
            plan.append((chat_id, lim.group_burst, lim.group_per_minute / 60 * lim.scale))
        buckets: list[_Bucket] = []
        wait = 0.0
        for key, capacity, rate in plan:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(tokens=max(1.0, capacity), stamp=now)
            wait = max(wait, bucket.wait(now, capacity, rate))
            buckets.append(bucket)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            self.stats.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        for bucket in buckets:
            bucket.tokens -= 1

    def _upload(
        self, p: _Params, name: str, *, kind: str
    ) -> tuple[FileRecord, bytes | None, str | None, str | None]:
        """The file sent as ``name``: a multipart upload, a known file_id, or an HTTP URL."""
        if name in p.files:
            filename, data, mime = p.files[name]
            if not data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            record = self._register_upload(data, kind=kind, file_name=filename, mime_type=mime)
            return record, data, filename, mime
        ref = p.str(name)
        if not ref:
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        if ref.startswith("attach://"):
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        known = self._files.get(ref)
        if known is not None:
            return known, known.data, known.file_name, known.mime_type
        if ref.startswith(("http://", "https://")):
            filename = ref.rsplit("/", 1)[-1] or None
            record = self._register_file(None, kind=kind, url=ref, file_name=filename, size=(800, 600))
            return record, None, filename, None
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _deliver(self, message: SentMessage, raw: JSON) -> JSON:
        """Store a new bot message, announce it, and return its Telegram object."""
        message.raw = raw
        message.history.append(self._revision(message))
        self._slots[(message.chat_id, message.message_id)] = _Slot(raw, message)
        self._inboxes.setdefault(message.chat_id, []).append(message)
        self.sent.append(message)
        self.stats.messages_sent += 1
        self._record_output(self._publish("message", message.chat_id, message))
        return raw

    @staticmethod
    def _revision(message: SentMessage) -> Revision:
        return Revision(
            message.text,
            message.caption,
            message.parse_mode,
            message.plain,
            list(message.entities),
            message.reply_markup,
            message.edit_date or message.date,
        )

    def _base_raw(self, chat_id: int, mid: int, date: dt.datetime, reply_to: JSON | None) -> JSON:
        raw: JSON = {
            "message_id": mid,
            "from": self.bot_user,
            "chat": self.chat_json(chat_id),
            "date": int(date.timestamp()),
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        return raw

    def _prepare_send(self, p: _Params) -> tuple[int, JSON | None, JSON | None]:
        chat_id = self._resolve_chat(p)
        self._check_reachable(chat_id)
        markup = self._check_markup(p.json("reply_markup"))
        reply_to = self._reply_to(p, chat_id)
        return chat_id, markup, reply_to

    def _editable(self, p: _Params) -> tuple[int, SentMessage]:
        if p.has("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the emulator")
        chat_id = self._resolve_chat(p)
        self._check_reachable(chat_id)
        mid = p.int("message_id", required=True)
        assert mid is not None
        slot = self._slots.get((chat_id, mid))
        if slot is None or slot.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if slot.sent is None:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat_id, slot.sent

    def _apply_edit(self, message: SentMessage, **changes: Any) -> JSON:
        old = (message.plain, message.entities, message.reply_markup)
        new = (
            changes.get("plain", message.plain),
            changes.get("entities", message.entities),
            changes.get("reply_markup", message.reply_markup),
        )
        if old == new:
            raise ApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            setattr(message, key, value)
        now = self._now()
        message.edited = True
        message.edit_date = now
        raw = message.raw
        if message.kind == "text":
            raw["text"] = message.plain
            self._set_entities(raw, "entities", message.entities)
        elif message.caption is not None or "caption" in raw:
            if message.plain:
                raw["caption"] = message.plain
            else:
                raw.pop("caption", None)
            self._set_entities(raw, "caption_entities", message.entities)
        self._set_markup(raw, message.reply_markup)
        raw["edit_date"] = int(now.timestamp())
        message.history.append(self._revision(message))
        self.stats.edits += 1
        self._record_output(self._publish("edit", message.chat_id, message))
        return raw

    @staticmethod
    def _set_markup(raw: JSON, markup: JSON | None) -> None:
        """Telegram echoes only inline keyboards in a Message; reply keyboards are not part of it."""
        if markup is not None and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        else:
            raw.pop("reply_markup", None)

    @staticmethod
    def _set_entities(raw: JSON, key: str, entities: list[JSON]) -> None:
        if entities:
            raw[key] = entities
        else:
            raw.pop(key, None)

    # ---------------------------------------------------------------- Bot API methods
    # Each ``_api_<methodName>`` returns the JSON ``result`` or raises ApiError.

    async def _api_getMe(self, p: _Params) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, p: _Params) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.int("offset")
        limit = min(100, max(1, p.int("limit") or 100))
        timeout = max(0.0, p.float("timeout") or 0.0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll still waiting must now give way (409)
        if offset is not None and offset < 0:
            self._pending = self._pending[offset:]
        elif offset:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._pending:
                batch = self._pending[:limit]
                newest = int(batch[-1]["update_id"])
                if newest > self._delivered_max:
                    self.stats.updates_delivered += sum(
                        1 for u in batch if u["update_id"] > self._delivered_max
                    )
                    self._delivered_max = newest
                self._touch()
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return []
            await self._wait_change(remaining)

    async def _api_setWebhook(self, p: _Params) -> bool:
        self.webhook_url = p.str("url") or ""
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _api_deleteWebhook(self, p: _Params) -> bool:
        self.webhook_url = ""
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _api_getWebhookInfo(self, p: _Params) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _api_close(self, p: _Params) -> bool:
        return True

    async def _api_logOut(self, p: _Params) -> bool:
        return True

    async def _api_setMyCommands(self, p: _Params) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list):
            raise ApiError(400, 'Bad Request: parameter "commands" is required')
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for cmd in commands:
            name = cmd.get("command", "") if isinstance(cmd, dict) else ""
            desc = cmd.get("description", "") if isinstance(cmd, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name)):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not (1 <= len(str(desc).strip()) <= 256):
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (self._scope_key(p.json("scope")), p.str("language_code") or "")
        self.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _api_getMyCommands(self, p: _Params) -> list[JSON]:
        return self.get_commands(p.json("scope"), p.str("language_code") or "")

    async def _api_deleteMyCommands(self, p: _Params) -> bool:
        self.commands.pop((self._scope_key(p.json("scope")), p.str("language_code") or ""), None)
        return True

    async def _store_description(self, p: _Params, kind: str, limit: int) -> bool:
        value = p.str(kind) or ""
        if len(value) > limit:
            raise ApiError(400, f"Bad Request: {kind.replace('_', ' ')} is too long")
        self.descriptions[(kind, p.str("language_code") or "")] = value
        return True

    async def _api_setMyDescription(self, p: _Params) -> bool:
        return await self._store_description(p, "description", 512)

    async def _api_setMyShortDescription(self, p: _Params) -> bool:
        return await self._store_description(p, "short_description", 120)

    async def _api_setMyName(self, p: _Params) -> bool:
        return await self._store_description(p, "name", 64)

    async def _api_getMyDescription(self, p: _Params) -> JSON:
        return {"description": self.descriptions.get(("description", p.str("language_code") or ""), "")}

    async def _api_getMyShortDescription(self, p: _Params) -> JSON:
        lang = p.str("language_code") or ""
        return {"short_description": self.descriptions.get(("short_description", lang), "")}

    async def _api_getMyName(self, p: _Params) -> JSON:
        lang = p.str("language_code") or ""
        return {"name": self.descriptions.get(("name", lang), self.bot_first_name)}

    async def _api_setChatMenuButton(self, p: _Params) -> bool:
        chat_id = self._resolve_chat(p) if p.has("chat_id") else None
        self.menu_buttons[chat_id] = p.json("menu_button") or {"type": "default"}
        return True

    async def _api_getChatMenuButton(self, p: _Params) -> JSON:
        chat_id = self._resolve_chat(p) if p.has("chat_id") else None
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _api_sendMessage(self, p: _Params) -> JSON:
        chat_id, markup, reply_to = self._prepare_send(p)
        text = p.str("text")
        parse_mode = p.str("parse_mode")
        plain, entities = self._format(text, parse_mode, p.json("entities"), caption=False)
        self._rate_limit(chat_id)
        date = self._now()
        mid = self._new_message_id(chat_id)
        raw = self._base_raw(chat_id, mid, date, reply_to)
        raw["text"] = plain
        self._set_entities(raw, "entities", entities)
        if p.json("link_preview_options") is not None:
            raw["link_preview_options"] = p.json("link_preview_options")
        self._set_markup(raw, markup)
        message = SentMessage(
            chat_id=chat_id,
            message_id=mid,
            kind="text",
            date=date,
            text=text,
            parse_mode=parse_mode,
            plain=plain,
            entities=entities,
            reply_markup=markup,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
        )
        return self._deliver(message, raw)

    async def _send_media(self, p: _Params, kind: str) -> JSON:
        chat_id, markup, reply_to = self._prepare_send(p)
        caption = p.str("caption")
        parse_mode = p.str("parse_mode")
        plain, entities = self._format(caption, parse_mode, p.json("caption_entities"), caption=True)
        record, data, filename, mime = self._upload(p, kind, kind=kind)
        self._rate_limit(chat_id)
        date = self._now()
        mid = self._new_message_id(chat_id)
        raw = self._base_raw(chat_id, mid, date, reply_to)
        if kind == "photo":
            raw["photo"] = self._photo_sizes(record)
        else:
            doc: JSON = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
            if record.file_name:
                doc["file_name"] = record.file_name
            if record.mime_type:
                doc["mime_type"] = record.mime_type
            doc["file_size"] = record.size
            raw["document"] = doc
        if plain:
            raw["caption"] = plain
        self._set_entities(raw, "caption_entities", entities)
        self._set_markup(raw, markup)
        message = SentMessage(
            chat_id=chat_id,
            message_id=mid,
            kind=kind,
            date=date,
            caption=caption,
            parse_mode=parse_mode,
            plain=plain,
            entities=entities,
            reply_markup=markup,
            photo=data if kind == "photo" else None,
            document=data if kind == "document" else None,
            filename=filename,
            mime_type=mime,
            file_id=record.file_id,
            file_url=record.url,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
        )
        return self._deliver(message, raw)

    async def _api_sendPhoto(self, p: _Params) -> JSON:
        return await self._send_media(p, "photo")

    async def _api_sendDocument(self, p: _Params) -> JSON:
        return await self._send_media(p, "document")

    def _coordinates(self, p: _Params) -> JSON:
        lat = p.float("latitude", required=True)
        lon = p.float("longitude", required=True)
        assert lat is not None and lon is not None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ApiError(400, "Bad Request: wrong coordinates")
        return {"latitude": lat, "longitude": lon}

    async def _api_sendLocation(self, p: _Params) -> JSON:
        chat_id, markup, reply_to = self._prepare_send(p)
        location = self._coordinates(p)
        self._rate_limit(chat_id)
        date = self._now()
        mid = self._new_message_id(chat_id)
        raw = self._base_raw(chat_id, mid, date, reply_to)
        raw["location"] = location
        self._set_markup(raw, markup)
        message = SentMessage(chat_id, mid, "location", date, reply_markup=markup, location=location)
        return self._deliver(message, raw)

    async def _api_sendVenue(self, p: _Params) -> JSON:
        chat_id, markup, reply_to = self._prepare_send(p)
        location = self._coordinates(p)
        title = p.str("title") or ""
        address = p.str("address") or ""
        if not title.strip() or not address.strip():
            raise ApiError(400, "Bad Request: venue title and address must be non-empty")
        self._rate_limit(chat_id)
        date = self._now()
        mid = self._new_message_id(chat_id)
        raw = self._base_raw(chat_id, mid, date, reply_to)
        venue = {"location": location, "title": title, "address": address}
        raw["venue"] = venue
        raw["location"] = location
        self._set_markup(raw, markup)
        message = SentMessage(
            chat_id,
            mid,
            "venue",
            date,
            plain=f"{title}\n{address}",
            reply_markup=markup,
            location=location,
            venue=venue,
        )
        return self._deliver(message, raw)

    async def _api_editMessageText(self, p: _Params) -> JSON:
        _chat_id, message = self._editable(p)
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = p.str("text")
        parse_mode = p.str("parse_mode")
        plain, entities = self._format(text, parse_mode, p.json("entities"), caption=False)
        markup = self._check_markup(p.json("reply_markup"))
        return self._apply_edit(
            message, text=text, parse_mode=parse_mode, plain=plain, entities=entities, reply_markup=markup
        )

    async def _api_editMessageCaption(self, p: _Params) -> JSON:
        _chat_id, message = self._editable(p)
        if message.kind not in ("photo", "document"):
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = p.str("caption")
        parse_mode = p.str("parse_mode")
        plain, entities = self._format(caption, parse_mode, p.json("caption_entities"), caption=True)
        markup = self._check_markup(p.json("reply_markup"))
        return self._apply_edit(
            message,
            caption=caption,
            parse_mode=parse_mode,
            plain=plain,
            entities=entities,
            reply_markup=markup,
        )

    async def _api_editMessageReplyMarkup(self, p: _Params) -> JSON:
        _chat_id, message = self._editable(p)
        markup = self._check_markup(p.json("reply_markup"))
        return self._apply_edit(message, reply_markup=markup)

    async def _api_deleteMessage(self, p: _Params) -> bool:
        chat_id = self._resolve_chat(p)
        self._check_reachable(chat_id)
        mid = p.int("message_id", required=True)
        assert mid is not None
        slot = self._slots.get((chat_id, mid))
        if slot is None or slot.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        slot.deleted = True
        if slot.sent is not None:
            slot.sent.deleted = True
        self._publish("delete", chat_id, slot.sent, message_id=mid)
        return True

    async def _api_answerCallbackQuery(self, p: _Params) -> bool:
        query_id = p.str("callback_query_id") or ""
        pending = self._callbacks.get(query_id)
        if pending is None or pending.answered:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        text = p.str("text")
        if text is not None and len(text) > ANSWER_TEXT_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        pending.answered = True
        answer = CallbackAnswer(
            callback_query_id=query_id,
            text=text,
            show_alert=p.bool("show_alert"),
            url=p.str("url"),
            cache_time=p.int("cache_time"),
            data=pending.query.get("data"),
            user_id=int(pending.query["from"]["id"]),
        )
        self.callback_answers.append(answer)
        if not pending.future.done():
            pending.future.set_result(answer)
        message = pending.query.get("message") or {}
        chat_id = (message.get("chat") or {}).get("id")
        self._publish("callback_answer", chat_id, None, answer=answer)
        return True

    async def _api_getFile(self, p: _Params) -> JSON:
        file_id = p.str("file_id") or ""
        record = self._files.get(file_id)
        if record is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if record.data is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        if record.file_path is None:
            folder = "photos" if record.kind == "photo" else "documents"
            suffix = ""
            if record.file_name and "." in record.file_name:
                suffix = "." + record.file_name.rsplit(".", 1)[-1]
            elif record.kind == "photo":
                suffix = ".jpg"
            record.file_path = f"{folder}/file_{len(self._files_by_path)}{suffix}"
            self._files_by_path[record.file_path] = record
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.size,
            "file_path": record.file_path,
        }

    async def _api_getChat(self, p: _Params) -> JSON:
        chat_id = self._resolve_chat(p)
        info = dict(self.chat_json(chat_id))
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _member_json(self, chat_id: int, user_id: int) -> JSON:
        if user_id == self.bot_id:
            user = self.bot_user
        elif user_id in self._people:
            user = self._people[user_id].user_json
        else:
            raise ApiError(400, "Bad Request: user not found")
        if chat_id > 0:
            status = "member" if user_id in (chat_id, self.bot_id) else "left"
            return {"status": status, "user": user}
        group = self._groups[chat_id]
        if user_id == self.bot_id or user_id in group.admins:
            flags = (
                "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
                "can_promote_members can_change_info can_invite_users can_post_stories can_edit_stories "
                "can_delete_stories can_pin_messages"
            ).split()
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                **dict.fromkeys(flags, True),
            }
        if user_id in group.member_ids:
            return {"status": "member", "user": user}
        return {"status": "left", "user": user}

    async def _api_getChatMember(self, p: _Params) -> JSON:
        chat_id = self._resolve_chat(p)
        user_id = p.int("user_id", required=True)
        assert user_id is not None
        return self._member_json(chat_id, user_id)

    async def _api_getChatAdministrators(self, p: _Params) -> list[JSON]:
        chat_id = self._resolve_chat(p)
        if chat_id > 0:
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        ids = [self.bot_id, *sorted(self._groups[chat_id].admins)]
        return [self._member_json(chat_id, uid) for uid in ids]

    async def _api_getChatMemberCount(self, p: _Params) -> int:
        chat_id = self._resolve_chat(p)
        return 2 if chat_id > 0 else len(self._groups[chat_id].member_ids) + 1

    async def _api_leaveChat(self, p: _Params) -> bool:
        chat_id = self._resolve_chat(p)
        self.faults.block(chat_id)
        return True

    async def _api_sendChatAction(self, p: _Params) -> bool:
        chat_id = self._resolve_chat(p)
        self._check_reachable(chat_id)
        action = p.str("action") or ""
        if not action:
            raise ApiError(400, "Bad Request: action is empty")
        self.chat_actions.append((chat_id, action))
        self._publish("chat_action", chat_id, None, action=action)
        return True

    async def _api_pinChatMessage(self, p: _Params) -> bool:
        chat_id = self._resolve_chat(p)
        self._check_reachable(chat_id)
        mid = p.int("message_id", required=True)
        assert mid is not None
        slot = self._slots.get((chat_id, mid))
        if slot is None or slot.deleted:
            raise ApiError(400, "Bad Request: message to pin not found")
        slot.pinned = True
        if slot.sent is not None:
            slot.sent.pinned = True
        self._publish("pin", chat_id, slot.sent, message_id=mid)
        return True

    async def _api_unpinChatMessage(self, p: _Params) -> bool:
        chat_id = self._resolve_chat(p)
        mid = p.int("message_id")
        for (cid, m), slot in self._slots.items():
            if cid == chat_id and (mid is None or m == mid):
                slot.pinned = False
                if slot.sent is not None:
                    slot.sent.pinned = False
        return True

    async def _api_unpinAllChatMessages(self, p: _Params) -> bool:
        p.values.pop("message_id", None)
        return await self._api_unpinChatMessage(p)
