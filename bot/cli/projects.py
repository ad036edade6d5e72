"""`python -m bot import projects FILE.yaml` and `python -m bot export attendance YYYY-MM`.

The shared `import`/`export` subcommands (bot/cli/data.py) look these functions up by name; they
are plain functions so they also work from tests and scripts. The import is all-or-nothing: a
file with any problem prints every problem as `line N: ...` and changes nothing.
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
        services = build_services(settings, Clock(), db)
        return await work(services)
    finally:
        await db.close()


def import_projects(
    settings: Settings, path: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Create or update volunteer projects and their shifts from a YAML file; exit status 0/1."""
    from bot.domain.projects_yaml import ProjectFileError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read the file ({error})", file=err)
        return 1
    try:
        result = asyncio.run(_with_services(settings, lambda s: s.volunteer.imports.import_projects(text)))
    except ProjectFileError as error:
        print(f"{path}: nothing was imported, please fix:", file=err)
        for problem in error.problems:
            print(f"  {problem}", file=err)
        return 1
    print(
        f"projects added: {', '.join(result.added) or '-'}; updated: {', '.join(result.updated) or '-'};"
        f" shifts created: {result.shifts_created}, cancelled: {result.shifts_cancelled}"
        + (
            f"; {result.cuts_asked} shifts now have fewer places than people signed up: their organisers"
            " were asked who stays"
            if result.cuts_asked
            else ""
        ),
        file=out,
    )
    return 0


def export_attendance(
    settings: Settings, month: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """A month's attendance of every project as CSV (for the national volunteer-service platform)."""
    from bot.services.base import InvalidInput

    if not month:
        print("which month? e.g.: python -m bot export attendance 2026-11", file=err)
        return 1
    try:
        data, _name = asyncio.run(
            _with_services(settings, lambda s: s.volunteer.attendance.attendance_csv(None, month))
        )
    except InvalidInput:
        print(f"{month!r} is not a month: write it like 2026-11", file=err)
        return 1
    out.write(data.decode("utf-8"))
    return 0
