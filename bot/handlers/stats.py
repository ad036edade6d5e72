"""/stats: this week's or this month's figures, for staff only (a worker is refused)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.context import BotContext, Buttons
from bot.handlers import registry
from bot.handlers.guards import staff_only
from bot.handlers.routing import Press, Router, sender_id
from bot.handlers.webapp import app_row, with_app
from bot.msgids import N_
from bot.services.miniapp.links import OPEN_FIGURES
from bot.services.stats.periods import PERIOD_KINDS

router = Router("st")
PERIODS = {kind: router.action(kind) for kind in PERIOD_KINDS}  # "1|st|week", "1|st|month"


def period_buttons(update: Update, context: BotContext, current: str) -> Buttons:
    periods = [
        [
            PERIODS[kind].button(("• " if kind == current else "") + context.gettext(label))
            for kind, label in PERIOD_KINDS.items()
        ]
    ]
    charts = app_row(update, context, OPEN_FIGURES, "stats" if current == "week" else "stats-month")
    return with_app(periods, charts) or periods


@staff_only
async def stats_command(update: Update, context: BotContext) -> None:
    figures = await context.services.stats.figures.for_staff(sender_id(update), "week")
    await context.reply(
        update,
        "stats/figures.html",
        period_buttons(update, context, "week"),
        figures=figures,
        now=context.services.clock.now(),
    )


@router.on(*PERIODS.values())
@staff_only
async def period_pressed(press: Press, context: BotContext) -> None:
    kind = press.action
    figures = await context.services.stats.figures.for_staff(press.user_id, kind)
    await press.answer()
    await context.reply(
        press.update,
        "stats/figures.html",
        period_buttons(press.update, context, kind),
        edit=True,
        figures=figures,
        now=context.services.clock.now(),
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(router.handler())
    registry.command("stats", N_("Figures for this week or month"), staff_only=True, order=70)
