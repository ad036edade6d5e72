"""What features contribute to shared screens: commands (help and setMyCommands), main-menu
buttons, and /start deep-link payloads. Each feature adds its entries in its `register()`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.msgids import N_


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # an English msgid, translated when shown
    staff_only: bool = False
    order: int = 50


@dataclass(frozen=True)
class MenuItem:
    label: str  # an English msgid
    callback_data: str
    order: int = 50


COMMANDS: dict[str, Command] = {}
MENU: dict[str, MenuItem] = {}
START_PAYLOADS: dict[str, Callable[..., Awaitable[Any]]] = {}


def command(name: str, description: str, *, staff_only: bool = False, order: int = 50) -> None:
    COMMANDS[name] = Command(name, description, staff_only, order)


def menu_item(label: str, callback_data: str, order: int = 50) -> None:
    MENU[callback_data] = MenuItem(label, callback_data, order)


def start_payload(prefix: str, handler: Callable[..., Awaitable[Any]]) -> None:
    """`/start <prefix><code>` (from a t.me deep link or QR code) goes to `handler(update, context, code)`."""
    START_PAYLOADS[prefix] = handler


def commands(*, staff: bool) -> list[Command]:
    return sorted(
        (c for c in COMMANDS.values() if staff or not c.staff_only), key=lambda c: (c.order, c.name)
    )


def menu() -> list[MenuItem]:
    return sorted(MENU.values(), key=lambda m: (m.order, m.label))


command("start", N_("Start, or show the main menu"), order=0)
command("help", N_("What this bot can do"), order=1)
command("language", N_("Change the language"), order=90)
command("cancel", N_("Leave the current step"), order=99)
