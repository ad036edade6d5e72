# i18n-domain: webapp
"""The chat's doors to the staff Mini App: a button under /board, /stats and enterprise cards
(built here for the chat the answer goes to), and /app.

Telegram accepts a `web_app` button only in a private chat with the bot; in a group the button is
a link to the Mini App's direct link (BOT_WEBAPP_LINK), which Telegram opens as the same app.
Without BOT_WEBAPP_URL there is no Mini App, and no button.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler

from bot.context import BotContext, Buttons
from bot.handlers import registry
from bot.handlers.guards import staff_only
from bot.handlers.routing import chat_of
from bot.msgids import N_
from bot.services.miniapp.links import OPEN_BOARD, OPEN_FIGURES, OPEN_QUEUE, open_button

NOT_SET_UP = N_("The station app is not set up on this server yet: ask the administrator (BOT_WEBAPP_URL).")
NO_LINK = N_(
    "In a group the station app opens through its t.me link, which is not set up yet (BOT_WEBAPP_LINK). "
    "Open it from the menu button of your private chat with the bot."
)


def app_row(update: Update, context: BotContext, label: str, screen: str) -> list[dict[str, str]] | None:
    """One row with a button opening `screen`, fit for the chat of `update` (None: no Mini App)."""
    private = chat_of(update).type == ChatType.PRIVATE
    button = open_button(context.services.settings, context.gettext(label), screen, private=private)
    return [button] if button else None


def with_app(buttons: Buttons | None, row: list[dict[str, str]] | None) -> Buttons | None:
    if row is None:
        return buttons
    return [*(buttons or []), row]


@staff_only
async def app_command(update: Update, context: BotContext) -> None:
    """/app: the Mini App's three screens, one button each (the queue also for /queue's answer)."""
    rows = [
        row
        for label, screen in ((OPEN_BOARD, "board"), (OPEN_QUEUE, "queue"), (OPEN_FIGURES, "stats"))
        if (row := app_row(update, context, label, screen)) is not None
    ]
    if rows:
        await context.reply(update, "webapp/open.html", rows)
    elif context.services.settings.webapp_url is None:
        await context.say(update, context.gettext(NOT_SET_UP))
    else:
        await context.say(update, context.gettext(NO_LINK))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("app", app_command))
    registry.command("app", N_("The station app: board, request queue, figures"), staff_only=True, order=59)
