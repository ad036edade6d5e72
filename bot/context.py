"""The custom CallbackContext every handler receives.

It carries the services, the current person's profile and language (loaded once per update by
`handlers/common.load_profile`), and helpers to render and answer, so a handler reads like:
parse the update, call one service, `await context.reply(update, "feature/message.html", ...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackContext, ExtBot

from bot.storage.users import UserRow

if TYPE_CHECKING:
    from bot.services import Services

Buttons = list[list[dict[str, str]]]


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    """Plain button rows ({"text", "callback_data"|"url"}) -> Telegram's inline keyboard."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b["text"], url=b["url"])
                if "url" in b
                else InlineKeyboardButton(b["text"], callback_data=b["callback_data"])
                for b in row
            ]
            for row in buttons
        ]
    )


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.profile: UserRow | None = None
        self.lang: str = application.bot_data["services"].settings.default_language

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]

    def render(self, template: str, **values: Any) -> str:
        return self.services.renderer.render(self.lang, template, **values)

    def gettext(self, message: str, **values: Any) -> str:
        """A translated plain string: button labels, alerts."""
        return self.services.renderer.gettext(self.lang, message, **values)

    async def reply(
        self,
        update: Update,
        template: str,
        buttons: Buttons | None = None,
        *,
        edit: bool = False,
        **values: Any,
    ) -> Message | None:
        """Answer in the chat the update came from; `edit=True` replaces the pressed message instead."""
        text = self.render(template, **values)
        markup = keyboard(buttons)
        if edit and update.callback_query and update.callback_query.message:
            message = update.callback_query.message
            if getattr(message, "text", None) is not None:
                result = await update.callback_query.edit_message_text(
                    text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
                )
                return result if isinstance(result, Message) else None
        chat = update.effective_chat
        assert chat is not None
        return await self.bot.send_message(
            chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
        )

    async def alert(self, update: Update, message: str, **values: Any) -> None:
        """Answer a button press with a pop-up (used for refusals: 'not allowed')."""
        if update.callback_query:
            await update.callback_query.answer(self.gettext(message, **values), show_alert=True)
