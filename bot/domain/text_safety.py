"""Text that people type, made safe to show to others; values from files, made safe to quote.

`neutralise` removes the invisible Unicode controls that change the direction text is drawn in.
A name typed as "Zhang\u202egnaW" (RIGHT-TO-LEFT OVERRIDE) is drawn "ZhangWang" reversed on a
staff card, so a person can look like someone else or make a card read what it does not say
("Trojan Source", CVE-2021-42574). None of the station's three languages needs these controls:
Chinese, English and French are drawn left to right, and text mixing in Arabic or Hebrew still
reads correctly without them (the Unicode bidi algorithm orders it by itself). So they are removed
wherever names and free text enter, and again when anything is rendered.

`shown` is how an error message quotes a value from a file: a hostile file must not be able to
make the message itself huge (a YAML alias bomb once expanded to gigabytes inside an f-string).
"""

from __future__ import annotations

import re

# Embeddings and overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI), the implicit marks
# LRM, RLM and ALM: every control that can reorder the characters around it.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")

SHOWN_MAX = 80


def neutralise(text: str) -> str:
    """`text` without bidirectional controls (everything else, line breaks included, is kept)."""
    return _BIDI.sub("", text) if _BIDI.search(text) else text


def neutralise_optional(text: str | None) -> str | None:
    return neutralise(text) if text is not None else None


def shown(value: object, limit: int = SHOWN_MAX) -> str:
    """A value quoted in an error message: text in quotes, cut at `limit` characters.

    Anything that is not text (a list, a mapping from a file) is named by its kind, never
    formatted: formatting is what an alias bomb relies on.
    """
    if value is None or isinstance(value, bool | int | float):
        return str(value)
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    text = neutralise(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)
