"""The one clock.

Every piece of code that needs "now" asks this object, never `datetime.now()`. Production uses
the real time; tests and the browser demo use a clock that can be moved forward, which is how a
reminder due tomorrow at 05:00 is watched arriving in a second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Real time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock(Clock):
    """Real time plus an offset that can only grow (time never runs backwards for the bot).

    Following the real clock between jumps keeps the bot's timers and Telegram timestamps
    plausible; `freeze()` stops it for tests that need exact instants.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None
        if start is not None:
            self._offset = start.astimezone(UTC) - datetime.now(UTC)
        if frozen:
            self.freeze()

    def now(self) -> datetime:
        if self._frozen_at is not None:
            return self._frozen_at
        return datetime.now(UTC) + self._offset

    def freeze(self) -> None:
        self._frozen_at = self.now()

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock cannot go backwards")
        if self._frozen_at is not None:
            self._frozen_at += delta
        self._offset += delta
        return self.now()

    def set(self, moment: datetime) -> datetime:
        return self.advance(max(timedelta(0), moment.astimezone(UTC) - self.now()))
