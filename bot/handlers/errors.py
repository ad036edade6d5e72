"""The application-wide error handler: log with the update id, apologise in the person's language.

No crash should reach a person as silence, whatever failed: our code, the database, or Telegram
refusing a reply. python-telegram-bot classes Telegram's "Bad Request" (a reply Telegram would not
take: too long, bad HTML, a link it refuses...) as a NetworkError, so being quiet on network
errors was being quiet on every rejected reply; the only errors left unanswered are those where
the chat itself is gone (the person blocked the bot, it was removed from the group, "chat not
found"): nobody is there to read an apology. A reply to a group that just became a supergroup
(ChatMigrated) moves the group's bindings to its new id and apologises there.

A press is apologised for with a pop-up; when the press can no longer be answered (answered
already, or older than Telegram's ~15 s), with a message in the chat instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.context import BotContext

log = logging.getLogger("bot.errors")

#: Telegram's words when the chat cannot be written to at all (BadRequest, not Forbidden).
_CHAT_GONE = ("chat not found", "have no rights to send", "not enough rights to send text")


def chat_is_gone(error: object) -> bool:
    """Nobody can read an apology there: blocked, removed from the group, or no such chat."""
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, BadRequest) and any(words in error.message.lower() for words in _CHAT_GONE)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside any update", exc_info=error)
        return
    chat = update.effective_chat
    chat_id = chat.id if chat is not None else None
    if isinstance(error, ChatMigrated) and chat_id is not None:
        log.warning("update %s: chat %s became %s; moving it", update.update_id, chat_id, error.new_chat_id)
        await _quietly(context.services.chats.upgraded(chat_id, error.new_chat_id), update.update_id)
        chat_id = error.new_chat_id
    elif chat_is_gone(error):
        log.warning("update %s: the chat is gone, no apology possible: %s", update.update_id, error)
        return
    log.error("error while handling update %s", update.update_id, exc_info=error)
    await _speak_their_language(update, context)
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(
                context.gettext("Sorry, something went wrong. Please try again."), show_alert=True
            )
            return
        except TelegramError as late:  # answered already, or too old: say it in the chat instead
            log.info("update %s: the press cannot be answered any more (%s)", update.update_id, late)
        if chat_id is None:
            chat_id = query.from_user.id
    if chat_id is None:
        return
    try:
        await context.bot.send_message(
            chat_id, context.render("common/error.html"), parse_mode=ParseMode.HTML
        )
    except Exception:  # the apology itself failed: nothing more we can do for this update
        log.exception("could not tell the user about the error in update %s", update.update_id)


async def _speak_their_language(update: Update, context: BotContext) -> None:
    """The error handler's context is new: find the person's language again (the database may be
    what failed, so Telegram's language code is the fallback)."""
    user = update.effective_user
    if user is None:
        return
    users = context.services.users
    try:
        profile = await users.get(user.id)
    except Exception:
        log.warning("update %s: profile unavailable for the apology", update.update_id, exc_info=True)
        profile = None
    context.lang = users.language_of(profile, user.language_code)


async def _quietly(work: Awaitable[object], update_id: int) -> None:
    """Await `work`; a failure is logged, never stops the apology."""
    try:
        await work
    except Exception:
        log.exception("update %s: handling the error failed", update_id)
