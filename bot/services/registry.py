"""Feature services, each constructed from the shared pieces and reachable as services.<name>."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services


def install_features(services: Services) -> None:
    """One line per feature; order does not matter (services look each other up lazily)."""
    from bot.services.privacy import PrivacyService
    from bot.services.roles import RolesService

    services.features["roles"] = RolesService(services)
    from bot.services.requests import RequestService

    services.features["requests"] = RequestService(services)
    services.features["privacy"] = PrivacyService(services)
    from bot.services.events import EventsService

    services.features["events"] = EventsService(services)
    from bot.services.stats import StatsService

    services.features["stats"] = StatsService(services)
    from bot.services.enterprises import EnterpriseService

    services.features["enterprises"] = EnterpriseService(services)
    from bot.services.guide import GuideService

    services.features["guide"] = GuideService(services)
    from bot.services.volunteer import VolunteerService

    services.features["volunteer"] = VolunteerService(services)
