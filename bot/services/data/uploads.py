# i18n-domain: data
"""Data in from Telegram: an administrator sends a file, reads its dry run, then confirms or cancels.

The file is kept (data_uploads) between the dry run and the decision, so that what is applied is
exactly what was previewed, whichever bot process handles the press, and it is dropped once
decided or expired. Confirm applies it in one transaction through the same path as the command
line (datasets.py); "Confirm and overwrite" also overwrites the staff colours the dry run listed
as conflicts (and only those); a Confirm that deletes more than the allowed share names the
deletions on its button, and applies no more deletions than it named.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.enterprise_csv import fold_key
from bot.services.access import NOT_ADMIN, ensure, may_transfer_data
from bot.services.base import InvalidInput, UseCases
from bot.services.data.datasets import Report, detect
from bot.storage import data_uploads as repo

# Who sent a file, and its name (for /mydata and /forgetme).

MAX_BYTES = 5 * 1024 * 1024  # the 1,500-enterprise registry is ~250 KB
UPLOAD_TTL = timedelta(hours=2)  # how long a dry run can be confirmed
NAME_MAX = 120


@dataclass(frozen=True)
class Received:
    """A file's dry run, and the upload to confirm (None when it was refused: nothing to confirm)."""

    upload_id: int | None
    report: Report


class Uploads(UseCases):
    async def _admin(self, user_id: int) -> None:
        ensure(may_transfer_data(await self.services.access.of(user_id)), NOT_ADMIN)

    async def receive(
        self, user_id: int, file_name: str, data: bytes, caption: str | None = None
    ) -> Received:
        """A file sent to the bot: which data set it is, and what importing it would do."""
        await self._admin(user_id)
        name = " ".join((file_name or "file").split())[:NAME_MAX] or "file"
        if len(data) > MAX_BYTES:
            raise InvalidInput("data_too_big", max=MAX_BYTES // (1024 * 1024))
        kind = detect(name, data, caption)
        if kind is None:
            raise InvalidInput("data_unknown_kind")
        report = await self.services.data.sets.run(kind, data, name, user_id, dry_run=True)
        if report.refused:
            return Received(None, report)
        now = self.now()
        async with self.db.tx() as conn:
            upload_id = await repo.add(
                conn,
                user_id=user_id,
                kind=kind,
                file_name=name,
                content=data,
                sha256=hashlib.sha256(data).hexdigest(),
                conflicts=[fold_key(c.key) for c in report.conflicts],
                deletions=report.deletions,
                now=now,
                expires_at=now + UPLOAD_TTL,
            )
        return Received(upload_id, report)

    async def check(self, user_id: int, upload_id: int) -> None:
        """Confirm was pressed: is this person's file still waiting? (Before the press is answered.)"""
        await self._admin(user_id)
        async with self.db.read() as conn:
            upload = await repo.get(conn, upload_id)
        if (
            upload is None
            or upload.user_id != user_id
            or upload.status != "pending"
            or upload.expires_at <= self.now()
        ):
            raise InvalidInput("data_upload_gone")

    async def confirm(self, user_id: int, upload_id: int, *, overwrite: bool = False) -> Report:
        """Apply the previewed file (overwriting the listed conflicts only if asked)."""
        await self._admin(user_id)
        now = self.now()
        async with self.db.tx() as conn:
            upload = await repo.get(conn, upload_id)
            if upload is None or upload.user_id != user_id:
                raise InvalidInput("data_upload_gone")
            if upload.status != "pending" or upload.expires_at <= now or upload.content is None:
                raise InvalidInput("data_upload_gone")
            await repo.set_status(conn, upload_id, "applying", now)
        try:
            report = await self.services.data.sets.run(
                upload.kind,
                upload.content,
                upload.file_name,
                user_id,
                dry_run=False,
                overwrite=upload.conflicts if overwrite else (),
                confirmed_deletions=upload.deletions,
            )
        except BaseException:
            async with self.db.tx() as conn:
                await repo.set_status(conn, upload_id, "pending", now, expected="applying")
            raise
        async with self.db.tx() as conn:
            await repo.set_status(
                conn, upload_id, "applied" if report.applied else "cancelled", now, expected="applying"
            )
        return report

    async def cancel(self, user_id: int, upload_id: int) -> str:
        """Drop the file without importing anything; returns its name."""
        await self._admin(user_id)
        async with self.db.tx() as conn:
            upload = await repo.get(conn, upload_id)
            if upload is None or upload.user_id != user_id:
                raise InvalidInput("data_upload_gone")
            if not await repo.set_status(conn, upload_id, "cancelled", self.now()):
                raise InvalidInput("data_upload_gone")
        return upload.file_name

    async def expire(self) -> int:
        """The scheduler's tick: files nobody confirmed in time are dropped."""
        async with self.db.tx() as conn:
            return await repo.expire(conn, self.now())
