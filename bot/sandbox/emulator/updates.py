"""The updates waiting for the bot, and getUpdates' long poll over them.

Why its own queue: what the people do becomes updates here, in order, and the bot fetches them
exactly as from Telegram (offset confirms, a second poller ends the first with 409); ``wait_idle``
asks it how many updates the bot has not fetched yet.
"""

from __future__ import annotations

import asyncio

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.events import EventBus
from bot.sandbox.emulator.records import JSON, Stats

__all__ = ["UpdateQueue"]

MAX_BATCH = 100


class UpdateQueue:
    """Updates not yet confirmed by the bot (an ``offset`` past them), oldest first."""

    def __init__(self, bus: EventBus, stats: Stats) -> None:
        self._bus = bus
        self._stats = stats
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._delivered_max = 0
        self._poll_generation = 0
        self.closing = False

    def push(self, payload: JSON) -> int:
        """Queue an update (``payload`` is e.g. ``{"message": {...}}``); returns its update_id."""
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._pending.append(update)
        self._bus.notify()
        return int(update["update_id"])

    def drop(self) -> None:
        """Forget every pending update (``drop_pending_updates``)."""
        self._pending.clear()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def unfetched(self) -> int:
        """Updates the bot has never received (those fetched but not yet confirmed do not count)."""
        return sum(1 for u in self._pending if u["update_id"] > self._delivered_max)

    def close(self) -> None:
        """Held long polls return an empty list (the server is stopping)."""
        self.closing = True
        self._bus.notify()

    async def poll(self, offset: int | None, limit: int | None, timeout: float | None) -> list[JSON]:  # noqa: ASYNC109 - getUpdates' own parameter
        """getUpdates: confirm up to ``offset``, then return at once or hold for ``timeout`` seconds."""
        limit = min(MAX_BATCH, max(1, limit or MAX_BATCH))
        timeout = max(0.0, timeout or 0.0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._bus.notify()  # an older long poll still waiting must now give way (409)
        if offset is not None and offset < 0:
            self._pending = self._pending[offset:]
        elif offset:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._pending:
                batch = self._pending[:limit]
                newest = int(batch[-1]["update_id"])
                if newest > self._delivered_max:
                    self._stats.updates_delivered += sum(
                        1 for u in batch if u["update_id"] > self._delivered_max
                    )
                    self._delivered_max = newest
                self._bus.touch()
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return []
            await self._bus.wait_change(remaining)
