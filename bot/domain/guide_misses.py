"""Questions the guide could not answer: kept without personal data, grouped for staff.

Why scrub at write time: a miss is text a person typed, kept for weeks and shown to staff. It is
stored without the person, and without what would point at one: phone, ID and passport numbers
(any run of five or more digits), e-mail addresses, links and @names, and people's names — Chinese
names as jieba tags them (person-name tags), Latin names as capitalised words the catalogue does
not know ("Can Pierre Dupont get a work permit"). What is left is what the question was about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import rjieba

from bot.domain.guide import Analyser, bigrams, is_cjk, normalise, tokens

SHOWN_MAX_CHARS = 80
KEY_MAX_CHARS = 60
REMOVED = "…"
SIMILAR = 0.34  # Jaccard similarity of two questions' words for them to be one group

_EMAIL = re.compile(r"\S+@\S+\.\S+")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_NUMBER = re.compile(r"[A-Za-z]{0,2}\d(?:[\d\s\-()]*\d){4,}[Xx]?")  # phones, ID/passport numbers
_NAME_TAGS = ("nr", "nrfg", "nrt")
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_INTRODUCTION = re.compile(r"(?:我叫|我的名字是|本人叫)([\u4e00-\u9fff]{1,3})")


def _without_cjk_names(run: str) -> str:
    run = _INTRODUCTION.sub(lambda m: m.group(0)[: -len(m.group(1))] + REMOVED, run)
    return "".join(REMOVED if tag in _NAME_TAGS else word for word, tag in rjieba.tag(run))


def scrub(text: str, known: Iterable[str] = ()) -> str:
    """The question without personal data (see the module's docstring), on one line.

    `known`: normalised words the catalogue uses; a capitalised word among them ("Shanghai",
    "Huashan") is a place or a service, not a name.
    """
    vocabulary = set(known)
    text = " ".join(text.split())
    for pattern in (_EMAIL, _LINK, _HANDLE, _NUMBER):
        text = pattern.sub(REMOVED, text)
    text = _CJK_RUN.sub(lambda m: _without_cjk_names(m.group(0)), text)

    def latin(m: re.Match[str]) -> str:
        word = m.group(0)
        at_start = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1] in ".!?。！？"
        if word[:1].isupper() and not word.isupper() and not at_start and normalise(word) not in vocabulary:
            return REMOVED
        return word

    text = _LATIN_WORD.sub(latin, text)
    text = re.sub(rf"(?:{re.escape(REMOVED)}\s*)+", REMOVED + " ", text).strip()
    return text[:SHOWN_MAX_CHARS].strip()


def miss_key(shown: str) -> str | None:
    """What misses are counted under: the scrubbed question, normalised, shortened; None when
    nothing is left worth counting."""
    key = normalise(shown.replace(REMOVED, " "))
    key = " ".join(key.split())[:KEY_MAX_CHARS].strip()
    return key or None


def signature(analyser: Analyser, text: str) -> frozenset[str]:
    """The words two questions are compared by: Latin stems and Chinese bigrams, no stopwords."""
    words: set[str] = set()
    for token in tokens(normalise(text)):
        if is_cjk(token):
            for run in analyser.content_runs(token):
                words.update(bigrams(run))
        elif token not in analyser.stopwords and token not in analyser.noise:
            words.update(analyser.pieces(token)[0].stems[:1])
    return frozenset(words)


@dataclass
class Group:
    """Questions asked in different words about one thing, most asked first."""

    first_id: int  # names the group in buttons: the id of its most asked question
    words: frozenset[str]
    questions: list[tuple[int, str, str, int]] = field(default_factory=list)  # (id, key, shown, count)

    @property
    def count(self) -> int:
        return sum(q[3] for q in self.questions)

    @property
    def shown(self) -> str:
        return self.questions[0][2]


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    if a <= b or b <= a:  # "托育" and "附近哪里有托育班": one says less of the same
        return 1.0
    return len(a & b) / len(a | b)


def group(analyser: Analyser, misses: Iterable[tuple[int, str, str, int]]) -> list[Group]:
    """Misses (id, key, shown, count), most asked first -> groups of similar questions, largest
    first. Greedy: each question joins the first group it resembles, else starts one."""
    groups: list[Group] = []
    for miss in misses:
        words = signature(analyser, miss[2])
        for g in groups:
            if similarity(words, g.words) >= SIMILAR:
                g.questions.append(miss)
                break
        else:
            groups.append(Group(miss[0], words, [miss]))
    groups.sort(key=lambda g: -g.count)
    return groups
