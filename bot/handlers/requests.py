"""The requester's side of service requests: intake, /myrequests, answers, rating, "not solved".

Intake (`/request`, the main-menu button, or another feature's button): category -> enterprise
(the user's building's companies, or typed) -> description (1-2,000 characters) -> optional photo
or document -> confirmation with Edit / Send. The draft lives in the conversation until Send, so
a description that is too long is simply asked for again with nothing else lost.

Other features open the intake with a category already chosen by giving a button the callback
data ``NEW.data(<category key>)`` (``1|req|new|tax``; keys in ``bot.domain.requests.CATEGORIES``),
or by calling ``await start_intake(update, context, category="tax", summary="...")`` (the summary
is offered as the description).

A staff question reaches the requester through the outbox; their next message (or a reply to the
question) is the answer, unless another conversation is waiting for that text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import Action, BadCallback
from bot.context import BotContext, Buttons
from bot.domain.requests import CATEGORIES, CATEGORY_LABELS
from bot.handlers import groups, registry
from bot.handlers.routing import (
    STALE,
    NoSuchPart,
    Press,
    PressHandler,
    Router,
    UpdateHandler,
    chat_of,
    message_of,
    sender_id,
    text_of,
)
from bot.msgids import N_
from bot.services.requests.base import NOT_ALLOWED
from bot.services.requests.intake import Draft
from bot.services.requests.presenter import NOT_SOLVED, RATE
from bot.services.requests.views import enterprise_name
from bot.storage.enterprises import Enterprise

CATEGORY, ENTERPRISE, DESCRIPTION, ATTACHMENT, CONFIRM = range(5)
COMMENT, REASON = range(10, 12)
END = ConversationHandler.END
DRAFT = "req_draft"
EDITING = "req_editing"
TYPED = "req_typed"
FOLLOWUP = "req_followup"
PREFILL = "request_prefill"  # left by the service guide (bot/handlers/guide.py)

# InvalidInput codes of the requests service -> what the person reads (plain text).
PROBLEMS: dict[str, str] = {
    "category": STALE,
    "enterprise": STALE,
    "stars": NOT_ALLOWED,
    "enterprise_length": N_("Please type a company name of 1 to %(max)s characters."),
    "too_short": N_("Please write a few words (at least one character)."),
    "too_long": N_("That is %(length)s characters; please keep it to %(max)s or fewer and send it again."),
    "not_open": N_("%(reference)s is no longer open."),
    "already_claimed": N_("%(reference)s is already being handled."),
    "already_waiting": N_("%(reference)s is already waiting for the requester's answer."),
    "top_tier": N_("%(reference)s is already at tier 4, the top: it is reminded daily, not escalated."),
    "already_rated": N_("You have already rated %(reference)s. Thank you!"),
    "not_resolved": N_("%(reference)s is not resolved yet."),
    "not_rated": N_("Please rate %(reference)s first."),
    "not_reopenable": N_(
        "%(reference)s can no longer be reopened (only within %(days)s days of its resolution)."
    ),
    "note_length": N_("Please write 1 to %(max)s characters."),
    "comment_length": N_("Please write 1 to %(max)s characters."),
    "reason_length": N_("Please write 1 to %(max)s characters."),
    "reference": N_("Please give a reference like JA-2026-000123."),
    "unknown_reference": N_("There is no request %(reference)s that you can see."),
    "bind_usage": N_("Usage: /bindchat 1-4 [building code], sent in the staff group itself."),
    "bind_private": N_("Send /bindchat in the staff group you want to bind, not in a private chat."),
    "bind_building": N_("There is no building with the code %(building)s."),
    "building": STALE,
    "stale": STALE,
    "wait_reason": STALE,
    "not_claimed": N_("Nobody handles %(reference)s yet."),
    "not_waiting": N_("%(reference)s is not paused."),
    "same_category": N_("%(reference)s is already in that category."),
    "same_building": N_("%(reference)s already belongs to that building."),
    "same_request": N_("%(reference)s cannot be a duplicate of itself (or of its own duplicate)."),
    "pause_limit": N_(
        "%(reference)s has already been paused %(max)s times: resolve it, or escalate it for help."
    ),
    "expected_format": N_(
        "Please write who you wait for, then the expected date: “Tax bureau 12-05”, or in working days: “Tax bureau 3”."
    ),
    "expected_too_far": N_("Please give an expected date no later than %(latest)s (or escalate it)."),
    "party_length": N_("Please name who you wait for in 1 to %(max)s characters."),
    "referral_length": N_("Please write 1 to %(max)s characters."),
    "message_length": N_("Please write 1 to %(max)s characters (this was %(length)s)."),
    "prompt_expired": N_("That prompt has expired; press the button on the card again."),
    "closed_request": N_("%(reference)s is closed. Send /request if you need help again."),
    "find_usage": N_("Send /find with a company, a person's name, words of the request or its reference."),
    "find_long": N_("Please search with at most %(max)s characters."),
    "not_staff_chat": N_(
        "Requests are shown only in private and in the staff groups, never in other groups: send it to me in private."
    ),
}

router = Router("req", PROBLEMS)
NEW = router.action("new")
CHOOSE_CATEGORY = router.action("cat")
CHOOSE_ENTERPRISE = router.action("ent")
USE_TYPED = router.action("typed")
USE_SUGGESTION = router.action("usesug")
NO_ATTACHMENT = router.action("noatt")
SEND = router.action("send")
EDIT = router.action("edit")
CANCEL = router.action("cancel")
NO_COMMENT = router.action("nocomment")
MINE = router.action("mine")
WITHDRAW = router.action("wd")
WITHDRAW_YES = router.action("wdyes")


# --------------------------------------------------------------------------- conversation helpers


def session(context: BotContext) -> dict[str, object]:
    """This person's conversation data (python-telegram-bot keeps it per user)."""
    if context.user_data is None:
        raise NoSuchPart("an update without a user has no conversation data")
    return context.user_data


def ends_when_refused(router: Router) -> Callable[[UpdateHandler[int]], UpdateHandler[int]]:
    """A conversation step whose refusal or problem also ends the conversation.

    `router.message` keeps a conversation where it was after a problem, so the person types
    again; when the matter moved on (no longer open, not theirs) waiting for more text would
    capture their next messages instead.
    """

    def wrap(handler: UpdateHandler[int]) -> UpdateHandler[int]:
        guarded = router.message(handler)

        @functools.wraps(handler)
        async def step(update: Update, context: BotContext) -> int:
            state = await guarded(update, context)
            return END if state is None else state

        return step

    return wrap


def entry_point(
    router: Router, action: Action, handler: PressHandler
) -> CallbackQueryHandler[BotContext, Any]:
    """`router.press` for a conversation's entry point: a refused press ends any conversation in progress."""

    async def callback(update: Update, context: BotContext) -> int:
        state = await router.run(handler, update, context)
        return END if state is None else int(state)

    return CallbackQueryHandler(callback, pattern=action.pattern)


def _draft(context: BotContext) -> Draft:
    data = session(context)
    draft = data.get(DRAFT)
    if not isinstance(draft, Draft):
        draft = data[DRAFT] = Draft()
    return draft


def _forget_draft(context: BotContext) -> None:
    session(context).pop(DRAFT, None)
    session(context).pop(EDITING, None)


# --------------------------------------------------------------------------- intake


async def start_intake(
    update: Update, context: BotContext, *, category: str | None = None, summary: str | None = None
) -> int:
    """Open the intake (for /request, the menu, and other features' "still need help" buttons)."""
    draft = Draft(suggestion=(summary or "").strip()[:2000] or None)
    session(context)[DRAFT] = draft
    session(context)[EDITING] = False
    if category in CATEGORIES:
        draft.category = category
        return await ask_enterprise(update, context)
    return await ask_category(update, context)


async def request_command(update: Update, context: BotContext) -> int:
    return await start_intake(update, context)


async def new_pressed(press: Press, context: BotContext) -> int:
    await press.answer()
    category = press.args[0] if press.args else None
    # The service guide leaves the question the person typed, so "Still need help" offers it as
    # the description; only when the press is for the same category (else it is stale).
    prefill = session(context).pop(PREFILL, None)
    summary = None
    if isinstance(prefill, dict) and category and prefill.get("category") == category:
        summary = prefill.get("summary")
    return await start_intake(
        press.update, context, category=category, summary=summary if isinstance(summary, str) else None
    )


async def ask_category(update: Update, context: BotContext) -> int:
    labels = [CHOOSE_CATEGORY.button(context.gettext(CATEGORY_LABELS[key]), key) for key in CATEGORIES]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    rows.append([CANCEL.button(context.gettext("✖️ Cancel"))])
    await context.reply(update, "requests/ask_category.html", rows)
    return CATEGORY


async def category_chosen(press: Press, context: BotContext) -> int:
    category = context.services.requests.intake.check_category(press.str_arg(0))
    await press.answer()
    _draft(context).category = category
    return await _next(press.update, context, ask_enterprise)


async def _next(update: Update, context: BotContext, step: UpdateHandler[int]) -> int:
    """After a change: back to the confirmation when editing, else on to the next question."""
    if session(context).get(EDITING):
        return await confirm(update, context)
    return await step(update, context)


def company_label(enterprise: Enterprise, lang: str) -> str:
    """A company's button in the person's language (its English name for English and French)."""
    return (enterprise_name(enterprise, None, lang) or enterprise.name)[:40]


async def ask_enterprise(update: Update, context: BotContext) -> int:
    choices = await context.services.requests.intake.choices(sender_id(update), context.lang)
    rows = [[CHOOSE_ENTERPRISE.button(company_label(e, context.lang), e.id)] for e in choices.enterprises]
    rows.append([CHOOSE_ENTERPRISE.button(context.gettext("Not about a specific company"), 0)])
    await context.reply(
        update,
        "requests/ask_enterprise.html",
        rows,
        category=CATEGORY_LABELS[_draft(context).category or "other"],
        building=choices.building,
        listed=bool(choices.enterprises),
    )
    return ENTERPRISE


async def enterprise_chosen(press: Press, context: BotContext) -> int:
    enterprise_id = press.int_arg(0)
    if enterprise_id:
        await context.services.requests.intake.enterprise(enterprise_id)
    await press.answer()
    draft = _draft(context)
    draft.enterprise_id = enterprise_id or None
    draft.enterprise_name = None
    return await _next(press.update, context, ask_description)


async def enterprise_typed(update: Update, context: BotContext) -> int:
    typed = text_of(update)
    matches = await context.services.requests.intake.find_enterprises(sender_id(update), typed)
    typed = " ".join(typed.split())
    if not matches:
        draft = _draft(context)
        draft.enterprise_id, draft.enterprise_name = None, typed
        return await _next(update, context, ask_description)
    session(context)[TYPED] = typed
    rows = [[CHOOSE_ENTERPRISE.button(company_label(e, context.lang), e.id)] for e in matches]
    rows.append([USE_TYPED.button(context.gettext("Use “%(name)s” as typed", name=typed[:30]))])
    await context.reply(update, "requests/enterprise_matches.html", rows, typed=typed)
    return ENTERPRISE


async def typed_chosen(press: Press, context: BotContext) -> int:
    typed = session(context).get(TYPED)
    if not isinstance(typed, str) or not typed:
        raise BadCallback("no typed company name in this conversation")
    await press.answer()
    draft = _draft(context)
    draft.enterprise_id, draft.enterprise_name = None, typed
    return await _next(press.update, context, ask_description)


async def ask_description(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    rows = [[USE_SUGGESTION.button(context.gettext("Use the suggested text"))]] if draft.suggestion else None
    await context.reply(update, "requests/ask_description.html", rows, suggestion=draft.suggestion, max=2000)
    return DESCRIPTION


async def description_given(update: Update, context: BotContext) -> int:
    text = context.services.requests.intake.check_description(text_of(update))
    _draft(context).description = text
    return await _next(update, context, ask_attachment)


async def suggestion_used(press: Press, context: BotContext) -> int:
    draft = _draft(context)
    if not draft.suggestion:
        raise BadCallback("no suggested text in this conversation")
    text = context.services.requests.intake.check_description(draft.suggestion)
    await press.answer()
    draft.description = text
    return await _next(press.update, context, ask_attachment)


async def ask_attachment(update: Update, context: BotContext) -> int:
    label = N_("Remove the attachment") if _draft(context).attachment_ref else N_("Skip")
    await context.reply(
        update, "requests/ask_attachment.html", [[NO_ATTACHMENT.button(context.gettext(label))]]
    )
    return ATTACHMENT


async def attachment_given(update: Update, context: BotContext) -> int:
    message = message_of(update)
    draft = _draft(context)
    if message.photo:
        draft.attachment_kind, draft.attachment_ref, draft.attachment_name = (
            "photo",
            message.photo[-1].file_id,
            None,
        )
    elif message.document is not None:
        document = message.document
        draft.attachment_kind, draft.attachment_ref = "document", document.file_id
        draft.attachment_name = (document.file_name or "")[:100] or None
    return await confirm(update, context)


async def no_attachment(press: Press, context: BotContext) -> int:
    await press.answer()
    draft = _draft(context)
    draft.attachment_kind = draft.attachment_ref = draft.attachment_name = None
    return await confirm(press.update, context)


async def attachment_expected(update: Update, context: BotContext) -> int:
    await context.reply(update, "requests/attachment_expected.html")
    return ATTACHMENT


async def confirm(update: Update, context: BotContext) -> int:
    session(context)[EDITING] = True
    draft = _draft(context)
    preview = await context.services.requests.intake.preview(sender_id(update), draft, context.lang)
    rows = [
        [SEND.button(context.gettext("✅ Send"))],
        [
            EDIT.button(context.gettext("✏️ Category"), "cat"),
            EDIT.button(context.gettext("✏️ Company"), "ent"),
        ],
        [
            EDIT.button(context.gettext("✏️ Description"), "desc"),
            EDIT.button(context.gettext("📎 Attachment"), "att"),
        ],
        [CANCEL.button(context.gettext("✖️ Cancel"))],
    ]
    await context.reply(update, "requests/confirm.html", rows, draft=preview)
    return CONFIRM


# What each Edit button goes back to.
EDIT_STEPS: dict[str, UpdateHandler[int]] = {
    "cat": ask_category,
    "ent": ask_enterprise,
    "desc": ask_description,
    "att": ask_attachment,
}


async def edit_pressed(press: Press, context: BotContext) -> int:
    step = EDIT_STEPS.get(press.str_arg(0))
    if step is None:
        raise BadCallback(press.str_arg(0))
    await press.answer()
    return await step(press.update, context)


async def send_pressed(press: Press, context: BotContext) -> int:
    view = await context.services.requests.intake.submit(press.user_id, _draft(context))
    await press.answer()
    _forget_draft(context)
    await context.reply(press.update, "requests/submitted.html", edit=True, card=view)
    return END


async def cancel_intake(update: Update, context: BotContext) -> int:
    _forget_draft(context)
    await context.reply(update, "common/cancelled.html", edit=update.callback_query is not None)
    return END


async def cancel_pressed(press: Press, context: BotContext) -> int:
    await press.answer()
    return await cancel_intake(press.update, context)


async def use_buttons(update: Update, context: BotContext) -> None:
    await context.reply(update, "requests/use_buttons.html")


# --------------------------------------------------------------------------- /myrequests


async def my_requests(update: Update, context: BotContext) -> None:
    requester = context.services.requests.requester
    views = await requester.mine(sender_id(update), context.lang)
    company = await requester.of_my_companies(sender_id(update), context.lang)
    rows: Buttons = [
        [NOT_SOLVED.button(context.gettext("❌ Not solved: %(reference)s", reference=v.reference), v.id)]
        for v in views
        if v.reopenable
    ][:5]
    rows += [
        [WITHDRAW.button(context.gettext("↩️ Withdraw: %(reference)s", reference=v.reference), v.id)]
        for v in views
        if v.withdrawable
    ][:5]
    await context.reply(update, "requests/my_requests.html", rows, requests=views, company_requests=company)


@router.on(WITHDRAW)
async def withdraw_pressed(press: Press, context: BotContext) -> None:
    """First ask: withdrawing closes the request for good."""
    request_id = press.int_arg(0)
    reference = await context.services.requests.requester.can_withdraw(press.user_id, request_id)
    await press.answer()
    rows = [
        [
            WITHDRAW_YES.button(context.gettext("Yes, withdraw it"), request_id),
            MINE.button(context.gettext("No, keep it")),
        ]
    ]
    await context.reply(press.update, "requests/withdraw_confirm.html", rows, reference=reference)


@router.on(WITHDRAW_YES)
async def withdraw_confirmed(press: Press, context: BotContext) -> None:
    outcome = await context.services.requests.requester.withdraw(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(press.update, "requests/withdrawn.html", edit=True, outcome=outcome)


@router.on(MINE)
async def my_requests_pressed(press: Press, context: BotContext) -> None:
    await press.answer()
    await my_requests(press.update, context)


# --------------------------------------------------------------------------- rating, "not solved"


async def rate_pressed(press: Press, context: BotContext) -> int:
    request_id, stars = press.int_arg(0), press.int_arg(1)
    outcome = await context.services.requests.requester.rate(press.user_id, request_id, stars)
    await press.answer()
    await press.query.edit_message_reply_markup(None)  # the stars are spent: only the text stays
    session(context)[FOLLOWUP] = request_id
    await context.reply(
        press.update,
        "requests/ask_comment.html",
        [[NO_COMMENT.button(context.gettext("Skip"))]],
        outcome=outcome,
        stars=stars,
    )
    return COMMENT


def _followup(context: BotContext) -> int:
    request_id = session(context).get(FOLLOWUP)
    return request_id if isinstance(request_id, int) else 0


@router.message
async def comment_given(update: Update, context: BotContext) -> int:
    """A comment of the wrong length is asked for again; any other refusal ends the follow-up."""
    context.services.requests.requester.check_comment(text_of(update))
    return await save_comment(update, context)


@ends_when_refused(router)
async def save_comment(update: Update, context: BotContext) -> int:
    outcome = await context.services.requests.requester.comment(
        sender_id(update), _followup(context), text_of(update)
    )
    await context.reply(update, "requests/thanks.html", outcome=outcome)
    return END


async def comment_skipped(press: Press, context: BotContext) -> int:
    await press.answer()
    await context.reply(press.update, "requests/thanks.html", edit=True, outcome=None)
    return END


async def not_solved_pressed(press: Press, context: BotContext) -> int:
    request_id = press.int_arg(0)
    reference = await context.services.requests.requester.can_reopen(press.user_id, request_id)
    await press.answer()
    session(context)[FOLLOWUP] = request_id
    await context.reply(press.update, "requests/ask_reason.html", reference=reference)
    return REASON


@router.message
async def reason_given(update: Update, context: BotContext) -> int:
    """A reason of the wrong length is asked for again; any other refusal ends the follow-up."""
    context.services.requests.requester.check_reason(text_of(update))
    return await reopen(update, context)


@ends_when_refused(router)
async def reopen(update: Update, context: BotContext) -> int:
    outcome = await context.services.requests.requester.not_solved(
        sender_id(update), _followup(context), text_of(update)
    )
    await context.reply(update, "requests/reopened.html", outcome=outcome, tier_label=outcome.tier_label)
    return END


# --------------------------------------------------------------------------- answers to staff questions


async def maybe_answer(update: Update, context: BotContext) -> None:
    """Runs before other handlers on private text: if staff wait for this person's answer, this is it.

    Text another conversation is waiting for is left alone (a reply to the question still answers
    it: bot/handlers/replies.py runs first).
    """
    if update.message is None or chat_of(update).type != ChatType.PRIVATE:
        return
    if await _answer_question(update, context) is not False:
        raise ApplicationHandlerStop  # answered, or the answer was refused: this text is dealt with


@router.message
async def _answer_question(update: Update, context: BotContext) -> bool:
    """True when the text answered a staff question (and the person was told), False when none waits."""
    busy = any(
        isinstance(handler, ConversationHandler) and handler.check_update(update)
        for handler in context.application.handlers.get(0, [])
    )
    outcome = await context.services.requests.requester.answer(sender_id(update), text_of(update), busy=busy)
    if outcome is None:
        return False
    await context.reply(
        update, "requests/taken.html", kind=outcome.result, outcome=outcome, reference=outcome.reference
    )
    return True


# --------------------------------------------------------------------------- wiring


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(private & text, maybe_answer), group=groups.REQUESTER_ANSWERS)
    app.add_handler(
        ConversationHandler(
            entry_points=[
                CommandHandler("request", request_command, private),
                router.press(NEW, new_pressed),
            ],
            states={
                CATEGORY: [
                    router.press(CHOOSE_CATEGORY, category_chosen),
                    MessageHandler(text, use_buttons),
                ],
                ENTERPRISE: [
                    router.press(CHOOSE_ENTERPRISE, enterprise_chosen),
                    router.press(USE_TYPED, typed_chosen),
                    MessageHandler(text, router.message(enterprise_typed)),
                ],
                DESCRIPTION: [
                    MessageHandler(text, router.message(description_given)),
                    router.press(USE_SUGGESTION, suggestion_used),
                ],
                ATTACHMENT: [
                    MessageHandler(filters.PHOTO | filters.Document.ALL, attachment_given),
                    router.press(NO_ATTACHMENT, no_attachment),
                    MessageHandler(text, attachment_expected),
                ],
                CONFIRM: [
                    router.press(SEND, send_pressed),
                    router.press(EDIT, edit_pressed),
                    MessageHandler(text, use_buttons),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", cancel_intake),
                router.press(CANCEL, cancel_pressed),
                CommandHandler("request", request_command, private),
            ],
            name="request_intake",
            allow_reentry=True,
        )
    )
    app.add_handler(
        ConversationHandler(
            entry_points=[
                entry_point(router, RATE, rate_pressed),
                entry_point(router, NOT_SOLVED, not_solved_pressed),
            ],
            states={
                COMMENT: [
                    MessageHandler(text, comment_given),
                    router.press(NO_COMMENT, comment_skipped),
                ],
                REASON: [MessageHandler(text, reason_given)],
            },
            fallbacks=[CommandHandler("cancel", cancel_intake)],
            name="request_followup",
            allow_reentry=True,
        )
    )
    app.add_handler(CommandHandler("myrequests", my_requests, private))
    app.add_handler(router.handler())
    registry.command("request", N_("Ask the station for help"), order=10, private=True)
    registry.command("myrequests", N_("Your requests and their status"), order=11, private=True)
    registry.menu_item(N_("🙋 Ask for help"), NEW.data(), order=10)
    registry.menu_item(N_("📋 My requests"), MINE.data(), order=11)
