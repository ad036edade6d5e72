"""Figures for leaders: /stats, the Monday report to the tier-2 chat, and `report --month`.

- `figures`: each feature's figures for a period, gathered section by section (/stats for staff);
- `reports`: the weekly report's schedule and messages, and the month's CSV and chart.
`periods.py` holds the weeks and months they are counted in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.stats.figures import Gatherer
from bot.services.stats.reports import Reports

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Stats:
    figures: Gatherer
    reports: Reports


def build(services: Services) -> Stats:
    return Stats(figures=Gatherer(services), reports=Reports(services))
