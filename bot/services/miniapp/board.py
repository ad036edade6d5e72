# i18n-domain: webapp
"""The five-colour district in the Mini App: the buildings a person covers, each building's
enterprises as coloured tiles, filtered by colour, a late visit, open requests, or a name typed in
Chinese or English.

Reads only (one read snapshot per screen). With filters the district screen lists matching
tiles across every covered building; a building's screen lists its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import aiosqlite

from bot.domain import names, risk
from bot.services.access import NOT_STAFF, Access, ensure, may_open_staff_app, sees_building
from bot.services.base import InvalidInput, UseCases
from bot.storage import buildings as buildings_repo
from bot.storage import webapp as repo
from bot.storage.buildings import Building
from bot.storage.webapp import BuildingCounts, Tile

QUERY_MAX = 100
TILES_MAX = 400  # a phone shows a few hundred tiles comfortably; the filters narrow the rest


@dataclass(frozen=True)
class Filters:
    """What the board is narrowed to (all optional)."""

    colour: str | None = None
    overdue: bool = False
    requests: bool = False
    query: str = ""

    @classmethod
    def parse(cls, colour: str | None, overdue: bool, requests: bool, query: str | None) -> Filters:
        colour = colour or None
        if colour is not None and colour not in risk.COLOURS:
            raise InvalidInput("app_bad_filter")
        words = " ".join((query or "").split())
        if len(words) > QUERY_MAX:
            raise InvalidInput("app_query_long", max=QUERY_MAX)
        return cls(colour, overdue, requests, words)

    @property
    def active(self) -> bool:
        return bool(self.colour or self.overdue or self.requests or self.query)


@dataclass(frozen=True)
class BuildingLine:
    building: Building
    counts: BuildingCounts


@dataclass(frozen=True)
class District:
    """The district screen: covered buildings with their counts; with filters, the matching tiles."""

    lines: list[BuildingLine]
    totals: BuildingCounts
    filters: Filters
    tiles: list[Tile] = field(default_factory=list)
    more: int = 0  # matching tiles beyond TILES_MAX
    buildings: dict[int, Building] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildingBoard:
    building: Building
    counts: BuildingCounts
    filters: Filters
    tiles: list[Tile]
    more: int = 0


def _sum(lines: list[BuildingCounts]) -> BuildingCounts:
    total = BuildingCounts(None)
    for line in lines:
        for colour, n in line.colours.items():
            total.colours[colour] += n
    return BuildingCounts(
        None, total.colours, sum(x.overdue for x in lines), sum(x.open_requests for x in lines)
    )


class DistrictBoard(UseCases):
    async def district(self, user_id: int, filters: Filters) -> District:
        now = self.now()
        async with self.db.read() as conn:
            access = await self._staff(conn, user_id)
            buildings = [b for b in await buildings_repo.all_buildings(conn) if sees_building(access, b.id)]
            counts = await repo.building_counts(conn, now)
            lines = [BuildingLine(b, counts.get(b.id) or BuildingCounts(b.id)) for b in buildings]
            found: list[Tile] = []
            if filters.active:
                found = await self._tiles(conn, now, [b.id for b in buildings], filters)
        return District(
            lines,
            _sum([line.counts for line in lines]),
            filters,
            found[:TILES_MAX],
            max(0, len(found) - TILES_MAX),
            {b.id: b for b in buildings},
        )

    async def building(self, user_id: int, building_id: int, filters: Filters) -> BuildingBoard:
        now = self.now()
        async with self.db.read() as conn:
            access = await self._staff(conn, user_id)
            building = await buildings_repo.get(conn, building_id)
            if building is None:
                raise InvalidInput("app_unknown_building")
            ensure(sees_building(access, building.id), NOT_STAFF)
            counts = (await repo.building_counts(conn, now, building.id)).get(building.id)
            counts = counts or BuildingCounts(building.id)
            found = await self._tiles(conn, now, [building.id], filters)
        return BuildingBoard(building, counts, filters, found[:TILES_MAX], max(0, len(found) - TILES_MAX))

    async def _staff(self, conn: aiosqlite.Connection, user_id: int) -> Access:
        access = await self.services.access.of_in(conn, user_id)
        ensure(may_open_staff_app(access), NOT_STAFF)
        return access

    @staticmethod
    async def _tiles(
        conn: aiosqlite.Connection, now: datetime, building_ids: list[int], filters: Filters
    ) -> list[Tile]:
        found = await repo.tiles(
            conn,
            now,
            building_ids=building_ids,
            colour=filters.colour,
            overdue=filters.overdue,
            with_requests=filters.requests,
        )
        if not filters.query:
            return found
        return search(found, filters.query)


@lru_cache(maxsize=16384)
def _normal(name: str | None) -> str:
    """A name as the search compares it (kept: names rarely change, and a board holds 1,500)."""
    return names.normalise(name)


def search(tiles: list[Tile], query: str) -> list[Tile]:
    """Tiles whose Chinese or English name contains what was typed (as names.normalise folds it);
    when none does, the fuzzy ranking of /ent, which forgives a typo but costs far more."""
    q = names.normalise(query, fallback=False) or query.casefold()
    hits = [t for t in tiles if q in _normal(t.name) or q in _normal(t.name_en)]
    if hits:
        return hits
    scores = dict(names.rank(query, [(t.id, t.name, t.name_en) for t in tiles], limit=len(tiles)))
    return [t for t in tiles if t.id in scores]
