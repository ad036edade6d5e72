"""Request parameters, whatever the encoding, with Telegram's answers to malformed ones.

Why: python-telegram-bot sends ``application/x-www-form-urlencoded`` (nested values as JSON
strings), ``multipart/form-data`` when it uploads files, and other clients send JSON bodies or
query strings.  Bot API methods read typed values from :class:`Params` and never see the encoding;
a value Telegram could not parse becomes the 400 Telegram would answer.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.records import JSON

__all__ = ["Params", "Upload", "read_params"]

#: An uploaded file: (file name, bytes, content type).
Upload = tuple[str, bytes, str]


class Params:
    """Typed access to request parameters, whatever the encoding (form, multipart, JSON)."""

    def __init__(self, values: JSON, files: dict[str, Upload]) -> None:
        self.values = values
        self.files = files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def has(self, name: str) -> bool:
        return name in self.values or name in self.files

    def string(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise ApiError(400, f'Bad Request: parameter "{name}" is required')
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise ApiError(400, f"Bad Request: {name} is empty")
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, f'Bad Request: invalid value of parameter "{name}"') from None

    def required_integer(self, name: str) -> int:
        """An integer Telegram insists on (``... is empty`` when it is missing)."""
        value = self.integer(name, required=True)
        assert value is not None
        return value

    def number(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise ApiError(400, f"Bad Request: {name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, f'Bad Request: invalid value of parameter "{name}"') from None

    def boolean(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f'Bad Request: can\'t parse "{name}" JSON object') from None
        return value


async def read_params(request: web.Request) -> Params:
    """The parameters of a Bot API request: query string, then the body (JSON, form or multipart)."""
    values: JSON = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            values.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = (
                        value.filename,
                        value.file.read(),
                        value.content_type or "application/octet-stream",
                    )
                else:
                    values[key] = value if isinstance(value, str) else bytes(value).decode()
    return Params(values, files)
