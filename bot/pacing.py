"""A token bucket on the event loop's monotonic clock: the pace of requests to Telegram.

Used by the outbox sender (jobs/sender.py) and by the limiter of people's replies (ratelimit.py).
Rates are real time, not the injected business clock: they are about Telegram's flood limits.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning


@dataclass
class TokenBucket:
    """A token bucket on the event loop's monotonic clock, plus an explicit hold (after a 429)."""

    capacity: float
    rate: float
    tokens: float
    stamp: float
    hold_until: float = 0.0

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def ready_in(self, now: float) -> float:
        """Seconds until one token is available (0: now)."""
        self._refill(now)
        wait = 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate
        return max(wait, self.hold_until - now)

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait in seconds, whichever type PTB_TIMEDELTA makes it (without its warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
