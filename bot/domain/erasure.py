"""Finding a person's values in text that may quote them, however that text was written.

/forgetme replaces what the person wrote on their own rows wholesale; this module is for the rest:
a staff note on another request, a message still queued for a staff chat, the guide's log of
searches that found nothing. There the person's values appear transformed, and a plain substring
search missed them (issue 15):

- escaped for Telegram's HTML by markupsafe (`'` as `&#39;`, `"` as `&#34;`; html.escape would
  have written `&#x27;` and `&quot;`): text is compared after decoding every entity, so both match;
- reflowed: line breaks shown as spaces (`replace("\\n", " ")`), runs of spaces: whitespace runs
  compare equal whatever they are;
- truncated: Jinja's `truncate` (cut at a word, then "..."), `fit` ("…"), a hard cut at the end of
  an audit detail or a search key: a quote that keeps at least `MIN_QUOTE` characters of the text
  and stops at an ellipsis or at the end is erased whole, ellipsis included;
- in another case ("ZHENYA"), or as a word inside other words (a name "Li" is not erased from
  "Lift": the ends of a Latin name must be word boundaries);
- phone and ID numbers in any common spacing: "139 1234 5678", "139-1234-5678",
  "+86 139 1234 5678", "0086-139…", an 18-character ID number ending in X, full-width digits.
  Numbers are compared by their digits, so every way of writing one matches every other;
- in the guide's normalised search form (lower case, no accents or punctuation) for the log of
  searches.

Pure: the caller reads the text and writes the result back.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.guide import normalise as search_form
from bot.domain.phone_numbers import canonical_number, number_spans, numbers_in

PLACEHOLDER = "[erased]"
MIN_NAME = 2  # a name, handle or number shorter than this is not searched for
MIN_TEXT = 16  # shorter free text ("ok", "called back") would erase other people's own words
MIN_QUOTE = 12  # a cut quote must keep this much of a longer text to be recognised as one

_ELLIPSES = ("...", "…")
_TAG_MARK = "\x00"  # a real HTML tag in the compared text: never part of a match
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_UNSAFE = set(" \t\n\r&<>\"'\\")  # characters that may be written differently (an SQL anchor avoids them)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class Form(StrEnum):
    """How a column's text is written, so the person's values are looked for in that form."""

    PLAIN = "plain"  # text as typed (notes, descriptions, log details)
    HTML = "html"  # a rendered Telegram message: entities and tags
    JSON = "json"  # an outbox keyboard: JSON rows of buttons, whose "text" labels are plain
    SEARCH = "search"  # the guide's normalised search form
    FILE = "file"  # a whole value naming a file (a Telegram file_id): erased when it is theirs


def _fold(text: str) -> str:
    """Lower case, one character for one (so positions still map back to the original)."""
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def _compared(value: str) -> str:
    return _fold(" ".join(value.split()))


@dataclass(frozen=True)
class Needles:
    """What to look for: the person's texts and names (compared form), their numbers, files."""

    texts: tuple[str, ...] = ()
    searched: tuple[str, ...] = ()
    numbers: frozenset[str] = frozenset()
    files: frozenset[str] = frozenset()
    written: frozenset[str] = frozenset()  # which of texts/searched are texts they wrote, not names

    def __bool__(self) -> bool:
        return bool(self.texts or self.searched or self.numbers or self.files)

    def without_writing(self) -> Needles:
        """Names, numbers and files only: for text other people wrote themselves, where the
        same words as the person's ("what is the social insurance process?") are a coincidence,
        not a quote."""
        return Needles(
            texts=tuple(t for t in self.texts if t not in self.written),
            searched=tuple(t for t in self.searched if t not in self.written),
            numbers=self.numbers,
            files=self.files,
        )

    def anchors(self, form: Form) -> list[str] | None:
        """Substrings (ASCII lower case) at least one of which is in any text this would change,
        for a cheap SQL prefilter (`instr(lower(column), anchor)`); None: no such guarantee."""
        if form is Form.FILE:
            return sorted({f.translate(_ASCII_LOWER) for f in self.files})
        found: set[str] = {n[-3:].lower() for n in self.numbers}
        for needle in self.searched if form is Form.SEARCH else self.texts:
            anchor = _anchor(needle[: _shortest_quote(needle)])
            if not anchor:
                return None
            found.add(anchor.translate(_ASCII_LOWER))
        return sorted(found)


def needles(
    *,
    names: Iterable[str] = (),
    texts: Iterable[str] = (),
    files: Iterable[str] = (),
    numbers_from: Iterable[str] = (),
) -> Needles:
    """The needles for a person's `names` (names, handles, phone numbers: searched from
    `MIN_NAME` characters), `texts` (what they wrote: from `MIN_TEXT`), `files` (identifiers
    matched whole) and the phone and ID numbers inside any of these and inside `numbers_from`
    (text written about them by others, whose words are not theirs but whose numbers are)."""
    compared: set[str] = set()
    searched: set[str] = set()
    numbers: set[str] = set()
    named: set[str] = set()
    for minimum, values in ((MIN_NAME, names), (MIN_TEXT, texts), (None, numbers_from)):
        for value in values:
            value = value.strip()
            if value == PLACEHOLDER:
                continue
            numbers |= numbers_in(value)
            whole = canonical_number(value)
            if whole:
                numbers.add(whole)
            if minimum is not None and len(value) >= minimum:
                forms = {_compared(value)}
                normal = search_form(value).strip()
                if len(normal) >= minimum:
                    forms.add(normal)
                    searched.add(normal)
                compared.add(_compared(value))
                if minimum == MIN_NAME:
                    named |= forms
    return Needles(
        texts=tuple(sorted(compared, key=len, reverse=True)),
        searched=tuple(sorted(searched, key=len, reverse=True)),
        numbers=frozenset(numbers),
        files=frozenset(f for f in files if f and f != PLACEHOLDER),
        written=frozenset((compared | searched) - named),
    )


def scrub(text: str, found: Needles, form: Form) -> str:
    """`text` with every appearance of the person's values replaced by PLACEHOLDER."""
    if not text or not found:
        return text
    if form is Form.FILE:
        return PLACEHOLDER if text.strip() in found.files else text
    if form is Form.JSON:
        return _scrub_json(text, found)
    view = _View(text, html_text=form is Form.HTML)
    spans = list(_spans(view, found.searched if form is Form.SEARCH else found.texts, found.numbers))
    return view.replace(spans, PLACEHOLDER) if spans else text


# --------------------------------------------------------------------------- matching


def _shortest_quote(needle: str) -> int:
    return len(needle) if len(needle) < MIN_QUOTE else MIN_QUOTE


def _anchor(head: str) -> str:
    """The longest run of `head` written the same in every form (no space, quote, &, <, >)."""
    best = ""
    run = ""
    for c in head:
        if c in _UNSAFE:
            run = ""
            continue
        run += c
        if len(run) > len(best):
            best = run
    return best


@dataclass
class _View:
    """`original` as compared: entities decoded, tags masked, whitespace runs as one space, lower
    case; `starts`/`ends` map each compared character back to its span in `original`."""

    original: str
    html_text: bool
    text: str = ""
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        chars: list[str] = []
        s, n, i = self.original, len(self.original), 0

        def add(c: str, start: int, end: int) -> None:
            chars.append(c)
            self.starts.append(start)
            self.ends.append(end)

        while i < n:
            c = s[i]
            if self.html_text and c == "<" and (close := s.find(">", i)) != -1:
                add(_TAG_MARK, i, close + 1)
                i = close + 1
            elif self.html_text and c == "&" and (entity := _ENTITY.match(s, i)):
                decoded = html.unescape(entity.group())
                for d in _fold(" " if decoded.isspace() else decoded):
                    add(d, i, entity.end())
                i = entity.end()
            elif c.isspace():
                j = i
                while j < n and s[j].isspace():
                    j += 1
                add(" ", i, j)
                i = j
            else:
                add(_fold(c), i, i + 1)
                i += 1
        self.text = "".join(chars)

    def replace(self, spans: list[tuple[int, int]], placeholder: str) -> str:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        out = self.original
        for start, end in reversed(merged):
            out = out[: self.starts[start]] + placeholder + out[self.ends[end - 1] :]
        return out


def _word_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _spans(view: _View, texts: tuple[str, ...], numbers: frozenset[str]) -> Iterator[tuple[int, int]]:
    for needle in texts:
        yield from _text_spans(view.text, needle)
    if numbers:
        for start, end, number in number_spans(view.text):
            if number in numbers:
                yield start, end


def _text_spans(hay: str, needle: str) -> Iterator[tuple[int, int]]:
    shortest = _shortest_quote(needle)
    head = needle[:shortest]
    at = hay.find(head)
    while at != -1:
        span = _match_at(hay, at, needle, shortest)
        if span is not None:
            yield span
        at = hay.find(head, at + 1)


def _match_at(hay: str, at: int, needle: str, shortest: int) -> tuple[int, int] | None:
    """The span of `needle` (whole, or cut with an ellipsis or at the end) starting at `at`."""
    if _word_char(needle[0]) and at > 0 and _word_char(hay[at - 1]):
        return None
    k = shortest
    limit = min(len(needle), len(hay) - at)
    while k < limit and hay[at + k] == needle[k]:
        k += 1
    end = at + k
    if k == len(needle):
        if _word_char(needle[-1]) and end < len(hay) and _word_char(hay[end]):
            return None
        return at, end
    rest = end + 1 if end < len(hay) and hay[end] == " " else end
    for ellipsis in _ELLIPSES:
        if hay.startswith(ellipsis, rest):
            return at, rest + len(ellipsis)
    if rest >= len(hay) or hay[rest] == _TAG_MARK:
        return at, end
    return None


def _scrub_json(text: str, found: Needles) -> str:
    """An outbox keyboard: each button's label is plain text."""
    try:
        rows = json.loads(text)
    except ValueError:
        return scrub(text, found, Form.PLAIN)
    changed = False
    if isinstance(rows, list):
        for row in rows:
            for button in row if isinstance(row, list) else ():
                label = button.get("text") if isinstance(button, dict) else None
                if isinstance(label, str):
                    new = scrub(label, found, Form.PLAIN)
                    if new != label:
                        button["text"] = new
                        changed = True
    return json.dumps(rows, ensure_ascii=False) if changed else text
