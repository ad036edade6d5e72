"""Command line: `python -m bot [run|migrate|version|outbox|...]` (also installed as `jingan-bot`)."""

from __future__ import annotations

import argparse
import sys

from bot.cli import COMMANDS
from bot.logging_setup import configure_logging
from bot.settings import Settings, SettingsError
from bot.storage.db import DatabaseUnavailable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jingan-bot", description="Jing'an Temple service station bot")
    sub = parser.add_subparsers(dest="command")
    for name, (help_text, arguments, _) in COMMANDS.items():
        arguments(sub.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    name = args.command or "run"
    if name == "version":
        return COMMANDS[name][2](Settings(), args)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(
        settings.log_level, settings.log_format, secrets=(settings.token, settings.webhook_secret)
    )
    try:
        return COMMANDS[name][2](settings, args)
    except DatabaseUnavailable as error:
        # One line for the service manager's log, and a non-zero exit so it does not think we run.
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
