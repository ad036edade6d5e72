"""Questions the guide could not answer are kept without personal data, and grouped for staff by
similarity (bot/domain/guide_misses.py)."""

from __future__ import annotations

from bot.domain import guide_misses as misses
from bot.domain.guide import Analyser
from bot.services.guide import load_lexicon
from bot.storage.personal_data import TABLES, How


def test_numbers_contacts_and_names_are_removed_before_a_miss_is_kept() -> None:
    known = {"shanghai", "huashan"}
    cases = {
        "我叫张伟，手机13812345678，楼下快递柜坏了": ("快递柜", ["张伟", "13812345678"]),
        "身份证310101199001011234能办吗": ("能办吗", ["310101199001011234"]),
        "mail me at li.wei@example.com about parking": ("parking", ["li.wei@example.com"]),
        "Can Pierre Dupont get a parking card in Shanghai": ("Shanghai", ["Pierre", "Dupont"]),
        "call 021-6288 1234 for the gym": ("gym", ["6288", "1234"]),
        "see https://example.com/x and @someone": ("see", ["example.com", "@someone"]),
        "passport E12345678 lost": ("lost", ["E12345678"]),
    }
    for question, (kept, gone) in cases.items():
        shown = misses.scrub(question, known)
        assert kept in shown, (question, shown)
        for part in gone:
            assert part not in shown, (question, shown)
    assert misses.miss_key(misses.scrub("13812345678")) is None  # nothing left worth counting


def test_the_miss_log_is_listed_as_text_that_may_quote_anyone() -> None:
    """Written anonymised, and still searched by /forgetme for what it might quote."""
    listed = {t.name: {c.name for c in t.of(How.QUOTING)} for t in TABLES}
    assert listed["guide_misses"] == {"query", "shown"}
    assert listed["guide_phrasings"] == {"phrase", "normal"}


def test_similar_questions_are_grouped_largest_first() -> None:
    analyser = Analyser(load_lexicon())
    rows = [
        (1, "k1", "附近哪里有托育班", 4),
        (2, "k2", "canteen lunch card", 3),
        (3, "k3", "托育班怎么报名", 2),
        (4, "k4", "lunch card for the canteen", 1),
        (5, "k5", "快递柜", 1),
    ]
    groups = misses.group(analyser, rows)
    assert [[q[0] for q in g.questions] for g in groups] == [[1, 3], [2, 4], [5]]
    assert [g.count for g in groups] == [6, 4, 1] and groups[0].first_id == 1
