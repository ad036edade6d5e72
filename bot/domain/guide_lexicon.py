"""The guide search's words of each language, kept as data (bot/data/guide_lexicon.yaml): the
stopwords a question can lose, the greetings that say nothing, and the synonym and colloquial
phrases that lead to the catalogue's own words ("压力大" -> 减压, 心理咨询).

Why data and not code: the station's staff know how people ask ("社保卡丢了", "stressé"); a phrase
added to the file is effective at the next start, without a programmer. Phrasings staff attach to
an entry from the unanswered questions are kept in the database instead (bot/storage/guide.py).

File shape, one section per language:

    zh:
      stopwords: [我, 想, 怎么, ...]        # dropped from a question, unless nothing else is left
      noise: [你好, 谢谢]                  # greetings: never searched for, even alone
      synonyms:
        - when: [压力大, 压力好大, 心累]     # any of these phrases in a question...
          means: [减压, 心理咨询]            # ...also looks for these words (in any language)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

LEXICON_LANGS = ("zh", "en", "fr")
PHRASE_MAX = 80


@dataclass(frozen=True)
class Rule:
    """Questions containing one of `when` (in `lang`) also look for each of `means`."""

    lang: str
    when: tuple[str, ...]
    means: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    stopwords: dict[str, frozenset[str]]
    noise: frozenset[str]
    rules: tuple[Rule, ...]

    @classmethod
    def empty(cls) -> Lexicon:
        return cls({lang: frozenset() for lang in LEXICON_LANGS}, frozenset(), ())


class LexiconError(ValueError):
    """The lexicon file is not usable; the message says where."""


def _phrases(value: Any, where: str, *, optional: bool = False) -> tuple[str, ...]:
    if value is None and optional:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not (value or optional):
        raise LexiconError(f"{where}: expected a list of phrases")
    out = []
    for item in value:
        if isinstance(item, bool):  # YAML reads a bare yes, no, on or off as true/false
            raise LexiconError(f'{where}: {item!r} must be quoted ("yes", "no", "on", "off")')
        if not isinstance(item, str | int) or not str(item).strip() or len(str(item)) > PHRASE_MAX:
            raise LexiconError(f"{where}: {item!r} is not a phrase of 1-{PHRASE_MAX} characters")
        out.append(" ".join(str(item).split()))
    return tuple(out)


def parse_lexicon(source: str) -> Lexicon:
    """YAML text -> Lexicon; raises LexiconError naming the language and the rule at fault."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        raise LexiconError(f"not valid YAML: {error}") from None
    if not isinstance(data, dict) or set(data) - set(LEXICON_LANGS):
        raise LexiconError(f"the file must map languages ({', '.join(LEXICON_LANGS)}) to their words")
    stopwords: dict[str, frozenset[str]] = {}
    noise: set[str] = set()
    rules: list[Rule] = []
    for lang in LEXICON_LANGS:
        section = data.get(lang) or {}
        if not isinstance(section, dict) or set(section) - {"stopwords", "noise", "synonyms"}:
            raise LexiconError(f"{lang}: only stopwords, noise and synonyms are allowed")
        stopwords[lang] = frozenset(_phrases(section.get("stopwords"), f"{lang} stopwords", optional=True))
        noise.update(_phrases(section.get("noise"), f"{lang} noise", optional=True))
        for index, rule in enumerate(section.get("synonyms") or [], start=1):
            where = f"{lang} synonyms rule {index}"
            if not isinstance(rule, dict) or set(rule) != {"when", "means"}:
                raise LexiconError(f"{where}: needs exactly 'when' and 'means'")
            rules.append(Rule(lang, _phrases(rule["when"], where), _phrases(rule["means"], where)))
    return Lexicon(stopwords, frozenset(noise), tuple(rules))
