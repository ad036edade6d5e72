"""/stats: this week's or this month's figures, for staff only (a worker is refused)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.callbacks import BadCallback, button, pattern, unpack
from bot.context import BotContext
from bot.handlers import registry
from bot.handlers.guards import staff_only
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.services.stats import PERIOD_KINDS

FEATURE = "st"


def period_buttons(context: BotContext, current: str) -> list[list[dict[str, str]]]:
    return [
        [
            button(("• " if kind == current else "") + context.gettext(label), FEATURE, kind)
            for kind, label in PERIOD_KINDS.items()
        ]
    ]


@staff_only
async def stats_command(update: Update, context: BotContext) -> None:
    figures = await context.services.stats.for_staff(update.effective_user.id, "week")
    await context.reply(
        update,
        "stats/figures.html",
        period_buttons(context, "week"),
        figures=figures,
        now=context.services.clock.now(),
    )


@staff_only
async def period_pressed(update: Update, context: BotContext) -> None:
    try:
        kind = unpack(update.callback_query.data).action
        figures = await context.services.stats.for_staff(update.effective_user.id, kind)
    except (BadCallback, InvalidInput):
        await context.alert(update, N_("This button is no longer valid."))
        return
    await update.callback_query.answer()
    await context.reply(
        update,
        "stats/figures.html",
        period_buttons(context, kind),
        edit=True,
        figures=figures,
        now=context.services.clock.now(),
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CallbackQueryHandler(period_pressed, pattern=pattern(FEATURE)))
    registry.command("stats", N_("Figures for this week or month"), staff_only=True, order=70)
