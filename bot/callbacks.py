"""Callback data: short, versioned, parsed in one place.

Format: "1|<feature>|<action>|<arg>|<arg>..." — at most 64 bytes (Telegram's limit, checked
here so a too-long button fails in tests, not in front of a user). Callback data is only a
request to do something: permissions are checked by the service for the person who pressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

VERSION = "1"
SEP = "|"
MAX_BYTES = 64


class BadCallback(ValueError):
    """Callback data we did not produce (old version, forged, truncated)."""


@dataclass(frozen=True)
class Callback:
    feature: str
    action: str
    args: tuple[str, ...]

    def int_arg(self, index: int = 0) -> int:
        try:
            return int(self.args[index])
        except (IndexError, ValueError):
            raise BadCallback(f"argument {index} is not a number") from None

    def str_arg(self, index: int = 0) -> str:
        try:
            return self.args[index]
        except IndexError:
            raise BadCallback(f"argument {index} missing") from None


def pack(feature: str, action: str, *args: object) -> str:
    parts = [VERSION, feature, action, *(str(a) for a in args)]
    if any(SEP in p for p in parts):
        raise ValueError("callback parts cannot contain the separator")
    data = SEP.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> Callback:
    if not data:
        raise BadCallback("empty")
    parts = data.split(SEP)
    if len(parts) < 3 or parts[0] != VERSION or not parts[1] or not parts[2]:
        raise BadCallback(data)
    return Callback(parts[1], parts[2], tuple(parts[3:]))


def pattern(feature: str, actions: Iterable[str] | None = None) -> re.Pattern[str]:
    """For CallbackQueryHandler(pattern=...): this feature's buttons, or only these actions of it."""
    head = rf"^{VERSION}\|{re.escape(feature)}\|"
    if actions is None:
        return re.compile(head)
    names = "|".join(re.escape(a) for a in sorted(actions))
    return re.compile(rf"{head}({names})(\||$)")


def button(text: str, feature: str, action: str, *args: object) -> dict[str, str]:
    return {"text": text, "callback_data": pack(feature, action, *args)}


@dataclass(frozen=True)
class Action:
    """One kind of button: it builds the button's data and the pattern that routes it back.

    Defined once, next to the code that builds the button (a service for outbox messages, else
    the feature's handlers), and routed with `Router.on(action)` in bot/handlers/routing.py.
    """

    feature: str
    name: str

    def data(self, *args: object) -> str:
        return pack(self.feature, self.name, *args)

    def button(self, text: str, *args: object) -> dict[str, str]:
        return {"text": text, "callback_data": self.data(*args)}

    @property
    def pattern(self) -> re.Pattern[str]:
        return pattern(self.feature, (self.name,))

    def matches(self, data: str | None) -> bool:
        return bool(data) and self.pattern.match(data or "") is not None
