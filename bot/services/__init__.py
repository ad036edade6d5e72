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
from bot.settings import Settings
from bot.storage.db import Database

if TYPE_CHECKING:
    from bot.services.chats import Chats
    from bot.services.data import Data
    from bot.services.enterprises import Enterprises
    from bot.services.events import Events
    from bot.services.guide import GuideService
    from bot.services.miniapp import MiniApp
    from bot.services.privacy import PrivacyService
    from bot.services.requests import Requests
    from bot.services.roles import RolesService
    from bot.services.stats import Stats
    from bot.services.users import UserService
    from bot.services.volunteer import Volunteer


@dataclass
class Services:
    """Every use case, reachable as services.<feature>; features may call each other at run time."""

    settings: Settings
    clock: Clock
    db: Database
    renderer: Renderer
    access: AccessService
    users: UserService = field(init=False)
    roles: RolesService = field(init=False)
    requests: Requests = field(init=False)
    privacy: PrivacyService = field(init=False)
    events: Events = field(init=False)
    stats: Stats = field(init=False)
    enterprises: Enterprises = field(init=False)
    guide: GuideService = field(init=False)
    volunteer: Volunteer = field(init=False)
    chats: Chats = field(init=False)
    miniapp: MiniApp = field(init=False)
    data: Data = field(init=False)


def build_services(settings: Settings, clock: Clock, db: Database) -> Services:
    from bot.services import enterprises, miniapp, volunteer
    from bot.services.chats import Chats
    from bot.services.data import build as build_data
    from bot.services.events import build as build_events
    from bot.services.guide import GuideService
    from bot.services.privacy import PrivacyService
    from bot.services.requests import build as build_requests
    from bot.services.roles import RolesService
    from bot.services.stats import build as build_stats
    from bot.services.users import UserService

    services = Services(
        settings=settings,
        clock=clock,
        db=db,
        renderer=Renderer(settings.tz),
        access=AccessService(db, settings),
    )
    services.users = UserService(services)
    services.roles = RolesService(services)
    services.requests = build_requests(services)
    services.privacy = PrivacyService(services)
    services.events = build_events(services)
    services.stats = build_stats(services)
    services.enterprises = enterprises.build(services)
    services.guide = GuideService(services)
    services.volunteer = volunteer.build(services)
    services.chats = Chats(services)
    services.miniapp = miniapp.build(services)
    services.data = build_data(services)
    return services
