"""How the service guide reads text: normalisation, words of three languages, and a question as
the concepts it asks about. Pure functions and the analyser; the index and ranking are in
bot/domain/guide_index.py.

Why this shape: people type whole sentences ("工作压力大想找人聊聊", "je suis stressé au travail"),
colloquial phrases, typos and mixed scripts. A question therefore becomes a list of *concepts*,
each satisfied by any of its *alternatives*:
- a Latin word: its English or French Snowball stem ("stressé" -> stress, "companies" -> compani),
  or, when the catalogue has no such word, the catalogue words one typo away ("residnce");
- a Chinese word cut by jieba (rjieba, jieba's dictionary and algorithm), or its character
  bigrams when the word is not in the catalogue as such (typos, unusual compounds). Which of
  these the question looks for is `CHINESE_MODES`; the benchmark compares them;
- a phrase of the lexicon (bot/data/guide_lexicon.yaml): its own words, or the words it means
  ("压力大" -> 减压, 心理咨询; "start a company" -> company registration).
Stopwords go only when something else is left, so a question never loses its meaning.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import rjieba  # loads jieba's dictionary once, when the bot's modules are imported
import Stemmer

from bot.domain.guide_lexicon import Lexicon

# Traditional -> simplified for characters likely in questions about the station's services.
# Cheap tolerance for visitors from Hong Kong, Macao and Taiwan; not a full converter (a missed
# character only costs one word). Pairs: traditional, simplified.
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
    "殘残礙碍証证災灾獨独貸贷償偿債债額额餘余僅仅態态勢势鎖锁燈灯廠厂徵征繳缴納纳貼贴憑凭"
    "畢毕僱雇傭佣匯汇設设畫画劃划廈厦郵邮遞递識识別别範范圍围錄录屆届"
)
_TRAD_MAP = str.maketrans({_TRADITIONAL[i]: _TRADITIONAL[i + 1] for i in range(0, len(_TRADITIONAL) - 1, 2)})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "‘": "'"})
_NOT_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"^[{_CJK}]+$")

QUERY_MAX_CHARS = 200
CHINESE_MODES = ("jieba+bigrams", "jieba", "bigrams")
SYNONYM_FACTOR = 0.8  # a word the question implies counts a little less than one it says
PART_FACTOR = 0.8  # part of a Chinese word (its bigrams), a Latin word one typo away
UNKNOWN_FACTOR = 0.6  # the characters of a Chinese word the catalogue does not have
TYPO_MIN = 4  # shorter Latin words have too many real neighbours to guess a typo


def fold(text: str) -> str:
    """NFKC (full-width letters), traditional -> simplified, case folded, punctuation to single
    spaces; accents kept (the French stemmer needs them: "stressée" -> stress)."""
    text = unicodedata.normalize("NFKC", text).translate(_TRAD_MAP).casefold().translate(_LIGATURES)
    return _NOT_WORD.sub(" ", text).strip()


def strip_accents(text: str) -> str:
    return unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", text)))


def normalise(text: str) -> str:
    """The one form catalogue text and questions are compared in: `fold`, and accents removed
    ("reunion" finds "réunion")."""
    return strip_accents(fold(text))


def is_cjk(token: str) -> bool:
    return bool(_IS_CJK.match(token))


def tokens(normal: str) -> list[str]:
    """Runs of Chinese characters and Latin words (digits included) of a normalised text."""
    return _TOKEN.findall(normal)


def bigrams(run: str) -> tuple[str, ...]:
    if len(run) < 2:
        return (run,) if run else ()
    return tuple(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1)))


_STEMMERS = {"en": Stemmer.Stemmer("english"), "fr": Stemmer.Stemmer("french")}


@functools.lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    """A Latin word's Snowball stem in English or French, without accents."""
    if word.isdigit() or len(word) < 3:
        return strip_accents(word)
    return strip_accents(str(_STEMMERS[lang].stemWord(word)))


@functools.lru_cache(maxsize=65536)
def stems(word: str, lang: str | None = None) -> tuple[str, ...]:
    """The stems a (folded) word is indexed or searched under: its language's, or both when the
    language is unknown; of the word as written and without accents, since people often type
    French without them ("securite")."""
    langs = (lang,) if lang in _STEMMERS else ("en", "fr")
    forms = dict.fromkeys((word, strip_accents(word)))
    return tuple(dict.fromkeys(stem(f, x) for x in langs for f in forms))


@dataclass(frozen=True)
class Alternative:
    """A way to find a concept in an entry: all `terms` (their idf-weighted share), or, with
    `by_chars`, the share of a Chinese run's characters covered by bigrams the entry has."""

    terms: tuple[str, ...]
    factor: float = 1.0
    by_chars: bool = False
    run: str = ""


@dataclass(frozen=True)
class Concept:
    """One thing the question asks about; found in an entry through its best alternative."""

    text: str  # as in the question (normalised), for tests and grouping
    alternatives: tuple[Alternative, ...]
    scale: float = 1.0  # fragments (lone characters) count less
    # The words that stand for this concept in a phrase ("work" "permit"): consecutive concepts
    # found next to each other in a title or keywords earn a bonus, and so do the words of a
    # lexicon phrase ("créer ... entreprise") found next to each other.
    first: str = ""
    last: str = ""
    inner: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Query:
    text: str  # the normalised question
    concepts: tuple[Concept, ...]

    @property
    def is_empty(self) -> bool:
        return not self.concepts

    def terms(self) -> set[str]:
        return {t for c in self.concepts for a in c.alternatives for t in a.terms}


@dataclass(frozen=True)
class Piece:
    """A stretch of the question: a Latin word with its stems, or a Chinese run."""

    text: str
    cjk: bool
    stems: tuple[str, ...] = ()


@dataclass(frozen=True)
class _LatinRule:
    stems: tuple[tuple[str, ...], ...]  # per word of the phrase (stopwords left out)
    text: str
    lang: str
    means: tuple[str, ...]


@dataclass(frozen=True)
class _CjkRule:
    text: str
    lang: str
    means: tuple[str, ...]


@dataclass
class _Rules:
    """The lexicon's phrases in the form questions are matched in (longest first)."""

    latin: list[_LatinRule] = field(default_factory=list)
    cjk: list[_CjkRule] = field(default_factory=list)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Vocabulary:
    """What the catalogue contains: every index term, and its Latin words for typo repair.

    Typos by symmetric deletion (as SymSpell does): a word and the catalogue word it was meant
    to be are one typo apart (a letter missing, extra, wrong or two swapped) exactly when they
    share a one-letter deletion, so a dictionary of deletions finds candidates in a few lookups.
    """

    def __init__(self, terms: Iterable[str], words: Iterable[str]) -> None:
        self.terms = frozenset(terms)
        self.words = frozenset(words)
        self._deleted: dict[str, set[str]] = {}
        for word in self.words:
            if len(word) >= TYPO_MIN and not word.isdigit():
                for variant in {word, *_deletions(word)}:
                    self._deleted.setdefault(variant, set()).add(word)

    def knows(self, term: str) -> bool:
        return term in self.terms

    def fixes(self, word: str) -> list[str]:
        """Catalogue words one typo away from `word` (not `word` itself)."""
        found: set[str] = set()
        for variant in {word, *_deletions(word)}:
            found |= self._deleted.get(variant, set())
        found.discard(word)
        return sorted(found)


class Analyser:
    """Turns catalogue text into index terms and questions into concepts, with one lexicon."""

    def __init__(self, lexicon: Lexicon, chinese: str = CHINESE_MODES[0]) -> None:
        if chinese not in CHINESE_MODES:
            raise ValueError(f"unknown Chinese mode {chinese!r}")
        self.chinese = chinese
        self.lexicon = lexicon
        self.stopwords = frozenset(normalise(w) for words in lexicon.stopwords.values() for w in words)
        self.noise = frozenset(normalise(w) for w in lexicon.noise)
        self._cjk_stop = sorted((w for w in self.stopwords | self.noise if is_cjk(w)), key=len, reverse=True)
        self._filler = re.compile("|".join(map(re.escape, self._cjk_stop))) if self._cjk_stop else None
        self._rules = _Rules()
        for rule in lexicon.rules:
            for phrase in rule.when:
                normal = normalise(phrase)
                if not normal:
                    continue
                if is_cjk(normal.replace(" ", "")):
                    self._rules.cjk.append(_CjkRule(normal.replace(" ", ""), rule.lang, rule.means))
                else:
                    folded = fold(phrase).split()
                    words = [w for w in folded if strip_accents(w) not in self.stopwords] or folded
                    stemmed = tuple(stems(w, None) for w in words)
                    self._rules.latin.append(_LatinRule(stemmed, normal, rule.lang, rule.means))
        self._rules.cjk.sort(key=lambda r: -len(r.text))
        self._rules.latin.sort(key=lambda r: -len(r.stems))
        # Latin rules by the stems of their first word: a question looks up only those it may match.
        self._latin_by_stem: dict[str, list[_LatinRule]] = {}
        for latin_rule in self._rules.latin:
            for first in latin_rule.stems[0]:
                self._latin_by_stem.setdefault(first, []).append(latin_rule)

    # ---------------------------------------------------------------- catalogue text

    def words(self, phrases: Iterable[str]) -> None:
        """Teach jieba the catalogue's own Chinese words (keywords such as 口袋党员, 一网通办), so
        questions are cut where the catalogue cuts them."""
        for phrase in phrases:
            for run in tokens(normalise(phrase)):
                if is_cjk(run) and 2 <= len(run) <= 8 and not rjieba.has_word(run):
                    rjieba.add_word(run, None, None)

    def index_terms(
        self, text: str, lang: str | None, *, chars: bool = True
    ) -> tuple[set[str], list[str], list[str]]:
        """Every term a question may look for in `text`, its words in order (for phrases), and
        its Latin words (for typo repair).

        Chinese runs give jieba's search-mode words, their bigrams and (with `chars`: titles and
        keywords, which one-character questions such as "税" name) single characters, so any of
        the ways of reading a question finds them; Latin words give their stems.
        """
        terms: set[str] = set()
        sequence: list[str] = []
        latin: list[str] = []
        stop = self.stopwords
        for token in tokens(fold(text)):
            if _IS_CJK.match(token):
                terms.update(rjieba.cut_for_search(token))
                terms.update(bigrams(token))
                if chars:
                    terms.update(token)
                sequence += [w for w in rjieba.cut(token) if w not in stop]
            else:
                found = stems(token, lang)
                plain = strip_accents(token)
                terms.update(found)
                latin.append(plain)
                if plain not in stop:
                    sequence.append(found[0])
        return terms, sequence, latin

    # ---------------------------------------------------------------- questions

    def content_runs(self, run: str) -> list[str]:
        """A Chinese run without its stopwords and greetings ("附近哪里有托育班" -> 附近, 托育班)."""
        parts = self._filler.split(run) if self._filler is not None else [run]
        return [p for p in parts if p]

    def pieces(self, folded: str) -> list[Piece]:
        return [
            Piece(t, True) if is_cjk(t) else Piece(strip_accents(t), False, stems(t)) for t in tokens(folded)
        ]

    def query(self, text: str, vocabulary: Vocabulary | None = None) -> Query:
        """A question as typed -> its concepts (see the module's docstring).

        With the catalogue's `vocabulary`, a Latin word the catalogue lacks is also looked for as
        the catalogue words one typo away.
        """
        normal = normalise(text[:QUERY_MAX_CHARS])
        pieces = self.pieces(fold(text[:QUERY_MAX_CHARS]))
        concepts: list[tuple[int, Concept]] = []  # (position, concept), sorted at the end
        used: set[int] = set()
        self._latin_rules(pieces, concepts, used)
        latin = [(i, p) for i, p in enumerate(pieces) if not p.cjk and i not in used]
        content = [(i, p) for i, p in latin if p.text not in self.stopwords and p.text not in self.noise]
        if not content and not any(p.cjk for p in pieces) and not concepts:
            # Only stopwords ("who", "it"): keep them rather than lose the question; but a
            # greeting with fillers ("thank you!") asks for nothing.
            if not any(p.text in self.noise for _, p in latin):
                content = [(i, p) for i, p in latin if len(p.text) > 1]
        for i, p in content:
            concepts.append((i, self._latin_concept(p, vocabulary)))
        cjk: list[tuple[int, Concept]] = []
        for i, p in enumerate(pieces):
            if p.cjk:
                cjk += [(i, c) for c in self._cjk_concepts(p.text, vocabulary)]
        if not cjk and not concepts:  # only stopwords: keep them rather than lose the question
            for i, p in enumerate(pieces):
                if p.cjk:
                    cjk += [(i, c) for c in self._cjk_concepts(p.text, vocabulary, keep_stopwords=True)]
        concepts += cjk
        ordered = tuple(c for _, c in sorted(concepts, key=lambda pc: pc[0]))
        return Query(normal, tuple(dict.fromkeys(ordered)))

    def _latin_rules(self, pieces: list[Piece], out: list[tuple[int, Concept]], used: set[int]) -> None:
        """Lexicon phrases in the question's Latin words, longest first; the rules of several
        languages matching the same words ("stress" is English and French) add up their means."""
        content = [i for i, p in enumerate(pieces) if not p.cjk and p.text not in self.stopwords]
        found: dict[tuple[int, ...], tuple[str, Alternative, list[tuple[str, tuple[str, ...]]]]] = {}
        possible = {
            id(r): r for i in content for s in pieces[i].stems for r in self._latin_by_stem.get(s, ())
        }
        for rule in sorted(possible.values(), key=lambda r: -len(r.stems)):
            n = len(rule.stems)
            for start in range(len(content) - n + 1):
                at = tuple(content[start : start + n])
                matched = [set(pieces[i].stems) & set(rule.stems[k]) for k, i in enumerate(at)]
                if not all(matched):
                    continue
                if at in found:
                    found[at][2].append((rule.lang, rule.means))
                elif not any(i in used for i in at):
                    used.update(at)
                    own = Alternative(tuple(min(m) for m in matched))
                    found[at] = (rule.text, own, [(rule.lang, rule.means)])
        for at, (text, own, means) in found.items():
            out.append((at[0], self._rule_concept(text, own, means)))

    def _rule_concept(self, text: str, own: Alternative, means: list[tuple[str, tuple[str, ...]]]) -> Concept:
        """A lexicon phrase found in the question: its own words, or any of the words it means.

        Without own words the catalogue knows, the first meaning stands for the phrase."""
        alternatives = [own] if own.terms else []
        for lang, meaning in ((lang, m) for lang, ms in means for m in ms):
            terms: list[str] = []
            for token in tokens(fold(meaning)):
                if is_cjk(token):
                    words = [w for w in rjieba.cut(token) if w not in self.stopwords and len(w) > 1]
                    terms += words or [token]
                elif strip_accents(token) not in self.stopwords:
                    terms.append(stem(token, lang) if lang in _STEMMERS else stems(token)[0])
            if terms:
                alternatives.append(Alternative(tuple(dict.fromkeys(terms)), SYNONYM_FACTOR))
        if not alternatives:
            alternatives = [Alternative((text.replace(" ", ""),))]
        inner = tuple(pair for a in alternatives for pair in zip(a.terms, a.terms[1:], strict=False))
        main = alternatives[0].terms
        return Concept(text, tuple(dict.fromkeys(alternatives)), first=main[0], last=main[-1], inner=inner)

    def _latin_concept(self, piece: Piece, vocabulary: Vocabulary | None) -> Concept:
        alternatives = [Alternative((s,)) for s in piece.stems]
        if (
            vocabulary is not None
            and len(piece.text) >= TYPO_MIN
            and not any(vocabulary.knows(s) for s in piece.stems)
        ):
            for word in vocabulary.fixes(piece.text):
                alternatives += [Alternative((s,), PART_FACTOR) for s in stems(word)]
        main = piece.stems[0]
        return Concept(piece.text, tuple(dict.fromkeys(alternatives)), first=main, last=main)

    def _cjk_concepts(
        self, run: str, vocabulary: Vocabulary | None, keep_stopwords: bool = False
    ) -> Iterator[Concept]:
        """A Chinese run -> concepts: lexicon phrases first, then the rest as the mode reads it."""
        for rule in self._rules.cjk:
            at = run.find(rule.text)
            if at >= 0:
                yield from self._cjk_concepts(run[:at], vocabulary, keep_stopwords)
                words = [w for w in rjieba.cut(rule.text) if len(w) > 1 and w not in self.stopwords]
                if vocabulary is not None:  # "开个" of "开个公司" is no word of the catalogue's
                    words = [w for w in words if vocabulary.knows(w)]
                yield self._rule_concept(rule.text, Alternative(tuple(words)), [(rule.lang, rule.means)])
                yield from self._cjk_concepts(run[at + len(rule.text) :], vocabulary, keep_stopwords)
                return
        if not run:
            return
        if self.chinese == "bigrams":
            parts = [run] if keep_stopwords else self.content_runs(run)
            if any(len(p) > 1 for p in parts):
                parts = [p for p in parts if len(p) > 1]
            for part in parts:
                yield Concept(
                    part, (Alternative(bigrams(part), by_chars=True, run=part),), first=part, last=part
                )
            return
        words = [
            w for w in rjieba.cut(run) if w not in self.noise and (keep_stopwords or w not in self.stopwords)
        ]
        if any(len(w) > 1 for w in words):
            yield from self._cjk_words(words, vocabulary)
        elif words:  # only single characters ("税", "办 党费"): each is what was asked
            for w in words:
                yield Concept(w, (Alternative((w,)),), first=w, last=w)

    def _cjk_words(self, words: list[str], vocabulary: Vocabulary | None) -> Iterator[Concept]:
        fragment = ""
        for w in [*words, ""]:
            if len(w) == 1:
                fragment += w
                continue
            if len(fragment) > 1 and self.chinese == "jieba+bigrams":
                # Lone characters jieba could not join ("续鉴" of a typo): their bigrams, for less.
                yield Concept(
                    fragment,
                    (Alternative(bigrams(fragment), PART_FACTOR, True, fragment),),
                    0.5,
                    fragment,
                    fragment,
                )
            fragment = ""
            if not w:
                continue
            alternatives = [Alternative((w,))]
            scale = 1.0
            if self.chinese == "jieba+bigrams" and len(w) > 2:
                alternatives.append(Alternative(bigrams(w), PART_FACTOR, True, w))
            elif self.chinese == "jieba+bigrams" and vocabulary is not None and not vocabulary.knows(w):
                # A two-character word the catalogue lacks (a typo: 续鉴 for 续签): its characters,
                # for less, and the concept itself counts less.
                alternatives.append(Alternative(tuple(w), UNKNOWN_FACTOR, True, w))
                scale = 0.5
            yield Concept(w, tuple(alternatives), scale, first=w, last=w)


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    """The Monday (in the station's time zone) of the week `moment` falls in: misses are counted
    per week, which is as fine as /stats needs and keeps no trace of when a person searched."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())
