"""What the emulator saw happen, in order, and the one way to wait until something changes.

Why one bus: long polls, ``wait_for``, ``press``, ``wait_idle`` and the browser chat all wait for
"the next thing", so every change (a message, an edit, a request ending) goes through
:meth:`EventBus.publish` or :meth:`EventBus.notify`, and every waiter through
:meth:`EventBus.wait_change`.  It also keeps the bot's output indexed by sequence number (what
``wait_for`` searches) and whether the bot is busy (what ``wait_idle`` asks).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from typing import Any

from bot.sandbox.emulator.records import Event, SentMessage

__all__ = ["EventBus"]


class EventBus:
    """Sequence numbers, subscribers, change notification, the bot's output and its activity."""

    def __init__(self) -> None:
        self.seq = 0
        self._subscribers: list[asyncio.Queue[Event]] = []
        self._changed: asyncio.Event | None = None
        self._outputs: list[tuple[int, int, SentMessage]] = []  # (seq, chat_id, message) new + edits
        self._output_seqs: list[int] = []
        self.inflight = 0  # bot requests being served (a held long poll does not count)
        self.last_activity = time.monotonic()

    # ---------------------------------------------------------------- subscribers

    def subscribe(self, maxsize: int = 0) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(queue)

    def publish(
        self, kind: str, chat_id: int | None, sent: SentMessage | None = None, /, **data: Any
    ) -> Event:
        """Number the event, hand it to every subscriber (dropped for a full queue), wake waiters."""
        self.seq += 1
        event = Event(self.seq, kind, chat_id, sent, data)
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)
        self.notify()
        return event

    # ---------------------------------------------------------------- waiting

    def notify(self) -> None:
        """Wake everything waiting on a state change (long polls, wait_for, wait_idle)."""
        if self._changed is not None:
            self._changed.set()
        self._changed = None

    async def wait_change(self, seconds: float) -> None:
        """Return at the next change, or after ``seconds``."""
        if self._changed is None:
            self._changed = asyncio.Event()
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    # ---------------------------------------------------------------- the bot's output

    def record_output(self, event: Event) -> None:
        """Index a new or edited bot message so that ``wait_for`` can find it by sequence number."""
        assert event.message is not None and event.chat_id is not None
        self._outputs.append((event.seq, event.chat_id, event.message))
        self._output_seqs.append(event.seq)

    def outputs_since(self, since: int, chat_id: int) -> list[SentMessage]:
        """Bot messages of the chat sent or edited after ``since``, oldest first, each once."""
        start = bisect.bisect_right(self._output_seqs, since)
        seen: list[SentMessage] = []
        ids: set[int] = set()
        for _seq, cid, message in self._outputs[start:]:
            if cid == chat_id and id(message) not in ids:
                ids.add(id(message))
                seen.append(message)
        return seen

    # ---------------------------------------------------------------- activity

    def touch(self) -> None:
        """The bot did something just now (``wait_idle`` waits for a quiet spell)."""
        self.last_activity = time.monotonic()

    def request_started(self) -> None:
        self.inflight += 1
        self.touch()

    def request_ended(self) -> None:
        self.inflight -= 1
        self.touch()
        self.notify()
