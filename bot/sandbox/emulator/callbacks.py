"""Callback queries: a person's button press, open until the bot answers it once.

Why its own state: a press is an update for the bot and a future for the person who pressed (who
waits for the toast or alert), and Telegram refuses a second answer, an unknown query id, and an
answer that comes too late: the person's app stops waiting after about 15 seconds, and Telegram
then answers answerCallbackQuery with the same 400 as for an unknown id (telegram-bot-api's
Client.cpp turns TDLib's QUERY_ID_INVALID into "query is too old and response timeout expired or
query ID is invalid"). A query's age is measured on the emulator's clock (``emu.now()``), so a
test can make a press expire by advancing an injected clock instead of sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.events import EventBus
from bot.sandbox.emulator.records import JSON, SentMessage
from bot.sandbox.emulator.updates import UpdateQueue
from bot.sandbox.people import CallbackAnswer

__all__ = ["CallbackQueries"]

QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


#: How long Telegram waits for the bot's answer to a press (seconds).
ANSWER_TIMEOUT = 15.0


@dataclass
class _Open:
    query: JSON
    future: asyncio.Future[CallbackAnswer | None]
    opened_at: dt.datetime
    answered: bool = False


class CallbackQueries:
    """Every callback query sent to the bot, by id, and the answers it gave (in order).

    ``timeout``: seconds after which an unanswered press can no longer be answered.
    """

    def __init__(
        self, bot_id: int, bus: EventBus, updates: UpdateQueue, now: Callable[[], dt.datetime]
    ) -> None:
        self._bot_id = bot_id
        self._bus = bus
        self._updates = updates
        self._now = now
        self._queries: dict[str, _Open] = {}
        self._counter = 0
        self.answers: list[CallbackAnswer] = []
        self.expired: list[str] = []  # ids of presses answered too late, in order
        self.timeout = ANSWER_TIMEOUT

    def open(
        self, user: JSON, chat_id: int, target: SentMessage, data: str
    ) -> asyncio.Future[CallbackAnswer | None]:
        """Queue a callback_query update from ``user``; the future resolves when the bot answers it
        (None when the bot answered too late: the person's spinner stopped without a word)."""
        self._counter += 1
        query_id = f"{self._bot_id}{self._counter:012d}"
        query: JSON = {
            "id": query_id,
            "from": user,
            "message": json.loads(json.dumps(target.raw)),
            "chat_instance": str((chat_id * 2654435761) % (1 << 62)),
            "data": data,
        }
        future: asyncio.Future[CallbackAnswer | None] = asyncio.get_running_loop().create_future()
        self._queries[query_id] = _Open(query, future, self._now())
        self._bus.publish("callback_query", chat_id, target, query=query)
        self._updates.push({"callback_query": query})
        return future

    def pending(self, query_id: str) -> JSON:
        """The query the bot may still answer, or Telegram's 400 for an unknown, answered or expired one."""
        entry = self._queries.get(query_id)
        if entry is None or entry.answered:
            raise ApiError(400, QUERY_INVALID)
        if (self._now() - entry.opened_at).total_seconds() > self.timeout:
            entry.answered = True  # never answerable again
            self.expired.append(query_id)
            if not entry.future.done():
                entry.future.set_result(None)
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
