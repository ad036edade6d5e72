"""Bot API methods that change or remove a message already sent: edit text, caption, keyboard; delete.

Why together: they address an existing message (which must exist, be the bot's and not be
deleted) and change it in place, so "not modified" and "message to edit not found" are decided
in one place. An edit spends the chat's flood-control token like a new message: "for bots the
limits for message editing are the same as for message sending ... about 20 times per minute in
a specific chat ... they share the limit" (levlam, tdlib/td issue #2592), so editing a card in a
group more than ~20 times a minute is answered 429 with retry_after. Deleting is not limited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.emulator import checks
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.methods.targets import target_message
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.records import JSON, SentMessage

if TYPE_CHECKING:
    from bot.sandbox.emulator.emulator import Emulator
    from bot.sandbox.emulator.methods import Method

__all__ = ["METHODS"]

#: The kinds of message whose text (a text message) or caption (media) can be edited.
_EDITABLE_KINDS = {"text": ("text",), "caption": ("photo", "document")}


async def edit_message_text(emu: Emulator, p: Params) -> JSON:
    return _edit_content(emu, p, "text")


async def edit_message_caption(emu: Emulator, p: Params) -> JSON:
    return _edit_content(emu, p, "caption")


async def edit_message_reply_markup(emu: Emulator, p: Params) -> JSON:
    message = _editable(emu, p)
    markup = _markup(emu, p, message)
    emu.limiter.take(message.chat_id)
    return emu.store.edit(message, emu.now(), reply_markup=markup)


async def delete_message(emu: Emulator, p: Params) -> bool:
    chat_id, message_id, slot = target_message(emu, p, verb="delete")
    emu.store.delete(chat_id, slot, message_id)
    return True


def _edit_content(emu: Emulator, p: Params, field: str) -> JSON:
    """editMessageText (``field`` "text") or editMessageCaption ("caption"), with its keyboard."""
    message = _editable(emu, p)
    if message.kind not in _EDITABLE_KINDS[field]:
        raise ApiError(400, f"Bad Request: there is no {field} in the message to edit")
    value = p.string(field)
    parse_mode = p.string("parse_mode")
    caption = field == "caption"
    entities_param = "caption_entities" if caption else "entities"
    plain, entities = checks.format_text(
        value, parse_mode, p.json(entities_param), caption=caption, strict_html=emu.strict_html
    )
    markup = _markup(emu, p, message)
    emu.limiter.take(message.chat_id)
    return emu.store.edit(
        message,
        emu.now(),
        **{field: value},
        parse_mode=parse_mode,
        plain=plain,
        entities=entities,
        reply_markup=markup,
    )


def _markup(emu: Emulator, p: Params, message: SentMessage) -> JSON | None:
    return checks.check_markup(
        p.json("reply_markup"), private=message.chat_id > 0, test_environment=emu.test_environment
    )


def _editable(emu: Emulator, p: Params) -> SentMessage:
    """The bot message an edit names, or Telegram's refusal."""
    if p.has("inline_message_id"):
        raise ApiError(400, "Bad Request: inline messages are not supported by the emulator")
    _chat_id, _message_id, slot = target_message(emu, p, verb="edit")
    if slot.sent is None:
        raise ApiError(400, "Bad Request: message can't be edited")
    markup = slot.sent.reply_markup
    if markup is not None and "inline_keyboard" not in markup:
        # Telegram edits only messages without reply_markup or with an inline keyboard: a
        # ForceReply prompt or a reply keyboard's message stays as it was sent.
        raise ApiError(400, "Bad Request: message can't be edited")
    return slot.sent


METHODS: dict[str, Method] = {
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
}
