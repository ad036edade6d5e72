"""The service guide's search index and ranking: pure, in memory, built from the catalogue rows.

Why in memory: the catalogue is hundreds to a few thousand entries, and Chinese needs word
segmentation SQLite's tokenizers do not have. Building the index from the database takes a
fraction of a second; a question is then a few dictionary lookups and a score per candidate,
well under a millisecond on the shipped catalogue. The database stays the one source of truth:
the service rebuilds the index when the catalogue or its learned phrasings change.

Ranking: each concept of the question (bot/domain/guide.py) counts by its specificity (inverse
document frequency) times how well the entry has it: in the title (3), its keywords and learned
phrasings (2.5) or the body (1). Two concepts next to each other in a title or keywords, as in
the question ("work permit", "créer ... entreprise"), earn a bonus, so the entry *named* by the
question comes first. An entry answers only if it covers enough of the question (`MIN_COVERAGE`)
and scores within reach of the best one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.guide import Analyser, Query, Vocabulary, normalise

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.5, "body": 1.0}
MIN_COVERAGE = 0.55
RELATIVE_CUTOFF = 0.35
PAIR_BONUS = 0.6
TITLE_LENGTH_EXPONENT = 0.3
UNKNOWN_WEIGHT = 0.6  # a word no entry has: the question is partly about something else
TITLE_FOCUS = 1.0
PHRASING_BONUS = 100.0  # a question staff attached to an entry: that entry, first


@dataclass(frozen=True)
class Document:
    """An entry's searchable text: (text, language or None) per field."""

    key: str
    title: tuple[tuple[str, str | None], ...]
    keywords: tuple[tuple[str, str | None], ...]
    body: tuple[tuple[str, str | None], ...]


@dataclass
class _Alt:
    postings: list[dict[int, float]]  # per term: entry -> field weight
    weights: list[float]  # per term: idf
    total: float
    factor: float
    chars: list[dict[int, float]] | None  # per bigram of a Chinese run, when found by characters


@dataclass
class _PlannedConcept:
    weight: float
    alts: list[_Alt]
    inner: list[dict[int, float]]
    next_pair: dict[int, float] | None = None
    next_weight: float = 0.0


@dataclass
class _Plan:
    concepts: list[_PlannedConcept]
    asked: frozenset[str]
    total: float
    phrasing: int | None


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    coverage: float  # the idf-weighted share of the question's concepts the entry has, 0..1


class Index:
    def __init__(self, analyser: Analyser, documents: list[Document], phrasings: Mapping[str, str]) -> None:
        """`phrasings`: normalised question -> entry key (learned from staff)."""
        self.analyser = analyser
        self.keys = [d.key for d in documents]
        self.postings: dict[str, dict[int, float]] = {}
        self.pairs: dict[tuple[str, str], dict[int, float]] = {}
        words: set[str] = set()
        position = {key: i for i, key in enumerate(self.keys)}
        learned: dict[int, list[str]] = {}
        self._titles: list[list[frozenset[str]]] = []  # per entry, each language's title words
        self.phrasings: dict[str, int] = {}
        for question, key in phrasings.items():
            if key in position:
                self.phrasings[normalise(question)] = position[key]
                learned.setdefault(position[key], []).append(question)
        postings = self.postings
        # BM25's length normalisation, for titles only: a term in a short title ("社保卡申领") names
        # the entry more than the same term in a long one ("出生一件事：落户、医保和社保卡").
        lengths = [sum(len(t) for t, _ in d.title) or 1 for d in documents]
        average = sum(lengths) / max(1, len(lengths))
        title_factor = [(average / n) ** TITLE_LENGTH_EXPONENT for n in lengths]
        for i, document in enumerate(documents):
            self._titles.append([])
            fields = (
                ("title", document.title),
                ("keywords", (*document.keywords, *((q, None) for q in learned.get(i, ())))),
                ("body", document.body),
            )
            for name, texts in fields:
                weight = FIELD_WEIGHTS[name] * (title_factor[i] if name == "title" else 1.0)
                for text, lang in texts:
                    terms, sequence, latin = analyser.index_terms(text, lang, chars=name != "body")
                    for term in terms:
                        posting = postings.get(term)
                        if posting is None:
                            postings[term] = {i: weight}
                        elif posting.get(i, 0.0) < weight:
                            posting[i] = weight
                    if name == "body":
                        continue
                    if name == "title" and sequence:
                        self._titles[i].append(frozenset(sequence))
                    words.update(latin)
                    for pair in itertools.pairwise(sequence):
                        posting = self.pairs.setdefault(pair, {})
                        if posting.get(i, 0.0) < weight:
                            posting[i] = weight
        self.vocabulary = Vocabulary(self.postings, words)
        self._documents = max(1, len(documents))

    def __len__(self) -> int:
        return len(self.keys)

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency. A term no entry has counts against coverage (the
        question is partly about something else), but less than the rarest word the catalogue has:
        people add words the catalogue never uses ("老板", "two months")."""
        df = len(self.postings.get(term, ()))
        n = self._documents
        value = math.log(1.0 + (n - max(1, df) + 0.5) / (max(1, df) + 0.5))
        return value if df else value * UNKNOWN_WEIGHT

    def query(self, text: str) -> Query:
        return self.analyser.query(text, self.vocabulary)

    # ---------------------------------------------------------------- ranking

    def _field(self, term: str) -> dict[int, float]:
        return self.postings.get(term) or {}

    def plan(self, query: Query) -> _Plan:
        """Everything about the question that does not depend on the entry, looked up once."""
        concepts = []
        for concept in query.concepts:
            primary = concept.alternatives[0].terms
            weight = concept.scale * sum(self.idf(t) for t in primary) / max(1, len(primary))
            alts = []
            for alt in concept.alternatives:
                weights = [self.idf(t) for t in alt.terms]
                chars = None
                if alt.by_chars and len(alt.run) > 1:
                    chars = [self._field(alt.run[k : k + 2]) for k in range(len(alt.run) - 1)]
                alts.append(
                    _Alt([self._field(t) for t in alt.terms], weights, sum(weights) or 1.0, alt.factor, chars)
                )
            inner = [self.pairs.get(pair) or {} for pair in concept.inner]
            concepts.append(_PlannedConcept(weight, alts, inner))
        for k in range(len(concepts) - 1):
            pair = (query.concepts[k].last, query.concepts[k + 1].first)
            concepts[k].next_pair = self.pairs.get(pair) or {}
            concepts[k].next_weight = min(concepts[k].weight, concepts[k + 1].weight)
        total = sum(c.weight for c in concepts)
        return _Plan(concepts, frozenset(query.terms()), total, self.phrasings.get(query.text))

    def score(self, plan: _Plan, i: int) -> Hit:
        total = found_weight = 0.0
        for c in plan.concepts:
            best = found = 0.0
            for alt in c.alts:
                fields = [p.get(i, 0.0) for p in alt.postings]
                strength = (
                    alt.factor * sum(w * f for w, f in zip(alt.weights, fields, strict=True)) / alt.total
                )
                if alt.chars is not None:
                    covered = [False] * (len(alt.chars) + 1)
                    for k, posting in enumerate(alt.chars):
                        if i in posting:
                            covered[k] = covered[k + 1] = True
                    share = alt.factor * sum(covered) / len(covered)
                else:
                    share = (
                        alt.factor * sum(w for w, f in zip(alt.weights, fields, strict=True) if f) / alt.total
                    )
                best, found = max(best, strength), max(found, share)
            total += c.weight * best
            found_weight += c.weight * found
            if c.inner:  # the words of a phrase side by side, as the question has them
                total += PAIR_BONUS * c.weight * max(p.get(i, 0.0) for p in c.inner) / FIELD_WEIGHTS["title"]
            if c.next_pair:  # two concepts side by side in a title or keywords, as in the question
                total += PAIR_BONUS * c.next_weight * c.next_pair.get(i, 0.0) / FIELD_WEIGHTS["title"]
        if self._titles[i] and plan.concepts:
            # The question says what the title says, no more and no less: "apply residence
            # permit" is "Apply for a residence permit" rather than "... residence permit points".
            focus = max(len(title & plan.asked) / len(title) for title in self._titles[i])
            total += TITLE_FOCUS * focus * plan.total / len(plan.concepts)
        coverage = found_weight / plan.total if plan.total else 0.0
        if plan.phrasing == i:
            total, coverage = total + PHRASING_BONUS, 1.0
        return Hit(self.keys[i], total, coverage)

    def candidates(self, plan: _Plan, min_coverage: float) -> list[int]:
        """Entries that could cover enough of the question: each concept adds its weight times
        the share of its words an entry has; entries below `min_coverage` even so (the coverage
        `score` computes never exceeds this) are not scored."""
        bound: dict[int, float] = {}
        for c in plan.concepts:
            best: dict[int, float] = {}  # the most of this concept an entry can have found
            for alt in c.alts:
                share: dict[int, float] = {}
                for posting, weight in zip(alt.postings, alt.weights, strict=True):
                    for i in posting:
                        share[i] = share.get(i, 0.0) + weight / alt.total
                for posting in alt.chars or ():
                    for i in posting:
                        share[i] = 1.0
                for i, value in share.items():
                    if best.get(i, 0.0) < alt.factor * value:
                        best[i] = alt.factor * value
            for i, value in best.items():
                bound[i] = bound.get(i, 0.0) + c.weight * value
        needed = min_coverage * plan.total - 1e-9
        found = {i for i, b in bound.items() if b >= needed}
        if plan.phrasing is not None:
            found.add(plan.phrasing)
        return sorted(found)

    def search(self, query: Query, limit: int = 5, min_coverage: float = MIN_COVERAGE) -> list[Hit]:
        """The entries that answer the question, best first (ties in catalogue order)."""
        if query.is_empty:
            return []
        plan = self.plan(query)
        hits = [self.score(plan, i) for i in self.candidates(plan, min_coverage)]
        hits = [h for h in hits if h.score > 0 and h.coverage >= min_coverage]
        best = max((h.score for h in hits), default=0.0)
        hits = [h for h in hits if h.score >= best * RELATIVE_CUTOFF]
        hits.sort(key=lambda h: -h.score)  # stable: catalogue order among equals
        return hits[:limit]
