"""People's answers go at Telegram's per-chat pace, never behind a bot-wide 30 a second.

Telegram's ~30 messages/s is a limit on bulk notifications (the outbox's fan-outs pace themselves
below it); answering people who write to the bot is not held to it. When a thousand volunteers
press "I'm coming" within two minutes while reminders still go out, their answers must not queue
behind one another: the n-th answer of a burst would otherwise wait n/30 seconds.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from bot import ratelimit
from bot.ratelimit import ReplyRateLimiter


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the limiter asks for (each lasts no time: the test counts them, it never times)."""
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(
        ratelimit, "asyncio", SimpleNamespace(sleep=sleep, get_running_loop=asyncio.get_running_loop)
    )
    return asked


async def _send(limiter: ReplyRateLimiter, chat_id: int) -> Any:
    async def call() -> bool:
        return True

    return await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": chat_id}, None)


async def test_sixty_people_answered_at_once_wait_for_nobody(waits: list[float]) -> None:
    limiter = ReplyRateLimiter()
    assert await asyncio.gather(*(_send(limiter, 100_000 + i) for i in range(60))) == [True] * 60
    assert waits == []


async def test_groups_still_share_the_bot_wide_allowance(waits: list[float]) -> None:
    limiter = ReplyRateLimiter(time_scale=1000)  # each group's own allowance is never the limit here
    await asyncio.gather(*(_send(limiter, -100_000 - i) for i in range(31)))
    assert waits, "the 31st group message in the same instant waits for the bot-wide allowance"
