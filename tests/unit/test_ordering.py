"""Updates of different people run at once; one person's (and one chat's) run in arrival order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User
from telegram.ext import BaseUpdateProcessor, SimpleUpdateProcessor

from bot.ordering import OrderedUpdateProcessor

WHEN = datetime(2026, 11, 23, tzinfo=UTC)


def update(update_id: int, user_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.SUPERGROUP)
    user = User(user_id, f"u{user_id}", is_bot=False)
    return Update(update_id, message=Message(update_id, WHEN, chat, from_user=user, text="hi"))


async def run(processor: BaseUpdateProcessor, plan: list[tuple[Update, float]]) -> list[int]:
    """Feed updates as python-telegram-bot does (one task each, in order); return the finish order."""
    finished: list[int] = []

    async def handle(u: Update, seconds: float) -> None:
        await asyncio.sleep(seconds)
        finished.append(u.update_id)

    async with processor:
        tasks = [asyncio.create_task(processor.process_update(u, handle(u, s))) for u, s in plan]
        await asyncio.gather(*tasks)
    return finished


# One person: a slow first update (e.g. a picture being drawn), then two quick ones; another
# person's quick update in between; and a group in which the same person and a colleague speak.
PLAN = [
    (update(1, 100, 100), 0.20),
    (update(2, 100, 100), 0.01),
    (update(3, 200, 200), 0.01),
    (update(4, 100, -5), 0.01),
    (update(5, 300, -5), 0.01),
]


def in_order_per_key(finished: list[int]) -> bool:
    person_100 = [i for i in finished if i in (1, 2, 4)]
    group = [i for i in finished if i in (4, 5)]
    return person_100 == [1, 2, 4] and group == [4, 5]


async def test_each_person_and_chat_in_order_others_not_held() -> None:
    finished = await run(OrderedUpdateProcessor(), PLAN)
    assert in_order_per_key(finished), finished
    assert finished[0] == 3, "another person's update does not wait for the slow one"


async def test_plain_concurrency_breaks_a_persons_order() -> None:
    """The property above is not free: python-telegram-bot's plain concurrency violates it."""
    finished = await run(SimpleUpdateProcessor(8), PLAN)
    assert not in_order_per_key(finished), finished


async def test_a_failing_update_does_not_block_the_next() -> None:
    processor = OrderedUpdateProcessor()
    finished: list[int] = []

    async def boom() -> None:
        raise RuntimeError("a handler crashed")

    async def ok() -> None:
        finished.append(2)

    async with processor:
        first = asyncio.create_task(processor.process_update(update(1, 7, 7), boom()))
        second = asyncio.create_task(processor.process_update(update(2, 7, 7), ok()))
        results = await asyncio.gather(first, second, return_exceptions=True)
    assert isinstance(results[0], RuntimeError) and finished == [2]
    assert processor.waiting_keys == 0


async def test_many_flooding_one_group_do_not_hold_a_private_chat() -> None:
    processor = OrderedUpdateProcessor()
    started = asyncio.Event()
    order: list[str] = []

    async def slow_group_reply() -> None:
        started.set()
        await asyncio.sleep(0.01)  # each reply waits for the group's allowance
        order.append("group")

    async def private_reply() -> None:
        order.append("private")

    async with processor:
        flood = [
            asyncio.create_task(processor.process_update(update(i, 1000 + i % 6, -9), slow_group_reply()))
            for i in range(1, 61)
        ]
        await started.wait()
        private = asyncio.create_task(processor.process_update(update(99, 555, 555), private_reply()))
        await private
        assert order.count("group") < 5, "the private answer came while the group was still queued"
        await asyncio.gather(*flood)
    assert order.count("group") == 60
