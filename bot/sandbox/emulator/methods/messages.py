"""Bot API methods that create a message: sendMessage, sendPhoto, sendDocument, sendLocation, sendVenue.

Why together: they share one path — find the chat, check it is reachable, check the keyboard and
the message replied to, check the content, spend a flood-control token, then store and announce
the message — so a rule for "every new message" is added once, here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.emulator import checks
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.methods.targets import reachable_chat
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.records import JSON, SentMessage
from bot.sandbox.emulator.store import set_entities, set_markup

if TYPE_CHECKING:
    import datetime as dt

    from bot.sandbox.emulator.emulator import Emulator
    from bot.sandbox.emulator.methods import Method

__all__ = ["METHODS"]


async def send_message(emu: Emulator, p: Params) -> JSON:
    chat_id, markup, reply_to = _prepare_send(emu, p)
    text = p.string("text")
    parse_mode = p.string("parse_mode")
    plain, entities = checks.format_text(
        text, parse_mode, p.json("entities"), caption=False, strict_html=emu.strict_html
    )
    mid, date, raw = _new_message(emu, chat_id, reply_to)
    raw["text"] = plain
    set_entities(raw, "entities", entities)
    if p.json("link_preview_options") is not None:
        raw["link_preview_options"] = p.json("link_preview_options")
    set_markup(raw, markup)
    message = SentMessage(
        chat_id=chat_id,
        message_id=mid,
        kind="text",
        date=date,
        text=text,
        parse_mode=parse_mode,
        plain=plain,
        entities=entities,
        reply_markup=markup,
        reply_to_message_id=reply_to["message_id"] if reply_to else None,
    )
    return emu.store.deliver(message, raw)


async def send_photo(emu: Emulator, p: Params) -> JSON:
    return await _send_media(emu, p, "photo")


async def send_document(emu: Emulator, p: Params) -> JSON:
    return await _send_media(emu, p, "document")


async def send_location(emu: Emulator, p: Params) -> JSON:
    chat_id, markup, reply_to = _prepare_send(emu, p)
    location = _coordinates(p)
    mid, date, raw = _new_message(emu, chat_id, reply_to)
    raw["location"] = location
    set_markup(raw, markup)
    message = SentMessage(chat_id, mid, "location", date, reply_markup=markup, location=location)
    return emu.store.deliver(message, raw)


async def send_venue(emu: Emulator, p: Params) -> JSON:
    chat_id, markup, reply_to = _prepare_send(emu, p)
    location = _coordinates(p)
    title = p.string("title") or ""
    address = p.string("address") or ""
    checks.check_venue(title, address)
    mid, date, raw = _new_message(emu, chat_id, reply_to)
    venue = {"location": location, "title": title, "address": address}
    raw["venue"] = venue
    raw["location"] = location
    set_markup(raw, markup)
    message = SentMessage(
        chat_id,
        mid,
        "venue",
        date,
        plain=f"{title}\n{address}",
        reply_markup=markup,
        location=location,
        venue=venue,
    )
    return emu.store.deliver(message, raw)


async def _send_media(emu: Emulator, p: Params, kind: str) -> JSON:
    chat_id, markup, reply_to = _prepare_send(emu, p)
    caption = p.string("caption")
    parse_mode = p.string("parse_mode")
    plain, entities = checks.format_text(
        caption, parse_mode, p.json("caption_entities"), caption=True, strict_html=emu.strict_html
    )
    record, data, filename, mime = emu.files.from_request(p, kind, kind=kind)
    mid, date, raw = _new_message(emu, chat_id, reply_to)
    if kind == "photo":
        raw["photo"] = emu.files.photo_sizes(record)
    else:
        doc: JSON = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
        if record.file_name:
            doc["file_name"] = record.file_name
        if record.mime_type:
            doc["mime_type"] = record.mime_type
        doc["file_size"] = record.size
        raw["document"] = doc
    if plain:
        raw["caption"] = plain
    set_entities(raw, "caption_entities", entities)
    set_markup(raw, markup)
    message = SentMessage(
        chat_id=chat_id,
        message_id=mid,
        kind=kind,
        date=date,
        caption=caption,
        parse_mode=parse_mode,
        plain=plain,
        entities=entities,
        reply_markup=markup,
        photo=data if kind == "photo" else None,
        document=data if kind == "document" else None,
        filename=filename,
        mime_type=mime,
        file_id=record.file_id,
        file_url=record.url,
        reply_to_message_id=reply_to["message_id"] if reply_to else None,
    )
    return emu.store.deliver(message, raw)


def _prepare_send(emu: Emulator, p: Params) -> tuple[int, JSON | None, JSON | None]:
    """The chat, the checked keyboard and the message replied to (checked in Telegram's order)."""
    chat_id = reachable_chat(emu, p)
    markup = checks.check_markup(
        p.json("reply_markup"), private=chat_id > 0, test_environment=emu.test_environment
    )
    reply_to = _reply_to(emu, p, chat_id)
    return chat_id, markup, reply_to


def _reply_to(emu: Emulator, p: Params, chat_id: int) -> JSON | None:
    """The message replied to (``reply_parameters`` or the older ``reply_to_message_id``)."""
    params = p.json("reply_parameters")
    mid: int | None = None
    allow_missing = p.boolean("allow_sending_without_reply")
    if isinstance(params, dict) and params.get("message_id") is not None:
        mid = int(params["message_id"])
        allow_missing = bool(params.get("allow_sending_without_reply", allow_missing))
        if params.get("chat_id") not in (None, chat_id, str(chat_id)):
            raise ApiError(400, "Bad Request: message to be replied not found")
    elif p.integer("reply_to_message_id") is not None:
        mid = p.integer("reply_to_message_id")
    if mid is None:
        return None
    slot = emu.store.live(chat_id, mid)
    if slot is None:
        if allow_missing:
            return None
        raise ApiError(400, "Bad Request: message to be replied not found")
    return {k: v for k, v in slot.raw.items() if k != "reply_to_message"}


def _coordinates(p: Params) -> JSON:
    latitude = p.number("latitude", required=True)
    longitude = p.number("longitude", required=True)
    assert latitude is not None and longitude is not None
    return checks.check_coordinates(latitude, longitude)


def _new_message(emu: Emulator, chat_id: int, reply_to: JSON | None) -> tuple[int, dt.datetime, JSON]:
    """Spend a flood-control token, then number and date the new message and start its JSON."""
    emu.limiter.take(chat_id)
    date = emu.now()
    mid = emu.store.new_message_id(chat_id)
    raw: JSON = {
        "message_id": mid,
        "from": emu.bot_user,
        "chat": emu.store.chat_json(chat_id),
        "date": int(date.timestamp()),
    }
    if reply_to is not None:
        raw["reply_to_message"] = reply_to
    return mid, date, raw


METHODS: dict[str, Method] = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "sendLocation": send_location,
    "sendVenue": send_venue,
}
