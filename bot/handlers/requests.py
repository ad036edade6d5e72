"""The requester's side of service requests: intake, /myrequests, answers, rating, "not solved".

Intake (`/request`, the main-menu button, or another feature's button): category -> enterprise
(the user's building's companies, or typed) -> description (1-2,000 characters) -> optional photo
or document -> confirmation with Edit / Send. The draft lives in the conversation until Send, so
a description that is too long is simply asked for again with nothing else lost.

Other features open the intake with a category already chosen by giving a button the callback
data ``pack("req", "new", <category key>)`` (e.g. ``1|req|new|tax``; keys in
``bot.domain.requests.CATEGORIES``), or by calling ``await start_intake(update, context,
category="tax", summary="...")`` (the summary is offered as the description).

A staff question reaches the requester through the outbox; their next message (or a reply to the
question) is the answer, unless another conversation is waiting for that text.
"""

from __future__ import annotations

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

from bot.callbacks import BadCallback, button, pack, unpack
from bot.context import BotContext
from bot.domain.requests import CATEGORIES, CATEGORY_LABELS, NotAllowed
from bot.handlers import registry
from bot.msgids import N_
from bot.services.base import InvalidInput

FEATURE = "req"
CATEGORY, ENTERPRISE, DESCRIPTION, ATTACHMENT, CONFIRM = range(5)
COMMENT, REASON = range(10, 12)
DRAFT = "req_draft"
EDITING = "req_editing"
TYPED = "req_typed"
FOLLOWUP = "req_followup"

NOT_ALLOWED = N_("Sorry, you are not allowed to do that.")
STALE = N_("This button is no longer valid.")

# InvalidInput codes of the requests service -> what the person reads (plain text).
PROBLEMS: dict[str, str] = {
    "category": STALE,
    "enterprise": STALE,
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
}


def problem_text(context: BotContext, problem: InvalidInput) -> str:
    return context.gettext(PROBLEMS.get(problem.code, STALE), **problem.details)


async def say_problem(update: Update, context: BotContext, problem: InvalidInput) -> None:
    """Bad input in words the person reads: a pop-up for a button, a message for typed text."""
    if update.callback_query:
        await update.callback_query.answer(problem_text(context, problem), show_alert=True)
    else:
        await context.reply(update, "requests/problem.html", message=problem_text(context, problem))


def _draft(context: BotContext):
    from bot.services.requests import Draft

    draft = context.user_data.get(DRAFT)
    if draft is None:
        draft = context.user_data[DRAFT] = Draft()
    return draft


async def _answer_press(update: Update) -> None:
    if update.callback_query:
        await update.callback_query.answer()


# --------------------------------------------------------------------------- intake


async def start_intake(
    update: Update, context: BotContext, *, category: str | None = None, summary: str | None = None
) -> int:
    """Open the intake (for /request, the menu, and other features' "still need help" buttons)."""
    from bot.services.requests import Draft

    context.user_data[DRAFT] = Draft(suggestion=(summary or "").strip()[:2000] or None)
    context.user_data[EDITING] = False
    if category in CATEGORIES:
        context.user_data[DRAFT].category = category
        return await ask_enterprise(update, context)
    return await ask_category(update, context)


async def request_command(update: Update, context: BotContext) -> int:
    return await start_intake(update, context)


async def new_pressed(update: Update, context: BotContext) -> int:
    await _answer_press(update)
    args = unpack(update.callback_query.data).args
    category = args[0] if args else None
    # The service guide leaves the question the person typed, so "Still need help" offers it as
    # the description; only when the press is for the same category (else it is stale).
    prefill = context.user_data.pop("request_prefill", None) or {}
    summary = prefill.get("summary") if category and prefill.get("category") == category else None
    return await start_intake(update, context, category=category, summary=summary)


async def ask_category(update: Update, context: BotContext) -> int:
    labels = [button(context.gettext(CATEGORY_LABELS[key]), FEATURE, "cat", key) for key in CATEGORIES]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    rows.append([button(context.gettext("✖️ Cancel"), FEATURE, "cancel")])
    await context.reply(update, "requests/ask_category.html", rows)
    return CATEGORY


async def category_chosen(update: Update, context: BotContext) -> int:
    try:
        category = context.services.requests.check_category(unpack(update.callback_query.data).str_arg(0))
    except (BadCallback, InvalidInput):
        await context.alert(update, STALE)
        return CATEGORY
    await _answer_press(update)
    _draft(context).category = category
    return await _next(update, context, ask_enterprise)


async def _next(update: Update, context: BotContext, step) -> int:
    """After a change: back to the confirmation when editing, else on to the next question."""
    if context.user_data.get(EDITING):
        return await confirm(update, context)
    return await step(update, context)


async def ask_enterprise(update: Update, context: BotContext) -> int:
    choices = await context.services.requests.intake_choices(update.effective_user.id, context.lang)
    rows = [[button(e.name[:40], FEATURE, "ent", e.id)] for e in choices.enterprises]
    rows.append([button(context.gettext("Not about a specific company"), FEATURE, "ent", 0)])
    await context.reply(
        update,
        "requests/ask_enterprise.html",
        rows,
        category=CATEGORY_LABELS[_draft(context).category],
        building=choices.building,
        listed=bool(choices.enterprises),
    )
    return ENTERPRISE


async def enterprise_chosen(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    try:
        enterprise_id = unpack(update.callback_query.data).int_arg(0)
        if enterprise_id:
            await context.services.requests.enterprise(enterprise_id)
    except (BadCallback, InvalidInput):
        await context.alert(update, STALE)
        return ENTERPRISE
    await _answer_press(update)
    draft.enterprise_id = enterprise_id or None
    draft.enterprise_name = None
    return await _next(update, context, ask_description)


async def enterprise_typed(update: Update, context: BotContext) -> int:
    typed = update.message.text or ""
    try:
        matches = await context.services.requests.find_enterprises(update.effective_user.id, typed)
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return ENTERPRISE
    typed = " ".join(typed.split())
    if not matches:
        draft = _draft(context)
        draft.enterprise_id, draft.enterprise_name = None, typed
        return await _next(update, context, ask_description)
    context.user_data[TYPED] = typed
    rows = [[button(e.name[:40], FEATURE, "ent", e.id)] for e in matches]
    rows.append([button(context.gettext("Use “%(name)s” as typed", name=typed[:30]), FEATURE, "typed")])
    await context.reply(update, "requests/enterprise_matches.html", rows, typed=typed)
    return ENTERPRISE


async def typed_chosen(update: Update, context: BotContext) -> int:
    typed = context.user_data.get(TYPED)
    if not typed:
        await context.alert(update, STALE)
        return ENTERPRISE
    await _answer_press(update)
    draft = _draft(context)
    draft.enterprise_id, draft.enterprise_name = None, typed
    return await _next(update, context, ask_description)


async def ask_description(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    rows = (
        [[button(context.gettext("Use the suggested text"), FEATURE, "usesug")]] if draft.suggestion else None
    )
    await context.reply(update, "requests/ask_description.html", rows, suggestion=draft.suggestion, max=2000)
    return DESCRIPTION


async def description_given(update: Update, context: BotContext) -> int:
    try:
        text = context.services.requests.check_description(update.message.text)
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return DESCRIPTION
    _draft(context).description = text
    return await _next(update, context, ask_attachment)


async def suggestion_used(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    try:
        text = context.services.requests.check_description(draft.suggestion)
    except InvalidInput:
        await context.alert(update, STALE)
        return DESCRIPTION
    await _answer_press(update)
    draft.description = text
    return await _next(update, context, ask_attachment)


async def ask_attachment(update: Update, context: BotContext) -> int:
    label = N_("Remove the attachment") if _draft(context).attachment_ref else N_("Skip")
    await context.reply(
        update, "requests/ask_attachment.html", [[button(context.gettext(label), FEATURE, "noatt")]]
    )
    return ATTACHMENT


async def attachment_given(update: Update, context: BotContext) -> int:
    message = update.message
    draft = _draft(context)
    if message.photo:
        draft.attachment_kind, draft.attachment_ref, draft.attachment_name = (
            "photo",
            message.photo[-1].file_id,
            None,
        )
    else:
        document = message.document
        draft.attachment_kind, draft.attachment_ref = "document", document.file_id
        draft.attachment_name = (document.file_name or "")[:100] or None
    return await confirm(update, context)


async def no_attachment(update: Update, context: BotContext) -> int:
    await _answer_press(update)
    draft = _draft(context)
    draft.attachment_kind = draft.attachment_ref = draft.attachment_name = None
    return await confirm(update, context)


async def attachment_expected(update: Update, context: BotContext) -> int:
    await context.reply(update, "requests/attachment_expected.html")
    return ATTACHMENT


async def confirm(update: Update, context: BotContext) -> int:
    context.user_data[EDITING] = True
    draft = _draft(context)
    preview = await context.services.requests.preview(update.effective_user.id, draft, context.lang)
    rows = [
        [button(context.gettext("✅ Send"), FEATURE, "send")],
        [
            button(context.gettext("✏️ Category"), FEATURE, "edit", "cat"),
            button(context.gettext("✏️ Company"), FEATURE, "edit", "ent"),
        ],
        [
            button(context.gettext("✏️ Description"), FEATURE, "edit", "desc"),
            button(context.gettext("📎 Attachment"), FEATURE, "edit", "att"),
        ],
        [button(context.gettext("✖️ Cancel"), FEATURE, "cancel")],
    ]
    await context.reply(update, "requests/confirm.html", rows, draft=preview)
    return CONFIRM


async def edit_pressed(update: Update, context: BotContext) -> int:
    steps = {"cat": ask_category, "ent": ask_enterprise, "desc": ask_description, "att": ask_attachment}
    try:
        step = steps[unpack(update.callback_query.data).str_arg(0)]
    except (BadCallback, KeyError):
        await context.alert(update, STALE)
        return CONFIRM
    await _answer_press(update)
    return await step(update, context)


async def send_pressed(update: Update, context: BotContext) -> int:
    try:
        view = await context.services.requests.submit(update.effective_user.id, _draft(context))
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return CONFIRM
    await _answer_press(update)
    context.user_data.pop(DRAFT, None)
    context.user_data.pop(EDITING, None)
    await context.reply(update, "requests/submitted.html", edit=True, card=view)
    return ConversationHandler.END


async def cancel_intake(update: Update, context: BotContext) -> int:
    await _answer_press(update)
    context.user_data.pop(DRAFT, None)
    context.user_data.pop(EDITING, None)
    await context.reply(update, "common/cancelled.html", edit=bool(update.callback_query))
    return ConversationHandler.END


async def use_buttons(update: Update, context: BotContext) -> None:
    await context.reply(update, "requests/use_buttons.html")


# --------------------------------------------------------------------------- /myrequests


async def my_requests(update: Update, context: BotContext) -> None:
    await _answer_press(update)
    views = await context.services.requests.mine(update.effective_user.id, context.lang)
    company = await context.services.requests.of_my_companies(update.effective_user.id, context.lang)
    rows = [
        [button(context.gettext("❌ Not solved: %(reference)s", reference=v.reference), FEATURE, "ns", v.id)]
        for v in views
        if v.reopenable
    ][:5]
    await context.reply(update, "requests/my_requests.html", rows, requests=views, company_requests=company)


# --------------------------------------------------------------------------- rating, "not solved"


async def rate_pressed(update: Update, context: BotContext) -> int:
    try:
        cb = unpack(update.callback_query.data)
        request_id, stars = cb.int_arg(0), cb.int_arg(1)
        outcome = await context.services.requests.rate(update.effective_user.id, request_id, stars)
    except (BadCallback, NotAllowed):
        await context.alert(update, NOT_ALLOWED)
        return ConversationHandler.END
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return ConversationHandler.END
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    context.user_data[FOLLOWUP] = request_id
    await context.reply(
        update,
        "requests/ask_comment.html",
        [[button(context.gettext("Skip"), FEATURE, "nocomment")]],
        outcome=outcome,
        stars=stars,
    )
    return COMMENT


async def comment_given(update: Update, context: BotContext) -> int:
    try:
        outcome = await context.services.requests.comment(
            update.effective_user.id, context.user_data.get(FOLLOWUP, 0), update.message.text
        )
    except NotAllowed:
        await context.reply(update, "requests/problem.html", message=context.gettext(NOT_ALLOWED))
        return ConversationHandler.END
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return COMMENT if problem.code == "comment_length" else ConversationHandler.END
    await context.reply(update, "requests/thanks.html", outcome=outcome)
    return ConversationHandler.END


async def comment_skipped(update: Update, context: BotContext) -> int:
    await _answer_press(update)
    await context.reply(update, "requests/thanks.html", edit=True, outcome=None)
    return ConversationHandler.END


async def not_solved_pressed(update: Update, context: BotContext) -> int:
    try:
        request_id = unpack(update.callback_query.data).int_arg(0)
        reference = await context.services.requests.can_reopen(update.effective_user.id, request_id)
    except (BadCallback, NotAllowed):
        await context.alert(update, NOT_ALLOWED)
        return ConversationHandler.END
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return ConversationHandler.END
    await update.callback_query.answer()
    context.user_data[FOLLOWUP] = request_id
    await context.reply(update, "requests/ask_reason.html", reference=reference)
    return REASON


async def reason_given(update: Update, context: BotContext) -> int:
    try:
        outcome = await context.services.requests.not_solved(
            update.effective_user.id, context.user_data.get(FOLLOWUP, 0), update.message.text
        )
    except NotAllowed:
        await context.reply(update, "requests/problem.html", message=context.gettext(NOT_ALLOWED))
        return ConversationHandler.END
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        return REASON if problem.code == "reason_length" else ConversationHandler.END
    await context.reply(
        update, "requests/reopened.html", outcome=outcome, tier_label=_tier_label(outcome.tier)
    )
    return ConversationHandler.END


def _tier_label(tier: int) -> str:
    from bot.domain.requests import TIER_LABELS

    return TIER_LABELS[tier]


# --------------------------------------------------------------------------- answers to staff questions


async def maybe_answer(update: Update, context: BotContext) -> None:
    """Runs before other handlers on private text: if staff wait for this person's answer, this is it.

    Text another conversation is waiting for is left alone unless it replies to the question.
    """
    message = update.message
    if message is None or update.effective_chat.type != ChatType.PRIVATE:
        return
    replied = message.reply_to_message
    reply_to = (
        replied.message_id if replied is not None and replied.from_user and replied.from_user.is_bot else None
    )
    busy = any(
        isinstance(handler, ConversationHandler) and handler.check_update(update)
        for handler in context.application.handlers.get(0, [])
    )
    try:
        outcome = await context.services.requests.answer(
            update.effective_user.id, message.text, reply_to=reply_to, only_reply=busy
        )
    except InvalidInput as problem:
        await say_problem(update, context, problem)
        raise ApplicationHandlerStop from None
    if outcome is None:
        return
    await context.reply(update, "requests/answer_sent.html", outcome=outcome)
    raise ApplicationHandlerStop


# --------------------------------------------------------------------------- wiring


def _pattern(action: str) -> str:
    return rf"^1\|{FEATURE}\|{action}(\||$)"


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(private & text, maybe_answer), group=-1)
    app.add_handler(
        ConversationHandler(
            entry_points=[
                CommandHandler("request", request_command, private),
                CallbackQueryHandler(new_pressed, pattern=_pattern("new")),
            ],
            states={
                CATEGORY: [
                    CallbackQueryHandler(category_chosen, pattern=_pattern("cat")),
                    MessageHandler(text, use_buttons),
                ],
                ENTERPRISE: [
                    CallbackQueryHandler(enterprise_chosen, pattern=_pattern("ent")),
                    CallbackQueryHandler(typed_chosen, pattern=_pattern("typed")),
                    MessageHandler(text, enterprise_typed),
                ],
                DESCRIPTION: [
                    MessageHandler(text, description_given),
                    CallbackQueryHandler(suggestion_used, pattern=_pattern("usesug")),
                ],
                ATTACHMENT: [
                    MessageHandler(filters.PHOTO | filters.Document.ALL, attachment_given),
                    CallbackQueryHandler(no_attachment, pattern=_pattern("noatt")),
                    MessageHandler(text, attachment_expected),
                ],
                CONFIRM: [
                    CallbackQueryHandler(send_pressed, pattern=_pattern("send")),
                    CallbackQueryHandler(edit_pressed, pattern=_pattern("edit")),
                    MessageHandler(text, use_buttons),
                ],
            },
            fallbacks=[
                CommandHandler("cancel", cancel_intake),
                CallbackQueryHandler(cancel_intake, pattern=_pattern("cancel")),
                CommandHandler("request", request_command, private),
            ],
            name="request_intake",
            allow_reentry=True,
        )
    )
    app.add_handler(
        ConversationHandler(
            entry_points=[
                CallbackQueryHandler(rate_pressed, pattern=_pattern("rate")),
                CallbackQueryHandler(not_solved_pressed, pattern=_pattern("ns")),
            ],
            states={
                COMMENT: [
                    MessageHandler(text, comment_given),
                    CallbackQueryHandler(comment_skipped, pattern=_pattern("nocomment")),
                ],
                REASON: [MessageHandler(text, reason_given)],
            },
            fallbacks=[CommandHandler("cancel", cancel_intake)],
            name="request_followup",
            allow_reentry=True,
        )
    )
    app.add_handler(CommandHandler("myrequests", my_requests, private))
    app.add_handler(CallbackQueryHandler(my_requests, pattern=_pattern("mine")))
    registry.command("request", N_("Ask the station for help"), order=10)
    registry.command("myrequests", N_("Your requests and their status"), order=11)
    registry.menu_item(N_("🙋 Ask for help"), pack(FEATURE, "new"), order=10)
    registry.menu_item(N_("📋 My requests"), pack(FEATURE, "mine"), order=11)
