# i18n-domain: data
"""Data out to Telegram: the enterprise registry as CSV and a month's report (CSV and chart), made by
the same services as `python -m bot export enterprises` and `python -m bot report --month`."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.services.access import NOT_ADMIN, ensure, may_transfer_data
from bot.services.base import InvalidInput, UseCases
from bot.services.stats.periods import parse_month


@dataclass(frozen=True)
class File:
    name: str
    data: bytes


EXPORTS = ("enterprises",)


class Exports(UseCases):
    async def _admin(self, user_id: int) -> None:
        ensure(may_transfer_data(await self.services.access.of(user_id)), NOT_ADMIN)

    async def export(self, user_id: int, what: str) -> File:
        """/export enterprises: the registry as CSV, UTF-8 with a BOM (Excel then reads the Chinese)."""
        await self._admin(user_id)
        if what not in EXPORTS:
            raise InvalidInput("data_export_usage")
        text = await self.services.enterprises.imports.export()
        day = self.now().astimezone(self.settings.tz).date().isoformat()
        return File(f"enterprises-{day}.csv", text.encode("utf-8-sig"))

    async def month_report(self, user_id: int, month: str) -> list[File]:
        """/report month 2026-11: the month's figures as CSV and the daily trend chart (PNG)."""
        await self._admin(user_id)
        try:
            parse_month(month)
        except ValueError:
            raise InvalidInput("data_report_usage") from None
        with tempfile.TemporaryDirectory() as folder:
            paths = await self.services.stats.reports.month_report(month, Path(folder))
            return [File(path.name, path.read_bytes()) for path in paths]
