"""Callback queries: a person's button press, open until the bot answers it once.

Why its own state: a press is an update for the bot and a future for the person who pressed (who
waits for the toast or alert), and Telegram refuses a second answer or an unknown query id; the
open queries are kept here, which is also where a query's age would be judged.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.events import EventBus
from bot.sandbox.emulator.records import JSON, SentMessage
from bot.sandbox.emulator.updates import UpdateQueue
from bot.sandbox.people import CallbackAnswer

__all__ = ["CallbackQueries"]

QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass
class _Open:
    query: JSON
    future: asyncio.Future[CallbackAnswer]
    answered: bool = False


class CallbackQueries:
    """Every callback query sent to the bot, by id, and the answers it gave (in order)."""

    def __init__(self, bot_id: int, bus: EventBus, updates: UpdateQueue) -> None:
        self._bot_id = bot_id
        self._bus = bus
        self._updates = updates
        self._queries: dict[str, _Open] = {}
        self._counter = 0
        self.answers: list[CallbackAnswer] = []

    def open(
        self, user: JSON, chat_id: int, target: SentMessage, data: str
    ) -> asyncio.Future[CallbackAnswer]:
        """Queue a callback_query update from ``user``; the future resolves when the bot answers it."""
        self._counter += 1
        query_id = f"{self._bot_id}{self._counter:012d}"
        query: JSON = {
            "id": query_id,
            "from": user,
            "message": json.loads(json.dumps(target.raw)),
            "chat_instance": str((chat_id * 2654435761) % (1 << 62)),
            "data": data,
        }
        future: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        self._queries[query_id] = _Open(query, future)
        self._bus.publish("callback_query", chat_id, target, query=query)
        self._updates.push({"callback_query": query})
        return future

    def pending(self, query_id: str) -> JSON:
        """The query the bot may still answer, or Telegram's 400 for a stale or unknown one."""
        entry = self._queries.get(query_id)
        if entry is None or entry.answered:
            raise ApiError(400, QUERY_INVALID)
        return entry.query

    def answer(self, answer: CallbackAnswer) -> None:
        """Record the bot's (only) answer, hand it to the person waiting, and announce it."""
        entry = self._queries[answer.callback_query_id]
        entry.answered = True
        self.answers.append(answer)
        if not entry.future.done():
            entry.future.set_result(answer)
        message = entry.query.get("message") or {}
        chat_id = (message.get("chat") or {}).get("id")
        self._bus.publish("callback_answer", chat_id, None, answer=answer)

    def cancel_all(self) -> None:
        """The server stops: nobody will answer the presses still waiting."""
        for entry in self._queries.values():
            if not entry.future.done():
                entry.future.cancel()
