"""What the emulator records for tests to read: messages, events, files, errors, counters, limits.

Why a module of plain values: tests, the browser demo and the benchmarks assert on these, so they
must not depend on how the server or the store works.  Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "JSON",
    "MESSAGE_CREATING_METHODS",
    "ErrorRecord",
    "Event",
    "FileRecord",
    "Limits",
    "Revision",
    "SentMessage",
    "Stats",
]

JSON = dict[str, Any]

#: Methods that create a message: the only ones rate limits and (by default) faults apply to.
MESSAGE_CREATING_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendVenue"}
)


@dataclass
class Limits:
    """Telegram's flood limits as token buckets; ``scale`` multiplies every rate (not the bursts).

    Defaults are Telegram's documented guidance: ~30 messages/s overall, ~1/s per private chat
    (we allow a burst of 3, as Telegram tolerates short bursts), 20/min per group. Edits spend the
    same per-chat tokens as new messages (Telegram counts them together).
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

    @classmethod
    def of(cls, message: SentMessage) -> Revision:
        """The message as it reads now."""
        return cls(
            message.text,
            message.caption,
            message.parse_mode,
            message.plain,
            list(message.entities),
            message.reply_markup,
            message.edit_date or message.date,
        )


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
