"""Bot API methods that change or remove a message already sent: edit text, caption, keyboard; delete.

Why together: they address an existing message (which must exist, be the bot's and not be
deleted) and change it in place, so "not modified" and "message to edit not found" are decided
in one place, and a per-chat edit limit would be too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.emulator import checks
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.records import JSON, SentMessage

if TYPE_CHECKING:
    from bot.sandbox.emulator.emulator import Emulator
    from bot.sandbox.emulator.methods import Method

__all__ = ["METHODS"]


async def edit_message_text(emu: Emulator, p: Params) -> JSON:
    message = _editable(emu, p)
    if message.kind != "text":
        raise ApiError(400, "Bad Request: there is no text in the message to edit")
    text = p.string("text")
    parse_mode = p.string("parse_mode")
    plain, entities = checks.format_text(
        text, parse_mode, p.json("entities"), caption=False, strict_html=emu.strict_html
    )
    markup = checks.check_markup(p.json("reply_markup"))
    return emu.store.edit(
        message,
        emu.now(),
        text=text,
        parse_mode=parse_mode,
        plain=plain,
        entities=entities,
        reply_markup=markup,
    )


async def edit_message_caption(emu: Emulator, p: Params) -> JSON:
    message = _editable(emu, p)
    if message.kind not in ("photo", "document"):
        raise ApiError(400, "Bad Request: there is no caption in the message to edit")
    caption = p.string("caption")
    parse_mode = p.string("parse_mode")
    plain, entities = checks.format_text(
        caption, parse_mode, p.json("caption_entities"), caption=True, strict_html=emu.strict_html
    )
    markup = checks.check_markup(p.json("reply_markup"))
    return emu.store.edit(
        message,
        emu.now(),
        caption=caption,
        parse_mode=parse_mode,
        plain=plain,
        entities=entities,
        reply_markup=markup,
    )


async def edit_message_reply_markup(emu: Emulator, p: Params) -> JSON:
    message = _editable(emu, p)
    markup = checks.check_markup(p.json("reply_markup"))
    return emu.store.edit(message, emu.now(), reply_markup=markup)


async def delete_message(emu: Emulator, p: Params) -> bool:
    chat_id = emu.store.resolve(p.raw("chat_id"))
    emu.store.check_reachable(chat_id)
    mid = p.required_integer("message_id")
    slot = emu.store.live(chat_id, mid)
    if slot is None:
        raise ApiError(400, "Bad Request: message to delete not found")
    emu.store.delete(chat_id, slot, mid)
    return True


def _editable(emu: Emulator, p: Params) -> SentMessage:
    """The bot message an edit names, or Telegram's refusal."""
    if p.has("inline_message_id"):
        raise ApiError(400, "Bad Request: inline messages are not supported by the emulator")
    chat_id = emu.store.resolve(p.raw("chat_id"))
    emu.store.check_reachable(chat_id)
    mid = p.required_integer("message_id")
    slot = emu.store.live(chat_id, mid)
    if slot is None:
        raise ApiError(400, "Bad Request: message to edit not found")
    if slot.sent is None:
        raise ApiError(400, "Bad Request: message can't be edited")
    return slot.sent


METHODS: dict[str, Method] = {
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
}
