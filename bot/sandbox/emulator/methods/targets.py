"""The chat and the message a request names, found and checked the way Telegram does.

Why one place: sending, editing, deleting and pinning all start by finding the chat (a number or
a group's @username), refusing with 403 when the bot cannot reach it (and 400 with
``migrate_to_chat_id`` when it became a supergroup), and finding the message by
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
    """The ``chat_id`` of the request, which the bot must still be able to write to.

    A group upgraded to a supergroup is read-only: whatever would write to it is refused with 400
    and the supergroup's id in ``parameters.migrate_to_chat_id`` (telegram-bot-api's chat access
    check for a deactivated basic group); reading it (getChat) still works.
    """
    chat_id = emu.store.resolve(p.raw("chat_id"))
    group = emu.store.groups.get(chat_id)
    if group is not None and group.migrated_to is not None:
        raise ApiError(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=group.migrated_to,
        )
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
