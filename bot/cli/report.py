"""`python -m bot report --month 2026-11 [--out DIR]`: the month's figures as CSV and a trend PNG.

Uses the same services as /stats and the Monday report (built without Telegram), so the three
never disagree about what a figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.registry import command
from bot.clock import Clock
from bot.settings import Settings


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, help="the month to report, e.g. 2026-11")
    parser.add_argument("--out", default="reports", help="directory for the CSV and PNG (default: ./reports)")


@command("report", "write a month's figures as CSV and its trend chart as PNG", _arguments)
def report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import build_services
    from bot.services.stats.periods import parse_month
    from bot.storage.db import Database

    try:
        parse_month(args.month)
    except ValueError as error:
        print(f"report: {error}", file=sys.stderr)
        return 2
    if not Path(settings.db_path).is_file():
        print(f"report: no database at {settings.db_path} (set BOT_DB_PATH)", file=sys.stderr)
        return 2

    async def go() -> tuple[Path, Path] | None:
        async with Database(settings.db_path) as db:
            pending = await db.pending_migrations()
            if pending:
                print(
                    f"report: {len(pending)} migration(s) pending: run `python -m bot migrate` first",
                    file=sys.stderr,
                )
                return None
            services = build_services(settings, Clock(), db)
            return await services.stats.reports.month_report(args.month, Path(args.out))

    written = asyncio.run(go())
    if written is None:
        return 2
    for path in written:
        print(path)
    return 0
