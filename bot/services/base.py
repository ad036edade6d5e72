"""What every use case shares: the pieces of `Services` it works with, and the bad-input error.

Feature services subclass `UseCases` instead of each copying db, clock, settings and renderer
out of `Services` and re-writing `now()` and `render()`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.services import Services


class InvalidInput(ValueError):
    """A value a person typed or pressed that we cannot accept; nothing was changed.

    `code` picks the message shown to them (each feature's handlers map codes to texts), and
    `details` fill its placeholders.
    """

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


class UseCases:
    """Base of a feature's use cases: `db`, `settings`, `clock`, `now()`, `render()`, `gettext()`."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.db = services.db
        self.settings = services.settings
        self.clock = services.clock
        self.renderer = services.renderer

    def now(self) -> datetime:
        return self.clock.now()

    def render(self, lang: str, template: str, **values: Any) -> str:
        """A message for the outbox, in the recipient's language (valid Telegram HTML)."""
        return self.renderer.render(lang, template, **values)

    def gettext(self, lang: str, message: str, **values: object) -> str:
        """A translated plain string (a button label in an outbox message)."""
        return self.renderer.gettext(lang, message, **values)
