"""The humans around the bot: people who type, press buttons and share things, and their groups.

Why: end-to-end tests and the demo should read like a conversation (``await alice.send("/start")``,
``await alice.press("预约")``, ``await alice.wait_for("已预约")``) while every step still travels
through the real Bot API protocol of :class:`~bot.sandbox.emulator.Emulator`.

Create people and groups with :meth:`Emulator.user` and :meth:`Emulator.group`, not directly.

``wait_for`` semantics: it considers bot messages (new ones and edits) in the chat recorded after
this person's last action (send/press/share...), or after ``since`` (an ``emu.seq`` value) when
given, and returns the oldest that matches — so a reply that arrived before ``wait_for`` was
called is still found, while answers to earlier actions are not.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox.telegram_html import utf16_len

if TYPE_CHECKING:
    from bot.sandbox.emulator import Emulator, SentMessage

__all__ = ["CallbackAnswer", "Group", "Match", "Person"]

JSON = dict[str, Any]
#: A substring of the visible text (``SentMessage.plain``) or a predicate on the message.
Match = str | Callable[["SentMessage"], bool]

# TDLib's bot-command shape: /name (1-64 of [A-Za-z0-9_]) optionally @botname (3-32), not followed
# by a word character, '/', '<', '>' or '@'.
#: Before pressing, wait for the bot to be quiet this long (bounded by _SETTLE_MAX seconds), so
#: ``await p.send("/start"); await p.press("OK")`` presses the button of the reply, not an old one.
_SETTLE_QUIET = 0.02
_SETTLE_MAX = 2.0

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (answerCallbackQuery)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    data: str | None
    user_id: int


def _describe(match: Match) -> str:
    return repr(match) if isinstance(match, str) else getattr(match, "__name__", "predicate")


def _predicate(match: Match) -> Callable[[SentMessage], bool]:
    if isinstance(match, str):
        return lambda m: match in m.plain
    return match


def _listing(messages: list[SentMessage], limit: int = 5) -> str:
    rows = []
    for m in messages[-limit:][::-1]:
        flag = " (deleted)" if m.deleted else ""
        rows.append(f"  #{m.message_id}{flag} {m.plain[:60]!r} buttons={m.buttons}")
    return "\n".join(rows) or "  (no messages)"


class _Chatty:
    """Reading helpers shared by a person's private chat and a group."""

    _emu: Emulator
    id: int
    _mark: int

    @property
    def inbox(self) -> list[SentMessage]:
        """Every bot message delivered to this chat, in order (deleted ones flagged, not removed)."""
        return self._emu.inbox(self.id)

    @property
    def last(self) -> SentMessage | None:
        """The newest bot message in this chat that was not deleted."""
        for message in reversed(self._emu.inbox(self.id)):
            if not message.deleted:
                return message
        return None

    def buttons(self, message: SentMessage | None = None) -> list[str]:
        """Button labels of ``message`` (default: the newest message that has any)."""
        if message is None:
            for candidate in reversed(self.inbox):
                if not candidate.deleted and candidate.buttons:
                    return candidate.buttons
            return []
        return message.buttons

    @property
    def keyboard(self) -> list[str] | None:
        """Labels of the reply keyboard currently shown in this chat (None when there is none)."""
        for message in reversed(self.inbox):
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                return message.buttons
            if markup.get("remove_keyboard"):
                return None
        return None

    def mark(self) -> int:
        """Forget earlier messages for :meth:`wait_for` (returns the new mark)."""
        self._mark = self._emu.seq
        return self._mark


class Person(_Chatty):
    """A Telegram user who has a private chat with the bot."""

    def __init__(
        self,
        emu: Emulator,
        user_id: int,
        first_name: str,
        *,
        language_code: str | None = "zh",
        username: str | None = None,
        last_name: str | None = None,
    ) -> None:
        self._emu = emu
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self._mark = 0

    def __repr__(self) -> str:
        return f"Person({self.id}, {self.first_name!r})"

    @property
    def user_id(self) -> int:
        """Alias of :attr:`id` (also the private chat id)."""
        return self.id

    @property
    def user_json(self) -> JSON:
        """This person as a Telegram ``User``."""
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def chat_json(self) -> JSON:
        """The private chat with the bot as a Telegram ``Chat``."""
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # ------------------------------------------------------------------ state

    def block(self) -> None:
        """Block the bot: its messages to this person now fail with 403."""
        self._emu.faults.block(self.id)

    def unblock(self) -> None:
        self._emu.faults.unblock(self.id)

    # ------------------------------------------------------------------ acting

    def _chat_id(self, chat: Group | None) -> int:
        if chat is None:
            return self.id
        if self.id not in chat.member_ids:
            raise AssertionError(f"{self!r} is not a member of {chat!r}")
        if chat.migrated_to is not None:
            raise AssertionError(f"{chat!r} became the supergroup {chat.migrated_to}: nobody can write in it")
        return chat.id

    def _base(self, chat_id: int) -> JSON:
        return {
            "message_id": self._emu.store.new_message_id(chat_id),
            "from": self.user_json,
            "chat": self._emu.chat_json(chat_id),
            "date": int(self._emu.now().timestamp()),
        }

    def _act(self, chat_id: int) -> None:
        """Remember 'now' so wait_for only looks at what the bot does after this action."""
        self._mark = self._emu.seq
        group = self._emu.store.groups.get(chat_id)
        if group is not None:
            group._mark = self._mark

    async def _emit(self, chat_id: int, raw: JSON) -> JSON:
        self._act(chat_id)
        self._emu.receive(chat_id, raw)
        await asyncio.sleep(0)
        return raw

    async def send(
        self, text: str, chat: Group | None = None, *, reply_to: SentMessage | int | None = None
    ) -> JSON:
        """Type ``text`` (a reply-keyboard press is just its label). Returns the Telegram message.

        A leading ``/command`` (or ``/command@botname``) gets a ``bot_command`` entity like Telegram.
        """
        chat_id = self._chat_id(chat)
        raw = self._base(chat_id)
        raw["text"] = text
        match = _COMMAND_RE.match(text)
        if match:
            raw["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
        self._reply(chat_id, raw, reply_to)
        return await self._emit(chat_id, raw)

    def _reply(self, chat_id: int, raw: JSON, reply_to: SentMessage | int | None) -> None:
        """Make ``raw`` a reply to an earlier message of the chat, as Telegram sends it to the bot."""
        if reply_to is None:
            return
        mid = reply_to if isinstance(reply_to, int) else reply_to.message_id
        replied = self._emu.message(chat_id, mid)
        if replied is None:
            raise AssertionError(f"no message #{mid} in chat {chat_id} to reply to")
        raw["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}

    async def share_contact(self, phone: str, chat: Group | None = None) -> JSON:
        """Share one's own phone number (what a ``request_contact`` keyboard button sends)."""
        chat_id = self._chat_id(chat)
        raw = self._base(chat_id)
        contact: JSON = {"phone_number": phone, "first_name": self.first_name, "user_id": self.id}
        if self.last_name:
            contact["last_name"] = self.last_name
        raw["contact"] = contact
        return await self._emit(chat_id, raw)

    async def share_location(self, latitude: float, longitude: float, chat: Group | None = None) -> JSON:
        """Share a location (what a ``request_location`` keyboard button sends)."""
        chat_id = self._chat_id(chat)
        raw = self._base(chat_id)
        raw["location"] = {"latitude": float(latitude), "longitude": float(longitude)}
        return await self._emit(chat_id, raw)

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        chat: Group | None = None,
        *,
        reply_to: SentMessage | int | None = None,
    ) -> JSON:
        """Send a picture; the bot can download it with getFile (use ``photo[-1]``)."""
        chat_id = self._chat_id(chat)
        record = self._emu.files.register_upload(data, kind="photo", file_name=None, mime_type="image/jpeg")
        raw = self._base(chat_id)
        raw["photo"] = self._emu.files.photo_sizes(record)
        if caption:
            raw["caption"] = caption
        self._reply(chat_id, raw, reply_to)
        return await self._emit(chat_id, raw)

    async def send_document(
        self,
        data: bytes,
        filename: str,
        caption: str | None = None,
        chat: Group | None = None,
        *,
        mime_type: str | None = None,
        reply_to: SentMessage | int | None = None,
    ) -> JSON:
        """Send a file; the bot can download it with getFile."""
        chat_id = self._chat_id(chat)
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        record = self._emu.files.register_upload(data, kind="document", file_name=filename, mime_type=mime)
        raw = self._base(chat_id)
        raw["document"] = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_name": filename,
            "mime_type": mime,
            "file_size": record.size,
        }
        if caption:
            raw["caption"] = caption
        self._reply(chat_id, raw, reply_to)
        return await self._emit(chat_id, raw)

    async def press(
        self,
        label: str,
        *,
        chat: Group | None = None,
        message: SentMessage | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the documented API
    ) -> CallbackAnswer | None:
        """Press the inline button labelled ``label`` on the newest message that has one.

        Exact label matches win over substring matches (searched newest message first).  Like a
        person, it first lets the bot finish reacting to earlier actions, and waits (up to
        ``timeout``) for the button to appear.  Returns the bot's answerCallbackQuery, or None if
        it did not answer within ``timeout``.
        """
        chat_id = self._chat_id(chat)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if message is None:
            await self._emu.settle(_SETTLE_QUIET, min(deadline, loop.time() + _SETTLE_MAX))
        while True:
            found = self._find_button(chat_id, label, message)
            if found is not None:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"{self!r} found no inline button {label!r} in chat {chat_id} within {timeout}s; "
                    "newest messages:\n" + _listing(self._emu.inbox(chat_id))
                )
            await self._emu.bus.wait_change(remaining)
        target, button = found
        if "callback_data" not in button:
            kind = next((k for k in button if k != "text"), "unknown")
            raise AssertionError(f"button {button.get('text')!r} is a {kind} button, not a callback button")
        return await self._callback(
            chat_id, target, button["callback_data"], max(0.0, deadline - loop.time())
        )

    def _find_button(
        self, chat_id: int, label: str, message: SentMessage | None
    ) -> tuple[SentMessage, JSON] | None:
        candidates = [message] if message is not None else list(reversed(self._emu.inbox(chat_id)))
        candidates = [m for m in candidates if not m.deleted]
        for exact in (True, False):
            for candidate in candidates:
                for button in (b for row in candidate.button_rows for b in row):
                    text = button.get("text", "")
                    if (text == label) if exact else (label in text):
                        return candidate, button
        return None

    async def press_data(
        self,
        data: str,
        *,
        message: SentMessage | None = None,
        chat: Group | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the documented API
    ) -> CallbackAnswer | None:
        """Send arbitrary (possibly forged or stale) callback_data, as a malicious client could.

        ``message`` defaults to the newest undeleted bot message in the chat (after letting the
        bot finish reacting to earlier actions).
        """
        chat_id = self._chat_id(chat)
        target = message
        if target is None:
            loop = asyncio.get_running_loop()
            await self._emu.settle(_SETTLE_QUIET, loop.time() + min(timeout, _SETTLE_MAX))
            target = next((m for m in reversed(self._emu.inbox(chat_id)) if not m.deleted), None)
        if target is None:
            raise AssertionError(f"no bot message in chat {chat_id} to attach a callback query to")
        return await self._callback(chat_id, target, data, timeout)

    async def _callback(
        self, chat_id: int, target: SentMessage, data: str, wait: float
    ) -> CallbackAnswer | None:
        self._act(chat_id)
        future = self._emu.press(self.user_json, chat_id, target, data)
        try:
            return await asyncio.wait_for(asyncio.shield(future), wait)
        except TimeoutError:
            return None  # the bot never answered: Telegram would leave the button spinning
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if future.cancelled() and task is not None and not task.cancelling():
                return None  # the emulator stopped while we waited
            raise

    # ------------------------------------------------------------------ Mini Apps

    async def open_app(self, label: str, *, message: SentMessage | None = None, timeout: float = 5.0) -> str:  # noqa: ASYNC109
        """Press the ``web_app`` button labelled ``label`` in the private chat: the URL Telegram opens.

        (Telegram sends the bot nothing: the page gets the signed initData in its #fragment.)
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await self._emu.settle(_SETTLE_QUIET, min(deadline, loop.time() + _SETTLE_MAX))
        while (found := self._find_button(self.id, label, message)) is None:
            if loop.time() >= deadline:
                raise AssertionError(
                    f"{self!r} found no button {label!r}:\n" + _listing(self._emu.inbox(self.id))
                )
            await self._emu.bus.wait_change(deadline - loop.time())
        _, button = found
        if "web_app" not in button:
            kind = next((k for k in button if k != "text"), "unknown")
            raise AssertionError(f"button {label!r} is a {kind} button, not a web_app button")
        return self._emu.launch_web_app(self, button["web_app"]["url"], query=True)

    def open_menu_app(self) -> str:
        """Press the menu button beside the text field, when it opens a Mini App."""
        button = self._emu.menu_button_of(self.id)
        if button.get("type") != "web_app":
            raise AssertionError(f"{self!r}'s menu button opens {button.get('type')!r}, not a Mini App")
        return self._emu.launch_web_app(self, button["web_app"]["url"], query=True)

    def open_link(self, link: str, chat: Group | None = None) -> str:
        """Follow a t.me direct link to the bot's Mini App (e.g. a URL button in a group)."""
        target = self._emu.direct_link_app(link)
        if target is None:
            raise AssertionError(f"{link!r} is not a direct link to a Mini App of this bot")
        url, start = target
        chat_type = "sender" if chat is None else chat.type
        return self._emu.launch_web_app(self, url, start_param=start, chat_type=chat_type)

    # ------------------------------------------------------------------ reading

    async def wait_for(
        self,
        match: Match,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the documented API
        chat: Group | None = None,
        since: int | None = None,
    ) -> SentMessage:
        """Wait for a bot message (new or edited) in the chat matching ``match``.

        ``match`` is a substring of the visible text or a predicate.  Raises AssertionError
        listing the chat's recent messages on timeout.
        """
        chat_id = self.id if chat is None else chat.id
        return await self._emu.wait_for_message(
            chat_id,
            _predicate(match),
            since=self._mark if since is None else since,
            timeout=timeout,
            description=_describe(match),
        )


class Group(_Chatty):
    """A group or supergroup the bot is a member (and administrator) of."""

    def __init__(self, emu: Emulator, chat_id: int, title: str, *, type: str, username: str | None) -> None:
        self._emu = emu
        self.id = chat_id
        self.title = title
        self.type = type
        self.username = username
        self.member_ids: dict[int, Person] = {}
        self.admins: set[int] = set()
        self._mark = 0
        #: The supergroup this group was upgraded to (then read-only, as Telegram makes it).
        self.migrated_to: int | None = None

    def __repr__(self) -> str:
        return f"Group({self.id}, {self.title!r})"

    @property
    def chat_json(self) -> JSON:
        chat: JSON = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            chat["username"] = self.username
        return chat

    @property
    def members(self) -> list[Person]:
        return list(self.member_ids.values())

    def add(self, person: Person) -> None:
        self.member_ids[person.id] = person

    def remove(self, person: Person) -> None:
        """The person left: getChatMember now reports "left"."""
        self.member_ids.pop(person.id, None)
        self.admins.discard(person.id)

    def promote(self, person: Person) -> None:
        """Make the person an administrator (adds them as a member too)."""
        self.add(person)
        self.admins.add(person.id)

    async def upgrade(self, by: Person, *, supergroup_id: int | None = None) -> Group:
        """``by`` upgrades this (basic) group to a supergroup: see :meth:`Emulator.migrate`."""
        return await self._emu.migrate(self, by, supergroup_id=supergroup_id)

    async def wait_for(self, match: Match, *, timeout: float = 5.0, since: int | None = None) -> SentMessage:  # noqa: ASYNC109
        """Like :meth:`Person.wait_for`, counting from the last action of any member in this group."""
        return await self._emu.wait_for_message(
            self.id,
            _predicate(match),
            since=self._mark if since is None else since,
            timeout=timeout,
            description=_describe(match),
        )
