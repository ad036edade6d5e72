"""The demo's service guide: the shipped catalogue, and a week of questions it could not answer
(so /stats shows what people looked for in vain)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services

# Questions white-collar workers plausibly ask that the catalogue does not cover, with how often:
# the week's unanswered questions staff see in /stats and /unanswered (where similar ones group).
UNANSWERED = [
    ("附近哪里有托育班", 4),
    ("canteen lunch card", 3),
    ("托育班怎么报名", 2),
    ("lunch card for the canteen", 1),
    ("快递柜", 1),
]


async def seed(services: Services) -> None:
    await services.guide.ensure_catalogue()
    for question, times in UNANSWERED:
        for _ in range(times):
            await services.guide.search(question)
