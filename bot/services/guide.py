"""The service guide: search and browse the station's catalogue, replace it from YAML, and learn
from questions that found nothing (kept anonymised; staff attach them to entries as phrasings).

The catalogue shipped in bot/data/guide.yaml is loaded on first use and refreshed whenever that
file changes (adding an entry is a data-only change); a catalogue imported from another file
(`python -m bot import guide FILE.yaml`) stays until the next import. Search runs on an
in-memory index (bot/domain/guide_index.py) rebuilt whenever the catalogue or its phrasings
change in the database, whichever process changed them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.domain import guide_misses as misses_rules
from bot.domain.guide import QUERY_MAX_CHARS, Analyser, normalise, week_start
from bot.domain.guide_catalogue import AUDIENCES, SECTIONS, Entry, parse_catalogue
from bot.domain.guide_index import Document, Hit, Index
from bot.domain.guide_lexicon import Lexicon, parse_lexicon
from bot.services.access import ensure, may_teach_guide
from bot.services.base import InvalidInput, UseCases
from bot.storage import guide as guide_repo
from bot.storage import roles as roles_repo

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent.parent / "data"
SHIPPED = DATA / "guide.yaml"
LEXICON = DATA / "guide_lexicon.yaml"
RESULTS = 5
PAGE_SIZE = 8
SUGGESTIONS = 3
SUGGESTION_COVERAGE = 0.2  # a near miss worth offering staff as the entry a question meant
GROUPS_SHOWN = 8
MISSES_READ = 300


@dataclass(frozen=True)
class SearchResult:
    question: str  # as typed (trimmed), shown back to the person
    entries: list[Entry]
    understood: bool  # False: nothing searchable in the question (only punctuation, greetings)


@dataclass(frozen=True)
class TopicPage:
    audience: str
    section: str
    entries: list[Entry]
    page: int
    pages: int


@dataclass(frozen=True)
class MissGroup:
    """Unanswered questions about one thing, for staff: `id` names it in buttons."""

    id: int
    shown: str
    count: int
    questions: list[tuple[str, int]]  # (question, times asked), most asked first
    suggestions: list[Entry]  # the entries it most nearly matched, to attach it in one tap


def documents(entries: list[Entry]) -> list[Document]:
    """Each entry's searchable text per field and language (where places are left out: every
    entry at the station would match "station")."""
    langs = ("zh", "en", "fr")
    out = []
    for e in entries:
        title: tuple[tuple[str, str | None], ...] = tuple((e.title.in_(lang), lang) for lang in langs)
        keywords: tuple[tuple[str, str | None], ...] = (
            *((k, lang) for lang in langs for k in e.keywords.in_(lang)),
            (e.id.replace("-", " "), None),
        )
        body: tuple[tuple[str, str | None], ...] = tuple(
            (text, lang)
            for lang in langs
            for text in (e.summary.in_(lang), e.eligible.in_(lang), *e.bring.in_(lang))
        )
        out.append(Document(e.id, title, keywords, body))
    return out


def load_lexicon(path: Path = LEXICON) -> Lexicon:
    return parse_lexicon(path.read_text(encoding="utf-8"))


class GuideService(UseCases):
    def __init__(
        self, services: Services, *, chinese: str | None = None, lexicon: Lexicon | None = None
    ) -> None:
        super().__init__(services)
        self._ready = False
        self._loading = asyncio.Lock()
        self._lexicon = lexicon
        self._chinese = chinese
        self._analyser: Analyser | None = None
        self._index: Index | None = None
        self._entries: dict[str, Entry] = {}  # the entries the index was built from, by key
        self._version: tuple[str, str] | None = None

    @property
    def analyser(self) -> Analyser:
        if self._analyser is None:
            lexicon = self._lexicon if self._lexicon is not None else load_lexicon()
            self._analyser = Analyser(lexicon, self._chinese or "jieba+bigrams")
        return self._analyser

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
        digest = hashlib.sha256(source.encode()).hexdigest()
        async with self.db.tx(dry_run=dry_run) as conn:
            now = self.now()
            await guide_repo.replace_catalogue(conn, entries, source=source_name, sha256=digest, now=now)
            if source_name != "shipped":
                await roles_repo.audit(
                    conn, now, actor_id, "guide.import", source_name, f"{len(entries)} entries"
                )
        self._ready = self._ready or not dry_run
        return len(entries)

    async def warm(self) -> None:
        """Build the search index now if the database has a catalogue (at start-up, in the
        background), so the first question after a restart does not wait for it. A new database
        is left alone: the catalogue is imported on first use."""
        try:
            async with self.db.read() as conn:
                loaded = await guide_repo.meta(conn) is not None
            if loaded:
                await self.index()
        except Exception:
            # Only a head start: the first search builds the index anyway.
            log.exception("could not build the guide's search index at start-up")

    async def index(self) -> Index:
        """The search index of the catalogue and phrasings now in the database."""
        await self.ensure_catalogue()
        async with self.db.read() as conn:
            version = await guide_repo.version(conn)
            if self._index is not None and version == self._version:
                return self._index
            entries = await guide_repo.all_entries(conn)
            phrasings = await guide_repo.phrasings(conn)
        async with self._loading:
            if self._index is None or version != self._version:
                analyser = self.analyser
                analyser.words(k for e in entries for lang in ("zh",) for k in e.keywords.in_(lang))
                learned = {p.phrase: p.entry_key for p in phrasings}
                # A thread: building takes a noticeable fraction of a second on a big catalogue.
                self._index = await asyncio.to_thread(Index, analyser, documents(entries), learned)
                self._entries = {e.id: e for e in entries}
                self._version = version
            return self._index

    # ------------------------------------------------------------------ searching

    async def search(self, text: str) -> SearchResult:
        """The best entries for a question typed in any of the three languages (at most five).

        A search that finds nothing is counted, without the person and without personal data
        (bot/domain/guide_misses.py): only the anonymised question and the week.
        """
        question = " ".join(text.split())[:QUERY_MAX_CHARS]
        index = await self.index()
        query = index.query(question)
        if query.is_empty:
            return SearchResult(question, [], understood=False)
        hits = index.search(query, RESULTS)
        if not hits:
            shown = misses_rules.scrub(question, index.vocabulary.words)
            key = misses_rules.miss_key(shown)
            if key:
                week = week_start(self.now(), self.settings.tz)
                async with self.db.tx() as conn:
                    await guide_repo.record_miss(conn, week, key, shown)
            return SearchResult(question, [], understood=True)
        return SearchResult(question, self._found(hits), understood=True)

    def _found(self, hits: list[Hit]) -> list[Entry]:
        """The entries of hits, from those the index was built from (no second read)."""
        return [self._entries[h.key] for h in hits if h.key in self._entries]

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
        """The sections with entries for an audience, and how many each has."""
        if audience not in AUDIENCES:
            raise InvalidInput("audience")
        await self.ensure_catalogue()
        async with self.db.read() as conn:
            return await guide_repo.topic_counts(conn, audience)

    async def topic(self, audience: str, section: str, page: int = 0) -> TopicPage:
        if audience not in AUDIENCES or section not in SECTIONS or page < 0:
            raise InvalidInput("topic")
        await self.ensure_catalogue()
        async with self.db.read() as conn:
            entries, total = await guide_repo.in_topic(conn, audience, section, page * PAGE_SIZE, PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if not entries and page > 0:
            raise InvalidInput("topic")
        return TopicPage(audience, section, entries, page, pages)

    # ------------------------------------------------------------------ learning from misses

    async def top_misses(self, since: datetime, limit: int = 10) -> list[tuple[str, int]]:
        """The most frequent searches that found nothing, counted from the week containing
        `since` (counts are kept per week, Monday to Sunday in the station's time zone)."""
        week = week_start(since, self.settings.tz)
        async with self.db.read() as conn:
            return await guide_repo.top_misses(conn, week, max(1, min(limit, 100)))

    async def _groups(self) -> tuple[Index, list[misses_rules.Group]]:
        index = await self.index()
        week = week_start(self.now() - timedelta(days=7), self.settings.tz)
        async with self.db.read() as conn:
            rows = await guide_repo.misses_since(conn, week, MISSES_READ)
        return index, misses_rules.group(self.analyser, ((m.id, m.query, m.shown, m.count) for m in rows))

    async def _present(self, index: Index, group: misses_rules.Group) -> MissGroup:
        hits = index.search(index.query(group.shown), SUGGESTIONS, min_coverage=SUGGESTION_COVERAGE)
        return MissGroup(
            group.first_id,
            group.shown,
            group.count,
            [(q[2], q[3]) for q in group.questions],
            self._found(hits),
        )

    async def _require_staff(self, user_id: int) -> None:
        ensure(may_teach_guide(await self.services.access.of(user_id)))

    async def unanswered(self, user_id: int) -> tuple[list[MissGroup], int]:
        """This week's and last week's unanswered questions grouped by similarity, largest groups
        first (at most GROUPS_SHOWN), and how many groups there are in all. Staff only."""
        await self._require_staff(user_id)
        index, groups = await self._groups()
        return [await self._present(index, g) for g in groups[:GROUPS_SHOWN]], len(groups)

    async def _group(self, miss_id: int) -> tuple[Index, misses_rules.Group]:
        index, groups = await self._groups()
        for g in groups:
            if any(q[0] == miss_id for q in g.questions):
                return index, g
        raise InvalidInput("miss_gone")

    async def miss_group(self, user_id: int, miss_id: int) -> MissGroup:
        await self._require_staff(user_id)
        index, group = await self._group(miss_id)
        return await self._present(index, group)

    async def attach(self, user_id: int, miss_id: int, entry_key: str) -> tuple[MissGroup, Entry]:
        """Every question of the group becomes a phrasing of the entry, effective at once (the
        index is rebuilt on the next search), and leaves the unanswered list. Staff only."""
        await self._require_staff(user_id)
        entry = await self.entry(entry_key)
        index, group = await self._group(miss_id)
        presented = await self._present(index, group)
        async with self.db.tx() as conn:
            ensure(may_teach_guide(await self.services.access.of_in(conn, user_id)))
            now = self.now()
            for _, _key, shown, _ in group.questions:
                await guide_repo.add_phrasing(conn, entry.id, shown, normalise(shown), now)
            await guide_repo.forget_misses(conn, [q[1] for q in group.questions])
            await roles_repo.audit(
                conn,
                now,
                user_id,
                "guide.phrasing",
                entry.id,
                " | ".join(q[2] for q in group.questions)[:500],
            )
        return presented, entry

    async def dismiss(self, user_id: int, miss_id: int) -> MissGroup:
        """The group is not something the guide should answer: it leaves the list. Staff only."""
        await self._require_staff(user_id)
        index, group = await self._group(miss_id)
        presented = await self._present(index, group)
        async with self.db.tx() as conn:
            ensure(may_teach_guide(await self.services.access.of_in(conn, user_id)))
            await guide_repo.forget_misses(conn, [q[1] for q in group.questions])
            await roles_repo.audit(conn, self.now(), user_id, "guide.dismiss", "", group.shown)
        return presented

    async def find_for_staff(self, user_id: int, words: str) -> list[Entry]:
        """Entries to attach a question to, when none of the suggestions is right. Staff only."""
        await self._require_staff(user_id)
        index = await self.index()
        hits = index.search(index.query(words[:QUERY_MAX_CHARS]), RESULTS, min_coverage=SUGGESTION_COVERAGE)
        return self._found(hits)
