# i18n-domain: events
"""The one presenter of an event as a person sees it, and the buttons of its outbox messages.

Every use case of the feature answers with an `EventView`: the text versions chosen for the
reader's language, the places left and the reader's own answer (going, waiting, offered...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.callbacks import Action
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.storage import events as events_repo
from bot.storage.events import LANGS, EventRow, Topic

FEATURE = "ev"
# Buttons of messages the services queue (offers, announcements); routed by bot/handlers/events.py.
GO = Action(FEATURE, "go")
UNSUBSCRIBE = Action(FEATURE, "unsub")

# Button labels and alerts of this feature (translated where shown).
GOING_LABEL = N_("I'll come")
LEAVE_LABEL = N_("Cancel my place")
TAKE_LABEL = N_("Take the place")
UNSUBSCRIBE_LABEL = N_("Stop these announcements")


@dataclass(frozen=True)
class EventView:
    """One event as one person sees it (text versions chosen for their language)."""

    event: EventRow
    topic: Topic | None
    title: str
    description: str
    going: int
    waiting: int
    places_left: int | None  # None = no limit
    my_status: str | None  # going / waiting / offered / left / None
    my_position: int | None  # place in the waiting list (1 = next)
    offer_expires_at: datetime | None

    @property
    def id(self) -> int:
        return self.event.id


def pick_text(versions: dict[str, str], lang: str, default: str) -> str:
    """The reader's language version, else the station's default, else whichever exists."""
    for candidate in (lang, default, *LANGS):
        if versions.get(candidate):
            return versions[candidate]
    return ""


async def event_view(
    conn: aiosqlite.Connection, event: EventRow, user_id: int, lang: str, default: str
) -> EventView:
    """`event` as `user_id` sees it in `lang` (`default`: the station's language)."""
    rsvps = await events_repo.rsvps(conn, event.id)
    holding = [r for r in rsvps if r.status in ("going", "offered")]
    waiting = [r for r in rsvps if r.status == "waiting"]
    mine = await events_repo.rsvp_of(conn, event.id, user_id)
    position = next((i + 1 for i, r in enumerate(waiting) if r.user_id == user_id), None)
    return EventView(
        event=event,
        topic=await events_repo.topic(conn, event.topic),
        title=pick_text(event.titles, lang, default),
        description=pick_text(event.descriptions, lang, default),
        going=sum(1 for r in rsvps if r.status == "going"),
        waiting=len(waiting),
        places_left=None if event.capacity is None else max(0, event.capacity - len(holding)),
        my_status=mine.status if mine else None,
        my_position=position,
        offer_expires_at=mine.offer_expires_at if mine and mine.status == "offered" else None,
    )


async def published_event(conn: aiosqlite.Connection, event_id: int) -> EventRow:
    """A published event, else InvalidInput('event') (a draft, a discarded event, a forged id)."""
    event = await events_repo.get_event(conn, event_id)
    if event is None or event.status != "published":
        raise InvalidInput("event")
    return event
