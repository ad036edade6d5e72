"""Announcements and events: topic subscriptions, publishing to a topic's subscribers, RSVPs.

Why a topic model: the station reaches 30,000 people and must not spam them, so an announcement
goes only to the people who asked for that topic, through the outbox at Telegram's pace, and a
broadcast to more than 1,000 people needs its sender to confirm the count first.

RSVPs hold places with the same capacity / waiting-list / offer-window rules as volunteer shifts
(`bot.domain.capacity`): a freed place is offered to the first person waiting, who has a while
to take it before it passes to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.callbacks import button
from bot.domain.capacity import (
    CapacityError,
    Join,
    Snapshot,
    check_capacity,
    decide_join,
    offer_expiry,
    offer_valid,
    offers_to_make,
)
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.services.users import pick_language
from bot.storage import events as events_repo
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage.db import ts
from bot.storage.events import LANGS, EventRow, Topic

if TYPE_CHECKING:
    import aiosqlite

    from bot.services import Services

# More recipients than this and the sender must confirm the count before anything is queued.
CONFIRM_OVER = 1000
TITLE_MAX = 120
DESCRIPTION_MAX = 1500
PLACE_MAX = 200
CAPACITY_MAX = 10_000  # the shared capacity rules' maximum
UPCOMING_LIMIT = 10

_LANG_LINE = re.compile(r"^\s*(zh|en|fr)\s*[:：]\s*(.*)$", re.I)
_WHEN = re.compile(r"^\s*(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})\s+(\d{1,2})[:：.](\d{2})\s*$")

# Button labels and alerts of this feature (translated where shown).
GOING_LABEL = N_("I'll come")
LEAVE_LABEL = N_("Cancel my place")
TAKE_LABEL = N_("Take the place")
UNSUBSCRIBE_LABEL = N_("Stop these announcements")


@dataclass(frozen=True)
class Draft:
    """What the /publish flow collected, before the service validates it all once more."""

    topic: str
    titles: dict[str, str]
    starts_at: datetime
    place: str
    capacity: int | None
    descriptions: dict[str, str] = field(default_factory=dict)


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


@dataclass(frozen=True)
class SubscriptionView:
    topics: list[Topic]
    subscribed: set[str]


@dataclass(frozen=True)
class RsvpResult:
    outcome: str  # going / waiting / already / left / not_going / offer_gone / closed
    view: EventView


@dataclass(frozen=True)
class Preview:
    view: EventView
    recipients: int


@dataclass(frozen=True)
class PublishResult:
    outcome: str  # sent / confirm / already
    recipients: int
    view: EventView


def pick_text(versions: dict[str, str], lang: str, default: str) -> str:
    """The reader's language version, else the station's default, else whichever exists."""
    for candidate in (lang, default, *LANGS):
        if versions.get(candidate):
            return versions[candidate]
    return ""


def parse_versions(text: str, fallback_lang: str, limit: int, code: str) -> dict[str, str]:
    """`zh: …` / `en: …` / `fr: …` lines give language versions; plain text is the sender's language.

    A version may continue on the following lines (descriptions have paragraphs).
    """
    versions: dict[str, list[str]] = {}
    current: str | None = None
    for line in (text or "").splitlines():
        match = _LANG_LINE.match(line)
        if match:
            current = match.group(1).lower()
            versions[current] = [match.group(2)]
        elif current is not None:
            versions[current].append(line)
        elif line.strip():
            current = fallback_lang
            versions.setdefault(current, []).append(line)
    out = {lang: "\n".join(lines).strip() for lang, lines in versions.items()}
    out = {lang: value for lang, value in out.items() if value}
    if not out:
        raise InvalidInput(f"{code}_empty")
    too_long = [v for v in out.values() if len(v) > limit]
    if too_long:
        raise InvalidInput(f"{code}_length", max=limit)
    return out


class EventsService:
    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def _now(self) -> datetime:
        return self.services.clock.now()

    def _default_lang(self) -> str:
        return self.services.settings.default_language

    # --------------------------------------------------------------------------- subscriptions

    async def subscriptions(self, user_id: int) -> SubscriptionView:
        async with self.services.db.read() as conn:
            return SubscriptionView(
                await events_repo.topics(conn), await events_repo.subscriptions(conn, user_id)
            )

    async def toggle(self, user_id: int, topic_key: str) -> SubscriptionView:
        """Subscribe to a topic one is not subscribed to, and the other way round."""
        async with self.services.db.tx() as conn:
            if await events_repo.topic(conn, topic_key) is None:
                raise InvalidInput("topic")
            if topic_key in await events_repo.subscriptions(conn, user_id):
                await events_repo.unsubscribe(conn, user_id, topic_key)
            else:
                await events_repo.subscribe(conn, user_id, topic_key, self._now)
            return SubscriptionView(
                await events_repo.topics(conn), await events_repo.subscriptions(conn, user_id)
            )

    async def unsubscribe(self, user_id: int, topic_key: str) -> Topic:
        async with self.services.db.tx() as conn:
            topic = await events_repo.topic(conn, topic_key)
            if topic is None:
                raise InvalidInput("topic")
            await events_repo.unsubscribe(conn, user_id, topic_key)
            return topic

    # ---------------------------------------------------------------------------------- viewing

    async def _view(self, conn: aiosqlite.Connection, event: EventRow, user_id: int, lang: str) -> EventView:
        rsvps = await events_repo.rsvps(conn, event.id)
        holding = [r for r in rsvps if r.status in ("going", "offered")]
        waiting = [r for r in rsvps if r.status == "waiting"]
        mine = await events_repo.rsvp_of(conn, event.id, user_id)
        position = next((i + 1 for i, r in enumerate(waiting) if r.user_id == user_id), None)
        default = self._default_lang()
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

    async def upcoming(self, user_id: int, lang: str) -> list[EventView]:
        async with self.services.db.read() as conn:
            events = await events_repo.upcoming(conn, self._now, UPCOMING_LIMIT)
            return [await self._view(conn, e, user_id, lang) for e in events]

    async def event(self, user_id: int, event_id: int, lang: str) -> EventView:
        async with self.services.db.read() as conn:
            event = await events_repo.get_event(conn, event_id)
            if event is None or event.status != "published":
                raise InvalidInput("event")
            return await self._view(conn, event, user_id, lang)

    # ------------------------------------------------------------------------------------ RSVPs

    async def _open_event(self, conn: aiosqlite.Connection, event_id: int) -> EventRow:
        event = await events_repo.get_event(conn, event_id)
        if event is None or event.status != "published":
            raise InvalidInput("event")
        return event

    async def rsvp(self, user_id: int, event_id: int, lang: str) -> RsvpResult:
        """Hold a place if one is free (or take an offered one), else join the waiting list."""
        async with self.services.db.tx() as conn:
            event = await self._open_event(conn, event_id)
            now = self._now
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
        async with self.services.db.tx() as conn:
            event = await self._open_event(conn, event_id)
            mine = await events_repo.rsvp_of(conn, event_id, user_id)
            if mine is None or mine.status == "left":
                return RsvpResult("not_going", await self._view(conn, event, user_id, lang))
            await events_repo.set_rsvp(conn, event_id, user_id, "left", self._now)
            if mine.status in ("going", "offered"):
                await self._offer_freed_places(conn, event)
            return RsvpResult("left", await self._view(conn, event, user_id, lang))

    async def _offer_freed_places(self, conn: aiosqlite.Connection, event: EventRow) -> int:
        """Offer every free place to the next people waiting, each told through the outbox.

        Too close to the start to hold a place (`offer_expiry` is None), the first in line simply
        gets it: nobody would have time to answer an offer.
        """
        now = self._now
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
        from bot.storage import users as users_repo

        user = await users_repo.get(conn, user_id)
        lang = self.services.users.language_of(user)
        title = pick_text(event.titles, lang, self._default_lang())
        renderer = self.services.renderer
        text = renderer.render(lang, "events/offer.html", title=title, event=event, expires_at=expires)
        buttons = [[button(renderer.gettext(lang, TAKE_LABEL), "ev", "go", event.id)]] if expires else None
        await outbox.enqueue(
            conn,
            chat_id=user_id,
            kind="event_offer",
            text=text,
            now=self._now,
            expires_at=expires or event.starts_at,
            dedupe_key=f"event:{event.id}:offer:{user_id}:{ts(self._now)}",
            buttons=buttons,
        )

    async def expire_offers(self) -> int:
        """Tick: an offer not taken in time goes back to the pool and on to the next person waiting."""
        async with self.services.db.tx() as conn:
            expired = await events_repo.expired_offers(conn, self._now)
            touched: dict[int, EventRow] = {}
            for rsvp in expired:
                # The chance passed; pressing "I'll come" again puts them at the back of the queue.
                await events_repo.set_rsvp(conn, rsvp.event_id, rsvp.user_id, "left", self._now)
                event = await events_repo.get_event(conn, rsvp.event_id)
                if event is not None and event.status == "published":
                    touched[event.id] = event
            for event in touched.values():
                await self._offer_freed_places(conn, event)
            return len(expired)

    # ------------------------------------------------------------------------------- publishing

    def parse_titles(self, text: str, lang: str) -> dict[str, str]:
        return parse_versions(text, lang, TITLE_MAX, "title")

    def parse_descriptions(self, text: str, lang: str) -> dict[str, str]:
        return parse_versions(text, lang, DESCRIPTION_MAX, "description")

    def parse_when(self, text: str) -> datetime:
        """'2026-12-03 19:00' or '12-03 19:00' in the station's time zone; must be in the future."""
        match = _WHEN.match(text or "")
        if not match:
            raise InvalidInput("when_format")
        year, month, day, hour, minute = match.groups()
        tz = self.services.settings.tz
        local_now = self._now.astimezone(tz)
        try:
            moment = datetime(
                int(year) if year else local_now.year, int(month), int(day), int(hour), int(minute), tzinfo=tz
            )
            if not year and moment <= local_now:
                moment = moment.replace(year=local_now.year + 1)
        except ValueError:
            raise InvalidInput("when_format") from None
        if moment <= local_now:
            raise InvalidInput("when_past")
        if moment > local_now + timedelta(days=366):
            raise InvalidInput("when_far")
        return moment

    def parse_place(self, text: str) -> str:
        place = " ".join((text or "").split())
        if not place or len(place) > PLACE_MAX:
            raise InvalidInput("place_length", max=PLACE_MAX)
        return place

    def parse_capacity(self, text: str | None) -> int | None:
        """A number of places; None (the 'No limit' button) means anyone may come."""
        if text is None:
            return None
        value = (text or "").strip()
        if not value.isdigit() or not 1 <= int(value) <= CAPACITY_MAX:
            raise InvalidInput("capacity", max=CAPACITY_MAX)
        return int(value)

    async def topics(self) -> list[Topic]:
        async with self.services.db.read() as conn:
            return await events_repo.topics(conn)

    async def create_draft(self, user_id: int, draft: Draft, lang: str) -> Preview:
        """Store the event unpublished and say how many people it would reach."""
        async with self.services.db.tx() as conn:
            access = await self.services.access.of_in(conn, user_id)
            access.require_organiser()
            if await events_repo.topic(conn, draft.topic) is None:
                raise InvalidInput("topic")
            # Validate again: the flow's answers were typed one by one, maybe hours ago.
            if draft.starts_at <= self._now:
                raise InvalidInput("when_past")
            if draft.capacity is not None:
                try:
                    check_capacity(draft.capacity)
                except CapacityError:
                    raise InvalidInput("capacity", max=CAPACITY_MAX) from None
            event_id = await events_repo.create_event(
                conn,
                topic_key=draft.topic,
                titles=draft.titles,
                descriptions=draft.descriptions,
                starts_at=draft.starts_at,
                place=draft.place,
                capacity=draft.capacity,
                created_by=user_id,
                now=self._now,
            )
            event = await events_repo.get_event(conn, event_id)
            assert event is not None
            recipients = await events_repo.count_subscribers(conn, draft.topic)
            return Preview(await self._view(conn, event, user_id, lang), recipients)

    async def publish(
        self, user_id: int, event_id: int, lang: str, confirmed_count: int | None = None
    ) -> PublishResult:
        """Publish a draft and queue its announcement to every subscriber of its topic.

        Over CONFIRM_OVER recipients nothing is queued until the sender confirms the count they
        were shown; if the count grew since, they are asked again with the new number.
        """
        async with self.services.db.tx() as conn:
            access = await self.services.access.of_in(conn, user_id)
            event = await events_repo.get_event(conn, event_id)
            if event is None:
                raise InvalidInput("event")
            access.require_organiser()
            if not access.is_admin and event.created_by != user_id:
                from bot.services.access import NOT_ORGANISER, NotAllowed

                raise NotAllowed(NOT_ORGANISER)
            recipients = await events_repo.subscribers(conn, event.topic)
            if event.status != "draft":
                return PublishResult("already", len(recipients), await self._view(conn, event, user_id, lang))
            if event.starts_at <= self._now:
                raise InvalidInput("when_past")
            needs_confirmation = len(recipients) > CONFIRM_OVER
            if needs_confirmation and confirmed_count != len(recipients):
                return PublishResult("confirm", len(recipients), await self._view(conn, event, user_id, lang))
            now = self._now
            await events_repo.mark_published(conn, event_id, now)
            event = await events_repo.get_event(conn, event_id)
            assert event is not None
            await self._queue_announcement(conn, event, recipients)
            await events_repo.record_broadcast(
                conn,
                event_id=event_id,
                topic_key=event.topic,
                sent_by=user_id,
                recipients=len(recipients),
                confirmed_count=confirmed_count if needs_confirmation else None,
                now=now,
            )
            await roles_repo.audit(
                conn, now, user_id, "event.publish", f"event:{event_id}", f"{event.topic} → {len(recipients)}"
            )
            return PublishResult("sent", len(recipients), await self._view(conn, event, user_id, lang))

    async def _queue_announcement(
        self, conn: aiosqlite.Connection, event: EventRow, recipients: list[events_repo.Recipient]
    ) -> None:
        """One outbox row per subscriber, in their language, spread at Telegram's pace.

        The sender would respect the rate anyway; spreading `not_before` keeps a big broadcast
        from standing in front of a staff alert queued a second later.
        """

        renderer = self.services.renderer
        per_second = max(1, int(self.services.settings.send_rate * 0.8))
        topic = await events_repo.topic(conn, event.topic)
        rendered: dict[str, tuple[str, list[list[dict[str, str]]]]] = {}
        now = self._now
        messages = []
        for index, person in enumerate(recipients):
            lang = pick_language(person.language, person.telegram_language, self._default_lang())
            if lang not in rendered:
                default = self._default_lang()
                text = renderer.render(
                    lang,
                    "events/announcement.html",
                    event=event,
                    topic=topic.name(lang) if topic else "",
                    title=pick_text(event.titles, lang, default),
                    description=pick_text(event.descriptions, lang, default),
                )
                buttons = [
                    [button(renderer.gettext(lang, GOING_LABEL), "ev", "go", event.id)],
                    [button(renderer.gettext(lang, UNSUBSCRIBE_LABEL), "ev", "unsub", event.topic)],
                ]
                rendered[lang] = (text, buttons)
            text, buttons = rendered[lang]
            messages.append(
                outbox.Message(
                    chat_id=person.user_id,
                    kind="announcement",
                    text=text,
                    not_before=now + timedelta(seconds=index // per_second),
                    expires_at=event.starts_at,
                    dedupe_key=f"event:{event.id}:ann:{person.user_id}",
                    buttons=buttons,
                )
            )
        await outbox.enqueue_many(conn, messages, now)

    async def discard(self, user_id: int, event_id: int) -> bool:
        async with self.services.db.tx() as conn:
            access = await self.services.access.of_in(conn, user_id)
            event = await events_repo.get_event(conn, event_id)
            if event is None:
                raise InvalidInput("event")
            access.require_organiser()
            if not access.is_admin and event.created_by != user_id:
                from bot.services.access import NOT_ORGANISER, NotAllowed

                raise NotAllowed(NOT_ORGANISER)
            return await events_repo.discard_draft(conn, event_id, self._now)


def _snapshot(capacity: int | None, rsvps: list[events_repo.Rsvp]) -> Snapshot:
    """The shared capacity rules' view of one event; no limit = as many places as people."""
    confirmed = sum(1 for r in rsvps if r.status == "going")
    offered = sum(1 for r in rsvps if r.status == "offered")
    waiting = sum(1 for r in rsvps if r.status == "waiting")
    limit = capacity if capacity is not None else confirmed + offered + waiting + 1
    return Snapshot(capacity=limit, confirmed=confirmed, offered=offered, waiting=waiting)
