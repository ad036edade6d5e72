"""Bot API methods on the inbound side: getUpdates, the webhook switches, answerCallbackQuery.

Why together: they are how updates reach the bot and how it closes the loop on a button press;
the queue itself is :class:`~bot.sandbox.emulator.updates.UpdateQueue` and the open presses
:class:`~bot.sandbox.emulator.callbacks.CallbackQueries`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.emulator import checks
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.records import JSON
from bot.sandbox.people import CallbackAnswer

if TYPE_CHECKING:
    from bot.sandbox.emulator.emulator import Emulator
    from bot.sandbox.emulator.methods import Method

__all__ = ["METHODS"]


async def get_updates(emu: Emulator, p: Params) -> list[JSON]:
    if emu.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    return await emu.updates.poll(p.integer("offset"), p.integer("limit"), p.number("timeout"))


async def set_webhook(emu: Emulator, p: Params) -> bool:
    emu.webhook_url = p.string("url") or ""
    if p.boolean("drop_pending_updates"):
        emu.updates.drop()
    return True


async def delete_webhook(emu: Emulator, p: Params) -> bool:
    emu.webhook_url = ""
    if p.boolean("drop_pending_updates"):
        emu.updates.drop()
    return True


async def get_webhook_info(emu: Emulator, p: Params) -> JSON:
    return {
        "url": emu.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": emu.updates.pending,
    }


async def answer_callback_query(emu: Emulator, p: Params) -> bool:
    query_id = p.string("callback_query_id") or ""
    query = emu.callbacks.pending(query_id)
    text = p.string("text")
    checks.check_answer_text(text)
    emu.callbacks.answer(
        CallbackAnswer(
            callback_query_id=query_id,
            text=text,
            show_alert=p.boolean("show_alert"),
            url=p.string("url"),
            cache_time=p.integer("cache_time"),
            data=query.get("data"),
            user_id=int(query["from"]["id"]),
        )
    )
    return True


METHODS: dict[str, Method] = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "answerCallbackQuery": answer_callback_query,
}
