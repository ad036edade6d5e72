"""The application-wide error handler: log with the update id, apologise in the person's language.

No crash should reach a person as silence.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError

from bot.context import BotContext

log = logging.getLogger("bot.errors")


async def on_error(update: object, context: BotContext) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or isinstance(context.error, Forbidden | NetworkError):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer(
                context.gettext("Sorry, something went wrong. Please try again."), show_alert=True
            )
        elif update.effective_chat:
            await context.bot.send_message(
                update.effective_chat.id, context.render("common/error.html"), parse_mode=ParseMode.HTML
            )
    except Exception:  # the apology itself failed: nothing more we can do for this update
        log.exception("could not tell the user about the error in update %s", update_id)
