"""The one public object: :class:`Emulator` builds the parts, runs the server, and is what tests see.

Why a facade: tests, the demo and the benchmarks need one handle — start and stop it, create
people and groups, read what the bot sent, wait for it to go quiet, arm faults — while the parts
(server, store, queues, checks) stay small and independent behind it.  The people
(:mod:`bot.sandbox.people`) act through the few methods grouped under "what people do".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterable

from aiohttp import web

from bot.sandbox.emulator import methods, webapps
from bot.sandbox.emulator.callbacks import CallbackQueries
from bot.sandbox.emulator.events import EventBus
from bot.sandbox.emulator.faults import Faults
from bot.sandbox.emulator.files import FileStore
from bot.sandbox.emulator.methods.profile import scope_key
from bot.sandbox.emulator.ratelimit import RateLimiter
from bot.sandbox.emulator.records import JSON, ErrorRecord, Event, FileRecord, Limits, SentMessage, Stats
from bot.sandbox.emulator.server import ApiServer
from bot.sandbox.emulator.store import ChatStore
from bot.sandbox.emulator.updates import UpdateQueue
from bot.sandbox.people import CallbackAnswer, Group, Person

__all__ = ["Emulator"]


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
        test_environment: bool = False,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.clock = clock
        self.strict_html = strict_html
        # Telegram's test environment accepts http Mini App URLs (the local demo serves plain http).
        self.test_environment = test_environment
        # The bot's Mini Apps as BotFather knows them: /newapp short names, and the main Mini App.
        self.mini_apps: dict[str, str] = {}
        self.main_mini_app: str | None = None
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.faults = Faults()
        self.stats = Stats()
        self.error_log: list[ErrorRecord] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope, language_code) -> commands
        self.menu_buttons: dict[int | None, JSON] = {}
        self.descriptions: dict[tuple[str, str], str] = {}  # (kind, language_code) -> text
        self.webhook_url: str = ""
        self.chat_actions: list[tuple[int, str]] = []
        # Set by whoever runs the bot beside the emulator: True while the bot is still handling
        # updates it fetched (it handles several at once, so silence alone does not mean done).
        self.bot_busy: Callable[[], bool] = lambda: False

        self.bus = EventBus()
        self.store = ChatStore(self.bus, self.stats, self.faults)
        self.files = FileStore()
        self.updates = UpdateQueue(self.bus, self.stats)
        self.callbacks = CallbackQueries(self.bot_id, self.bus, self.updates, self.now)
        self.limiter = RateLimiter(limits if limits is not None else Limits(), self.stats)
        self.server = ApiServer(
            token,
            methods.bind(self),
            faults=self.faults,
            stats=self.stats,
            error_log=self.error_log,
            bus=self.bus,
            files=self.files,
        )

    # ---------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Emulator:
        """Start listening (port 0 = an ephemeral port; read :attr:`api_url` afterwards)."""
        self.updates.closing = False
        await self.server.start(host, port)
        return self

    async def stop(self) -> None:
        """Stop the server; held getUpdates calls return an empty list first."""
        self.updates.close()
        self.callbacks.cancel_all()
        await self.server.stop()

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def web_app(self) -> web.Application:
        """The aiohttp application (add routes before :meth:`start`)."""
        return self.server.app

    @property
    def api_url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.server.host}:{self.server.port}"

    @property
    def base_url(self) -> str:
        """What to pass as python-telegram-bot ``base_url``."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass as python-telegram-bot ``base_file_url``."""
        return f"{self.api_url}/file/bot"

    @property
    def limits(self) -> Limits:
        """The flood limits in force (mutable: they apply from the next message on)."""
        return self.limiter.limits

    @limits.setter
    def limits(self, limits: Limits) -> None:
        self.limiter.limits = limits

    @property
    def bot_user(self) -> JSON:
        """The bot as a Telegram ``User`` object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def now(self) -> dt.datetime:
        """The emulator's time (the injected clock, else UTC now): message dates, edit dates."""
        if self.clock is not None:
            return self.clock()
        return dt.datetime.now(dt.UTC)

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
        if user_id in self.store.people:
            return self.store.people[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive")
        person = Person(
            self, user_id, first_name, language_code=language_code, username=username, last_name=last_name
        )
        self.store.add_person(person)
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
        group = self.store.groups.get(chat_id)
        if group is None:
            group = Group(self, chat_id, title, type=type, username=username)
            self.store.add_group(group)
        for person in members:
            group.add(person)
        for person in admins:
            group.promote(person)
        return group

    @property
    def people(self) -> dict[int, Person]:
        return dict(self.store.people)

    @property
    def groups(self) -> dict[int, Group]:
        return dict(self.store.groups)

    # ---------------------------------------------------------------- what the bot did

    @property
    def sent(self) -> list[SentMessage]:
        """Every bot message, all chats, in order."""
        return self.store.sent

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Every answerCallbackQuery, in order."""
        return self.callbacks.answers

    def inbox(self, chat_id: int) -> list[SentMessage]:
        """Bot messages delivered to ``chat_id``, in order (edited in place, deleted flagged)."""
        return self.store.inbox(chat_id)

    def chat_json(self, chat_id: int) -> JSON:
        return self.store.chat_json(chat_id)

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The Telegram ``Message`` object of any message in any chat (bot's or a person's)."""
        return self.store.message(chat_id, message_id)

    def file(self, file_id: str) -> FileRecord | None:
        """A known file (e.g. to read back what a person or the bot uploaded)."""
        return self.files.get(file_id)

    def get_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        return list(self.commands.get((scope_key(scope), language_code), []))

    # ---------------------------------------------------------------- what people do

    def receive(self, chat_id: int, raw: JSON) -> None:
        """A person's message reaches Telegram: stored, shown to subscribers, queued for the bot."""
        self.store.add_user_message(chat_id, raw)
        self.limiter.heard_from(chat_id)
        self.bus.publish("user_message", chat_id, None, message=raw)
        self.updates.push({"message": raw})

    async def migrate(self, group: Group, by: Person, *, supergroup_id: int | None = None) -> Group:
        """``by`` upgrades the basic ``group`` to a supergroup, as Telegram does it.

        The supergroup is a new chat (a new id: ``supergroup_id``, by default -100 followed by the
        group's digits) with the same title, members and administrators, and its own message
        numbering. The bot receives the two service messages Telegram sends: ``migrate_to_chat_id``
        in the old group, then ``migrate_from_chat_id`` in the supergroup. From then on the old
        group is read-only: sending, editing, deleting or pinning there is refused with 400 "group
        chat was upgraded to a supergroup chat" and ``parameters.migrate_to_chat_id``.
        """
        if group.type != "group":
            raise ValueError(f"only a basic group (type 'group') can be upgraded, not a {group.type}")
        if group.migrated_to is not None:
            raise ValueError(f"{group!r} was already upgraded to {group.migrated_to}")
        new_id = supergroup_id if supergroup_id is not None else int(f"-100{abs(group.id)}")
        if new_id in self.store.groups or new_id in self.store.people:
            raise ValueError(f"chat {new_id} exists already")
        admins = [person for person in group.members if person.id in group.admins]
        supergroup = self.group(new_id, group.title, group.members, admins=admins)
        self.receive(group.id, {**self._service_base(group.id, by), "migrate_to_chat_id": new_id})
        group.migrated_to = new_id
        self.receive(new_id, {**self._service_base(new_id, by), "migrate_from_chat_id": group.id})
        await asyncio.sleep(0)
        return supergroup

    def _service_base(self, chat_id: int, by: Person) -> JSON:
        """The common part of a service message in ``chat_id`` caused by ``by``."""
        return {
            "message_id": self.store.new_message_id(chat_id),
            "from": by.user_json,
            "chat": self.store.chat_json(chat_id),
            "date": int(self.now().timestamp()),
        }

    def press(
        self, user: JSON, chat_id: int, target: SentMessage, data: str
    ) -> asyncio.Future[CallbackAnswer | None]:
        """A person presses a button of ``target``: a callback query, answered through the future."""
        self.limiter.heard_from(chat_id)
        return self.callbacks.open(user, chat_id, target, data)

    # ---------------------------------------------------------------- Mini Apps

    def launch_web_app(
        self,
        person: Person,
        url: str,
        *,
        query: bool = False,
        start_param: str | None = None,
        chat_type: str | None = None,
    ) -> str:
        """The URL a person's Telegram opens for a Mini App: `url` with signed launch parameters."""
        fields = webapps.init_fields(
            person.user_json,
            int(self.now().timestamp()),
            query=query,
            start_param=start_param,
            chat_type=chat_type,
        )
        return webapps.launch_url(
            url, webapps.sign_init_data(self.token, fields), start_param=start_param if chat_type else None
        )

    def menu_button_of(self, user_id: int) -> JSON:
        """The menu button a person sees in their chat with the bot (setChatMenuButton)."""
        for key in (user_id, None):
            button = self.menu_buttons.get(key)
            if button and button.get("type") != "default":
                return button
        return {"type": "commands"}

    def direct_link_app(self, link: str) -> tuple[str, str | None] | None:
        """(the app's URL, startapp) when `link` is a t.me direct link to one of this bot's Mini Apps."""
        target = webapps.direct_link_target(link, self.bot_username)
        if target is None:
            return None
        short_name, start = target
        url = self.mini_apps.get(short_name) if short_name else self.main_mini_app
        return (url, start) if url else None

    # ---------------------------------------------------------------- observation

    @property
    def seq(self) -> int:
        """Monotonic event counter: pass as ``since=`` to only consider later messages."""
        return self.bus.seq

    def subscribe(self, maxsize: int = 0) -> asyncio.Queue[Event]:
        """A queue receiving every :class:`Event` from now on (for the browser chat's SSE)."""
        return self.bus.subscribe(maxsize)

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        self.bus.unsubscribe(queue)

    async def wait_idle(self, quiet: float = 0.05, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once every queued update was fetched and the bot has been silent for ``quiet`` s.

        Raises TimeoutError (e.g. when the bot is not polling at all) after ``timeout``.
        """
        if not await self.settle(quiet, asyncio.get_running_loop().time() + timeout):
            unfetched, inflight, silent = self._idle_state()
            raise TimeoutError(
                f"emulator not idle after {timeout}s: {unfetched} update(s) not fetched, "
                f"{inflight} request(s) in flight, last activity {silent:.3f}s ago"
            )

    async def settle(self, quiet: float, deadline: float) -> bool:
        """Wait (until the loop-time ``deadline``) for the bot to go idle; False if it did not."""
        loop = asyncio.get_running_loop()
        while True:
            unfetched, inflight, silent = self._idle_state()
            if not unfetched and inflight == 0 and silent >= quiet:
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(min(0.01, max(0.001, quiet / 4)))

    def _idle_state(self) -> tuple[int, int, float]:
        """(updates not yet fetched, bot requests in flight, seconds since the last activity)."""
        inflight = self.bus.inflight + (1 if self.bot_busy() else 0)
        return self.updates.unfetched(), inflight, time.monotonic() - self.bus.last_activity

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
            candidates = self.bus.outputs_since(since, chat_id)
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
            await self.bus.wait_change(remaining)
