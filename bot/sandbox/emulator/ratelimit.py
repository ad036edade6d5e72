"""Flood control: Telegram's per-bot and per-chat pace, as token buckets, answered with 429.

Why its own state: the pace is per chat (1/s in a private chat, 20/min in a group) and overall
(30/s), and it changes live (``emu.limits.scale``); the buckets are the one place that remembers
how fast the bot has been sending to each chat, so another per-chat limit goes here too. New
messages and edits share a chat's bucket, as they do at Telegram (methods/edits.py says why).

The overall ~30 messages/s is Telegram's limit on *bulk notifications* (Bot FAQ: "If you're
sending bulk notifications to multiple users, the API will not allow more than 30 messages per
second or so"); answering people who are talking to the bot is not held to it (grammY's "Flood
Limits" guide: "This only applies to bulk notifications ... If you are only replying to messages
of users, it is no problem to send 1000 or more messages per second"). So a message to a private
chat whose person wrote or pressed a button within `REPLY_WINDOW` seconds (Telegram's time,
divided by ``scale``) is an answer: it spends that chat's tokens (1/s, bursts of 3) but not the
overall ones. Telegram does not publish how it tells the two apart; a minute is our assumption.
Counting answers against 30/s made a rush of people pressing buttons during a fan-out look like
a flood (429 on their answers) that Telegram would not raise.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.records import Limits, Stats

__all__ = ["REPLY_WINDOW", "RateLimiter"]

REPLY_WINDOW = 60.0  # seconds after a person's message or press during which the bot answers them


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    capacity: float = 1.0
    rate: float = 1.0

    def wait(self, now: float, capacity: float, rate: float) -> float:
        """Refill, then seconds until one token is available (0 if available now)."""
        self.capacity, self.rate = max(1.0, capacity), max(rate, 1e-9)
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class RateLimiter:
    """Token buckets for the whole bot and for each chat, read from :class:`Limits` at each send."""

    def __init__(self, limits: Limits, stats: Stats) -> None:
        self.limits = limits
        self._stats = stats
        self._buckets: dict[object, _Bucket] = {}
        self._heard: dict[int, float] = {}  # private chat -> when its person last wrote or pressed

    def heard_from(self, chat_id: int) -> None:
        """A person wrote or pressed in ``chat_id``: the bot's next messages there are answers."""
        if chat_id > 0:
            self._heard[chat_id] = time.monotonic()

    def _answering(self, chat_id: int, now: float) -> bool:
        heard = self._heard.get(chat_id)
        return heard is not None and now - heard <= REPLY_WINDOW / max(self.limits.scale, 1e-9)

    def take(self, chat_id: int) -> None:
        """Spend a token for one new message to (or edit in) ``chat_id``, or refuse with 429."""
        lim = self.limits
        if not lim.enabled:
            return
        now = time.monotonic()
        plan: list[tuple[object, float, float]] = []
        if not self._answering(chat_id, now):  # bulk: held to the overall limit
            plan.append(("overall", lim.overall_per_second, lim.overall_per_second * lim.scale))
        if chat_id > 0:
            plan.append((chat_id, lim.private_burst, lim.private_per_second * lim.scale))
        else:
            plan.append((chat_id, lim.group_burst, lim.group_per_minute / 60 * lim.scale))
        buckets: list[_Bucket] = []
        wait = 0.0
        for key, capacity, rate in plan:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(tokens=max(1.0, capacity), stamp=now)
            wait = max(wait, bucket.wait(now, capacity, rate))
            buckets.append(bucket)
        if wait > 0:
            # In Telegram's seconds: a sped-up emulator (scale N) and a bot told the same scale
            # (BOT_SEND_LIMIT_SCALE) both divide it by N, so the bot waits exactly long enough.
            retry = max(1, math.ceil(wait * max(lim.scale, 1e-9) - 1e-9))
            self._stats.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        for bucket in buckets:
            bucket.tokens -= 1
