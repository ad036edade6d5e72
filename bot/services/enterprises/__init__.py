"""The enterprise registry's use cases, one sub-service per seam:

- `registry`: find and show an enterprise (the card), link a liaison, import and export the CSV,
  and who may touch which enterprise;
- `colours`: mark a colour with a reason (history, follow-up clock, the tier chat's alert);
- `suggestions`: the hourly signal sweep and its notices, accepted or dismissed by staff;
- `visits`: log a visit, and the scheduler tick that reminds about late ones;
- `board`: the five-colour board picture, coverage, and figures for the stats feature.

Callers write `services.enterprises.colours.set_colour(...)`. Every staff action checks access
(services/access.py) at the moment of the action and writes the audit log; every message the
bot sends on its own is enqueued in the outbox in the same transaction as its cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.enterprises.board import Board
from bot.services.enterprises.colours import Colours
from bot.services.enterprises.registry import Registry
from bot.services.enterprises.suggestions import Suggestions
from bot.services.enterprises.visits import Visits

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Enterprises:
    registry: Registry
    colours: Colours
    suggestions: Suggestions
    visits: Visits
    board: Board


def build(services: Services) -> Enterprises:
    return Enterprises(
        registry=Registry(services),
        colours=Colours(services),
        suggestions=Suggestions(services),
        visits=Visits(services),
        board=Board(services),
    )
