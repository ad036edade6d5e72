"""Demo announcements and events: subscriptions, three upcoming events (one full, with a waiting
list), published through the service so the demo's people find the announcements in their chats."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.sandbox.seeds import LIAISON, ORGANISER, STAFF_TIER, VOLUNTEER, WORKER
from bot.services.events.publishing import Draft

if TYPE_CHECKING:
    from bot.services import Services

SUBSCRIPTIONS = {
    WORKER: ("study", "relief", "charity"),
    VOLUNTEER: ("charity", "study"),
    LIAISON: ("college",),
    STAFF_TIER[1]: ("party", "study"),
}

EVENTS = [
    (
        "study",
        {
            "zh": "“四史”学习会：党的百年奋斗",
            "en": "“Four Histories” study session: a century of the Party's struggle",
            "fr": "Séance d’étude des « Quatre Histoires » : un siècle de lutte du Parti",
        },
        {
            "zh": "静安寺街道党群服务站“四史”学习教育开放式课堂，欢迎白领党员和群众参加。",
            "en": "The station's open classroom on the “Four Histories”, open to white-collar Party members and everyone.",
        },
        2,
        time(19, 0),
        "JA Gohigh Building, station 3F",
        40,
    ),
    (
        "college",
        {"zh": "商圈商学院：企业出海合规", "en": "Business college: compliance for going global"},
        {"en": "A two-hour course with the district's Investment Office. Bring your questions."},
        4,
        time(14, 0),
        "Park Place, 5F lecture room",
        30,
    ),
    (
        "relief",
        {
            "zh": "白领减压室：午间正念",
            "en": "Pressure-relief room: lunchtime mindfulness",
            "fr": "Salle de détente : pleine conscience à midi",
        },
        {},
        1,
        time(12, 15),
        "JA Gohigh Building, pressure-relief room",
        2,
    ),
]


async def seed(services: Services) -> None:
    events = services.events
    tz = services.settings.tz
    for user_id, topics in SUBSCRIPTIONS.items():
        for topic in topics:
            view = await events.browsing.subscriptions(user_id)
            if topic not in view.subscribed:
                await events.browsing.toggle(user_id, topic)
    today = services.clock.now().astimezone(tz).date()
    ids = []
    for topic, titles, descriptions, days, at, place, capacity in EVENTS:
        starts = datetime.combine(today + timedelta(days=days), at, tzinfo=tz)
        draft = Draft(topic, titles, starts, place, capacity, descriptions)
        preview = await events.publishing.create_draft(ORGANISER, draft, "en")
        await events.publishing.publish(ORGANISER, preview.view.id, "en")
        ids.append(preview.view.id)
    # The pressure-relief session is full: two places taken, one person waiting.
    relief = ids[2]
    for user_id in (STAFF_TIER[1], VOLUNTEER, WORKER):
        await events.places.rsvp(user_id, relief, "zh")
    await events.places.rsvp(LIAISON, ids[1], "en")
