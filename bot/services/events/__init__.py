"""Announcements and events: topic subscriptions, publishing to a topic's subscribers, RSVPs.

Why a topic model: the station reaches 30,000 people and must not spam them, so an announcement
goes only to the people who asked for that topic, through the outbox at Telegram's pace, and a
broadcast to more than 1,000 people needs its sender to confirm the count first.

RSVPs hold places with the same capacity / waiting-list / offer-window rules as volunteer shifts
(`bot.domain.capacity`): a freed place is offered to the first person waiting, who has a while
to take it before it passes to the next.

The use cases, by what a person does (callers write `services.events.places.rsvp(...)`):
- `browsing`: topics one subscribes to, the upcoming events and one event's card;
- `places`: coming, leaving, and the offers of freed places (with their expiry tick);
- `publishing`: an organiser's draft, its preview, publishing it and the announcement.
`views.py` holds the one presenter of an event as a person sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.events.browsing import Browsing
from bot.services.events.places import Places
from bot.services.events.publishing import Publishing

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Events:
    browsing: Browsing
    places: Places
    publishing: Publishing


def build(services: Services) -> Events:
    return Events(browsing=Browsing(services), places=Places(services), publishing=Publishing(services))
