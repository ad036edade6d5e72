"""Phone and ID numbers as people write them: "139 1234 5678", "139-1234-5678", "+86 139 1234 5678",
"0086-139…", "(021) 6234 5678", "310101 19900101 123X", in full-width digits too.

Two texts name the same number when their canonical digits are equal (`canonical_number`), so
every way of writing one matches every other: what /forgetme needs to find a person's phone
number in a staff note, and what the guide's log of searches needs to keep none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

MIN_DIGITS = 7  # fewer digits is a year, a floor, a count: not a phone or ID number
MAX_DIGITS = 20  # +86, a landline and an extension; an 18-character ID number
_GROUP = re.compile(r"(\d+)([xXｘＸ]?)")
_DIGITS = re.compile(r"\d+")
_MOBILE = re.compile(r"1[3-9]\d{9}")

# Digits with up to three separators between each (spaces, dashes, dots, brackets), optionally
# "+" or "00" in front and an ID number's final X: the ways people write phone and ID numbers.
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:\+|[(（]\+?)?\d(?:[\s\-‐‑–—－.()（）]{0,3}\d){"
    + str(MIN_DIGITS - 1)
    + r",}(?:[\s\-]?[xX])?(?![0-9A-Za-z])"
)


def canonical_number(written: str) -> str | None:
    """The digits that identify a phone or ID number written any way, or None when `written` is
    not one: a Chinese mobile as its 11 digits (without +86 / 0086 / 86), a number written with
    a leading 0 or an international prefix without them (+86 21 6234 5678 = 021-6234 5678), a
    foreign number with its country code, a 15- or 18-character ID number (final X in capitals).
    A year, a reference such as JA-2026-000123 or a date is not a number of this kind."""
    text = written.strip().lstrip("(（")
    digits = "".join(_ascii(g.group()) for g in _DIGITS.finditer(text))
    return _canonical(digits, plus=text[:1] in ("+", "＋"), x=text[-1:] in ("x", "X", "ｘ", "Ｘ"))


def _ascii(digits: str) -> str:
    """Digits of any script (full-width ones typed on a Chinese keyboard) as ASCII."""
    return digits if digits.isascii() else "".join(str(unicodedata.digit(c)) for c in digits)


def _canonical(digits: str, *, plus: bool, x: bool) -> str | None:
    if x:
        return digits + "X" if len(digits) == 17 else None
    international = plus or digits.startswith("00")
    if not international and len(digits) in (15, 18):
        return digits
    if international:
        digits = digits.removeprefix("00")
        if not digits.startswith("86"):  # a foreign number: country code and 8+ digits
            return digits if len(digits) >= 10 else None
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]
    if _MOBILE.fullmatch(digits):
        return digits
    rest = digits.lstrip("0")
    if (international or digits.startswith("0")) and 8 <= len(rest) <= 11:
        return rest
    return None


def number_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, canonical number) of every phone or ID number written in `text`.

    A run of digits and separators may hold several numbers ("139 1234 5678 021 6234 5678")
    or a number beside another figure: every run of consecutive digit groups up to MAX_DIGITS
    digits is tried.
    """
    for run in _NUMBER.finditer(text):
        written = run.group()
        plus = written.lstrip("(（")[:1] in ("+", "＋")
        groups = [
            (g.start(), g.end(), _ascii(g.group(1)), bool(g.group(2))) for g in _GROUP.finditer(written)
        ]
        for i, (first, _, _, _) in enumerate(groups):
            begin = 0 if i == 0 else first
            digits = ""
            for j in range(i, len(groups)):
                _, last, group, x = groups[j]
                digits += group
                if len(digits) > MAX_DIGITS:
                    break
                if len(digits) < 9 and not x:  # 0 + 8 digits is the shortest there is
                    continue
                number = _canonical(digits, plus=plus and i == 0, x=x)
                if number:
                    yield run.start() + begin, run.start() + last, number


def numbers_in(text: str) -> set[str]:
    """The phone and ID numbers written in `text`, canonical."""
    return {number for _, _, number in number_spans(text)}


def mask_numbers(text: str, mask: str = "#") -> str:
    """`text` with every run that looks like a phone or ID number (seven digits or more, in any
    spacing) replaced by `mask`, whether or not it is a valid number."""
    return _NUMBER.sub(mask, text)
