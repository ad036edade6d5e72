"""`python -m bot import guide FILE.yaml`: replace the service guide's catalogue with a file.

A plain function for tests and scripts, on the one import path of bot/cli/data.py. All or nothing: a file with any problem prints
every problem as `FILE:line:column: ...` (as editors and CI understand) and changes nothing; a
valid file replaces the whole catalogue in one transaction, so the bot never shows half of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot.settings import Settings


def import_guide(settings: Settings, path: Path, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Validate a catalogue file and make it the guide; exit status 0 (done) or 1 (nothing changed).

    The one import path of every data set (bot/cli/data.py, also behind Telegram uploads): a file
    that deletes more than BOT_IMPORT_DELETE_SHARE of the entries needs --confirm-deletions."""
    from bot.cli.data import import_file

    return import_file(settings, "guide", path, out, err)
