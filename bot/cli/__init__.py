"""Subcommands of `python -m bot`: one module per feature, each registering with `registry.command`."""

from bot.cli import core, outbox  # noqa: F401 - importing registers the subcommands
from bot.cli import report  # noqa: F401
from bot.cli import ops  # noqa: F401
from bot.cli import data  # noqa: F401 - the shared import/export verbs
from bot.cli.registry import COMMANDS, command

__all__ = ["COMMANDS", "command"]
