"""Subcommands of `python -m bot`: one module per feature, each registering with `registry.command`."""

from bot.cli import (  # noqa: F401 - importing registers the subcommands
    core,
    data,
    ops,
    outbox,
    report,
)
from bot.cli.registry import COMMANDS, command

__all__ = ["COMMANDS", "command"]
