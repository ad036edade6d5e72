"""Use cases: one method per thing a person does.

Each opens one transaction, calls storage and domain code, enqueues outbox messages in the same
transaction and returns plain data. No Telegram objects here: handlers translate updates into
calls and results into messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.render import Renderer
from bot.services.access import AccessService
from bot.services.users import UserService
from bot.settings import Settings
from bot.storage.db import Database


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    renderer: Renderer
    users: UserService
    access: AccessService
    features: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # Feature services (requests, outbox, volunteer, ...) register themselves by name.
        try:
            return self.__dict__["features"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_services(settings: Settings, clock: Clock, db: Database) -> Services:
    renderer = Renderer(settings.tz)
    users = UserService(db, clock, settings)
    access = AccessService(db, settings)
    services = Services(settings=settings, clock=clock, db=db, renderer=renderer, users=users, access=access)
    from bot.services import registry

    registry.install_features(services)
    return services
