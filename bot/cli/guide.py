"""`python -m bot import guide FILE.yaml`: replace the service guide's catalogue with a file.

The shared `import` subcommand (bot/cli/data.py) looks this function up by name; it is a plain
function so it also works from tests and scripts. All or nothing: a file with any problem prints
every problem as `FILE:line:column: ...` (as editors and CI understand) and changes nothing; a
valid file replaces the whole catalogue in one transaction, so the bot never shows half of it.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.settings import Settings


async def _replace(settings: Settings, source: str, name: str) -> int:
    from bot.clock import Clock
    from bot.services import build_services
    from bot.storage.db import Database

    db = Database(settings.db_path)
    await db.open()
    try:
        await db.migrate()
        services = build_services(settings, Clock(), db)
        return await services.guide.replace(source, source_name=name, actor_id=None)
    finally:
        await db.close()


def import_guide(settings: Settings, path: Path, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Validate a catalogue file and make it the guide; exit status 0 (done) or 1 (nothing changed)."""
    out, err = out or sys.stdout, err or sys.stderr
    from bot.domain.guide_catalogue import CatalogueError

    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{path}: cannot read the file ({error})", file=err)
        return 1
    try:
        count = asyncio.run(_replace(settings, source, path.name))
    except CatalogueError as error:
        print(f"{path}: nothing was imported, please fix:", file=err)
        for problem in error.problems:
            print(f"{path}:{problem}", file=err)
        return 1
    print(f"guide: {count} entries imported from {path}; the previous catalogue was replaced", file=out)
    return 0
