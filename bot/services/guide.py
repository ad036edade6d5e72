"""The service guide: search and browse the station's catalogue, replace it from YAML, and count
searches that found nothing (anonymised) so staff see where the catalogue should grow.

The catalogue shipped in bot/data/guide.yaml is loaded on first use and refreshed whenever that
file changes (adding an entry is a data-only change); a catalogue imported from another file
(`python -m bot import guide FILE.yaml`) stays until the next import.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.domain import guide as rules
from bot.domain.guide_catalogue import AUDIENCES, Entry, parse_catalogue
from bot.domain.requests import CATEGORIES
from bot.services.base import InvalidInput, UseCases
from bot.storage import guide as guide_repo
from bot.storage import roles as roles_repo

if TYPE_CHECKING:
    from bot.services import Services

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "guide.yaml"
RESULTS = 5
CANDIDATES = 40
PAGE_SIZE = 8


@dataclass(frozen=True)
class SearchResult:
    question: str  # as typed (trimmed), shown back to the person
    entries: list[Entry]
    understood: bool  # False: nothing searchable in the question (only punctuation, filler words)


@dataclass(frozen=True)
class TopicPage:
    audience: str
    category: str
    entries: list[Entry]
    page: int
    pages: int


def prepare(entries: list[Entry]) -> tuple[list[rules.Fields], dict[str, int]]:
    """Each entry's normalised search text, and how many entries contain each n-gram."""
    fields = [
        rules.Fields(
            rules.normalise(e.search_title()),
            rules.normalise(e.search_keywords()),
            rules.normalise(e.search_body()),
        )
        for e in entries
    ]
    df: Counter[str] = Counter()
    for f in fields:
        df.update(rules.gram_set(f" {f.title} {f.keywords} {f.body} "))
    return fields, dict(df)


class GuideService(UseCases):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._ready = False
        self._loading = asyncio.Lock()

    # ------------------------------------------------------------------ the catalogue

    async def ensure_catalogue(self) -> None:
        """Load the shipped catalogue on first use, or again if the shipped file changed."""
        if self._ready:
            return
        async with self._loading:
            if self._ready:
                return
            source = SHIPPED.read_text(encoding="utf-8")
            digest = hashlib.sha256(source.encode()).hexdigest()
            async with self.db.read() as conn:
                current = await guide_repo.meta(conn)
            if current is None or (current.source == "shipped" and current.sha256 != digest):
                await self.replace(source, source_name="shipped", actor_id=None)
            self._ready = True

    async def replace(
        self, source: str, *, source_name: str, actor_id: int | None, dry_run: bool = False
    ) -> int:
        """Validate YAML text and make it the whole catalogue in one transaction.

        Raises CatalogueError (every problem with its line and column) and changes nothing when
        the file is not a valid catalogue. Returns the number of entries. `dry_run`: the same,
        rolled back (the administrators' preview).
        """
        entries = parse_catalogue(source)
        fields, grams = prepare(entries)
        digest = hashlib.sha256(source.encode()).hexdigest()
        async with self.db.tx(dry_run=dry_run) as conn:
            now = self.now()
            await guide_repo.replace_catalogue(
                conn, entries, fields, grams, source=source_name, sha256=digest, now=now
            )
            if source_name != "shipped":
                await roles_repo.audit(
                    conn, now, actor_id, "guide.import", source_name, f"{len(entries)} entries"
                )
        self._ready = self._ready or not dry_run
        return len(entries)

    # ------------------------------------------------------------------ searching

    async def search(self, text: str) -> SearchResult:
        """The best entries for a question typed in any of the three languages (at most five).

        A search that finds nothing is counted, without the person: only the normalised
        question and the week.
        """
        await self.ensure_catalogue()
        question = " ".join(text.split())[: rules.QUERY_MAX_CHARS]
        query = rules.parse_query(question)
        if query.is_empty:
            return SearchResult(question, [], understood=False)
        entries = await self._find(query)
        if not entries:
            key = rules.miss_key(query)
            if key:
                week = rules.week_start(self.now(), self.settings.tz)
                async with self.db.tx() as conn:
                    await guide_repo.record_miss(conn, week, key)
        return SearchResult(question, entries, understood=True)

    async def _find(self, query: rules.Query) -> list[Entry]:
        async with self.db.read() as conn:
            total = await guide_repo.count(conn)
            frequencies = await guide_repo.document_frequencies(conn, query.grams)
            found: dict[str, guide_repo.Candidate] = {}
            match = query.fts_match(frequencies)
            if match:
                for c in await guide_repo.candidates_matching(conn, match, CANDIDATES):
                    found[c.key] = c
            short = query.short_terms()
            if short or (not found and query.bigrams()):
                for c in await guide_repo.candidates_naming(conn, short or query.bigrams(), CANDIDATES):
                    found.setdefault(c.key, c)
            if not found:
                return []
            # An n-gram no entry contains is the most specific of all: missing it counts.
            weights = {g: rules.idf(frequencies.get(g, 0), total) for g in query.grams}
            ordered = sorted(found.values(), key=lambda c: c.position)
            ranked = rules.rank(query, ((c.key, c.fields) for c in ordered), weights, RESULTS)
            by_key = await guide_repo.get_many(conn, [k for k, _ in ranked])
        return [by_key[k] for k, _ in ranked if k in by_key]

    # ------------------------------------------------------------------ browsing

    async def entry(self, key: str) -> Entry:
        """One entry; InvalidInput('entry') if it is gone (an old button after an import)."""
        await self.ensure_catalogue()
        async with self.db.read() as conn:
            entry = await guide_repo.get(conn, key)
        if entry is None:
            raise InvalidInput("entry")
        return entry

    async def topics(self, audience: str) -> list[tuple[str, int]]:
        """The categories with entries for an audience, and how many each has."""
        if audience not in AUDIENCES:
            raise InvalidInput("audience")
        await self.ensure_catalogue()
        async with self.db.read() as conn:
            return await guide_repo.topic_counts(conn, audience)

    async def topic(self, audience: str, category: str, page: int = 0) -> TopicPage:
        if audience not in AUDIENCES or category not in CATEGORIES or page < 0:
            raise InvalidInput("topic")
        await self.ensure_catalogue()
        async with self.db.read() as conn:
            entries, total = await guide_repo.in_topic(conn, audience, category, page * PAGE_SIZE, PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if not entries and page > 0:
            raise InvalidInput("topic")
        return TopicPage(audience, category, entries, page, pages)

    # ------------------------------------------------------------------ learning from misses

    async def top_misses(self, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """The most frequent searches that found nothing, counted from the week containing
        `since` (counts are kept per week, Monday to Sunday in the station's time zone)."""
        week = rules.week_start(since, self.settings.tz)
        async with self.db.read() as conn:
            return await guide_repo.top_misses(conn, week, max(1, min(limit, 100)))
