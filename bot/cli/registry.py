"""The registry of `python -m bot` subcommands (features add theirs in bot/cli/<feature>.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.settings import Settings

Command = Callable[[Settings, argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Command]] = {}


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    return None


def command(
    name: str, help_text: str, arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments
) -> Callable[[Command], Command]:
    """Register the decorated function as `python -m bot <name>`; `arguments` adds its options."""

    def decorate(func: Command) -> Command:
        COMMANDS[name] = (help_text, arguments, func)
        return func

    return decorate
