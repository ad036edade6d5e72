"""Fuzzy matching of company names typed by staff against the registry, in any script.

Staff type what they remember: "ibg", "InterBridge", "英桥", "英桥集团上海有限公司", a full-width
"ＩＢＧ", or a name with a typo. Names are normalised (NFKC folds full-width forms, casefold,
punctuation and spaces dropped, legal-form words such as 有限公司 / Co., Ltd. removed) and scored
against both the Chinese and the English name; exact and substring matches rank first, then
difflib's similarity catches typos. With ~1,500 enterprises this runs in a few milliseconds,
which is why no search index is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

# Legal-form and place words that every other name shares: they make everything look alike.
_NOISE = (
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "（上海）",
    "(上海)",
    "上海",
    "coltd",
    "co",
    "ltd",
    "limited",
    "inc",
    "shanghai",
    "llc",
    "corp",
    "company",
)
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)

THRESHOLD = 0.6


def normalise(text: str | None, *, fallback: bool = True) -> str:
    """The distinctive part of a name; `fallback` keeps a name made only of noise words searchable."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = [w for w in _PUNCT.split(folded) if w]
    kept = [w for w in words if w not in _NOISE]
    joined = "".join(kept)
    for noise in _NOISE[:6]:
        joined = joined.replace(noise.casefold(), "")
    return joined or ("".join(words) if fallback else "")


def score(query: str, *names: str | None) -> float:
    """How well `query` names this enterprise: 1 exact, ~0.9 substring, else similarity (0-1)."""
    q = normalise(query, fallback=False)
    if not q:
        return 0.0
    best = 0.0
    for name in names:
        n = normalise(name)
        if not n:
            continue
        if q == n:
            return 1.0
        if q in n:
            best = max(best, 0.85 + 0.1 * len(q) / len(n))
            continue
        matcher = SequenceMatcher(None, q, n, autojunk=False)
        if matcher.real_quick_ratio() < THRESHOLD / 2:
            continue
        ratio = matcher.ratio()
        # A query that is a slightly misspelt part of a long name: matched characters over the query.
        partial = sum(b.size for b in matcher.get_matching_blocks()) / len(q)
        best = max(best, ratio, partial * 0.8 if len(q) >= 3 else 0.0)
    return best


def rank(
    query: str,
    candidates: Iterable[tuple[int, str, str | None]],
    limit: int = 8,
    threshold: float = THRESHOLD,
) -> list[tuple[int, float]]:
    """(id, score) of the best matches above the threshold, best first."""
    scored = [(cid, score(query, name, name_en)) for cid, name, name_en in candidates]
    good = [(cid, s) for cid, s in scored if s >= threshold]
    good.sort(key=lambda item: -item[1])
    return good[:limit]
