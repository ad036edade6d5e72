"""Search rules of the service guide: how text is normalised, how a question becomes search
terms, and how a catalogue entry is scored against them. Pure functions, no I/O.

Why our own scoring on top of SQLite FTS5: the trigram index finds candidates fast (Chinese
without spaces, partial words), but people type whole questions ("how do I renew my residence
permit", "我想转组织关系"), one-character typos and mixed scripts. We therefore treat a question
as a bag of character n-grams (trigrams for every script, plus bigrams for Chinese, whose words
are mostly two characters) and score an entry by the weighted share of those n-grams it contains:
a typo spoils at most three trigrams of a word, and filler words ("how do I", "我想") simply
match nothing. Rare n-grams weigh more (inverse document frequency), titles and keywords more
than body text.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.phone_numbers import mask_numbers

# Traditional -> simplified for characters likely in questions about the station's services.
# Cheap tolerance for visitors from Hong Kong, Macao and Taiwan; not a full converter (a missed
# character only costs one n-gram). Pairs: traditional, simplified.
_TRADITIONAL = (
    "黨党員员組组織织關关係系轉转證证書书會会議议辦办險险稅税務务機机區区號号請请問问個个費费醫医"
    "療疗護护業业職职專专學学習习積积報报銷销檔档預预約约單单電电話话網网絡络線线門门開开間间樓楼"
    "層层處处戶户簽签變变應应聯联發发復复們们對对於于與与為为來来這这時时麼么後后裏里裡里點点誰谁"
    "該该還还樣样讓让從从車车長长頭头動动勞劳資资養养認认歲岁齡龄婦妇兒儿屬属歷历優优創创營营產产"
    "權权標标準准規规則则審审許许註注冊册記记執执類类稱称館馆導导諮咨詢询輔辅壓压減减輕轻鬆松體体"
    "驗验課课訓训講讲場场團团隊队願愿義义寫写續续補补換换領领備备攜携帶带張张碼码圖图廳厅廣广東东"
    "華华萬万園园鐘钟錢钱銀银賬账帳账種种級级紅红綠绿藍蓝黃黄價价總总統统計计數数據据實实際际難难"
    "題题決决條条歡欢謝谢幫帮聽听說说讀读覺觉見见現现觀观親亲視视覽览齊齐濟济經经雲云衛卫裝装運运"
    "達达遷迁離离臺台檢检測测盡尽歸归獲获獎奖勵励節节紀纪幹干腦脑筆笔簡简訪访調调談谈協协顧顾傷伤"
    "殘残礙碍証证災灾獨独貸贷償偿債债額额餘余僅仅態态勢势鎖锁燈灯廠厂稅税徵征繳缴納纳貼贴補补憑凭據据"
    "護护簽签證证畢毕業业僱雇傭佣險险積积匯汇設设計计畫画劃划議议廳厅廈厦區区郵邮"
    "遞递識识別别範范圍围壓压減减療疗詢询諮咨輔辅導导員员談谈話话錄录屆届黨党費费組组織织轉转關关"
)
_TRAD_MAP = str.maketrans({_TRADITIONAL[i]: _TRADITIONAL[i + 1] for i in range(0, len(_TRADITIONAL) - 1, 2)})

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "‘": "'"})
_NOT_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"^[{_CJK}]+$")

# Words that say nothing about the service wanted (after normalisation: no accents).
STOPWORDS = frozenset(
    """
    a an the and or of to in on at for from by with about into is are am be was were been do does did
    i me my we our you your he she it its they them their this that these those there here what which
    who whom how why where when can could would should will shall may might must please want need
    get got have has had help hello hi dear thanks thank any some just like know tell find looking
    feel think go going way thing something someone anyone anything possible also still again
    there's i'm im ive dont don't cant can't hey ok okay yes no not
    le la les l un une des du de d au aux et ou où ce cet cette ces je j me m mon ma mes nous notre
    vous votre vos il elle ils elles on est sont suis es etre avoir ai a as qui que qu quoi quel
    quelle quels quelles comment pourquoi ou quand dans sur pour par avec sans en y ne pas plus
    faire fait peux peut puis veux voudrais voudrait besoin svp merci bonjour salut s se sa son ses
    aller vais chose quelque quelqu aussi encore trouver trouve savoir sais dois doit oui non
    """.split()
)
# Chinese filler phrases removed from a run of characters before it is cut into n-grams.
CJK_FILLERS = (
    "请问一下",
    "请问",
    "我想要",
    "我想",
    "我要",
    "我需要",
    "需要",
    "怎么办",
    "怎么样",
    "怎么",
    "怎样",
    "如何",
    "在哪里",
    "在哪儿",
    "在哪",
    "哪里",
    "哪儿",
    "什么",
    "可以吗",
    "可以",
    "能不能",
    "一下",
    "我们",
    "我的",
    "你好",
    "您好",
    "谢谢",
    "是否",
    "有没有",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
)
_FILLER = re.compile("|".join(map(re.escape, sorted(CJK_FILLERS, key=len, reverse=True))))

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.5, "body": 1.0}
QUERY_MAX_CHARS = 200
MISS_KEY_MAX_CHARS = 60


def normalise(text: str) -> str:
    """The one form both catalogue text and questions are compared in.

    NFKC (full-width letters, compatibility forms), traditional -> simplified, case folding,
    French accents removed (so "reunion" finds "réunion"), punctuation to single spaces.
    Padded with a space on each side so a short word can be matched whole (" rh ").
    """
    text = unicodedata.normalize("NFKC", text).translate(_TRAD_MAP).casefold().translate(_LIGATURES)
    text = unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", text)))
    text = _NOT_WORD.sub(" ", text).strip()
    return f" {text} " if text else ""


def stem(word: str) -> str:
    """A very light English/French suffix strip ("stressed" -> "stress", "machines" -> "machine").

    Safe for substring search: the stem is a prefix of the word, so text containing the full
    word still contains every trigram of the stem; only rare suffix trigrams ("sed") go.
    """
    if len(word) >= 6 and word.endswith("ing"):
        return word[:-3]
    if len(word) >= 6 and word.endswith("ed"):
        return word[:-2]
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Term:
    """One word (Latin script, digits) or one run of Chinese characters from a question."""

    text: str
    cjk: bool

    @property
    def grams(self) -> tuple[str, ...]:
        """The n-grams an entry is checked for (their share found is the term's score).

        Latin words of 1-2 characters are matched as whole words (" rh "), longer ones by their
        trigrams; Chinese runs by bigrams and trigrams (a lone character by itself).
        """
        t = self.text
        if not self.cjk:
            t = stem(t)
            if len(t) < 3:
                return (f" {t} ",)
            return tuple(dict.fromkeys(t[i : i + 3] for i in range(len(t) - 2)))
        if len(t) == 1:
            return (t,)
        grams = [t[i : i + 2] for i in range(len(t) - 1)] + [t[i : i + 3] for i in range(len(t) - 2)]
        return tuple(dict.fromkeys(grams))


@dataclass(frozen=True)
class Query:
    text: str  # the normalised question
    terms: tuple[Term, ...]

    @property
    def grams(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g for t in self.terms for g in t.grams))

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def fts_match(self, frequencies: Mapping[str, int], per_term: int = 3) -> str | None:
        """An FTS5 MATCH expression for candidates: each term's rarest trigrams, any of them.

        Only the rarest few per term: a common trigram ("ion", "ent") is in every entry, and
        merging its whole posting list is what would make a big catalogue slow; the ranking
        looks at every n-gram afterwards anyway. `frequencies` is each trigram's document
        frequency (unknown trigrams are in no entry and are skipped). Grams come from normalised
        text (word characters and spaces only), so quoting them is safe.
        """
        chosen: list[str] = []
        for term in self.terms:
            known = [g for g in term.grams if len(g) >= 3 and frequencies.get(g, 0) > 0]
            chosen += sorted(known, key=lambda g: frequencies[g])[:per_term]
        if not chosen:
            return None
        return " OR ".join(f'"{g}"' for g in dict.fromkeys(chosen))

    def short_terms(self) -> tuple[str, ...]:
        """Chinese terms of one or two characters ("税", "社保"): too short for the trigram index,
        so they are searched by substring instead."""
        return tuple(t.text for t in self.terms if t.cjk and len(t.text) < 3)

    def bigrams(self) -> tuple[str, ...]:
        """Chinese bigrams, the fallback search when no trigram of a longer run is found."""
        return tuple(g for g in self.grams if len(g) == 2)


def parse_query(text: str) -> Query:
    """A question as typed -> search terms: stopwords and Chinese filler phrases dropped.

    Single Chinese characters left between fillers ("办" in "怎么办") are kept only when the
    question has nothing longer, so "税" alone still searches. Only filler ("thanks", "où ?",
    "谢谢") leaves no terms: the caller asks for a few words instead of counting a miss.
    """
    normal = normalise(text[:QUERY_MAX_CHARS])
    latin: list[Term] = []
    cjk: list[Term] = []
    for token in _TOKEN.findall(normal):
        if _IS_CJK.match(token):
            for piece in _FILLER.split(token):
                if piece:
                    cjk.append(Term(piece, True))
        elif token not in STOPWORDS:
            latin.append(Term(token, False))
    if any(len(t.text) > 1 for t in cjk):
        cjk = [t for t in cjk if len(t.text) > 1]
    terms = tuple(dict.fromkeys([*cjk, *latin]))
    return Query(normal.strip(), terms)


@dataclass(frozen=True)
class Fields:
    """An entry's normalised search text, as stored in the FTS table."""

    title: str
    keywords: str
    body: str


def idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency: an n-gram in every entry weighs almost nothing."""
    df = max(0, min(document_frequency, documents))
    return math.log((documents - df + 0.5) / (df + 0.5) + 1.0)


@dataclass(frozen=True)
class Scored:
    score: float  # for ordering the answers
    coverage: float  # how much of the question the entry contains, 0..1 (see `found_share`)

    @property
    def answers(self) -> bool:
        """Enough of the question is found for the entry to be shown as an answer."""
        return self.score > 0 and self.coverage >= MIN_COVERAGE


MIN_COVERAGE = 0.45
RELATIVE_CUTOFF = 0.3
TYPO_FOUND = 0.8


@functools.lru_cache(maxsize=1024)
def _typo_pattern(word: str) -> re.Pattern[str]:
    """The word with one letter missing (3+ letters), or one letter wrong, extra or two letters
    swapped (5+ letters: shorter words have too many real neighbours), at the start of a word."""
    variants = {word[:i] + "." + word[i:] for i in range(1, len(word))}
    if len(word) >= 5:
        for i in range(len(word)):
            variants.add(word[:i] + "." + word[i + 1 :])
            variants.add(word[:i] + word[i + 1 :])
            if i + 1 < len(word):
                variants.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return re.compile(" (?:" + "|".join(sorted(variants, key=len, reverse=True)) + ")")


def found_share(term: Term, texts: tuple[str, ...]) -> float:
    """How much of one term an entry contains, 0..1.

    A word: 1 if the entry has a word starting with it ("permit" in "permits"), 0.8 if with one
    typo (in the title or keywords), else 0 — scattered trigrams ("world": "work", "orl...") are not the word. A Chinese run: the share of its characters covered
    by bigrams the entry contains, since words are not delimited ("社保卡丢" is 3/4 found).
    """
    t = term.text
    if not term.cjk:
        stemmed = stem(t)
        needle = f" {stemmed} " if len(stemmed) < 3 else f" {stemmed}"
        if any(needle in text for text in texts):
            return 1.0
        # Typos are looked for in titles and keywords only: the words people name a service by
        # (and the long body text would make every question slow).
        if len(stemmed) >= 3 and any(_typo_pattern(stemmed).search(text) for text in texts[:2]):
            return TYPO_FOUND
        return 0.0
    if len(t) == 1:
        return 1.0 if any(t in text for text in texts) else 0.0
    covered = [False] * len(t)
    for i in range(len(t) - 1):
        if any(t[i : i + 2] in text for text in texts):
            covered[i] = covered[i + 1] = True
    return sum(covered) / len(t)


def score(query: Query, fields: Fields, weights: Mapping[str, float]) -> Scored:
    """How well an entry answers the question.

    Ordering: weighted n-gram overlap, each n-gram counted in the best field it appears in
    (title > keywords > body) with its idf from `weights`; each term counts by its specificity
    (mean idf of its n-grams); a whole term in the title earns a bonus, so the entry *named* by
    the question comes first. Coverage: the idf-weighted share of the terms found (`found_share`).
    """
    total = found_weight = all_weight = 0.0
    texts = (
        (fields.title, FIELD_WEIGHTS["title"]),
        (fields.keywords, FIELD_WEIGHTS["keywords"]),
        (fields.body, FIELD_WEIGHTS["body"]),
    )
    for term in query.terms:
        grams = term.grams
        denominator = sum(weights.get(g, 0.0) for g in grams)
        if denominator <= 0:
            continue
        found = 0.0
        for gram in grams:
            weight = weights.get(gram, 0.0)
            if weight <= 0:
                continue
            for text, field_weight in texts:
                if gram in text:
                    found += weight * field_weight
                    break
        term_weight = denominator / len(grams)
        all_weight += term_weight
        share = found_share(term, (fields.title, fields.keywords, fields.body))
        found_weight += term_weight * share
        if found == 0 and share == 0:
            continue
        total += term_weight * (found / denominator + share) * len(grams) ** 0.5
        if len(term.text) > 1 and (term.text if term.cjk else f" {stem(term.text)}") in fields.title:
            total += term_weight
    return Scored(total, found_weight / all_weight if all_weight else 0.0)


def rank(
    query: Query, candidates: Iterable[tuple[str, Fields]], weights: Mapping[str, float], limit: int = 5
) -> list[tuple[str, float]]:
    """The entries that answer the question, best first; ties keep the candidates' order.

    An entry must contain a good share of the question (`Scored.answers`: one shared common
    n-gram is not an answer) and score within reach of the best one (stragglers only add noise).
    """
    scored = []
    for key, fields in candidates:
        result = score(query, fields, weights)
        if result.answers:
            scored.append((key, result.score))
    best = max((s for _, s in scored), default=0.0)
    scored = [(k, s) for k, s in scored if s >= best * RELATIVE_CUTOFF]
    order = sorted(range(len(scored)), key=lambda i: -scored[i][1])
    return [scored[i] for i in order[:limit]]


def gram_set(text: str) -> set[str]:
    """Every n-gram of a normalised text a question could look for (for document frequencies)."""
    grams: set[str] = set()
    for token in _TOKEN.findall(text):
        if _IS_CJK.match(token):
            grams.update(token)
            grams.update(token[i : i + 2] for i in range(len(token) - 1))
            grams.update(token[i : i + 3] for i in range(len(token) - 2))
        elif len(token) < 3:
            grams.add(f" {token} ")
        else:
            grams.update(token[i : i + 3] for i in range(len(token) - 2))
    return grams


_LONG_NUMBER = re.compile(r"\d{5,}")


def miss_key(query: Query) -> str | None:
    """What is counted for a search that found nothing: the normalised question, without long
    numbers in any spacing (a phone or ID number typed by mistake, "139 1234 5678", must not be
    kept), shortened. None when
    there is nothing worth counting."""
    if query.is_empty:
        return None
    key = _LONG_NUMBER.sub("#", mask_numbers(query.text))
    key = " ".join(key.split())[:MISS_KEY_MAX_CHARS].strip()
    return key or None


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    """The Monday (in the station's time zone) of the week `moment` falls in: misses are counted
    per week, which is as fine as /stats needs and keeps no trace of when a person searched."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())
