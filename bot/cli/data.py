"""The shared `import` and `export` subcommands: `python -m bot import WHAT FILE`, `python -m bot export WHAT [ARG]`.

Several features load or dump data (enterprises, volunteer projects, the service guide,
attendance), and one verb each keeps `--help` short. WHAT is looked up in the tables below,
whose values are "module:function" strings imported only when used (so a broken or slow
feature module never affects the others' commands). To add one, add a line here:

    IMPORTERS["things"] = "bot.cli.things:import_things"   # fn(settings, path, out, err) -> exit status
    EXPORTERS["things"] = "bot.cli.things:export_things"   # fn(settings, arg or None, out, err) -> exit status
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.cli.registry import command
from bot.settings import Settings

# What a "module:function" of the tables must be: fn(settings, path or argument, out, err) -> exit status.
Importer = Callable[[Settings, Path, TextIO, TextIO], int]
Exporter = Callable[[Settings, str | None, TextIO, TextIO], int]

IMPORTERS: dict[str, str] = {
    "enterprises": "bot.cli.enterprises:import_enterprises",
    "projects": "bot.cli.projects:import_projects",
    "guide": "bot.cli.guide:import_guide",
}
EXPORTERS: dict[str, str] = {
    "enterprises": "bot.cli.enterprises:export_enterprises",
    "attendance": "bot.cli.projects:export_attendance",
}


def _resolve(target: str) -> Callable[..., int]:
    module, _, name = target.partition(":")
    function: Callable[..., int] = getattr(importlib.import_module(module), name)
    return function


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=sorted(IMPORTERS), help="what the file holds")
    parser.add_argument("file", type=Path, help="the file to import")


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=sorted(EXPORTERS), help="what to export")
    parser.add_argument("argument", nargs="?", help="e.g. a month YYYY-MM for attendance, an output file")


@command("import", "import data from a file: " + ", ".join(sorted(IMPORTERS)), _import_arguments)
def import_command(settings: Settings, args: argparse.Namespace) -> int:
    importer: Importer = _resolve(IMPORTERS[args.what])
    return importer(settings, args.file, sys.stdout, sys.stderr)


@command("export", "export data: " + ", ".join(sorted(EXPORTERS)), _export_arguments)
def export_command(settings: Settings, args: argparse.Namespace) -> int:
    exporter: Exporter = _resolve(EXPORTERS[args.what])
    return exporter(settings, args.argument, sys.stdout, sys.stderr)
