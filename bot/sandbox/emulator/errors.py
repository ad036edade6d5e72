"""Telegram's refusal, as every part of the emulator raises it and the bot receives it.

Why one exception for every layer: a check deep in the store and a parse error in the HTTP layer
must reach the bot as the same JSON envelope, with Telegram's own wording, so that the bot's error
handling meets what production would send it.
"""

from __future__ import annotations

from bot.sandbox.emulator.records import JSON

__all__ = ["ApiError"]


class ApiError(Exception):
    """A Telegram error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def envelope(self) -> JSON:
        """The JSON body; ``parameters`` (Telegram's ResponseParameters) only when there are some."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        parameters: JSON = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body
