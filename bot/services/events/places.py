"""Places at an event: coming, leaving, and offering a freed place to the next person waiting.

The capacity / waiting-list / offer-window rules are the volunteer shifts' (`bot.domain.capacity`):
a freed place is held for the first person waiting, who has a while to take it (an outbox message
with a button) before the expiry tick passes it to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain.capacity import Join, Snapshot, decide_join, offer_expiry, offer_valid, offers_to_make
from bot.services.base import UseCases
from bot.services.events.views import GO, TAKE_LABEL, EventView, event_view, pick_text, published_event
from bot.storage import events as events_repo
from bot.storage import outbox
from bot.storage import users as users_repo
from bot.storage.db import ts
from bot.storage.events import EventRow


@dataclass(frozen=True)
class RsvpResult:
    outcome: str  # going / waiting / already / left / not_going / offer_gone / closed
    view: EventView


class Places(UseCases):
    async def _view(self, conn: aiosqlite.Connection, event: EventRow, user_id: int, lang: str) -> EventView:
        return await event_view(conn, event, user_id, lang, self.settings.default_language)

    async def rsvp(self, user_id: int, event_id: int, lang: str) -> RsvpResult:
        """Hold a place if one is free (or take an offered one), else join the waiting list."""
        async with self.db.tx() as conn:
            event = await published_event(conn, event_id)
            now = self.now()
            if event.starts_at <= now:
                return RsvpResult("closed", await self._view(conn, event, user_id, lang))
            mine = await events_repo.rsvp_of(conn, event_id, user_id)
            if mine is not None and mine.status in ("going", "waiting"):
                return RsvpResult("already", await self._view(conn, event, user_id, lang))
            if mine is not None and mine.status == "offered":
                if offer_valid(mine.offer_expires_at, now):
                    await events_repo.set_rsvp(conn, event_id, user_id, "going", now)
                    return RsvpResult("going", await self._view(conn, event, user_id, lang))
                # Too late (the tick has not run yet): the held place goes back to the queue.
                await events_repo.set_rsvp(conn, event_id, user_id, "left", now)
            rsvps = await events_repo.rsvps(conn, event_id)
            joined = decide_join(_snapshot(event.capacity, rsvps))
            status = "going" if joined is Join.CONFIRM else "waiting"
            await events_repo.set_rsvp(conn, event_id, user_id, status, now, rejoin=True)
            await self._offer_freed_places(conn, event)
            view = await self._view(conn, event, user_id, lang)
            return RsvpResult(view.my_status if view.my_status == "offered" else status, view)

    async def leave(self, user_id: int, event_id: int, lang: str) -> RsvpResult:
        """Give a place (or a waiting-list spot, or an offer) back; a freed place is offered on."""
        async with self.db.tx() as conn:
            event = await published_event(conn, event_id)
            mine = await events_repo.rsvp_of(conn, event_id, user_id)
            if mine is None or mine.status == "left":
                return RsvpResult("not_going", await self._view(conn, event, user_id, lang))
            await events_repo.set_rsvp(conn, event_id, user_id, "left", self.now())
            if mine.status in ("going", "offered"):
                await self._offer_freed_places(conn, event)
            return RsvpResult("left", await self._view(conn, event, user_id, lang))

    async def expire_offers(self) -> int:
        """Tick: an offer not taken in time goes back to the pool and on to the next person waiting."""
        async with self.db.tx() as conn:
            now = self.now()
            expired = await events_repo.expired_offers(conn, now)
            touched: dict[int, EventRow] = {}
            for rsvp in expired:
                # The chance passed; pressing "I'll come" again puts them at the back of the queue.
                await events_repo.set_rsvp(conn, rsvp.event_id, rsvp.user_id, "left", now)
                event = await events_repo.get_event(conn, rsvp.event_id)
                if event is not None and event.status == "published":
                    touched[event.id] = event
            for event in touched.values():
                await self._offer_freed_places(conn, event)
            return len(expired)

    async def _offer_freed_places(self, conn: aiosqlite.Connection, event: EventRow) -> int:
        """Offer every free place to the next people waiting, each told through the outbox.

        Too close to the start to hold a place (`offer_expiry` is None), the first in line simply
        gets it: nobody would have time to answer an offer.
        """
        now = self.now()
        if event.starts_at <= now:
            return 0
        rsvps = await events_repo.rsvps(conn, event.id)
        waiting = [r for r in rsvps if r.status == "waiting"]
        chosen = waiting[: offers_to_make(_snapshot(event.capacity, rsvps))]
        expires = offer_expiry(now, event.starts_at)
        for rsvp in chosen:
            status = "offered" if expires is not None else "going"
            await events_repo.set_rsvp(conn, event.id, rsvp.user_id, status, now, offer_expires_at=expires)
            await self._notify_offer(conn, event, rsvp.user_id, expires)
        return len(chosen)

    async def _notify_offer(
        self, conn: aiosqlite.Connection, event: EventRow, user_id: int, expires: datetime | None
    ) -> None:
        """Tell the person in their language: a place is held for them (or, late, simply theirs)."""
        user = await users_repo.get(conn, user_id)
        lang = self.services.users.language_of(user)
        title = pick_text(event.titles, lang, self.settings.default_language)
        text = self.render(lang, "events/offer.html", title=title, event=event, expires_at=expires)
        buttons = [[GO.button(self.gettext(lang, TAKE_LABEL), event.id)]] if expires else None
        now = self.now()
        await outbox.enqueue(
            conn,
            chat_id=user_id,
            kind="event_offer",
            text=text,
            now=now,
            expires_at=expires or event.starts_at,
            dedupe_key=f"event:{event.id}:offer:{user_id}:{ts(now)}",
            buttons=buttons,
        )


def _snapshot(capacity: int | None, rsvps: list[events_repo.Rsvp]) -> Snapshot:
    """The shared capacity rules' view of one event; no limit = as many places as people."""
    confirmed = sum(1 for r in rsvps if r.status == "going")
    offered = sum(1 for r in rsvps if r.status == "offered")
    waiting = sum(1 for r in rsvps if r.status == "waiting")
    limit = capacity if capacity is not None else confirmed + offered + waiting + 1
    return Snapshot(capacity=limit, confirmed=confirmed, offered=offered, waiting=waiting)
