"""Finding a shift among thousands of projects: filters (near my building, before work, lunchtime,
weekend, a topic), free-text search, and pages of at most eight results.

Each page reads three columns of the open shifts in its window, filters and ranks them in memory
(domain/finder), and loads full cards only for the eight it shows, so a page costs the same with
20 projects or 2,500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.domain import finder as rules
from bot.domain.checkin import distance_m
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ShiftCard, shift_card
from bot.storage import buildings as buildings_repo
from bot.storage import shifts as repo
from bot.storage import users as users_repo

QUERY_MAX = 60  # characters of a typed search that are kept


@dataclass(frozen=True)
class Result:
    card: ShiftCard
    distance_m: int | None  # from the person's building, when both are on the map


@dataclass(frozen=True)
class FinderPage:
    filter: rules.Filter
    results: list[Result]
    page: int
    more: bool
    total: int  # projects (or, for one project, shifts) matching
    query: str | None
    building: buildings_repo.Building | None
    project: repo.Project | None  # the project whose dates these are (Filter.project_id)


class Finder(UseCases):
    async def search(self, user_id: int, text: str) -> rules.Filter:
        """A typed search, stored so that its result pages can name it in their buttons."""
        query = " ".join(text.split())[:QUERY_MAX]
        if not rules.terms(query):
            raise InvalidInput("search_empty")
        async with self.db.tx() as conn:
            search_id = await repo.insert_search(conn, user_id, query, self.now())
        return rules.Filter(week=False, query_id=search_id)

    async def topics(self) -> dict[str, int]:
        """How many running projects each topic has (the topic menu's counts)."""
        async with self.db.read() as conn:
            return await repo.topic_counts(conn)

    async def page(self, user_id: int, flt: rules.Filter, page: int = 0) -> FinderPage:
        page = max(0, min(page, rules.MAX_PAGES))
        tz = self.settings.tz
        async with self.db.read() as conn:
            now = self.now()
            user = await users_repo.get(conn, user_id)
            building = await buildings_repo.get(conn, user.building_id) if user and user.building_id else None
            if flt.near and building is None:
                raise InvalidInput("no_building")
            query = await repo.search_query(conn, flt.query_id, user_id) if flt.query_id else None
            if flt.query_id and query is None:
                raise InvalidInput("search_gone")
            project = await repo.project(conn, flt.project_id) if flt.project_id else None
            if flt.project_id and (project is None or not project.active):
                raise InvalidInput("project_gone")
            places = await repo.places(conn, with_text=query is not None)
            distances = _distances(places, building)
            allowed, scores = _allowed(places, flt, building, distances, query)
            last = now + timedelta(days=rules.MONTH_DAYS if flt.project_id else flt.days)
            slot = _local_slot(flt.slot, now, last, tz)
            # One result per project (its soonest matching shift), chosen by SQL when it can test the slot.
            grouped = not flt.project_id and (slot is not None or not flt.slot)
            candidates = await repo.candidates(
                conn,
                now,
                last,
                topic=flt.topic,
                project_ids=sorted(allowed) if allowed is not None else None,
                slot=slot,
                first_per_project=grouped,
            )
            if slot is None and flt.slot:  # a zone whose offset changes in the window: filter here
                candidates = [c for c in candidates if rules.in_slot(flt.slot, c.starts_at.astimezone(tz))]
            if not flt.project_id and not grouped:
                soonest: dict[int, repo.Candidate] = {}
                for c in candidates:
                    soonest.setdefault(c.project_id, c)
                candidates = list(soonest.values())
            listed = candidates if flt.project_id else sorted(candidates, key=_rank(scores, distances))
            shown = listed[page * rules.PAGE : (page + 1) * rules.PAGE]
            results = []
            for c in shown:
                shift = await repo.shift(conn, c.shift_id)
                assert shift is not None
                results.append(Result(await shift_card(conn, shift, user_id), distances.get(c.project_id)))
        return FinderPage(
            flt, results, page, len(listed) > (page + 1) * rules.PAGE, len(listed), query, building, project
        )


def _local_slot(slot: str, first: datetime, last: datetime, tz: tzinfo) -> repo.LocalSlot | None:
    """The slot as SQL can test it, when the zone's offset is the same all through the window
    (Shanghai has no daylight saving time); None otherwise, and the caller filters in Python."""
    if not slot:
        return None
    offset, later = first.astimezone(tz).utcoffset(), last.astimezone(tz).utcoffset()
    if offset is None or offset != later:
        return None
    weekdays, start, end = rules.slot_window(slot)
    return repo.LocalSlot(
        int(offset.total_seconds() // 60),
        weekdays,
        f"{start:%H:%M}" if start else "00:00",
        f"{end:%H:%M}" if end else "24:00",
    )


def _distances(places: list[repo.Place], building: buildings_repo.Building | None) -> dict[int, int]:
    if building is None or building.latitude is None or building.longitude is None:
        return {}
    return {
        p.project_id: round(distance_m(building.latitude, building.longitude, p.latitude, p.longitude))
        for p in places
        if p.latitude is not None and p.longitude is not None
    }


def _allowed(
    places: list[repo.Place],
    flt: rules.Filter,
    building: buildings_repo.Building | None,
    distances: dict[int, int],
    query: str | None,
) -> tuple[set[int] | None, dict[int, int]]:
    """The projects the filter lets through (None: all), and each one's search score."""
    allowed: set[int] | None = None
    scores: dict[int, int] = {}
    if flt.project_id:
        return {flt.project_id}, scores
    if flt.near and building is not None:
        allowed = {
            p.project_id
            for p in places
            if p.building_id == building.id or distances.get(p.project_id, rules.NEAR_M + 1) <= rules.NEAR_M
        }
    if query:
        words = rules.terms(query)
        for p in places:
            value = rules.score(p.search_text, words)
            if value:
                scores[p.project_id] = value
        allowed = set(scores) if allowed is None else allowed & set(scores)
    return allowed, scores


def _rank(
    scores: dict[int, int], distances: dict[int, int]
) -> Callable[[repo.Candidate], tuple[int, datetime, int, int]]:
    """Best search match first, then the soonest, then the nearest."""

    def key(c: repo.Candidate) -> tuple[int, datetime, int, int]:
        return (-scores.get(c.project_id, 0), c.starts_at, distances.get(c.project_id, 10**9), c.project_id)

    return key
