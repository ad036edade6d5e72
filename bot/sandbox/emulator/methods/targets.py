"""The chat and the message a request names, found and checked the way Telegram does.

Why one place: sending, editing, deleting and pinning all start by finding the chat (a number or
a group's @username), refusing with 403 when the bot cannot reach it, and finding the message by
id (400 when it is missing or deleted); a new rule about addressing a chat applies to all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.store import Slot

if TYPE_CHECKING:
    from bot.sandbox.emulator.emulator import Emulator

__all__ = ["reachable_chat", "target_message"]


def reachable_chat(emu: Emulator, p: Params) -> int:
    """The ``chat_id`` of the request, which the bot must still be able to write to."""
    chat_id = emu.store.resolve(p.raw("chat_id"))
    emu.store.check_reachable(chat_id)
    return chat_id


def target_message(emu: Emulator, p: Params, *, verb: str) -> tuple[int, int, Slot]:
    """The chat, ``message_id`` and message a request acts on (``message to <verb> not found``)."""
    chat_id = reachable_chat(emu, p)
    message_id = p.required_integer("message_id")
    slot = emu.store.live(chat_id, message_id)
    if slot is None:
        raise ApiError(400, f"Bad Request: message to {verb} not found")
    return chat_id, message_id, slot
