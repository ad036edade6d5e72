"""`python -m bot outbox`: queued / sent / dead counts by kind and the oldest queued age."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.registry import command
from bot.clock import Clock
from bot.settings import Settings
from bot.storage import outbox as outbox_repo
from bot.storage.db import Database


@command("outbox", "show the outbox: queued, sent, dead, missed and cancelled messages by kind")
def outbox_status(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> dict:
        async with Database(settings.db_path) as db:
            await db.migrate()
            async with db.read() as conn:
                return await outbox_repo.status_counts(conn, Clock().now())

    status = asyncio.run(go())
    print(f"{'kind':<20}{'queued':>8}{'sent':>8}{'dead':>8}{'missed':>8}{'cancelled':>10}")
    for kind, c in status["kinds"].items():
        print(f"{kind:<20}{c['queued']:>8}{c['sent']:>8}{c['dead']:>8}{c['missed']:>8}{c['cancelled']:>10}")
    age = status["oldest_queued_age"]
    print(f"oldest queued: {int(age.total_seconds())} s" if age else "oldest queued: none due")
    return 0
