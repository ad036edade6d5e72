"""The guide understands whole sentences: the fast subset of the relevance benchmark
(bench/guide_questions.yaml, marked `fast`) finds the right entry first, in three languages and
mixed, and the three questions of issue 19's "Why" rank the right entry first. Through the real
service, the shipped catalogue, lexicon and SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
import yaml

from bot.clock import ManualClock
from bot.domain.guide import Analyser
from bot.domain.guide_lexicon import LexiconError, parse_lexicon
from bot.services.guide import GuideService, load_lexicon
from bot.storage.db import Database

in_module_loop = pytest.mark.asyncio(loop_scope="module")
BENCH = Path(__file__).resolve().parents[2] / "bench" / "guide_questions.yaml"
FAST = [
    (lang, item["q"], item["a"])
    for lang, items in yaml.safe_load(BENCH.read_text(encoding="utf-8")).items()
    for item in items
    if item.get("fast")
]
# Issue 19's "Why": each found nothing, or the wrong entry first, before sentence search.
WHY = [
    ("工作压力大想找人聊聊", "counselling-psychology"),
    ("je suis stressé au travail", "counselling-psychology"),
    ("créer une entreprise", "reg-new-company"),
]
NOTHING = [
    "hello world",
    "我想买一只猫",
    "recette des crêpes au chocolat",
    "asdfgh qwerty",
    "附近哪里有托育班",
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def guide(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GuideService]:
    path = tmp_path_factory.mktemp("guide") / "guide.sqlite3"
    async with Database(path) as db:
        await db.migrate()
        clock = ManualClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC), frozen=True)
        services = SimpleNamespace(
            db=db, clock=clock, settings=SimpleNamespace(tz=ZoneInfo("Asia/Shanghai")), renderer=None
        )
        yield GuideService(services)  # type: ignore[arg-type]


def test_the_fast_subset_covers_each_language() -> None:
    assert {lang for lang, _, _ in FAST} == {"zh", "en", "fr"}
    assert min(sum(1 for lang, _, _ in FAST if lang == x) for x in ("zh", "en", "fr")) >= 12


@in_module_loop
@pytest.mark.parametrize(("question", "expected"), WHY, ids=[q for q, _ in WHY])
async def test_the_questions_of_the_issue_rank_the_right_entry_first(
    guide: GuideService, question: str, expected: str
) -> None:
    found = [e.id for e in (await guide.search(question)).entries]
    assert found[:1] == [expected], found
    if question.startswith("je suis"):  # it used to leave counselling out of the top five
        assert "relief-room" in found[:3]


@in_module_loop
@pytest.mark.parametrize(("lang", "question", "expected"), FAST, ids=[q for _, q, _ in FAST])
async def test_a_question_as_people_type_it_finds_its_entry_first(
    guide: GuideService, lang: str, question: str, expected: list[str]
) -> None:
    found = [e.id for e in (await guide.search(question)).entries]
    assert found and found[0] in expected, f"{lang}: {question!r} -> {found}"


@in_module_loop
@pytest.mark.parametrize("question", NOTHING)
async def test_unrelated_questions_find_nothing(guide: GuideService, question: str) -> None:
    result = await guide.search(question)
    assert result.understood and result.entries == [], [e.id for e in result.entries]


@in_module_loop
async def test_greetings_alone_are_not_a_question(guide: GuideService) -> None:
    for text in ("thank you!", "谢谢", "？？", "bonjour merci"):
        assert not (await guide.search(text)).understood, text


def test_stopwords_never_erase_the_meaning() -> None:
    analyser = Analyser(load_lexicon())
    assert [c.text for c in analyser.query("how do I renew my residence permit").concepts] == [
        "renew",
        "residence",
        "permit",
    ]
    assert "".join(c.text for c in analyser.query("我想转组织关系").concepts) == "转组织关系"
    # a question of stopwords only keeps them: "who" may be what is asked about
    assert [c.text for c in analyser.query("who").concepts] == ["who"]
    assert analyser.query("thank you").is_empty and analyser.query("谢谢").is_empty


def test_a_synonym_phrase_adds_the_catalogue_s_words_in_any_inflection() -> None:
    analyser = Analyser(load_lexicon())
    (concept,) = analyser.query("stressée").concepts  # feminine, no rule says it
    assert any("psycholog" in alt.terms for alt in concept.alternatives)
    words = {
        t for c in analyser.query("工作压力大想找人聊聊").concepts for a in c.alternatives for t in a.terms
    }
    assert {"减压", "心理咨询", "倾诉"} <= words


def test_a_lexicon_file_with_a_mistake_is_refused_with_its_place() -> None:
    with pytest.raises(LexiconError, match="zh synonyms rule 1: needs exactly 'when' and 'means'"):
        parse_lexicon("zh:\n  synonyms:\n    - when: [压力大]\n")
    with pytest.raises(LexiconError, match="must be quoted"):
        parse_lexicon("fr:\n  stopwords: [on, il]\n")
    with pytest.raises(LexiconError, match="map languages"):
        parse_lexicon("de:\n  stopwords: [und]\n")
