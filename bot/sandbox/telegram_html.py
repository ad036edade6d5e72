"""Telegram's HTML parse mode, reproduced closely enough to reject what Telegram rejects.

Why this exists: a bot that renders HTML templates breaks in production on exactly the inputs a
mock never questions (``<br>``, a user's name containing ``<``, a truncated ``<b>``).  This module
ports the tag scanner of TDLib's ``parse_html`` (the code behind the Bot API server) byte for byte,
so error texts and byte offsets match what the real API answers, and the visible text it yields
is what Telegram measures against the 4096/1024 limits (limits apply AFTER entity parsing).

Deliberate strictness (``strict=True``, the default the emulator uses): real Telegram silently keeps
a bare ``&`` (and accepts ``&lt`` without ``;``) and silently drops an ``<a>`` without ``href``.
Both are latent bugs (unescaped user text; a link that is not a link), so the strict mode reports
them as errors: ``Character entity expected at byte offset N`` and
``Tag "a" must have attribute "href" at byte offset N``.  Pass ``strict=False`` for TDLib's exact
leniency.

Pure functions, no I/O.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field
from typing import Any

from bot.domain.links import is_button_url

__all__ = [
    "HTMLParseError",
    "ParsedText",
    "html_to_text",
    "parse_html",
    "utf16_len",
    "validate_html",
]

_PREFIX = "Bad Request: can't parse entities: "

_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

# TDLib's is_space() counts NUL as a space; together with the NUL sentinel appended to the input
# this is what makes its scanning loops stop at the end of the string.
_SPACE = frozenset(b" \t\r\n\0\v")
_DIGITS = frozenset(b"0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_ALPHA = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALNUM = _ALPHA | _DIGITS
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}


class HTMLParseError(ValueError):
    """Raised by :func:`parse_html`; ``str(exc)`` is TDLib's reason without the Bad Request prefix."""


@dataclass(frozen=True)
class ParsedText:
    """Visible text plus Bot API ``MessageEntity`` dicts (offsets/lengths in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    byte_pos: int  # position in the output buffer, to recover an <a> text used as its own URL
    has_href: bool


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit Telegram uses for entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(data: bytes, pos: int) -> tuple[int, int, bool]:
    """Port of TDLib ``decode_html_entity``: returns (code point or 0, next position, had ';')."""
    end = pos + 1
    res = 0
    if data[pos + 1] == ord("#"):
        end += 1
        if data[pos + 2] == ord("x"):
            end += 1
            while data[end] in _HEX:
                res = res * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while data[end] in _DIGITS:
                res = res * 10 + data[end] - 48
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos, False
    else:
        while data[end] in _ALPHA:
            end += 1
        name = data[pos + 1 : end]
        if name not in _NAMED:
            return 0, pos, False
        res = ord(_NAMED[name])
    if data[end] == ord(";"):
        return res, end + 1, True
    return res, end, False


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram-HTML into visible text and entities, or raise :class:`HTMLParseError`.

    The scanner mirrors TDLib so that byte offsets in error messages are UTF-8 byte offsets into
    ``text``, exactly as Telegram reports them.
    """
    data = text.encode("utf-8") + b"\0"
    size = len(data) - 1
    out = bytearray()
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []

    i = 0
    while i < size:
        c = data[i]
        if c == ord("&"):
            code, nxt, had_semicolon = _decode_entity(data, i)
            if code != 0 and (had_semicolon or not strict):
                utf16 += 2 if code > 0xFFFF else 1
                out += chr(code).encode("utf-8", "surrogatepass")
                i = nxt
                continue
            if strict:
                raise HTMLParseError(f"Character entity expected at byte offset {i}")
        if c != ord("<"):
            if (c & 0xC0) != 0x80:  # first byte of a UTF-8 sequence
                utf16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if data[i] != ord("/"):
            while data[i] not in _SPACE and data[i] != ord(">"):
                i += 1
            if data[i] == 0:
                raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in _SUPPORTED_TAGS:
                raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            has_href = False
            while data[i] != ord(">"):
                while data[i] != 0 and data[i] in _SPACE:
                    i += 1
                if data[i] == ord(">"):
                    break
                attr_begin = i
                while data[i] not in _SPACE and data[i] not in b"=>/\"'":
                    i += 1
                attr_name = data[attr_begin:i]
                if not attr_name:
                    raise HTMLParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while data[i] != 0 and data[i] in _SPACE:
                    i += 1
                if data[i] != ord("="):
                    if data[i] == 0:
                        raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attr_name == b"expandable":
                        argument = "1"
                    continue
                i += 1
                while data[i] != 0 and data[i] in _SPACE:
                    i += 1
                if data[i] == 0:
                    raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if data[i] not in b"'\"":
                    token_begin = i
                    while data[i] in _ALNUM or data[i] in b".-":
                        i += 1
                    value = data[token_begin:i].decode("ascii").lower()
                    if data[i] not in _SPACE and data[i] != ord(">"):
                        raise HTMLParseError(f"Unexpected end of name token at byte offset {token_begin}")
                else:
                    quote = data[i]
                    i += 1
                    buf = bytearray()
                    while data[i] != quote and data[i] != 0:
                        if data[i] == ord("&"):
                            code, nxt, _semi = _decode_entity(data, i)
                            if code != 0:
                                buf += chr(code).encode("utf-8", "surrogatepass")
                                i = nxt
                                continue
                        buf.append(data[i])
                        i += 1
                    if data[i] == quote:
                        i += 1
                    value = buf.decode("utf-8", "replace")
                if data[i] == 0:
                    raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == b"href":
                    argument = value
                    has_href = True
                elif tag == "code" and attr_name == b"class" and value.startswith("language-"):
                    argument = value[9:]
                elif tag == "span" and attr_name == b"class" and value.startswith("tg-"):
                    argument = value[3:]
                elif (tag == "tg-emoji" and attr_name == b"emoji-id") or (
                    tag == "blockquote" and attr_name == b"expandable"
                ):
                    argument = value if tag == "tg-emoji" else "1"
            if tag == "span" and argument != "spoiler":
                raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            if strict and tag == "a" and not has_href:
                raise HTMLParseError(f'Tag "a" must have attribute "href" at byte offset {begin}')
            stack.append(_Open(tag, argument, utf16, len(out), has_href))
            i += 1  # skip '>'
            continue

        # end tag
        if not stack:
            raise HTMLParseError(f"Unexpected end tag at byte offset {begin}")
        while data[i] not in _SPACE and data[i] != ord(">"):
            i += 1
        end_name = data[begin + 2 : i].decode("utf-8", "replace").lower()
        while data[i] in _SPACE and data[i] != 0:
            i += 1
        if data[i] != ord(">"):
            raise HTMLParseError(f"Unclosed end tag at byte offset {begin}")
        top = stack[-1]
        if end_name and end_name != top.tag:
            raise HTMLParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", found "</{end_name}>"'
            )
        if utf16 > top.utf16_offset:
            _close_entity(top, utf16, out, entities)
        stack.pop()
        i += 1

    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    try:
        visible = bytes(out).decode("utf-8")
    except UnicodeDecodeError:
        raise HTMLParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from None
    for entity in entities:
        entity.pop("_language", None)  # a language only survives on <pre><code class=...>
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(visible, entities)


def _close_entity(top: _Open, utf16: int, out: bytearray, entities: list[dict[str, Any]]) -> None:
    """Turn a closed tag into a Bot API entity, merging <pre><code class=...> like TDLib does."""
    offset, length, tag = top.utf16_offset, utf16 - top.utf16_offset, top.tag
    simple = {
        "i": "italic",
        "em": "italic",
        "b": "bold",
        "strong": "bold",
        "s": "strikethrough",
        "strike": "strikethrough",
        "del": "strikethrough",
        "u": "underline",
        "ins": "underline",
        "tg-spoiler": "spoiler",
        "span": "spoiler",
    }
    if tag in simple:
        entities.append({"type": simple[tag], "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if not top.argument.isdigit() or int(top.argument) == 0:
            raise HTMLParseError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": top.argument}
        )
    elif tag == "a":
        url = top.argument or bytes(out[top.byte_pos :]).decode("utf-8", "replace")
        # TDLib keeps the text but drops the link when LinkManager::get_checked_link refuses its URL
        # (the same rules as a URL button's, e.g. a host without a dot): no error, just no link.
        if url and is_button_url(url):
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("_language")
        ):
            last["type"] = "pre"
            last["language"] = last.pop("_language")
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
            and top.argument
        ):
            last["language"] = top.argument
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if top.argument:  # kept only until a surrounding <pre> claims it
                entity["_language"] = top.argument
            entities.append(entity)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def validate_html(text: str, *, strict: bool = True) -> str | None:
    """None if Telegram would accept ``text`` with parse_mode=HTML, else its error description.

    The description is the full Bot API text, e.g.
    ``Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 12``.
    """
    try:
        parse_html(text, strict=strict)
    except HTMLParseError as exc:
        return _PREFIX + str(exc)
    return None


_TAG_RE = re.compile(r"<[^>]*>")


def html_to_text(text: str) -> str:
    """What the user sees: tags stripped, entities unescaped (no trimming).

    Uses Telegram's own (lenient) scanner; for HTML Telegram would reject it falls back to a
    regex strip so tests can still search the text of a broken template.
    """
    try:
        return parse_html(text, strict=False).text
    except HTMLParseError:
        return _html.unescape(_TAG_RE.sub("", text))
