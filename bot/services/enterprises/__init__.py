"""The enterprise registry's use cases, one sub-service per seam:

- `registry`: find and show an enterprise (the card), link a liaison, and who may touch which
  enterprise;
- `imports`: the CSV in (dry run, conflicts with staff colours, one transaction) and out;
- `colours`: mark a colour with a reason (history with its source, follow-up clock, the tier
  chats' alert — one digest per chat for many changes);
- `suggestions`: the hourly signal sweep and each building chat's daily digest of suggestions,
  accepted or dismissed by staff;
- `tags`: what staff say a request means for its company's stability (the signals' facts);
- `visits`: log a visit, and the scheduler tick that reminds about late ones on a cadence;
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
from bot.services.enterprises.imports import Imports
from bot.services.enterprises.registry import Registry
from bot.services.enterprises.suggestions import Suggestions
from bot.services.enterprises.tags import Tags
from bot.services.enterprises.visits import Visits

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Enterprises:
    registry: Registry
    imports: Imports
    colours: Colours
    suggestions: Suggestions
    tags: Tags
    visits: Visits
    board: Board


def build(services: Services) -> Enterprises:
    return Enterprises(
        registry=Registry(services),
        imports=Imports(services),
        colours=Colours(services),
        suggestions=Suggestions(services),
        tags=Tags(services),
        visits=Visits(services),
        board=Board(services),
    )
