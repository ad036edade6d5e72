"""The one outbox sender: drains due rows at Telegram's pace, retries what can be retried."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.context import keyboard
from bot.storage import outbox as outbox_repo
from bot.storage import users as users_repo

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


class OutboxSender:
    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.services.db.after_commit.append(self.wake)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.services.db.after_commit.remove(self.wake)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.drain_once()
            except Exception:
                log.exception("outbox sender round failed")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)

    async def drain_once(self) -> int:
        clock, db = self.services.clock, self.services.db
        async with db.read() as conn:
            rows = await outbox_repo.due(conn, clock.now(), limit=50)
        for row in rows:
            await self._deliver(row)
        return len(rows)

    async def _deliver(self, row: outbox_repo.OutboxRow) -> None:
        clock, db = self.services.clock, self.services.db
        if row.expires_at is not None and clock.now() >= row.expires_at:
            async with db.tx() as conn:
                await outbox_repo.mark_missed(conn, row.id, clock.now())
            return
        try:
            message_id = await self._send(row)
        except RetryAfter as error:
            delay = (
                error.retry_after
                if isinstance(error.retry_after, int | float)
                else error.retry_after.total_seconds()
            )
            async with db.tx() as conn:
                await outbox_repo.mark_retry(conn, row.id, str(error), clock.now() + timedelta(seconds=delay))
            await asyncio.sleep(delay)
            return
        except (TimedOut, NetworkError) as error:
            if isinstance(error, BadRequest):
                raise
            backoff = min(300.0, 2.0 ** min(row.attempts, 8))
            async with db.tx() as conn:
                await outbox_repo.mark_retry(
                    conn, row.id, str(error), clock.now() + timedelta(seconds=backoff)
                )
            return
        except (Forbidden, BadRequest) as error:
            async with db.tx() as conn:
                await outbox_repo.mark_dead(conn, row.id, str(error), clock.now())
                if isinstance(error, Forbidden) or "chat not found" in str(error).lower():
                    await users_repo.mark_unreachable(conn, row.chat_id, clock.now())
            log.warning("outbox message %s to %s dead: %s", row.id, row.chat_id, error)
            return
        async with db.tx() as conn:
            await outbox_repo.mark_sent(conn, row.id, message_id, clock.now())

    async def _send(self, row: outbox_repo.OutboxRow) -> int | None:
        markup = keyboard(row.buttons)
        if row.action == "edit":
            async with self.services.db.read() as conn:
                target = await outbox_repo.message_id_of(conn, row.edit_of or "")
            if target is None:
                raise BadRequest("message to edit was never sent")
            chat_id, message_id = target
            try:
                await self.bot.edit_message_text(
                    row.text,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    disable_web_page_preview=True,
                )
            except BadRequest as error:
                if "not modified" not in str(error).lower():
                    raise
            return message_id
        if row.media_kind == "photo":
            message = await self.bot.send_photo(
                row.chat_id,
                _media(row),
                caption=row.text or None,
                reply_markup=markup,
                parse_mode=ParseMode.HTML,
            )
        elif row.media_kind == "document":
            message = await self.bot.send_document(
                row.chat_id,
                _media(row),
                caption=row.text or None,
                filename=row.media_name,
                reply_markup=markup,
                parse_mode=ParseMode.HTML,
            )
        else:
            message = await self.bot.send_message(
                row.chat_id,
                row.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_web_page_preview=True,
            )
        return message.message_id


def _media(row: outbox_repo.OutboxRow) -> object:
    from pathlib import Path

    ref = row.media_ref or ""
    path = Path(ref)
    return path.read_bytes() if path.is_file() else ref
