"""An organiser's /publish: parse what they type, keep a draft, preview it, publish it.

Publishing queues one announcement per subscriber of the event's topic, in their language,
spread at Telegram's pace; over CONFIRM_OVER recipients the sender confirms the count first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiosqlite

from bot.domain.capacity import CapacityError, check_capacity
from bot.services.access import NOT_ORGANISER, ensure, may_edit_event, may_publish
from bot.services.base import InvalidInput, UseCases
from bot.services.events.views import (
    GO,
    GOING_LABEL,
    UNSUBSCRIBE,
    UNSUBSCRIBE_LABEL,
    EventView,
    event_view,
    pick_text,
)
from bot.services.users import pick_language
from bot.storage import events as events_repo
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage.events import EventRow, Topic

# More recipients than this and the sender must confirm the count before anything is queued.
CONFIRM_OVER = 1000
TITLE_MAX = 120
DESCRIPTION_MAX = 1500
PLACE_MAX = 200
CAPACITY_MAX = 10_000  # the shared capacity rules' maximum

_LANG_LINE = re.compile(r"^\s*(zh|en|fr)\s*[:：]\s*(.*)$", re.I)
_WHEN = re.compile(r"^\s*(?:(\d{4})[-/.])?(\d{1,2})[-/.](\d{1,2})\s+(\d{1,2})[:：.](\d{2})\s*$")


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
class Preview:
    view: EventView
    recipients: int


@dataclass(frozen=True)
class PublishResult:
    outcome: str  # sent / confirm / already
    recipients: int
    view: EventView


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


class Publishing(UseCases):
    async def _view(self, conn: aiosqlite.Connection, event: EventRow, user_id: int, lang: str) -> EventView:
        return await event_view(conn, event, user_id, lang, self.settings.default_language)

    # ------------------------------------------------------------------ what the organiser types

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
        tz = self.settings.tz
        local_now = self.now().astimezone(tz)
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
        async with self.db.read() as conn:
            return await events_repo.topics(conn)

    # ------------------------------------------------------------------ drafts and publishing

    async def create_draft(self, user_id: int, draft: Draft, lang: str) -> Preview:
        """Store the event unpublished and say how many people it would reach."""
        async with self.db.tx() as conn:
            access = await self.services.access.of_in(conn, user_id)
            ensure(may_publish(access), NOT_ORGANISER)
            if await events_repo.topic(conn, draft.topic) is None:
                raise InvalidInput("topic")
            # Validate again: the flow's answers were typed one by one, maybe hours ago.
            if draft.starts_at <= self.now():
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
                now=self.now(),
            )
            event = await events_repo.get_event(conn, event_id)
            assert event is not None
            recipients = await events_repo.count_subscribers(conn, draft.topic)
            return Preview(await self._view(conn, event, user_id, lang), recipients)

    async def _draft_to_edit(self, conn: aiosqlite.Connection, user_id: int, event_id: int) -> EventRow:
        """The event, if this person may publish or discard it (its author, or an administrator)."""
        access = await self.services.access.of_in(conn, user_id)
        event = await events_repo.get_event(conn, event_id)
        if event is None:
            raise InvalidInput("event")
        ensure(may_edit_event(access, event), NOT_ORGANISER)
        return event

    async def publish(
        self, user_id: int, event_id: int, lang: str, confirmed_count: int | None = None
    ) -> PublishResult:
        """Publish a draft and queue its announcement to every subscriber of its topic.

        Over CONFIRM_OVER recipients nothing is queued until the sender confirms the count they
        were shown; if the count grew since, they are asked again with the new number.
        """
        async with self.db.tx() as conn:
            event = await self._draft_to_edit(conn, user_id, event_id)
            recipients = await events_repo.subscribers(conn, event.topic)
            if event.status != "draft":
                return PublishResult("already", len(recipients), await self._view(conn, event, user_id, lang))
            now = self.now()
            if event.starts_at <= now:
                raise InvalidInput("when_past")
            needs_confirmation = len(recipients) > CONFIRM_OVER
            if needs_confirmation and confirmed_count != len(recipients):
                return PublishResult("confirm", len(recipients), await self._view(conn, event, user_id, lang))
            await events_repo.mark_published(conn, event_id, now)
            published = await events_repo.get_event(conn, event_id)
            assert published is not None
            await self._queue_announcement(conn, published, recipients)
            await events_repo.record_broadcast(
                conn,
                event_id=event_id,
                topic_key=published.topic,
                sent_by=user_id,
                recipients=len(recipients),
                confirmed_count=confirmed_count if needs_confirmation else None,
                now=now,
            )
            await roles_repo.audit(
                conn,
                now,
                user_id,
                "event.publish",
                f"event:{event_id}",
                f"{published.topic} → {len(recipients)}",
            )
            return PublishResult("sent", len(recipients), await self._view(conn, published, user_id, lang))

    async def _queue_announcement(
        self, conn: aiosqlite.Connection, event: EventRow, recipients: list[events_repo.Recipient]
    ) -> None:
        """One outbox row per subscriber, in their language, spread at Telegram's pace.

        The sender would respect the rate anyway; spreading `not_before` keeps a big broadcast
        from standing in front of a staff alert queued a second later.
        """
        per_second = max(1, int(self.settings.send_rate * 0.8))
        topic = await events_repo.topic(conn, event.topic)
        default = self.settings.default_language
        rendered: dict[str, tuple[str, list[list[dict[str, str]]]]] = {}
        now = self.now()
        messages = []
        for index, person in enumerate(recipients):
            lang = pick_language(person.language, person.telegram_language, default)
            if lang not in rendered:
                text = self.render(
                    lang,
                    "events/announcement.html",
                    event=event,
                    topic=topic.name(lang) if topic else "",
                    title=pick_text(event.titles, lang, default),
                    description=pick_text(event.descriptions, lang, default),
                )
                buttons = [
                    [GO.button(self.gettext(lang, GOING_LABEL), event.id)],
                    [UNSUBSCRIBE.button(self.gettext(lang, UNSUBSCRIBE_LABEL), event.topic)],
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
        async with self.db.tx() as conn:
            await self._draft_to_edit(conn, user_id, event_id)
            return await events_repo.discard_draft(conn, event_id, self.now())
