"""Updates of different people and chats are handled concurrently; each person's and each chat's in order.

python-telegram-bot handles one update at a time by default, so one flooded group delays every
other person (60 /help in a group made someone's private /help wait two minutes: each reply
waited for the group's 20-messages-a-minute allowance inside the single slot). With plain
`concurrent_updates(n)` a person's second press could overtake their first, and
ConversationHandler assumes one update at a time per conversation.

`OrderedUpdateProcessor` keeps, for every key an update touches (its sender and its chat), the
completion of the last update with that key. An arriving update notes those completions and makes
itself the newest for its keys *before its first await* — python-telegram-bot starts one task per
update in arrival order, so arrival order is the order of this bookkeeping — then waits for them,
then runs under a cap of `max_running` at once. Per key the order is strict (a chain), and there is
no deadlock: an update only ever waits for updates that arrived before it.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own semaphore is taken before `do_process_update` runs; keep it far above anything real so
# that it never makes an update wait before it has taken its place in line (see the docstring).
_ADMISSION = 100_000


def keys_of(update: object) -> tuple[Hashable, ...]:
    """The sender and the chat: updates sharing either are handled one after the other."""
    if not isinstance(update, Update):
        return ()
    keys: list[Hashable] = []
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    return tuple(keys)


class OrderedUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_running: int = 64) -> None:
        super().__init__(_ADMISSION)
        self.max_running = max_running
        self._running = asyncio.BoundedSemaphore(max_running)
        self._tails: dict[Hashable, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        keys = keys_of(update)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        before = [self._tails[k] for k in keys if k in self._tails]
        for key in keys:
            self._tails[key] = done
        try:
            for earlier in before:
                # An earlier update's failure is its own business: wait for it, whatever happened.
                await asyncio.wait({earlier})
            async with self._running:
                await coroutine
        finally:
            done.set_result(None)
            for key in keys:
                if self._tails.get(key) is done:
                    del self._tails[key]
            if (
                inspect.iscoroutine(coroutine)
                and inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED
            ):
                coroutine.close()  # cancelled while waiting its turn: never started

    @property
    def waiting_keys(self) -> int:
        """How many senders and chats have updates in progress (for tests and diagnostics)."""
        return len(self._tails)

    async def initialize(self) -> None:
        """Nothing to set up: the bookkeeping lives in memory for the process's lifetime."""

    async def shutdown(self) -> None:
        """Nothing to free."""
