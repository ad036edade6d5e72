# i18n-domain: requests
"""The staff side of requests, in the staff groups: card buttons, /bindchat and /req.

Card buttons carry ``1|rq|<action>|<request id>`` (claim, note, ask = "Need info", res = resolve,
esc = escalate). The data is only a wish: the service checks, at the moment of the press, that the
presser is staff of the request's building (or district-wide) at its tier or above; anyone else
gets a "not allowed" pop-up and nothing changes. Claim is one tap; the others need a few words,
asked for with a reply prompt addressed to the presser (a conversation per person per group).
"""

from __future__ import annotations

from telegram import ForceReply, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import BadCallback, unpack
from bot.context import BotContext
from bot.domain.requests import NotAllowed
from bot.handlers import registry
from bot.handlers.requests import NOT_ALLOWED, problem_text, say_problem
from bot.msgids import N_
from bot.services.base import InvalidInput

FEATURE = "rq"
TEXT = 20
PENDING = "rq_pending"
TEXT_ACTIONS = ("note", "ask", "res", "esc")
PROMPTS = {
    "note": "requests/prompt_note.html",
    "ask": "requests/prompt_ask.html",
    "res": "requests/prompt_resolve.html",
    "esc": "requests/prompt_escalate.html",
}
DONE = {
    "note": N_("📝 Note added to %(reference)s."),
    "ask": N_("❓ Question sent to the requester of %(reference)s; its clock is paused until they answer."),
    "res": N_("✅ %(reference)s resolved; the requester has been asked to confirm."),
    "esc": N_("⬆️ %(reference)s passed to tier %(tier)s."),
}


async def claim_pressed(update: Update, context: BotContext) -> None:
    try:
        request_id = unpack(update.callback_query.data).int_arg(0)
        outcome = await context.services.requests.claim(update.effective_user.id, request_id)
    except (BadCallback, NotAllowed):
        await context.alert(update, NOT_ALLOWED)
        return
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return
    await update.callback_query.answer(
        context.gettext("✋ You are handling %(reference)s.", reference=outcome.reference)
    )


async def text_action_pressed(update: Update, context: BotContext) -> int:
    """Note / Need info / Resolve / Escalate: check now, then ask the presser for the words."""
    try:
        cb = unpack(update.callback_query.data)
        if cb.action not in TEXT_ACTIONS:
            raise BadCallback(cb.action)
        request_id = cb.int_arg(0)
        reference = await context.services.requests.may_act(update.effective_user.id, request_id)
    except (BadCallback, NotAllowed):
        await context.alert(update, NOT_ALLOWED)
        return ConversationHandler.END
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return ConversationHandler.END
    await update.callback_query.answer()
    user = update.effective_user
    text = context.render(PROMPTS[cb.action], reference=reference, name=user.first_name)
    prompt = await context.bot.send_message(
        update.effective_chat.id,
        text,
        reply_markup=ForceReply(selective=True, input_field_placeholder=reference),
        reply_to_message_id=update.callback_query.message.message_id
        if update.callback_query.message
        else None,
    )
    context.user_data[PENDING] = (cb.action, request_id, prompt.message_id)
    return TEXT


async def text_given(update: Update, context: BotContext) -> int:
    pending = context.user_data.get(PENDING)
    if not pending:
        return ConversationHandler.END
    action, request_id, prompt_id = pending
    service = context.services.requests
    method = {"note": service.note, "ask": service.ask, "res": service.resolve, "esc": service.escalate}[
        action
    ]
    try:
        outcome = await method(update.effective_user.id, request_id, update.message.text)
    except NotAllowed:
        context.user_data.pop(PENDING, None)
        await context.reply(update, "requests/problem.html", message=context.gettext(NOT_ALLOWED))
        return ConversationHandler.END
    except InvalidInput as problem:
        await context.reply(update, "requests/problem.html", message=problem_text(context, problem))
        if problem.code == "note_length":
            return TEXT
        context.user_data.pop(PENDING, None)
        return ConversationHandler.END
    context.user_data.pop(PENDING, None)
    await context.bot.edit_message_text(
        context.render(
            "requests/problem.html",
            message=context.gettext(DONE[action], reference=outcome.reference, tier=outcome.tier),
        ),
        chat_id=update.effective_chat.id,
        message_id=prompt_id,
    )
    return ConversationHandler.END


async def cancel_text(update: Update, context: BotContext) -> int:
    context.user_data.pop(PENDING, None)
    await context.reply(update, "common/cancelled.html")
    return ConversationHandler.END


async def bindchat_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    try:
        tier, building = await context.services.requests.bind_chat(
            update.effective_user.id, chat.id, chat.title or "", list(context.args or [])
        )
    except NotAllowed:
        await context.reply(update, "requests/bind_refused.html")
        return
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return
    await context.reply(update, "requests/bound.html", tier=tier, building=building)


async def req_command(update: Update, context: BotContext) -> None:
    try:
        view = await context.services.requests.history(
            update.effective_user.id, " ".join(context.args or []), context.lang
        )
    except NotAllowed:
        await context.reply(update, "requests/problem.html", message=context.gettext(NOT_ALLOWED))
        return
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return
    await context.reply(update, "requests/card.html", card=view, passed_to=None)


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(claim_pressed, pattern=rf"^1\|{FEATURE}\|claim\|"))
    app.add_handler(
        ConversationHandler(
            entry_points=[CallbackQueryHandler(text_action_pressed, pattern=rf"^1\|{FEATURE}\|")],
            states={
                TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.GROUPS, text_given)]
            },
            fallbacks=[CommandHandler("cancel", cancel_text)],
            name="staff_card_text",
            allow_reentry=True,
        )
    )
    app.add_handler(CommandHandler("bindchat", bindchat_command))
    app.add_handler(CommandHandler("req", req_command))
    registry.command(
        "req", N_("A request's card and full history: /req JA-2026-000123"), staff_only=True, order=60
    )
    registry.command(
        "bindchat", N_("In a staff group: receive the cards of tier 1-4"), staff_only=True, order=61
    )
