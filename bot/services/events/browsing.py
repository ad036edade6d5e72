"""What anyone does before coming to an event: choose topics to hear about, list what is coming."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.base import InvalidInput, UseCases
from bot.services.events.views import EventView, event_view, published_event
from bot.storage import events as events_repo
from bot.storage.events import Topic

UPCOMING_LIMIT = 10


@dataclass(frozen=True)
class SubscriptionView:
    topics: list[Topic]
    subscribed: set[str]


class Browsing(UseCases):
    # --------------------------------------------------------------------------- subscriptions

    async def subscriptions(self, user_id: int) -> SubscriptionView:
        async with self.db.read() as conn:
            return SubscriptionView(
                await events_repo.topics(conn), await events_repo.subscriptions(conn, user_id)
            )

    async def toggle(self, user_id: int, topic_key: str) -> SubscriptionView:
        """Subscribe to a topic one is not subscribed to, and the other way round."""
        async with self.db.tx() as conn:
            if await events_repo.topic(conn, topic_key) is None:
                raise InvalidInput("topic")
            if topic_key in await events_repo.subscriptions(conn, user_id):
                await events_repo.unsubscribe(conn, user_id, topic_key)
            else:
                await events_repo.subscribe(conn, user_id, topic_key, self.now())
            return SubscriptionView(
                await events_repo.topics(conn), await events_repo.subscriptions(conn, user_id)
            )

    async def unsubscribe(self, user_id: int, topic_key: str) -> Topic:
        async with self.db.tx() as conn:
            topic = await events_repo.topic(conn, topic_key)
            if topic is None:
                raise InvalidInput("topic")
            await events_repo.unsubscribe(conn, user_id, topic_key)
            return topic

    # ---------------------------------------------------------------------------------- viewing

    async def upcoming(self, user_id: int, lang: str) -> list[EventView]:
        default = self.settings.default_language
        async with self.db.read() as conn:
            events = await events_repo.upcoming(conn, self.now(), UPCOMING_LIMIT)
            return [await event_view(conn, e, user_id, lang, default) for e in events]

    async def event(self, user_id: int, event_id: int, lang: str) -> EventView:
        async with self.db.read() as conn:
            event = await published_event(conn, event_id)
            return await event_view(conn, event, user_id, lang, self.settings.default_language)
