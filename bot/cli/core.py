"""Core subcommands: run, migrate, version."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot import __version__
from bot.cli.registry import command
from bot.settings import Settings


@command("run", "start the bot (the default); with no TELEGRAM_BOT_TOKEN, the local demo")
def run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.token:
        try:
            from bot.sandbox.demo import run_demo
        except ImportError:
            print(
                "TELEGRAM_BOT_TOKEN is not set: set it (and TELEGRAM_API_URL for a self-hosted server) to run the bot."
            )
            return 2
        return run_demo(settings)
    from telegram.error import InvalidToken

    from bot.app import build_application
    from bot.cli.ops import webhook_options  # path, IPv6 host and the required secret token
    from bot.settings import SettingsError

    try:
        webhook = webhook_options(settings) if settings.webhook_url else None
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    asyncio.run(_migrated(settings))  # a database that cannot be opened fails here, before any network
    app = build_application(settings)
    try:
        if webhook is not None:
            app.run_webhook(**webhook)
        else:
            app.run_polling()
    except InvalidToken:
        # python-telegram-bot's message quotes the whole token: say it in our words instead.
        bot_id = (settings.token or "").partition(":")[0]
        print(
            f"Telegram refused TELEGRAM_BOT_TOKEN (bot {bot_id}) at {settings.api_url}: "
            "check it with @BotFather (/token) and set it again.",
            file=sys.stderr,
        )
        return 1
    return 0


async def _migrated(settings: Settings) -> int:
    from bot.storage.db import Database

    async with Database(settings.db_path) as db:
        return await db.migrate()


@command("migrate", "apply pending database migrations and print the schema version")
def migrate(settings: Settings, args: argparse.Namespace) -> int:
    print(f"schema version {asyncio.run(_migrated(settings))} ({settings.db_path})")
    return 0


@command("version", "print the version")
def version(settings: Settings, args: argparse.Namespace) -> int:
    print(f"jingan-bot {__version__}")
    return 0
