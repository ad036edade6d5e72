"""/ent (card, colour with reason, visit log, liaison link), /board, /coverage, suggestion buttons,
and the liaison deep link `/start ent-<code>`.

Staff only except the deep link; every press is re-checked by the service for the person pressing.
Typed answers (a colour's reason, visit notes, a dismissal's reason) are collected by one
ConversationHandler whose state is the step being asked.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import VERSION, BadCallback, button, unpack
from bot.context import BotContext
from bot.domain import risk
from bot.handlers import registry
from bot.handlers.guards import staff_only
from bot.msgids import N_
from bot.render import CAPTION_LIMIT
from bot.services.base import InvalidInput
from bot.services.enterprises.cards import FEATURE, Card

REASON, VISIT_OUTCOME, VISIT_NOTES, VISIT_NEXT, DISMISS = range(5)

OUTCOMES = {
    "stable": N_("Stable"),
    "needs_help": N_("Needs help"),
    "may_move": N_("May move out"),
    "not_met": N_("Could not meet"),
}


def _pattern(*actions: str) -> re.Pattern[str]:
    return re.compile(rf"^{VERSION}\|{FEATURE}\|({'|'.join(actions)})(\||$)")


def _values(context: BotContext, **values: Any) -> dict[str, Any]:
    return {"emoji": risk.EMOJI, "labels": risk.LABELS, "outcomes": OUTCOMES, **values}


def card_buttons(context: BotContext, card: Card) -> list[list[dict[str, str]]]:
    e = card.enterprise
    colours = [
        button(("✓" if c == e.colour else "") + risk.EMOJI[c], FEATURE, "c", e.id, c) for c in risk.COLOURS
    ]
    return [
        colours,
        [
            button(context.gettext("📝 Log a visit"), FEATURE, "v", e.id),
            button(context.gettext("🔗 Liaison link"), FEATURE, "l", e.id),
        ],
    ]


async def _problem(update: Update, context: BotContext, problem: InvalidInput) -> None:
    if update.callback_query is not None:
        text = context.render(
            "enterprises/problem.html", **_values(context, code=problem.code, details=problem.details)
        )
        await update.callback_query.answer(text[:190], show_alert=True)
        return
    await context.reply(
        update, "enterprises/problem.html", **_values(context, code=problem.code, details=problem.details)
    )


async def _show_card(
    update: Update, context: BotContext, card: Card, template: str = "enterprises/card.html", **extra: Any
) -> None:
    await context.reply(update, template, card_buttons(context, card), **_values(context, card=card, **extra))


# ---------------------------------------------------------------------- /ent and the card


@staff_only
async def ent_command(update: Update, context: BotContext) -> None:
    query = " ".join(context.args or [])
    try:
        found = await context.services.enterprises.registry.find(update.effective_user.id, query)
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return
    if found.card is not None:
        await _show_card(update, context, found.card)
        return
    buttons = [
        [button(f"{risk.EMOJI[e.colour]} {e.id} {e.name}"[:60], FEATURE, "o", e.id)] for e in found.matches
    ]
    await context.reply(
        update,
        "enterprises/matches.html",
        buttons,
        **_values(context, matches=found.matches, buildings=found.buildings, query=query),
    )


@staff_only
async def open_pressed(update: Update, context: BotContext) -> None:
    try:
        enterprise_id = unpack(update.callback_query.data).int_arg(0)
        card = await context.services.enterprises.registry.card(update.effective_user.id, enterprise_id)
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return
    await update.callback_query.answer()
    await _show_card(update, context, card)


# ---------------------------------------------------------------------- colour with a reason


@staff_only
async def colour_pressed(update: Update, context: BotContext) -> int:
    try:
        cb = unpack(update.callback_query.data)
        enterprise_id, colour = cb.int_arg(0), cb.str_arg(1)
        enterprise = await context.services.enterprises.colours.check_colour(
            update.effective_user.id, enterprise_id, colour
        )
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return ConversationHandler.END
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return ConversationHandler.END
    await update.callback_query.answer()
    context.user_data["ent"] = {"enterprise_id": enterprise_id, "colour": colour}
    await context.reply(
        update, "enterprises/ask_reason.html", **_values(context, enterprise=enterprise, colour=colour)
    )
    return REASON


async def reason_given(update: Update, context: BotContext) -> int | None:
    pending = context.user_data.get("ent") or {}
    try:
        result = await context.services.enterprises.colours.set_colour(
            update.effective_user.id,
            pending.get("enterprise_id", 0),
            pending.get("colour", ""),
            update.message.text,
        )
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return (
            REASON if problem.code in ("ent_reason_missing", "ent_reason_long") else ConversationHandler.END
        )
    context.user_data.pop("ent", None)
    await _show_card(update, context, result.card, "enterprises/colour_set.html", tier=result.alerted_tier)
    return ConversationHandler.END


# ---------------------------------------------------------------------- visits


@staff_only
async def visit_pressed(update: Update, context: BotContext) -> int:
    try:
        enterprise_id = unpack(update.callback_query.data).int_arg(0)
        enterprise = await context.services.enterprises.visits.check_visit(
            update.effective_user.id, enterprise_id
        )
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return ConversationHandler.END
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return ConversationHandler.END
    await update.callback_query.answer()
    context.user_data["ent"] = {"enterprise_id": enterprise_id}
    buttons = [
        [
            button(context.gettext(label), FEATURE, "vo", enterprise_id, key)
            for key, label in list(OUTCOMES.items())[i : i + 2]
        ]
        for i in (0, 2)
    ]
    await context.reply(update, "enterprises/ask_outcome.html", buttons, enterprise=enterprise)
    return VISIT_OUTCOME


async def outcome_pressed(update: Update, context: BotContext) -> int:
    try:
        cb = unpack(update.callback_query.data)
        outcome = cb.str_arg(1)
        if outcome not in OUTCOMES or cb.int_arg(0) != (context.user_data.get("ent") or {}).get(
            "enterprise_id"
        ):
            raise BadCallback(outcome)
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return VISIT_OUTCOME
    await update.callback_query.answer()
    context.user_data["ent"]["outcome"] = outcome
    await context.reply(update, "enterprises/ask_notes.html", edit=True)
    return VISIT_NOTES


async def notes_given(update: Update, context: BotContext) -> int:
    notes = (update.message.text or "").strip()
    if not notes:
        await _problem(update, context, InvalidInput("ent_notes_missing"))
        return VISIT_NOTES
    context.user_data["ent"]["notes"] = notes
    await context.reply(
        update, "enterprises/ask_next.html", [[button(context.gettext("No next step"), FEATURE, "vn")]]
    )
    return VISIT_NEXT


async def next_given(update: Update, context: BotContext) -> int:
    pending = context.user_data.get("ent") or {}
    service = context.services.enterprises.visits
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
            step, when = None, None
        else:
            when, step = service.parse_next_step(update.message.text)
        card = await service.log_visit(
            update.effective_user.id,
            pending.get("enterprise_id", 0),
            pending.get("outcome", ""),
            pending.get("notes", ""),
            step,
            when,
        )
    except InvalidInput as problem:
        await _problem(update, context, problem)
        if problem.code in ("ent_next_format", "ent_next_long", "ent_next_past"):
            return VISIT_NEXT
        return ConversationHandler.END
    context.user_data.pop("ent", None)
    await _show_card(update, context, card, "enterprises/visit_logged.html")
    return ConversationHandler.END


# ---------------------------------------------------------------------- suggestions


@staff_only
async def accept_pressed(update: Update, context: BotContext) -> None:
    try:
        suggestion_id = unpack(update.callback_query.data).int_arg(0)
        result = await context.services.enterprises.suggestions.accept(
            update.effective_user.id, suggestion_id
        )
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return
    await update.callback_query.answer()
    await _show_card(
        update,
        context,
        result.card,
        "enterprises/suggestion_accepted.html",
        who=update.effective_user.first_name,
    )


@staff_only
async def dismiss_pressed(update: Update, context: BotContext) -> int:
    try:
        suggestion_id = unpack(update.callback_query.data).int_arg(0)
        enterprise = await context.services.enterprises.suggestions.check(
            update.effective_user.id, suggestion_id
        )
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return ConversationHandler.END
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return ConversationHandler.END
    await update.callback_query.answer()
    context.user_data["ent"] = {"suggestion_id": suggestion_id}
    await context.reply(update, "enterprises/ask_dismiss_reason.html", name=enterprise.name)
    return DISMISS


async def dismiss_reason_given(update: Update, context: BotContext) -> int:
    pending = context.user_data.get("ent") or {}
    reason = update.message.text or ""
    try:
        await context.services.enterprises.suggestions.dismiss(
            update.effective_user.id, pending.get("suggestion_id", 0), reason
        )
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return (
            DISMISS if problem.code in ("ent_reason_missing", "ent_reason_long") else ConversationHandler.END
        )
    context.user_data.pop("ent", None)
    await context.reply(update, "enterprises/suggestion_dismissed.html", reason=" ".join(reason.split()))
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    context.user_data.pop("ent", None)
    await context.reply(update, "common/cancelled.html")
    return ConversationHandler.END


# ---------------------------------------------------------------------- liaisons


@staff_only
async def link_pressed(update: Update, context: BotContext) -> None:
    try:
        enterprise_id = unpack(update.callback_query.data).int_arg(0)
        made = await context.services.enterprises.registry.link_code(update.effective_user.id, enterprise_id)
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return
    await update.callback_query.answer()
    link = f"https://t.me/{context.bot.username}?start=ent-{made.code}"
    await context.reply(
        update,
        "enterprises/link_code.html",
        enterprise=made.enterprise,
        code=made.code,
        link=link,
        expires_at=made.expires_at,
    )


async def liaison_link(update: Update, context: BotContext, code: str) -> None:
    """`/start ent-<code>` (registered with registry.start_payload)."""
    try:
        enterprise = await context.services.enterprises.registry.redeem(update.effective_user.id, code)
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return
    await context.reply(update, "enterprises/linked.html", enterprise=enterprise)


# ---------------------------------------------------------------------- /board and /coverage


@staff_only
async def board_command(update: Update, context: BotContext) -> None:
    try:
        picture = await context.services.enterprises.board.picture(
            update.effective_user.id, " ".join(context.args or [])
        )
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return
    caption = context.services.renderer.render(
        context.lang,
        "enterprises/board_caption.html",
        limit=CAPTION_LIMIT,
        building=picture.building,
        counts=picture.counts,
        total=picture.total,
        overdue=picture.overdue,
    )
    filename = f"board-{picture.building.code if picture.building else 'district'}.png"
    await context.bot.send_photo(
        update.effective_chat.id,
        photo=picture.png,
        caption=caption,
        parse_mode=ParseMode.HTML,
        filename=filename,
    )


@staff_only
async def coverage_command(update: Update, context: BotContext) -> None:
    coverage = await context.services.enterprises.board.coverage(update.effective_user.id)
    await context.reply(
        update, "enterprises/coverage.html", district=coverage.district, lines=coverage.buildings
    )


def register(app: Application) -> None:
    conversation = ConversationHandler(
        entry_points=[
            CallbackQueryHandler(colour_pressed, pattern=_pattern("c")),
            CallbackQueryHandler(visit_pressed, pattern=_pattern("v")),
            CallbackQueryHandler(dismiss_pressed, pattern=_pattern("sd")),
        ],
        states={
            REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, reason_given)],
            VISIT_OUTCOME: [CallbackQueryHandler(outcome_pressed, pattern=_pattern("vo"))],
            VISIT_NOTES: [MessageHandler(filters.TEXT & ~filters.COMMAND, notes_given)],
            VISIT_NEXT: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, next_given),
                CallbackQueryHandler(next_given, pattern=_pattern("vn")),
            ],
            DISMISS: [MessageHandler(filters.TEXT & ~filters.COMMAND, dismiss_reason_given)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        allow_reentry=True,
        name="enterprises",
    )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("ent", ent_command))
    app.add_handler(CommandHandler("board", board_command))
    app.add_handler(CommandHandler("coverage", coverage_command))
    app.add_handler(CallbackQueryHandler(open_pressed, pattern=_pattern("o")))
    app.add_handler(CallbackQueryHandler(link_pressed, pattern=_pattern("l")))
    app.add_handler(CallbackQueryHandler(accept_pressed, pattern=_pattern("sa")))
    registry.command("ent", N_("Find an enterprise: card, colour, visits"), staff_only=True, order=60)
    registry.command(
        "board", N_("The five-colour board of the district, or of one building"), staff_only=True, order=61
    )
    registry.command(
        "coverage", N_("Coverage: base data, visits, requests in time"), staff_only=True, order=62
    )
    registry.start_payload("ent-", liaison_link)
