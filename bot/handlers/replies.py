# i18n-domain: requests
"""Replies to the bot's messages: the answer a reply prompt asked for, or a message about a request.

Runs before the other handlers (group -2). A reply to a person's own prompt, in that chat, is its
answer (the prompt's action); a reply to a card or a relayed message talks to the other side
(staff write to the requester; the requester's reply is threaded under the card). Anything else
is left to the other handlers, and in a group nobody answers it: casual talk is never guessed to
be an answer. `/cancel` in a group ends the person's newest prompt there.
"""

from __future__ import annotations

from telegram import ForceReply, Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.handlers import groups
from bot.handlers.requests import PROBLEMS
from bot.handlers.routing import Press, Router, chat_of, message_of, sender_id
from bot.services.requests.conversation import Media
from bot.services.requests.presenter import REPLY

router = Router("rqr", PROBLEMS)


async def ask_for_words(
    press: Press,
    context: BotContext,
    action: str,
    request_id: int,
    *,
    arg: str | None = None,
    colleague: str | None = None,
) -> None:
    """A reply prompt for the presser: checked now, remembered, answered only by their reply."""
    prompts = context.services.requests.prompts
    reference = await prompts.check(press.user_id, action, request_id, arg)
    await press.answer()
    sent = await context.reply(
        press.update,
        "requests/prompt.html",
        markup=ForceReply(selective=True, input_field_placeholder=reference),
        reply_to=press.message_id,
        action=action,
        reference=reference,
        name=press.query.from_user.first_name,
        user_id=press.user_id,
        colleague=colleague,
        minutes=int(context.services.settings.prompt_timeout.total_seconds() // 60),
    )
    assert sent is not None, "a new message, not an edit"
    await prompts.open(chat_of(press.update).id, press.user_id, sent.message_id, action, request_id, arg)


@router.on(REPLY)
async def reply_pressed(press: Press, context: BotContext) -> None:
    """The requester's ↩️ Reply under a message from the staff (or a question, a nudge)."""
    await ask_for_words(press, context, "reply", press.int_arg(0))


def media_of(update: Update) -> Media | None:
    """A photo (largest size) or a document the message carries, as (kind, file_id, file name)."""
    message = message_of(update)
    if message.photo:
        return ("photo", message.photo[-1].file_id, None)
    if message.document is not None:
        return ("document", message.document.file_id, (message.document.file_name or "")[:100] or None)
    return None


async def on_reply(update: Update, context: BotContext) -> None:
    if await take(update, context) is not False:
        raise ApplicationHandlerStop  # taken, or refused with an answer: this message is dealt with


@router.message
async def take(update: Update, context: BotContext) -> bool:
    """False when the reply is not ours (the other handlers may take it)."""
    message = message_of(update)
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return False
    chat = chat_of(update)
    taken = await context.services.requests.prompts.take(
        chat.id,
        sender_id(update),
        replied.message_id,
        message.text if message.text is not None else message.caption,
        media_of(update),
        chat.type == ChatType.PRIVATE,
    )
    if taken is None:
        return False
    await context.reply(
        update,
        "requests/taken.html",
        reply_to=message.message_id,
        kind=taken.kind,
        outcome=taken.outcome,
        reference=taken.reference,
    )
    return True


async def on_cancel(update: Update, context: BotContext) -> None:
    """/cancel in a group: the person's newest prompt there ends (else the usual /cancel answers)."""
    reference = await context.services.requests.prompts.cancel(chat_of(update).id, sender_id(update))
    if reference is None:
        return
    await context.reply(update, "requests/taken.html", kind="cancelled", outcome=None, reference=reference)
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    app.add_handler(router.handler())
    words = (filters.TEXT & ~filters.COMMAND) | filters.Regex(r"^/cancel(@\w+)?\s*$")
    app.add_handler(
        MessageHandler(filters.REPLY & (words | filters.PHOTO | filters.Document.ALL), on_reply),
        group=groups.REPLIES,
    )
    app.add_handler(CommandHandler("cancel", on_cancel, filters.ChatType.GROUPS), group=groups.REPLIES)
