# i18n-domain: requests
"""The staff side of requests, in the staff groups: card buttons, /bindchat and /req.

The card's buttons are defined where the card is built (bot/services/requests/cards.py: claim,
note, ask = "Need info", resolve, escalate) and routed here. Their data is only a wish: the
service checks, at the moment of the press, that the presser is staff of the request's building
(or district-wide) at its tier or above; anyone else gets a "not allowed" pop-up and nothing
changes. Claim is one tap; the others need a few words, asked for with a reply prompt addressed
to the presser (a conversation per person per group).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import ForceReply, Update
from telegram.ext import Application, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.callbacks import Action
from bot.context import BotContext
from bot.handlers import registry
from bot.handlers.requests import END, PROBLEMS, ends_when_refused, entry_point, session
from bot.handlers.routing import Press, Router, chat_of, sender_id, text_of
from bot.msgids import N_
from bot.services.requests.cards import ASK, CLAIM, ESCALATE, NOTE, RESOLVE
from bot.services.requests.staff import StaffDesk
from bot.services.requests.views import Outcome

TEXT = 20
PENDING = "rq_pending"

router = Router("rq", PROBLEMS)


@dataclass(frozen=True)
class TypedAction:
    """A card button that needs a few words: the prompt asking for them, the use case, the result."""

    prompt: str  # template of the reply prompt
    act: Callable[[StaffDesk], Callable[[int, int, str | None], Awaitable[Outcome]]]
    done: str  # msgid the prompt is replaced with once done


TYPED: dict[Action, TypedAction] = {
    NOTE: TypedAction(
        "requests/prompt_note.html", lambda desk: desk.note, N_("📝 Note added to %(reference)s.")
    ),
    ASK: TypedAction(
        "requests/prompt_ask.html",
        lambda desk: desk.ask,
        N_("❓ Question sent to the requester of %(reference)s; its clock is paused until they answer."),
    ),
    RESOLVE: TypedAction(
        "requests/prompt_resolve.html",
        lambda desk: desk.resolve,
        N_("✅ %(reference)s resolved; the requester has been asked to confirm."),
    ),
    ESCALATE: TypedAction(
        "requests/prompt_escalate.html",
        lambda desk: desk.escalate,
        N_("⬆️ %(reference)s passed to tier %(tier)s."),
    ),
}
BY_NAME = {action.name: typed for action, typed in TYPED.items()}


@dataclass(frozen=True)
class Pending:
    """Which words the presser's next message in the group is: for what, on which request."""

    action: str
    request_id: int
    prompt_id: int


@router.on(CLAIM)
async def claim_pressed(press: Press, context: BotContext) -> None:
    outcome = await context.services.requests.staff.claim(press.user_id, press.int_arg(0))
    await press.answer(context.gettext("✋ You are handling %(reference)s.", reference=outcome.reference))


async def text_action_pressed(press: Press, context: BotContext) -> int:
    """Note / Need info / Resolve / Escalate: check now, then ask the presser for the words."""
    request_id = press.int_arg(0)
    reference = await context.services.requests.staff.may_act(press.user_id, request_id)
    await press.answer()
    prompt = await context.reply(
        press.update,
        BY_NAME[press.action].prompt,
        markup=ForceReply(selective=True, input_field_placeholder=reference),
        reply_to=press.message_id,
        reference=reference,
        name=press.query.from_user.first_name,
    )
    assert prompt is not None, "a new message, not an edit"
    session(context)[PENDING] = Pending(press.action, request_id, prompt.message_id)
    return TEXT


@router.message
async def text_given(update: Update, context: BotContext) -> int:
    """The words for the pressed button; words of the wrong length are asked for again."""
    if not isinstance(session(context).get(PENDING), Pending):
        return END
    context.services.requests.staff.check_note(text_of(update))
    return await act(update, context)


@ends_when_refused(router)
async def act(update: Update, context: BotContext) -> int:
    pending = session(context).pop(PENDING)
    assert isinstance(pending, Pending), "checked by text_given"
    typed = BY_NAME[pending.action]
    outcome = await typed.act(context.services.requests.staff)(
        sender_id(update), pending.request_id, text_of(update)
    )
    await context.edit(
        chat_of(update).id,
        pending.prompt_id,
        "common/say.html",
        message=context.gettext(typed.done, reference=outcome.reference, tier=outcome.tier),
    )
    return END


async def cancel_text(update: Update, context: BotContext) -> int:
    session(context).pop(PENDING, None)
    await context.reply(update, "common/cancelled.html")
    return END


@router.message
async def bindchat_command(update: Update, context: BotContext) -> None:
    chat = chat_of(update)
    tier, building = await context.services.requests.staff.bind_chat(
        sender_id(update), chat.id, chat.title or "", list(context.args or [])
    )
    await context.reply(update, "requests/bound.html", tier=tier, building=building)


@router.message
async def req_command(update: Update, context: BotContext) -> None:
    view = await context.services.requests.staff.history(
        sender_id(update), " ".join(context.args or []), context.lang
    )
    await context.reply(update, "requests/card.html", card=view, passed_to=None)


def register(app: Application) -> None:
    app.add_handler(router.handler())
    app.add_handler(
        ConversationHandler(
            entry_points=[entry_point(router, action, text_action_pressed) for action in TYPED],
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
