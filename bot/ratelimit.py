"""The pace of people's replies: each chat waits for its own allowance, never for anybody else's.

python-telegram-bot's AIORateLimiter, on a 429 (RetryAfter), sleeps and retries while holding
*every* request of the bot behind one event: one flooded group then froze every other person's
answers. This limiter keeps Telegram's limits per chat instead:
- a group (negative chat id) gets 20 requests a minute (bursts of 20), the limit Telegram applies
  to messages and edits in a group;
- groups together get 30 requests a second (Telegram's overall limit, which is for bulk sending:
  answers to a person in their private chat are not held to it — grammY's flood-limits guide,
  "If you are only replying to messages of users, it is no problem to send 1000 or more messages
  per second" — so 40 people pressing at once are answered at once; each private chat still has
  Telegram's own pace, and its 429 holds that chat alone);
- a 429 holds only the chat it was about (for `retry_after`), and the request is retried up to
  `max_retries` times; a request without a chat (answerCallbackQuery) is simply retried.
The outbox sender paces itself with its own bot (jobs/sender.py) and does not come through here.

`time_scale` (BOT_SEND_LIMIT_SCALE) speeds the per-chat allowances up for the sped-up emulator
of tests and benchmarks; it is 1 in production.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.pacing import TokenBucket, retry_after_seconds

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
GROUP_PER_MINUTE = 20.0
GROUP_BURST = 20
OVERALL_PER_SECOND = 30.0


class ReplyRateLimiter(BaseRateLimiter[int]):
    def __init__(self, *, max_retries: int = 3, time_scale: float = 1.0) -> None:
        self.max_retries = max_retries
        self.time_scale = time_scale
        self._overall = TokenBucket(OVERALL_PER_SECOND, OVERALL_PER_SECOND, OVERALL_PER_SECOND, 0.0)
        self._groups: dict[int, TokenBucket] = {}
        self._holds: dict[int, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        chat_id = _chat_id(data)
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            await self._wait_turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_after_seconds(error) / self.time_scale
                if attempt == retries:
                    raise
                log.info("%s to chat %s: Telegram asked to wait %.1f s; retrying", endpoint, chat_id, wait)
                if chat_id is not None:
                    loop_now = asyncio.get_running_loop().time()
                    self._holds[chat_id] = max(self._holds.get(chat_id, 0.0), loop_now + wait)
                else:
                    await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _wait_turn(self, chat_id: int | None) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            wait = self._holds.get(chat_id, 0.0) - now if chat_id is not None else 0.0
            group = self._group(chat_id, now) if chat_id is not None and chat_id < 0 else None
            if group is not None:
                wait = max(wait, group.ready_in(now), self._overall.ready_in(now))
            if wait <= 0:
                if group is not None:
                    group.take(now)
                    self._overall.take(now)
                if chat_id is not None:
                    self._holds.pop(chat_id, None)
                return
            await asyncio.sleep(wait)

    def _group(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._groups.get(chat_id)
        if bucket is None:
            if len(self._groups) > 2048:  # forget groups whose allowance is full again
                self._groups = {k: b for k, b in self._groups.items() if b.ready_in(now) > 0}
            rate = GROUP_PER_MINUTE / 60.0 * self.time_scale
            bucket = self._groups[chat_id] = TokenBucket(GROUP_BURST, rate, GROUP_BURST, now)
        return bucket


def _chat_id(data: dict[str, Any]) -> int | None:
    value = data.get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # an @channelusername: not ours to pace
