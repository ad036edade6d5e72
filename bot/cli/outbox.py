"""`python -m bot outbox`: what is waiting to be sent, what failed and why (for operators).

Read-only: it never migrates or writes, so it is safe to run next to the live bot (SQLite WAL
lets it read while the bot writes). `--json` prints the same numbers for monitoring scripts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import timedelta
from typing import Literal

from bot.cli.registry import command
from bot.clock import Clock
from bot.settings import Settings
from bot.storage import outbox as outbox_repo
from bot.storage.db import Database

Column = Literal["queued", "due", "retrying", "sent", "dead", "missed", "cancelled"]
COLUMNS: tuple[Column, ...] = ("queued", "due", "retrying", "sent", "dead", "missed", "cancelled")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--dead", type=int, default=5, metavar="N", help="how many recent dead messages to list"
    )


@command("outbox", "show the outbox: queued, sent, dead, missed and cancelled messages by kind", _arguments)
def outbox_status(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.db_path.is_file():
        print(f"no database at {settings.db_path}")
        return 1

    async def go() -> outbox_repo.OutboxStatus:
        async with Database(settings.db_path) as db, db.read() as conn:
            return await outbox_repo.status_counts(conn, Clock().now(), recent_dead=max(0, args.dead))

    status = asyncio.run(go())
    print(as_json(status) if args.json else as_table(status))
    return 0


def as_table(status: outbox_repo.OutboxStatus) -> str:
    kinds = status["kinds"]
    lines = [f"{'kind':<20}" + "".join(f"{c:>10}" for c in COLUMNS)]
    for kind, counts in kinds.items():
        lines.append(f"{kind:<20}" + "".join(f"{counts[c]:>10}" for c in COLUMNS))
    totals = {c: sum(counts[c] for counts in kinds.values()) for c in COLUMNS}
    lines.append(f"{'total':<20}" + "".join(f"{totals[c]:>10}" for c in COLUMNS))
    age = status["oldest_queued_age"]
    lines.append(
        f"oldest due message waiting: {_age(age)}" if age is not None else "oldest due message waiting: none"
    )
    if status["recent_dead"]:
        lines.append("recent dead messages:")
        for d in status["recent_dead"]:
            lines.append(
                f"  #{d['id']} {d['kind']} to chat {d['chat_id']}, {d['dead_at']:%Y-%m-%d %H:%M:%S} UTC,"
                f" {d['attempts']} attempt(s): {d['reason']}"
            )
    return "\n".join(lines)


def as_json(status: outbox_repo.OutboxStatus) -> str:
    age = status["oldest_queued_age"]
    return json.dumps(
        {
            "kinds": status["kinds"],
            "oldest_queued_seconds": round(age.total_seconds(), 1) if age is not None else None,
            "recent_dead": [{**d, "dead_at": d["dead_at"].isoformat()} for d in status["recent_dead"]],
        },
        ensure_ascii=False,
        indent=2,
    )


def _age(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
