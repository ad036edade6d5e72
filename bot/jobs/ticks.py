"""Scheduler ticks: PTB's JobQueue (APScheduler) runs one short periodic job that calls every
feature's tick in turn. Ticks keep no state in memory: each reads what is due from SQLite and
records what it did in the same transaction, so a restart neither loses nor repeats anything.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.context import BotApplication, BotContext

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

Tick = Callable[["Services"], Awaitable[object]]

# Every scheduled piece of work, in the order a round runs them. A new job is one line here and
# one service method that reads what is due and records what it did in the same transaction.
TICKS: list[tuple[str, Tick]] = [
    ("requests", lambda s: s.requests.ladder.tick()),
    ("volunteer", lambda s: s.volunteer.ticks.tick()),
    ("enterprises", lambda s: s.enterprises.visits.tick()),
    ("events.offers", lambda s: s.events.places.expire_offers()),
    ("stats.weekly", lambda s: s.stats.reports.weekly_tick()),
    ("data.uploads", lambda s: s.data.uploads.expire()),
]


async def run_ticks(services: Services) -> None:
    """One round of every tick; a failing tick is logged and does not stop the others."""
    for name, tick in TICKS:
        try:
            await tick(services)
        except Exception:
            log.exception("tick %s failed", name)


async def _job(context: BotContext) -> None:
    await run_ticks(context.services)


def schedule(app: BotApplication, interval: float) -> None:
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    app.job_queue.run_repeating(
        _job, interval=interval, first=0.1, name="ticks", job_kwargs={"max_instances": 1, "coalesce": True}
    )
