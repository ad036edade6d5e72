"""A round of the escalation tick acts on a bounded number of deadlines (issue 21): after an
outage, a backlog is worked off over the next rounds, oldest request first, each step taken once,
and no round holds the database (which every person's update waits for) for long."""

from __future__ import annotations

from datetime import timedelta

from bot.services.requests.ladder import DUE_PER_ROUND
from tests.e2e.test_requests_ladder import LADDER, cards, district, file, notices, state


async def test_a_backlog_of_deadlines_is_worked_off_over_the_next_rounds_each_once(bot_factory) -> None:
    bot = await bot_factory(**LADDER)
    groups = await district(bot)
    references = [await file(bot) for _ in range(DUE_PER_ROUND + 3)]

    bot.clock.advance(timedelta(seconds=3))  # every tier-1 deadline passed while the bot was down
    await bot.tick()
    await bot.flush()
    tiers = [(await state(bot, r))[0] for r in references]
    assert tiers == [2] * DUE_PER_ROUND + [1] * 3  # the oldest first

    await bot.tick()  # the next round, at the same moment: the rest
    await bot.flush()
    await bot.tick()  # and nothing more
    await bot.flush()
    assert [(await state(bot, r))[:2] for r in references] == [(2, 1)] * len(references)
    assert all(len(cards(groups[2], r)) == 1 for r in references)
    assert all(len(notices(bot, r)) == 1 for r in references)
