"""`python -m bot import enterprises FILE.csv` and `python -m bot export enterprises [FILE.csv]`.

Plain functions looked up by the shared `import`/`export` subcommands (bot/cli/data.py), usable
from tests and scripts. The import upserts by key: every accepted row is written in one
transaction, every rejected row is reported with its line number and reason, and the exit status
is 0 when every row was accepted, 1 when some were rejected (the good ones are still imported).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services import Services

T = TypeVar("T")


async def _with_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    from bot.clock import Clock
    from bot.services import build_services
    from bot.storage.db import Database

    db = Database(settings.db_path)
    await db.open()
    try:
        await db.migrate()
        return await work(build_services(settings, Clock(), db))
    finally:
        await db.close()


def import_enterprises(
    settings: Settings, path: Path, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    from bot.domain.enterprise_csv import UnreadableFile

    out, err = out or sys.stdout, err or sys.stderr

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        print(f"{path}: cannot read the file ({error})", file=err)
        return 1
    try:
        report = asyncio.run(_with_services(settings, lambda s: s.enterprises.registry.import_csv(data)))
    except UnreadableFile as error:
        print(f"{path}: nothing was imported: {error}", file=err)
        return 1
    print(
        f"{path} ({report.encoding}): {report.added} added, {report.updated} updated, {report.unchanged} unchanged,"
        f" {len(report.rejected)} rejected in {report.seconds:.2f} s",
        file=out,
    )
    for bad in report.rejected:
        key = f" [{bad.key}]" if bad.key else ""
        print(f"{path}:{bad.line}:{key} {bad.reason}", file=err)
    return 1 if report.rejected else 0


def export_enterprises(
    settings: Settings, argument: str | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """The registry as CSV (UTF-8 with a BOM, so Excel opens the Chinese names right): to a file or stdout."""
    out, err = out or sys.stdout, err or sys.stderr
    text = asyncio.run(_with_services(settings, lambda s: s.enterprises.registry.export_csv()))
    if argument:
        Path(argument).write_text(text, encoding="utf-8-sig", newline="")
        print(f"wrote {text.count(chr(10)) - 1} enterprises to {argument}", file=err)
    else:
        out.write(text)
    return 0
