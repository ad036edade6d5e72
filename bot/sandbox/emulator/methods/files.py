"""The Bot API method getFile: a file_id becomes a file_path the bot can download.

Why its own module: downloads are the one method that hands out a URL of the server itself
(``/file/bot<token>/<file_path>``, served by :mod:`bot.sandbox.emulator.server`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.records import JSON

if TYPE_CHECKING:
    from bot.sandbox.emulator.emulator import Emulator
    from bot.sandbox.emulator.methods import Method

__all__ = ["METHODS"]


async def get_file(emu: Emulator, p: Params) -> JSON:
    record = emu.files.get(p.string("file_id") or "")
    if record is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    if record.data is None:
        raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
    path = emu.files.path_of(record)
    return {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": record.size,
        "file_path": path,
    }


METHODS: dict[str, Method] = {"getFile": get_file}
