"""The one outbox sender: drains due rows at Telegram's pace, retries what can be retried.

One background task, started and stopped with the Application (bot/app.py), sends every message
the bot sends on its own initiative. Features never talk to it: they enqueue rows in their own
transaction and the database wakes the sender after every commit (`Database.after_commit`).
When nothing is due it sleeps until the next row's `not_before` (or a short cap).

Why the sender does not use `app.bot`
-------------------------------------
The Application's bot sends through `AIORateLimiter(max_retries=1)`. Reading
telegram/ext/_aioratelimiter.py: (a) on RetryAfter the limiter sleeps and retries by itself,
and while it sleeps it holds *every* request of that bot (handlers' replies included) behind one
event; (b) it throttles everything through its own 30/s and 20/min buckets; (c) retries cannot
be switched off per call: `process_request` computes `max_retries = rate_limit_args or
self._max_retries`, so `rate_limit_args=0` falls back to 1 (and a dict such as
`{"max_retries": 0}` is not what it expects). Two pacers would fight: a 429 would be retried
behind our back (our attempt count and our slow-down would never see it) and a fan-out to 2,000
volunteers would stall every person's replies for the length of each retry.
So the sender owns a plain `telegram.Bot` with the same token and server (no rate limiter, its own
connection pool sized for its in-flight requests): the pacing and retry rules below are the only
ones in charge of outbox traffic, and `app.bot` keeps answering people.

Pacing (all in `Pacing`, from settings)
---------------------------------------
- overall: `BOT_SEND_RATE` messages/s (a token bucket with a tenth of a second of burst, so
  scheduling jitter is caught up without ever exceeding Telegram's ~30/s and its burst);
- per private chat: 1/s on average (bursts of 3, as Telegram tolerates); per group (negative
  chat id): 20/minute (bursts of 20). A chat's token is spent when Telegram's answer arrives, and
  each chat has at most one request in flight, so our view of a chat is never ahead of Telegram's;
- requests to different chats run concurrently (`concurrency` in flight), so 25 msg/s is
  reachable with real round trips of a few hundred milliseconds.

What happens to a row (one attempt = one request)
-------------------------------------------------
- accepted: marked sent with its `message_id` in the transaction right after the answer;
- RetryAfter (429): the whole sender pauses for `retry_after` and halves its rate, recovering
  over ~20 s; the row stays queued (attempt and error recorded);
- timeouts, network errors, 5xx: the row stays queued with exponential backoff (1 s, 2 s, 4 s ...
  up to 5 min, jittered); after `max_attempts` it is given up as dead;
- ChatMigrated (a group upgraded to a supergroup): everything naming the group follows its new id
  (`services.chats.move`, in the transaction recording the answer) and the row goes again at
  once; an edit of a card left in the old group (which can no longer change) posts it anew;
- Forbidden (blocked / kicked) or "chat not found": dead after that one attempt, and the user is
  marked unreachable (`users.unreachable_at`), so later rows to them die without a request until
  they write to the bot again;
- any other BadRequest: dead with Telegram's reason (one log line per dead row, always);
- `expires_at` passed before sending (e.g. the bot was down): recorded as missed, never sent late.

At-least-once: a row is marked sent only after Telegram's answer, so a crash between Telegram
accepting a message and our commit re-sends it after restart. That window holds at most the
`concurrency` requests in flight; see README.md, "Outbox delivery guarantees".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import BaseRequest

from bot.context import keyboard, keyboard_json
from bot.http import telegram_request
from bot.pacing import TokenBucket, retry_after_seconds
from bot.storage import outbox as outbox_repo
from bot.storage import users as users_repo

if TYPE_CHECKING:
    from bot.services import Services
    from bot.settings import Settings

log = logging.getLogger(__name__)

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True)
class Pacing:
    """Telegram's limits and the sender's waiting rules.

    `time_scale` (BOT_SEND_LIMIT_SCALE) multiplies Telegram's per-chat rates and divides every
    wait (backoff, retry_after, recovery) — only for the emulator sped up with Limits(scale=...)
    in tests and benchmarks; 1 in production.
    """

    overall_per_second: float = 25.0
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20
    concurrency: int = 8
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    max_attempts: int = 30
    recovery_seconds: float = 20.0
    idle_cap: float = 2.0
    time_scale: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Pacing:
        s = settings.send_limit_scale
        return cls(
            overall_per_second=settings.send_rate,
            private_per_second=1.0 * s,
            group_per_minute=20.0 * s,
            backoff_base=1.0 / s,
            backoff_cap=300.0 / s,
            recovery_seconds=20.0 / s,
            time_scale=s,
        )

    @property
    def overall_burst(self) -> float:
        """A tenth of a second of sending, so a short stall is caught up instead of lost.

        Capped at 20, two thirds of the burst Telegram (and the emulator) tolerate, so a
        caught-up stall never meets the limit even with requests arriving bunched together.
        """
        return min(20.0, max(1.0, self.overall_per_second * 0.1))


@dataclass
class SenderStats:
    """Counters since start (benchmarks and tests read them; the database is the real record)."""

    sent: int = 0
    dead: int = 0
    missed: int = 0
    retried: int = 0
    throttled: int = 0
    requests: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Outcome:
    kind: str  # sent | retry | throttled | dead | postpone | migrated
    message_id: int | None = None
    error: str = ""
    retry_after: float = 0.0
    unreachable: bool = False
    requested: bool = True  # a request reached (or may have reached) Telegram
    new_chat_id: int | None = None
    moved_card: str | None = None  # the card (dedupe key) this edit posted anew in its new chat


class OutboxSender:
    """Drains the outbox: `start()` with the Application, `stop()` on shutdown, `wake()` on enqueue."""

    def __init__(self, bot: Bot, services: Services, pacing: Pacing | None = None) -> None:
        self.services = services
        self.pacing = pacing or Pacing.from_settings(services.settings)
        # Its own connection pool, sized for its requests in flight (see the module docstring).
        self._request = telegram_request(
            self.pacing.concurrency + 2,
            connect_timeout=5.0,
            read_timeout=15.0,
            write_timeout=15.0,
            pool_timeout=5.0,
            media_write_timeout=60.0,
        )
        self.api = _plain_bot(bot, self._request)
        self.stats = SenderStats()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._inflight: dict[int, outbox_repo.OutboxRow] = {}
        self._slots = asyncio.Semaphore(self.pacing.concurrency)
        self._overall = TokenBucket(self.pacing.overall_burst, self.pacing.overall_per_second, 1.0, 0.0)
        self._chats: dict[int, TokenBucket] = {}
        self._paused_until = 0.0
        self._factor, self._factor_at = 1.0, 0.0
        self._round = 0
        self._idle_round = 0
        self._idle = asyncio.Condition()
        self._settled = 0
        self._to_record: list[tuple[outbox_repo.OutboxRow, _Outcome, asyncio.Future[None]]] = []
        self._record_lock = asyncio.Lock()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._stopping = False
        self.services.db.after_commit.append(self.wake)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    def wake(self) -> None:
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    async def stop(self, grace: float = 5.0) -> None:
        """Stop sending; requests in flight get `grace` seconds to finish and be recorded.

        `grace=0` stops at once, as a crash would: requests in flight are abandoned unrecorded
        and will be sent again after a restart (the at-least-once window).
        """
        with contextlib.suppress(ValueError):
            self.services.db.after_commit.remove(self.wake)
        self._stopping = True
        self.wake()
        task, self._task = self._task, None
        if task is not None:
            if grace > 0 and not task.done():
                await asyncio.wait({task}, timeout=grace)
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        async with self._idle:
            self._idle.notify_all()
        # `api` is never initialized (that would cost a getMe), so Bot.shutdown() would leave its
        # connections open: the request object is closed directly.
        with contextlib.suppress(Exception):
            await self._request.shutdown()

    async def drain_once(self) -> int:
        """Deliver everything due now at Telegram's pace; returns how many rows were settled.

        Used by tests (harness.flush()) and benchmarks: it asks the running sender for one more
        round and waits until that round finds nothing left to send and nothing in flight, so
        there is never a second sender racing the first for the same rows.
        """
        before = self._settled
        task = self._task
        if task is None or task.done():
            await self._run(until_idle=True)
        else:
            start = self._round
            self.wake()
            async with self._idle:
                await self._idle.wait_for(lambda: self._idle_round > start or task.done())
        return self._settled - before

    # ------------------------------------------------------------------ the loop

    async def _run(self, *, until_idle: bool = False) -> None:
        try:
            await self._loop(until_idle)
        except Exception:
            log.exception("outbox sender stopped unexpectedly")
            raise
        finally:
            # However the loop ends, drain_once() callers must not wait for it forever.
            self._idle_round = self._round + 1
            async with self._idle:
                self._idle.notify_all()

    async def _loop(self, until_idle: bool) -> None:
        async with asyncio.TaskGroup() as group:
            while not self._stopping:
                self._wake.clear()
                try:
                    pause = await self._one_round(group)
                except Exception:
                    log.exception("outbox sender round failed")
                    # Nothing more can be done this round: let drain_once() callers go on.
                    await self._report_idle(self._round)
                    pause = 1.0
                if until_idle and self._idle_round == self._round:
                    break
                if pause:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), pause)

    async def _one_round(self, group: asyncio.TaskGroup) -> float | None:
        """Dispatch what can go now; returns how long to sleep (None: go again at once)."""
        self._round += 1
        round_no = self._round
        clock, db, loop = self.services.clock, self.services.db, asyncio.get_running_loop()
        now = clock.now()
        next_at = None
        async with db.read() as conn:
            rows = await outbox_repo.due(conn, now, limit=self._batch_size(), exclude=list(self._inflight))
            if not rows and not self._inflight:  # idle: when to look again (same snapshot)
                next_at = await outbox_repo.next_due_at(conn)
        if not rows:
            if self._inflight:
                return self.pacing.idle_cap  # a completion wakes us
            await self._report_idle(round_no)
            if next_at is None:
                return self.pacing.idle_cap
            return min(self.pacing.idle_cap, max(0.01, (next_at - clock.now()).total_seconds()))

        fetched_at = loop.time()
        expired: list[outbox_repo.OutboxRow] = []
        unreachable: list[outbox_repo.OutboxRow] = []
        dispatched, soonest = 0, math.inf
        for row in rows:
            if self._stopping:
                break
            if row.expires_at is not None and now >= row.expires_at:
                expired.append(row)
                continue
            if row.recipient_unreachable_at is not None and row.chat_id > 0:
                unreachable.append(row)
                continue
            wait = self._chat(row.chat_id).ready_in(loop.time())
            if wait > 0:
                soonest = min(soonest, wait)
                continue
            await self._take_slot()
            if self._stopping or loop.time() - fetched_at > 1.0:
                # We waited long (a 429 pause): rows may have been cancelled meanwhile; re-read.
                self._slots.release()
                self._overall.tokens += 1
                break
            self._inflight[row.id] = row
            group.create_task(self._deliver(row), name=f"outbox-{row.id}")
            dispatched += 1
        if expired or unreachable:
            await self._drop(expired, unreachable)
        if dispatched or expired or unreachable:
            return None
        return min(soonest, self.pacing.idle_cap)

    async def _report_idle(self, round_no: int) -> None:
        self._idle_round = round_no
        async with self._idle:
            self._idle.notify_all()

    def _batch_size(self) -> int:
        return max(4 * self.pacing.concurrency, min(200, int(self.pacing.overall_per_second * 0.5)))

    def _chat(self, chat_id: int) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 20_000:  # forget chats whose bucket is full again
                now = asyncio.get_running_loop().time()
                self._chats = {
                    k: b for k, b in self._chats.items() if b.ready_in(now) > 0 or b.tokens < b.capacity
                }
            p = self.pacing
            if chat_id < 0:
                capacity, rate = float(p.group_burst), p.group_per_minute / 60.0
            else:
                capacity, rate = float(p.private_burst), p.private_per_second
            bucket = self._chats[chat_id] = TokenBucket(
                capacity, rate, capacity, asyncio.get_running_loop().time()
            )
        return bucket

    def _rate_factor(self, now: float) -> float:
        """1 normally; halved by each 429, climbing back to 1 over `recovery_seconds`."""
        climb = (now - self._factor_at) / self.pacing.recovery_seconds
        return min(1.0, self._factor + (1.0 - self._factor) * climb)

    async def _take_slot(self) -> None:
        """Wait for a free in-flight slot, the end of any 429 pause and an overall token."""
        await self._slots.acquire()
        loop = asyncio.get_running_loop()
        try:
            while True:
                now = loop.time()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                rate = self.pacing.overall_per_second * self._rate_factor(now)
                self._overall.rate = rate
                self._overall.capacity = min(self.pacing.overall_burst, max(1.0, rate * 0.1))
                wait = self._overall.ready_in(now)
                if wait <= 0:
                    self._overall.take(now)
                    return
                await asyncio.sleep(wait)
        except BaseException:
            self._slots.release()
            raise

    # ------------------------------------------------------------------ one row

    async def _deliver(self, row: outbox_repo.OutboxRow) -> None:
        loop = asyncio.get_running_loop()
        try:
            outcome = await self._attempt(row)
            if outcome.requested:
                self.stats.requests += 1
                self._chat(row.chat_id).take(loop.time())
            await self._record(row, outcome)
        except Exception:
            log.exception("outbox message %s: recording the outcome failed", row.id)
        finally:
            self._inflight.pop(row.id, None)
            self._slots.release()
            self.wake()

    async def _attempt(self, row: outbox_repo.OutboxRow) -> _Outcome:
        """Make one request for `row` and classify Telegram's answer."""
        target, moved = None, None
        if row.action == "edit":
            async with self.services.db.read() as conn:
                target = await outbox_repo.edit_target(conn, row.edit_of or "")
            if target.state == "pending":
                return _Outcome(
                    "postpone", error="waiting for the message to edit to be sent", requested=False
                )
            if target.state == "gone":
                return _Outcome("dead", error="the message to edit was never delivered", requested=False)
            if target.chat_id != row.chat_id and row.chat_id < 0 and (target.chat_id or 0) < 0:
                # The card's group became a supergroup (queued rows followed it, the sent card could
                # not): the old message cannot change any more, so the card is posted anew in the
                # supergroup (and found there from now on).
                if target.media_kind:
                    return _Outcome("dead", error="a picture card's group was upgraded", requested=False)
                target, moved = None, row.edit_of
        answers = await self._replied(row) if row.reply_to and target is None else None
        try:
            message_id = await self._call(row, target, answers)
        except RetryAfter as error:
            return _Outcome("throttled", error=str(error), retry_after=retry_after_seconds(error))
        except ChatMigrated as error:
            return _Outcome("migrated", error=str(error), new_chat_id=error.new_chat_id)
        except Forbidden as error:
            return _Outcome("dead", error=f"Forbidden: {error}", unreachable=True)
        except BadRequest as error:
            text = str(error).lower()
            if "chat not found" in text:
                return _Outcome("dead", error=f"BadRequest: {error}", unreachable=True)
            if target is not None and "message is not modified" in text:
                return _Outcome("sent", message_id=target.message_id)
            return _Outcome("dead", error=f"BadRequest: {error}")
        except NetworkError as error:  # includes TimedOut, 5xx and connection resets
            return _Outcome("retry", error=f"{type(error).__name__}: {error}")
        except TelegramError as error:  # InvalidToken, Conflict, ...: not the row's fault
            log.error("outbox message %s: %s: %s", row.id, type(error).__name__, error)
            return _Outcome("retry", error=f"{type(error).__name__}: {error}")
        except Exception as error:  # a bug (bad buttons JSON, unreadable file): retry, then give up
            log.exception("outbox message %s could not be sent", row.id)
            return _Outcome("retry", error=f"{type(error).__name__}: {error}")
        return _Outcome("sent", message_id=message_id, moved_card=moved)

    async def _replied(self, row: outbox_repo.OutboxRow) -> ReplyParameters | None:
        """The message of the same chat this row answers, once delivered (else a plain message)."""
        async with self.services.db.read() as conn:
            where = await outbox_repo.message_id_of(conn, row.reply_to or "")
        if where is None or where[0] != row.chat_id:
            return None
        return ReplyParameters(where[1], allow_sending_without_reply=True)

    async def _call(
        self,
        row: outbox_repo.OutboxRow,
        target: outbox_repo.EditTarget | None,
        answers: ReplyParameters | None = None,
    ) -> int | None:
        if target is not None:
            if target.media_kind:
                await self._raw(
                    "editMessageCaption",
                    chat_id=target.chat_id,
                    message_id=target.message_id,
                    caption=row.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard_json(row.buttons),
                )
            else:
                await self._raw(
                    "editMessageText",
                    chat_id=target.chat_id,
                    message_id=target.message_id,
                    text=row.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard_json(row.buttons),
                    link_preview_options=_NO_PREVIEW,
                )
            return target.message_id
        if row.media_kind == "photo":
            message = await self.api.send_photo(
                row.chat_id,
                _media(row),
                caption=row.text or None,
                reply_markup=keyboard(row.buttons),
                parse_mode=ParseMode.HTML,
                reply_parameters=answers,
            )
            return message.message_id
        if row.media_kind == "document":
            message = await self.api.send_document(
                row.chat_id,
                _media(row),
                caption=row.text or None,
                filename=row.media_name,
                reply_markup=keyboard(row.buttons),
                parse_mode=ParseMode.HTML,
                reply_parameters=answers,
            )
            return message.message_id
        sent = await self._raw(
            "sendMessage",
            chat_id=row.chat_id,
            text=row.text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard_json(row.buttons),
            link_preview_options=_NO_PREVIEW,
            reply_parameters=answers,
        )
        return int(sent["message_id"])

    async def _raw(self, endpoint: str, **parameters: object) -> Any:
        return await self.api.call(endpoint, parameters)

    async def _record(self, row: outbox_repo.OutboxRow, outcome: _Outcome) -> None:
        """Commit the outcome right after Telegram's answer (group commit with concurrent answers).

        Answers that arrive while a commit is being written are written together in the next
        transaction; the caller returns only once its own outcome is committed, so it keeps its
        in-flight slot until then and the "sent but not recorded" window never exceeds
        `concurrency` rows.
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._to_record.append((row, outcome, done))
        async with self._record_lock:
            if not done.done():
                batch, self._to_record = self._to_record, []
                try:
                    await self._write_until_recorded(batch)
                except BaseException as error:
                    for _, _, future in batch:
                        if not future.done():
                            if isinstance(error, asyncio.CancelledError):
                                future.cancel()
                            else:
                                future.set_exception(error)
                    if not isinstance(error, Exception):
                        raise
                else:
                    for _, _, future in batch:
                        if not future.done():
                            future.set_result(None)
        done.result()

    async def _write_until_recorded(
        self, batch: list[tuple[outbox_repo.OutboxRow, _Outcome, asyncio.Future[None]]]
    ) -> None:
        """Record Telegram's answers, waiting out a database that is busy (locked by another process).

        Giving up would leave delivered rows queued, and they would be sent again: the rows stay
        in flight (never fetched again) until their outcome is written, however long that takes.
        Only a stop abandons them (the at-least-once window of a crash).
        """
        wait = 0.05
        while True:
            try:
                await self._write(batch)
                return
            except sqlite3.OperationalError as error:
                if self._stopping:
                    raise
                log.warning("outbox: recording %s outcome(s) waits for the database (%s)", len(batch), error)
                await asyncio.sleep(wait)
                wait = min(2.0, wait * 2)

    async def _write(self, batch: list[tuple[outbox_repo.OutboxRow, _Outcome, asyncio.Future[None]]]) -> None:
        clock, db, p = self.services.clock, self.services.db, self.pacing
        now = clock.now()
        settled: list[tuple[outbox_repo.OutboxRow, _Outcome]] = []
        for row, outcome, _ in batch:
            if outcome.kind == "retry" and row.attempts + 1 >= p.max_attempts:
                outcome = _Outcome(
                    "dead", error=f"gave up after {row.attempts + 1} attempts: {outcome.error}"
                )
            settled.append((row, outcome))
        async with db.tx() as conn:
            sent = [(row.id, o.message_id) for row, o in settled if o.kind == "sent"]
            if sent:
                await outbox_repo.mark_sent_many(conn, sent, now)
            for row, outcome in settled:
                if outcome.moved_card is not None and outcome.message_id is not None:
                    await outbox_repo.resent_in(conn, outcome.moved_card, row.chat_id, outcome.message_id)
            for row, outcome in settled:
                kind = outcome.kind
                if kind == "retry":
                    delay = min(p.backoff_cap, p.backoff_base * 2 ** min(row.attempts, 20))
                    delay *= random.uniform(0.8, 1.2)  # jitter: rows that failed together spread out
                    await outbox_repo.mark_retry(conn, row.id, outcome.error, now + timedelta(seconds=delay))
                elif kind == "throttled":
                    await outbox_repo.mark_retry(conn, row.id, outcome.error, None)
                elif kind == "postpone":
                    retry_at = now + timedelta(seconds=p.backoff_base)
                    await outbox_repo.mark_retry(conn, row.id, outcome.error, retry_at, attempted=False)
                elif kind == "migrated":
                    assert outcome.new_chat_id is not None
                    # Everything naming the group follows it (bindings, cards, this and other rows).
                    await self.services.chats.move(conn, row.chat_id, outcome.new_chat_id)
                    await outbox_repo.retarget(conn, row.chat_id, outcome.new_chat_id)
                    await outbox_repo.mark_retry(conn, row.id, outcome.error, None, attempted=False)
                elif kind == "dead":
                    await outbox_repo.mark_dead(conn, row.id, outcome.error, now, attempted=outcome.requested)
                    if outcome.unreachable and row.chat_id > 0:
                        await users_repo.mark_unreachable(conn, row.chat_id, now)
        for row, outcome in settled:
            self._settled += 1
            kind = outcome.kind
            if kind == "sent":
                self.stats.sent += 1
            elif kind == "throttled":
                self.stats.throttled += 1
                self._slow_down(row.chat_id, outcome.retry_after)
            elif kind == "dead":
                self._dead(row, outcome.error, row.attempts + (1 if outcome.requested else 0))
            else:
                self.stats.retried += 1
                if kind == "migrated":
                    log.warning(
                        "outbox: chat %s became %s; its queued messages follow",
                        row.chat_id,
                        outcome.new_chat_id,
                    )

    def _slow_down(self, chat_id: int, retry_after: float) -> None:
        """A 429: pause everything for retry_after, and halve the rate (it climbs back)."""
        loop_now = asyncio.get_running_loop().time()
        wait = max(0.05, retry_after / self.pacing.time_scale)
        self._paused_until = max(self._paused_until, loop_now + wait)
        self._chat(chat_id).hold_until = loop_now + wait
        self._factor = max(0.2, self._rate_factor(loop_now) * 0.5)
        self._factor_at = loop_now
        log.info("outbox: Telegram asked to wait %.1f s; pausing and slowing down", retry_after)

    def _dead(self, row: outbox_repo.OutboxRow, reason: str, attempts: int) -> None:
        self.stats.dead += 1
        key = reason.split(":", 1)[0]
        self.stats.reasons[key] = self.stats.reasons.get(key, 0) + 1
        log.warning(
            "outbox message %s dead (kind=%s chat=%s attempts=%s): %s",
            row.id,
            row.kind,
            row.chat_id,
            attempts,
            reason,
        )

    async def _drop(
        self, expired: list[outbox_repo.OutboxRow], unreachable: list[outbox_repo.OutboxRow]
    ) -> None:
        """Settle rows that must not be sent: too late, or to a person known to have blocked us."""
        now = self.services.clock.now()
        async with self.services.db.tx() as conn:
            for row in expired:
                await outbox_repo.mark_missed(conn, row.id, now)
            for row in unreachable:
                reason = f"recipient unreachable since {row.recipient_unreachable_at:%Y-%m-%d %H:%M} UTC"
                await outbox_repo.mark_dead(conn, row.id, reason, now, attempted=False)
        for row in expired:
            self._settled += 1
            self.stats.missed += 1
            log.info(
                "outbox message %s (kind=%s chat=%s) missed: expired at %s",
                row.id,
                row.kind,
                row.chat_id,
                row.expires_at,
            )
        for row in unreachable:
            self._settled += 1
            self._dead(
                row,
                f"recipient unreachable since {row.recipient_unreachable_at:%Y-%m-%d %H:%M} UTC",
                row.attempts,
            )


class _SenderBot(Bot):
    """python-telegram-bot's Bot, plus calls whose answer stays JSON.

    The sender needs a sent message's id only, and building python-telegram-bot's Message from
    every answer (`Message.de_json`) was a fifth of its CPU per message. `call` goes through the
    same request layer as `send_message` (`Bot._post`: parameters serialised the same way, None
    left out), so Telegram's refusals raise the same errors (RetryAfter, ChatMigrated, Forbidden,
    BadRequest ...). (`Bot.do_api_request` would do the same, with a warning on every call.)
    """

    async def call(self, endpoint: str, parameters: dict[str, object]) -> Any:
        return await self._post(endpoint, dict(parameters))


def _plain_bot(bot: Bot, request: BaseRequest) -> _SenderBot:
    """A rate-limiter-free Bot for the same token and server (see the module docstring)."""
    base_url = bot.base_url.removesuffix(bot.token)
    base_file_url = bot.base_file_url.removesuffix(bot.token)
    return _SenderBot(
        bot.token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=request,
        get_updates_request=telegram_request(1),  # never used, but Bot builds one otherwise
    )


def _media(row: outbox_repo.OutboxRow) -> bytes | str:
    """A file on disk is uploaded; anything else is a Telegram file_id or an HTTP URL."""
    ref = row.media_ref or ""
    path = Path(ref)
    return path.read_bytes() if ref and path.is_file() else ref
