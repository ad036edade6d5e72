"""The district at a glance: the five-colour board (a PNG, see drawing.py), the coverage of the
article's three targets per building, and the registry's figures for the stats feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import names, risk
from bot.services.base import InvalidInput, UseCases
from bot.services.enterprises import drawing
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import enterprise_signals as signals_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import visits as visits_repo
from bot.storage.buildings import Building
from bot.storage.db import ts

REQUESTS_WINDOW = timedelta(days=365)  # coverage: requests resolved in time over the last year
FIGURES_PERIOD = timedelta(days=30)  # figures: the default period


@dataclass(frozen=True)
class BoardPicture:
    png: bytes
    building: Building | None
    counts: dict[str, int]
    overdue: int
    total: int


@dataclass(frozen=True)
class CoverageLine:
    building: Building | None
    enterprises: int
    complete: int
    visited: int
    requests: int
    in_time: int

    @staticmethod
    def pct(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def complete_pct(self) -> int | None:
        return self.pct(self.complete, self.enterprises)

    @property
    def visited_pct(self) -> int | None:
        return self.pct(self.visited, self.enterprises)

    @property
    def in_time_pct(self) -> int | None:
        return self.pct(self.in_time, self.requests)


@dataclass(frozen=True)
class Coverage:
    district: CoverageLine
    buildings: list[CoverageLine]


class Board(UseCases):
    async def picture(self, user_id: int, building_query: str | None = None) -> BoardPicture:
        """/board: the whole district, or one building (by code, number or fuzzy name)."""
        now = self.now()
        async with self.db.read() as conn:
            await self.services.enterprises.registry.staff_in(conn, user_id)
            buildings = await buildings_repo.all_buildings(conn)
            building = None
            if building_query and building_query.strip():
                building = self._building(buildings, building_query)
            cells = await enterprises_repo.board_cells(conn, ts(now), building.id if building else None)
        counts = dict.fromkeys(risk.COLOURS, 0)
        for cell in cells:
            counts[cell.colour] += 1
        local = now.astimezone(self.settings.tz)
        font = self.settings.board_font
        if building is None:
            png = drawing.district(buildings, cells, local, font)
        else:
            png = drawing.building(building, cells, local, font)
        return BoardPicture(png, building, counts, sum(c.overdue for c in cells), len(cells))

    @staticmethod
    def _building(buildings: list[Building], query: str) -> Building:
        q = query.strip()
        for b in buildings:
            if q.casefold() in (b.code.casefold(), str(b.id)):
                return b
        ranked = names.rank(q, [(b.id, b.name_zh, b.name_en) for b in buildings], limit=1, threshold=0.8)
        if not ranked:
            raise InvalidInput("ent_unknown_building", building=q[:40])
        return next(b for b in buildings if b.id == ranked[0][0])

    async def coverage(self, user_id: int) -> Coverage:
        """The article's three targets per building: base data complete, visited in time, requests in time."""
        now = self.now()
        async with self.db.read() as conn:
            await self.services.enterprises.registry.staff_in(conn, user_id)
            buildings = await buildings_repo.all_buildings(conn)
            complete = await enterprises_repo.completeness(conn)
            visited = await visits_repo.coverage(conn, now)
            requests = await signals_repo.resolved_in_time(conn, now - REQUESTS_WINDOW)
        lines = []
        for b in buildings:
            total, done = complete.get(b.id, (0, 0))
            lines.append(
                CoverageLine(b, total, done, visited.get(b.id, (0, 0))[1], *requests.get(b.id, (0, 0)))
            )
        district = CoverageLine(
            None,
            sum(v[0] for v in complete.values()),
            sum(v[1] for v in complete.values()),
            sum(v[1] for v in visited.values()),
            sum(v[0] for v in requests.values()),
            sum(v[1] for v in requests.values()),
        )
        return Coverage(district, lines)

    async def figures(self, start: datetime | None = None, end: datetime | None = None) -> dict[str, object]:
        """Numbers for the stats feature (no permission check: the caller decides who sees them).

        enterprises per colour, colour changes made by people in [start, end) (default: the last
        30 days), visits logged in that period, visit coverage and overdue follow-ups now.
        """
        now = self.now()
        end = end or now
        start = start or end - FIGURES_PERIOD
        async with self.db.read() as conn:
            by_colour = await enterprises_repo.colour_counts(conn)
            changes = await risk_repo.changes_between(conn, start, end)
            visits = await visits_repo.count_between(conn, start, end)
            visited = await visits_repo.coverage(conn, now)
            overdue = len(await risk_repo.overdue_ids(conn, now))
        total = sum(by_colour.values())
        covered = sum(v[1] for v in visited.values())
        return {
            "period": (start, end),
            "enterprises": total,
            "by_colour": by_colour,
            "colour_changes": {c: changes.get(c, 0) for c in risk.COLOURS},
            "colour_changes_total": sum(changes.values()),
            "visits": visits,
            "visit_coverage": {
                "visited": covered,
                "total": total,
                "percent": round(100 * covered / total, 1) if total else None,
            },
            "overdue_followups": overdue,
        }
