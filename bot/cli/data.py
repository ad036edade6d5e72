"""The shared `import` and `export` subcommands: `python -m bot import WHAT FILE`, `python -m bot export WHAT [ARG]`.

Imports go through the same service as a file sent to the bot in Telegram
(services.data.datasets): one validation, one report (templates/data/report.html, printed here
as plain text in BOT_DEFAULT_LANGUAGE or --lang), the same rules — `--dry-run` previews,
`--overwrite-conflicts` is the explicit choice to replace colours staff set, and
`--confirm-deletions` allows a projects or guide file to delete more than BOT_IMPORT_DELETE_SHARE.
Exit status 0 when everything was (or would be) imported, 1 otherwise.

Exports are looked up in EXPORTERS, "module:function" strings imported only when used (so a
broken or slow feature module never affects the others' commands):

    EXPORTERS["things"] = "bot.cli.things:export_things"   # fn(settings, arg or None, out, err) -> exit status
"""

from __future__ import annotations

import argparse
import asyncio
import html
import importlib
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from bot.cli.registry import command
from bot.settings import LANGUAGES, Settings

if TYPE_CHECKING:
    from bot.services import Services

T = TypeVar("T")

# The data sets of services.data.datasets.KINDS (spelt out so that `--help` imports no feature).
DATASETS = ("enterprises", "projects", "guide")
Exporter = Callable[[Settings, str | None, TextIO, TextIO], int]
EXPORTERS: dict[str, str] = {
    "enterprises": "bot.cli.data:export_enterprises",
    "attendance": "bot.cli.projects:export_attendance",
}
_TAG = re.compile(r"<[^>]+>")


async def with_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    """Open the database (migrated), build the services without Telegram, run `work`, close."""
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


def plain(markup: str) -> str:
    """A message written for Telegram's HTML, as terminal text."""
    return html.unescape(_TAG.sub("", markup))


def import_file(
    settings: Settings,
    kind: str,
    path: Path,
    out: TextIO | None = None,
    err: TextIO | None = None,
    *,
    dry_run: bool = False,
    overwrite: bool = False,
    confirm_deletions: bool = False,
    lang: str | None = None,
) -> int:
    """Import (or preview) one file of a data set, print its report; exit status 0 or 1."""
    from bot.services.data.datasets import template_values

    out, err = out or sys.stdout, err or sys.stderr
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        print(f"{path}: cannot read the file ({error})", file=err)
        return 1

    async def work(services: Services) -> tuple[bool, str]:
        report = await services.data.sets.run(
            kind,
            data,
            Path(path).name,
            None,
            dry_run=dry_run,
            overwrite=overwrite,
            confirmed_deletions=None if confirm_deletions else 0,
        )
        text = services.renderer.render(
            lang or settings.default_language,
            "data/report.html",
            1 << 30,
            **template_values(replace(report, file_name=str(path)), cli=True, limit=1 << 30),
        )
        return report.ok, plain(text)

    ok, text = asyncio.run(with_services(settings, work))
    print(text, file=out if ok else err)
    return 0 if ok else 1


def export_enterprises(
    settings: Settings, argument: str | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """The registry as formula-safe CSV (UTF-8 with a BOM, so Excel reads the Chinese): to a file or stdout."""
    out, err = out or sys.stdout, err or sys.stderr
    text = asyncio.run(with_services(settings, lambda s: s.enterprises.imports.export()))
    if argument:
        Path(argument).write_text(text, encoding="utf-8-sig", newline="")
        print(f"wrote {text.count(chr(10)) - 1} enterprises to {argument}", file=err)
    else:
        out.write(text)
    return 0


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=DATASETS, help="what the file holds")
    parser.add_argument("file", type=Path, help="the file to import")
    parser.add_argument(
        "--dry-run", action="store_true", help="report what the import would do; change nothing"
    )
    parser.add_argument(
        "--overwrite-conflicts",
        action="store_true",
        help="enterprises: replace colours staff set after the file's date with the file's colours",
    )
    parser.add_argument(
        "--confirm-deletions",
        action="store_true",
        help="projects, guide: allow deleting more than BOT_IMPORT_DELETE_SHARE of the entries",
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, help="the report's language (default: BOT_DEFAULT_LANGUAGE)"
    )


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=sorted(EXPORTERS), help="what to export")
    parser.add_argument("argument", nargs="?", help="e.g. a month YYYY-MM for attendance, an output file")


@command("import", "import data from a file: " + ", ".join(DATASETS), _import_arguments)
def import_command(settings: Settings, args: argparse.Namespace) -> int:
    return import_file(
        settings,
        args.what,
        args.file,
        dry_run=args.dry_run,
        overwrite=args.overwrite_conflicts,
        confirm_deletions=args.confirm_deletions,
        lang=args.lang,
    )


@command("export", "export data: " + ", ".join(sorted(EXPORTERS)), _export_arguments)
def export_command(settings: Settings, args: argparse.Namespace) -> int:
    module, _, name = EXPORTERS[args.what].partition(":")
    exporter: Exporter = getattr(importlib.import_module(module), name)
    return exporter(settings, args.argument, sys.stdout, sys.stderr)
