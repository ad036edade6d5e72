"""What features contribute to shared screens: commands (help and setMyCommands), main-menu
buttons, and /start deep-link payloads. Each feature adds its entries in its `register()`.

A command says who may use it (`when`: a named rule of services/access.py, or `staff_only`), so
/help lists only what the person's roles allow, and whether it works only in a private chat
(`private`), so typing it in a group points to the private chat instead of "unknown command".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.msgids import N_
from bot.services.access import Access

Rule = Callable[[Access], bool]


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # an English msgid, translated when shown
    staff_only: bool = False
    order: int = 50
    when: Rule | None = None
    private: bool = False

    def allowed(self, access: Access | None) -> bool:
        """Whether /help lists it for this person (None: anyone, e.g. the public command menu)."""
        if self.when is not None:
            return access is not None and self.when(access)
        if self.staff_only:
            return access is not None and access.is_staff
        return True


@dataclass(frozen=True)
class MenuItem:
    label: str  # an English msgid
    callback_data: str
    order: int = 50


COMMANDS: dict[str, Command] = {}
MENU: dict[str, MenuItem] = {}
START_PAYLOADS: dict[str, Callable[..., Awaitable[Any]]] = {}


def command(
    name: str,
    description: str,
    *,
    staff_only: bool = False,
    order: int = 50,
    when: Rule | None = None,
    private: bool = False,
) -> None:
    COMMANDS[name] = Command(name, description, staff_only, order, when, private)


def menu_item(label: str, callback_data: str, order: int = 50) -> None:
    MENU[callback_data] = MenuItem(label, callback_data, order)


def start_payload(prefix: str, handler: Callable[..., Awaitable[Any]]) -> None:
    """`/start <prefix><code>` (from a t.me deep link or QR code) goes to `handler(update, context, code)`."""
    START_PAYLOADS[prefix] = handler


def commands(access: Access | None = None) -> list[Command]:
    """The commands this person may use (`access` None: those everyone may use), in menu order."""
    return sorted((c for c in COMMANDS.values() if c.allowed(access)), key=lambda c: (c.order, c.name))


def private_commands() -> list[str]:
    """Commands that only work in a private chat with the bot."""
    return sorted(c.name for c in COMMANDS.values() if c.private)


def menu() -> list[MenuItem]:
    return sorted(MENU.values(), key=lambda m: (m.order, m.label))


command("start", N_("Start, or show the main menu"), order=0, private=True)
command("help", N_("What this bot can do"), order=1)
command("language", N_("Change the language"), order=90)
command("cancel", N_("Leave the current step"), order=99)
