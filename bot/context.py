"""The custom CallbackContext every handler receives.

It carries the services, the current person's profile and language (loaded once per update by
`handlers/common.load_profile`), and helpers to render and answer, so a handler reads like:
parse the update, call one service, `await context.reply(update, "feature/message.html", ...)`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from bot.domain.links import button_url_problem
from bot.render import CAPTION_LIMIT
from bot.storage.users import UserRow

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

Buttons = list[list[dict[str, str]]]
# python-telegram-bot's default user_data, chat_data and bot_data: plain dicts (ContextTypes()).
Data = dict[Any, Any]
# What a message can carry instead of inline buttons: a typed-answer prompt, a keyboard asking for
# a location or contact, or the removal of such a keyboard.
OtherMarkup = ForceReply | ReplyKeyboardMarkup | ReplyKeyboardRemove


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    """Plain button rows ({"text", "callback_data"|"url"|"web_app"}) -> Telegram's inline keyboard.

    A link Telegram would refuse (bot/domain/links.py: e.g. a host without a dot) makes it refuse
    the whole message, so such a button is left out (and logged) and the message still goes.
    """
    rows = [[_button(b) for b in row] for row in _sendable(buttons)]
    return InlineKeyboardMarkup(rows) if rows else None


def keyboard_json(buttons: Buttons | None) -> dict[str, Any] | None:
    """`keyboard` as the Bot API's JSON (`reply_markup`), for requests made without
    python-telegram-bot's objects (the outbox sender: a fan-out builds thousands)."""
    rows = [[_button_json(b) for b in row] for row in _sendable(buttons)]
    return {"inline_keyboard": rows} if rows else None


def _sendable(buttons: Buttons | None) -> Buttons:
    """The rows without the buttons Telegram would refuse, and without rows left empty."""
    rows = [[b for b in row if "url" not in b or _acceptable_link(b["url"])] for row in buttons or []]
    return [row for row in rows if row]


def _button_json(b: dict[str, str]) -> dict[str, Any]:
    if "url" in b:
        return {"text": b["text"], "url": b["url"]}
    if "web_app" in b:
        return {"text": b["text"], "web_app": {"url": b["web_app"]}}
    return {"text": b["text"], "callback_data": b["callback_data"]}


def _button(b: dict[str, str]) -> InlineKeyboardButton:
    if "url" in b:
        return InlineKeyboardButton(b["text"], url=b["url"])
    if "web_app" in b:  # the staff Mini App (private chats only: Telegram refuses it elsewhere)
        return InlineKeyboardButton(b["text"], web_app=WebAppInfo(b["web_app"]))
    return InlineKeyboardButton(b["text"], callback_data=b["callback_data"])


def _acceptable_link(url: str) -> bool:
    problem = button_url_problem(url)
    if problem is not None:
        log.warning("left out a button linking to %r: Telegram would refuse it (%s)", url, problem)
    return problem is None


class BotContext(CallbackContext[ExtBot[Any], Data, Data, Data]):
    def __init__(
        self, application: BotApplication, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.profile: UserRow | None = None
        self.lang: str = application.bot_data["services"].settings.default_language

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    def render(self, template: str, **values: Any) -> str:
        return self.services.renderer.render(self.lang, template, **values)

    def gettext(self, message: str, **values: object) -> str:
        """A translated plain string: button labels, alerts."""
        return self.services.renderer.gettext(self.lang, message, **values)

    async def reply(
        self,
        update: Update,
        template: str,
        buttons: Buttons | None = None,
        *,
        edit: bool = False,
        markup: OtherMarkup | None = None,
        reply_to: int | None = None,
        **values: Any,
    ) -> Message | None:
        """Answer in the chat the update came from; `edit=True` replaces the pressed message instead.

        Every message a handler sends goes through here (or `send_file`, `send_venue`, `edit`), so
        that what Telegram may refuse is handled in one place.
        """
        text = self.render(template, **values)
        if edit and markup is None and update.callback_query and update.callback_query.message:
            message = update.callback_query.message
            if getattr(message, "text", None) is not None:
                try:
                    result = await update.callback_query.edit_message_text(
                        text,
                        parse_mode=ParseMode.HTML,
                        reply_markup=keyboard(buttons),
                        disable_web_page_preview=True,
                    )
                except BadRequest as refused:
                    # Pressing what is already shown (the current tab): the screen is as asked.
                    if "message is not modified" not in refused.message.lower():
                        raise
                    return message if isinstance(message, Message) else None
                return result if isinstance(result, Message) else None
        return await self.bot.send_message(
            self._answer_chat(update),
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup or keyboard(buttons),
            disable_web_page_preview=True,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to
            else None,
        )

    async def say(self, update: Update, text: str, *, markup: OtherMarkup | None = None) -> Message | None:
        """Send a plain text that is already translated (a refusal, a problem): escaped, as is."""
        return await self.reply(update, "common/say.html", markup=markup, message=text)

    async def send_file(
        self,
        update: Update,
        data: bytes | str,
        filename: str | None = None,
        *,
        caption: str | None = None,
        photo: bool = False,
        buttons: Buttons | None = None,
        **values: Any,
    ) -> Message:
        """A document (or a photo) with an optional caption template rendered in the person's language.

        `data` is the file's bytes, or a Telegram file id of a file Telegram already has.
        """
        text = self.services.renderer.render(self.lang, caption, CAPTION_LIMIT, **values) if caption else None
        chat_id = self._answer_chat(update)
        if photo:
            return await self.bot.send_photo(
                chat_id, data, caption=text, parse_mode=ParseMode.HTML, reply_markup=keyboard(buttons)
            )
        document = InputFile(data, filename=filename) if isinstance(data, bytes) else data
        return await self.bot.send_document(
            chat_id, document, caption=text, parse_mode=ParseMode.HTML, reply_markup=keyboard(buttons)
        )

    async def send_venue(
        self, update: Update, *, latitude: float, longitude: float, title: str, address: str
    ) -> Message:
        """A pin on the map (Telegram limits: title and address are shown truncated)."""
        return await self.bot.send_venue(
            self._answer_chat(update), latitude=latitude, longitude=longitude, title=title, address=address
        )

    async def edit(
        self, chat_id: int, message_id: int, template: str, buttons: Buttons | None = None, **values: Any
    ) -> None:
        """Replace the text of a message the bot sent earlier (e.g. a prompt, once answered)."""
        await self.bot.edit_message_text(
            self.render(template, **values),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(buttons),
            disable_web_page_preview=True,
        )

    async def alert(self, update: Update, message: str, **values: object) -> None:
        """Answer a button press with a pop-up (used for refusals: 'not allowed')."""
        if update.callback_query:
            await update.callback_query.answer(self.gettext(message, **values), show_alert=True)

    @staticmethod
    def _answer_chat(update: Update) -> int:
        chat = update.effective_chat
        if chat is None:
            raise ValueError(f"update {update.update_id} has no chat to answer in")
        return chat.id


# The Application built by bot/app.py, as the handlers, jobs and contexts see it.
BotApplication = Application[ExtBot[Any], BotContext, Data, Data, Data, Any]
