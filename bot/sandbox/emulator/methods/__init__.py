"""The Bot API methods the emulator serves, grouped by what they act on.

Each module holds ``async def name(emu, params)`` functions and a ``METHODS`` table from the Bot
API's method name to the function; :func:`bind` merges the tables for the server.  A new method is
one function and one table line in the module of its group.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator.methods import chats, edits, files, messages, profile, updates
from bot.sandbox.emulator.params import Params

if TYPE_CHECKING:
    from bot.sandbox.emulator.emulator import Emulator
    from bot.sandbox.emulator.server import Handler

__all__ = ["Method", "bind"]

#: A Bot API method: the emulator and the request's parameters in, the JSON ``result`` out.
Method = Callable[["Emulator", Params], Awaitable[Any]]


def bind(emu: Emulator) -> dict[str, Handler]:
    """Every method, by its Bot API name, bound to ``emu``."""
    groups = (profile, updates, messages, edits, chats, files)
    tables = [group.METHODS for group in groups]
    names = [name for table in tables for name in table]
    assert len(names) == len(set(names)), "a Bot API method is served by two groups"
    return {name: functools.partial(method, emu) for table in tables for name, method in table.items()}
