"""Use cases: one method per thing a person does.

Each opens one transaction, calls storage and domain code, enqueues outbox messages in the same
transaction and returns plain data. No Telegram objects here: handlers translate updates into
calls and results into messages. Importing any module of this package must not import `telegram`
(tests/unit/test_architecture.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.render import Renderer
from bot.services.access import AccessService
from bot.services.users import UserService
from bot.settings import Settings
from bot.storage.db import Database

if TYPE_CHECKING:
    from bot.services.enterprises import EnterpriseService
    from bot.services.events import EventsService
    from bot.services.guide import GuideService
    from bot.services.privacy import PrivacyService
    from bot.services.requests import Requests
    from bot.services.roles import RolesService
    from bot.services.stats import StatsService
    from bot.services.volunteer import VolunteerService


@dataclass
class Services:
    """Every use case, reachable as services.<feature>; features may call each other at run time."""

    settings: Settings
    clock: Clock
    db: Database
    renderer: Renderer
    users: UserService
    access: AccessService
    roles: RolesService = field(init=False)
    requests: Requests = field(init=False)
    privacy: PrivacyService = field(init=False)
    events: EventsService = field(init=False)
    stats: StatsService = field(init=False)
    enterprises: EnterpriseService = field(init=False)
    guide: GuideService = field(init=False)
    volunteer: VolunteerService = field(init=False)


def build_services(settings: Settings, clock: Clock, db: Database) -> Services:
    from bot.services.enterprises import EnterpriseService
    from bot.services.events import EventsService
    from bot.services.guide import GuideService
    from bot.services.privacy import PrivacyService
    from bot.services.requests import build as build_requests
    from bot.services.roles import RolesService
    from bot.services.stats import StatsService
    from bot.services.volunteer import VolunteerService

    services = Services(
        settings=settings,
        clock=clock,
        db=db,
        renderer=Renderer(settings.tz),
        users=UserService(db, clock, settings),
        access=AccessService(db, settings),
    )
    services.roles = RolesService(services)
    services.requests = build_requests(services)
    services.privacy = PrivacyService(services)
    services.events = EventsService(services)
    services.stats = StatsService(services)
    services.enterprises = EnterpriseService(services)
    services.guide = GuideService(services)
    services.volunteer = VolunteerService(services)
    return services
