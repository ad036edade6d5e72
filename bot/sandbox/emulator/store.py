"""The chat store: the people and groups the bot knows, and every message in every chat.

Why one store: a reply, an edit, a pin or a button press all name a message by (chat, id) whoever
sent it, so the bot's messages and the people's share one numbering per chat and one lookup; and
each change to a bot message is recorded (history, counters, events) in the one place it happens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator.checks import NOT_MODIFIED
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.events import EventBus
from bot.sandbox.emulator.faults import Faults
from bot.sandbox.emulator.records import JSON, Revision, SentMessage, Stats

if TYPE_CHECKING:
    from bot.sandbox.people import Group, Person

__all__ = ["ChatStore", "Slot", "set_entities", "set_markup"]


@dataclass
class Slot:
    """Every message in every chat (the bot's and the people's), for edits, replies and buttons."""

    raw: JSON
    sent: SentMessage | None = None
    deleted: bool = False
    pinned: bool = False


class ChatStore:
    """Chats (private ones are the people's, groups have negative ids) and their messages."""

    def __init__(self, bus: EventBus, stats: Stats, faults: Faults) -> None:
        self._bus = bus
        self._stats = stats
        self._faults = faults
        self.people: dict[int, Person] = {}
        self.groups: dict[int, Group] = {}
        self.sent: list[SentMessage] = []  # every bot message, all chats, in order
        self._slots: dict[tuple[int, int], Slot] = {}
        self._inboxes: dict[int, list[SentMessage]] = {}
        self._next_mid: dict[int, int] = {}

    # ---------------------------------------------------------------- chats

    def add_person(self, person: Person) -> None:
        self.people[person.id] = person
        self._inboxes.setdefault(person.id, [])

    def add_group(self, group: Group) -> None:
        self.groups[group.id] = group
        self._inboxes.setdefault(group.id, [])

    def chat_json(self, chat_id: int) -> JSON:
        """The chat as a Telegram ``Chat`` (KeyError for an unknown chat)."""
        if chat_id in self.people:
            return self.people[chat_id].chat_json
        if chat_id in self.groups:
            return self.groups[chat_id].chat_json
        raise KeyError(chat_id)

    def resolve(self, raw: Any, name: str = "chat_id") -> int:
        """The chat a ``chat_id`` parameter names (a number or a group's @username), or 400."""
        if raw is None or raw == "":
            raise ApiError(400, f"Bad Request: {name} is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            wanted = raw[1:].lower()
            for group in self.groups.values():
                if group.username and group.username.lower() == wanted:
                    return group.id
            raise ApiError(400, "Bad Request: chat not found")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id not in self.people and chat_id not in self.groups:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def check_reachable(self, chat_id: int) -> None:
        """403 when the person blocked the bot or the bot is no longer in the group."""
        if self._faults.is_blocked(chat_id):
            if chat_id > 0:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            kind = self.groups[chat_id].type if chat_id in self.groups else "group"
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")

    # ---------------------------------------------------------------- messages

    def new_message_id(self, chat_id: int) -> int:
        """The next message id of the chat (ids count per chat, shared by the bot and people)."""
        mid = self._next_mid.get(chat_id, 1)
        self._next_mid[chat_id] = mid + 1
        return mid

    def inbox(self, chat_id: int) -> list[SentMessage]:
        """Bot messages delivered to ``chat_id``, in order (edited in place, deleted flagged)."""
        return list(self._inboxes.get(chat_id, []))

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The Telegram ``Message`` object of any message in any chat (deleted ones included)."""
        slot = self._slots.get((chat_id, message_id))
        return slot.raw if slot else None

    def live(self, chat_id: int, message_id: int) -> Slot | None:
        """The message if it exists and was not deleted."""
        slot = self._slots.get((chat_id, message_id))
        return None if slot is None or slot.deleted else slot

    def add_user_message(self, chat_id: int, raw: JSON) -> None:
        self._slots[(chat_id, int(raw["message_id"]))] = Slot(raw)

    def deliver(self, message: SentMessage, raw: JSON) -> JSON:
        """Store a new bot message, announce it, and return its Telegram object."""
        message.raw = raw
        message.history.append(Revision.of(message))
        self._slots[(message.chat_id, message.message_id)] = Slot(raw, message)
        self._inboxes.setdefault(message.chat_id, []).append(message)
        self.sent.append(message)
        self._stats.messages_sent += 1
        self._bus.record_output(self._bus.publish("message", message.chat_id, message))
        return raw

    def edit(self, message: SentMessage, now: dt.datetime, **changes: Any) -> JSON:
        """Apply an edit (400 "not modified" when nothing visible changes), record and announce it."""
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
        message.edited = True
        message.edit_date = now
        raw = message.raw
        if message.kind == "text":
            raw["text"] = message.plain
            set_entities(raw, "entities", message.entities)
        elif message.caption is not None or "caption" in raw:
            if message.plain:
                raw["caption"] = message.plain
            else:
                raw.pop("caption", None)
            set_entities(raw, "caption_entities", message.entities)
        set_markup(raw, message.reply_markup)
        raw["edit_date"] = int(now.timestamp())
        message.history.append(Revision.of(message))
        self._stats.edits += 1
        self._bus.record_output(self._bus.publish("edit", message.chat_id, message))
        return raw

    def delete(self, chat_id: int, slot: Slot, message_id: int) -> None:
        slot.deleted = True
        if slot.sent is not None:
            slot.sent.deleted = True
        self._bus.publish("delete", chat_id, slot.sent, message_id=message_id)

    def pin(self, chat_id: int, slot: Slot, message_id: int) -> None:
        slot.pinned = True
        if slot.sent is not None:
            slot.sent.pinned = True
        self._bus.publish("pin", chat_id, slot.sent, message_id=message_id)

    def unpin(self, chat_id: int, message_id: int | None) -> None:
        """Unpin one message of the chat, or all of them (``message_id`` None)."""
        for (cid, mid), slot in self._slots.items():
            if cid == chat_id and (message_id is None or mid == message_id):
                slot.pinned = False
                if slot.sent is not None:
                    slot.sent.pinned = False


def set_markup(raw: JSON, markup: JSON | None) -> None:
    """Telegram echoes only inline keyboards in a Message; reply keyboards are not part of it."""
    if markup is not None and "inline_keyboard" in markup:
        raw["reply_markup"] = markup
    else:
        raw.pop("reply_markup", None)


def set_entities(raw: JSON, key: str, entities: list[JSON]) -> None:
    if entities:
        raw[key] = entities
    else:
        raw.pop(key, None)
