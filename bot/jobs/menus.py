"""The menu button of staff members' private chats opens the station's Mini App.

A job beside the ticks: it asks services.miniapp.menus which chats' menu button differs from what
the person should have (staff: the Mini App in their language; a former staff member: the default),
sends those differences with setChatMenuButton and records each answer. A button is not a message,
so it does not go through the outbox; it is sent on the bot's own initiative all the same, so like
the sender this job is the only code that does it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Bot, MenuButtonDefault, MenuButtonWebApp, WebAppInfo
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import BotApplication, BotContext

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


async def sync(bot: Bot, services: Services) -> int:
    """Send every pending menu button; how many Telegram took. A transient failure ends the round."""
    done = 0
    for change in await services.miniapp.menus.pending():
        if change.url and change.text:
            button: MenuButtonWebApp | MenuButtonDefault = MenuButtonWebApp(
                change.text, WebAppInfo(change.url)
            )
        else:
            button = MenuButtonDefault()
        try:
            await bot.set_chat_menu_button(chat_id=change.user_id, menu_button=button)
        except (BadRequest, Forbidden) as refused:  # e.g. they never opened the chat, or blocked the bot
            log.warning("menu button of %s refused: %s", change.user_id, refused.message)
            await services.miniapp.menus.record(change, ok=False)
            continue
        except TelegramError as error:  # flood control, network: the next round tries again
            log.warning("menu buttons postponed: %s", error)
            break
        await services.miniapp.menus.record(change, ok=True)
        done += 1
    return done


async def _job(context: BotContext) -> None:
    try:
        await sync(context.bot, context.services)
    except Exception:
        log.exception("menu buttons: the round failed")


def schedule(app: BotApplication, interval: float) -> None:
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    app.job_queue.run_repeating(
        _job, interval=interval, first=0.2, name="menus", job_kwargs={"max_instances": 1, "coalesce": True}
    )
