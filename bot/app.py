"""build_application(settings, clock): the one factory, used by production, the demo and tests.

Only `TELEGRAM_API_URL` differs between Telegram, a self-hosted Bot API server and the local
emulator; everything else runs the same code path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.context import BotContext
from bot.handlers import common, flood, register_all
from bot.http import telegram_request
from bot.jobs import menus, ticks
from bot.jobs.sender import OutboxSender
from bot.ordering import OrderedUpdateProcessor
from bot.ratelimit import ReplyRateLimiter
from bot.services import Services, build_services
from bot.settings import Settings
from bot.storage.db import Database
from bot.webapp.server import WebAppServer

log = logging.getLogger(__name__)

# Our conversations mix button presses and typed answers on purpose (per_message=False).
warnings.filterwarnings("ignore", message=r".*per_message=False.*", category=PTBUserWarning)


def build_application(
    settings: Settings, clock: Clock | None = None, *, token: str | None = None
) -> Application:
    clock = clock or Clock()
    db = Database(settings.db_path)
    services = build_services(settings, clock, db)
    app = (
        ApplicationBuilder()
        .token(token or settings.token or "")
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .request(telegram_request(256))  # python-telegram-bot's own pool sizes, one TLS context
        .get_updates_request(telegram_request(1))
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        # Different people and chats at once, each person's and each chat's updates in order.
        .concurrent_updates(OrderedUpdateProcessor())
        # Replies to people retry a 429 a few times: a reply a second or two late (the outbox may
        # just have used the chat's flood allowance) beats an apology; a chat waits only for its
        # own allowance. The outbox sender paces itself (jobs/sender.py).
        .rate_limiter(ReplyRateLimiter(max_retries=3, time_scale=settings.send_limit_scale))
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
        .build()
    )
    app.bot_data["services"] = services
    register_all(app)
    flood.register(app)
    return app


def services_of(app: Application) -> Services:
    return app.bot_data["services"]


async def on_startup(app: Application) -> None:
    """Open the database, catch up on migrations, advertise commands, start the sender and ticks
    (and, with BOT_WEBAPP_URL, the Mini App's web server and the staff's menu buttons)."""
    services = services_of(app)
    await services.db.open()
    version = await services.db.migrate()
    log.info("database %s at schema version %s", services.settings.db_path, version)
    if not await _set_commands(app):
        app.bot_data["commands_retry"] = asyncio.create_task(_retry_commands(app), name="set-commands")
    sender = OutboxSender(app.bot, services)
    app.bot_data["sender"] = sender
    sender.start()
    ticks.schedule(app, services.settings.tick_seconds)
    # The guide's search index, built while the bot already answers (bot/services/guide.py).
    app.bot_data["guide_warm"] = asyncio.create_task(services.guide.warm())
    if services.settings.webapp_url:  # the staff Mini App: its web server and the menu buttons
        webapp = WebAppServer(services)
        await webapp.start()
        app.bot_data["webapp"] = webapp
        menus.schedule(app, services.settings.tick_seconds)


#: The command menu is retried after 1 s, then twice as long each time, up to every 10 minutes.
COMMANDS_RETRY_FIRST = 1.0
COMMANDS_RETRY_CAP = 600.0


async def _set_commands(app: Application) -> bool:
    """setMyCommands; False when it should be tried again later (Telegram unreachable, 5xx, 429).

    The menu is a convenience: its failure is logged and never stops the bot (a crash here made
    systemd restart the bot in a loop while Telegram was unreachable). A refusal (Bad Request)
    will not change by retrying and is logged as an error.
    """
    try:
        await common.set_commands(app)
    except BadRequest as refused:
        log.error("Telegram refused the command menu (not retried): %s", refused)
    except TelegramError as error:
        log.warning(
            "could not set the command menu (%s: %s); retrying in the background", type(error).__name__, error
        )
        return False
    return True


async def _retry_commands(app: Application) -> None:
    wait = COMMANDS_RETRY_FIRST
    while True:
        await asyncio.sleep(wait)
        if await _set_commands(app):
            log.info("command menu set")
            return
        wait = min(COMMANDS_RETRY_CAP, wait * 2)


async def on_shutdown(app: Application) -> None:
    warming: asyncio.Task[None] | None = app.bot_data.pop("guide_warm", None)
    if warming is not None and not warming.done():
        warming.cancel()
    retry: asyncio.Task[None] | None = app.bot_data.pop("commands_retry", None)
    if retry is not None:
        retry.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await retry
    sender: OutboxSender | None = app.bot_data.pop("sender", None)
    if sender is not None:
        await sender.stop()
    webapp: WebAppServer | None = app.bot_data.pop("webapp", None)
    if webapp is not None:
        await webapp.stop()
    await services_of(app).db.close()
    # When initializing failed (Telegram refused the token), python-telegram-bot's own shutdown
    # skips the bot, whose connections are open by then: close them (a no-op otherwise).
    await app.bot.shutdown()


def handling(app: Application) -> bool:
    """Is the bot still handling updates it fetched? (Tests and the demo wait for it to finish.)"""
    return app.update_queue.qsize() > 0 or app.update_processor.current_concurrent_updates > 0


@asynccontextmanager
async def running(app: Application, *, poll_timeout: float = 1.0) -> AsyncIterator[Application]:
    """Run the bot inside the caller's event loop (tests and the demo), the way run_polling would."""
    await app.initialize()
    await on_startup(app)
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=0,
        timeout=poll_timeout,  # type: ignore[arg-type]  # typed int | timedelta, but any number of seconds is sent as is: tests long-poll the emulator for half a second
        drop_pending_updates=False,
    )
    await app.start()
    try:
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await on_shutdown(app)
        await app.shutdown()
