"""Telegram's HTML rules, checked without a server: what is accepted, and the exact error texts."""

from __future__ import annotations

import pytest

from bot.sandbox.telegram_html import html_to_text, parse_html, utf16_len, validate_html

PREFIX = "Bad Request: can't parse entities: "


@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        "<b>bold</b> <strong>strong</strong> <i>i</i> <em>em</em> <u>u</u> <ins>ins</ins>",
        "<s>s</s> <strike>strike</strike> <del>del</del> <code>code</code> <pre>pre</pre>",
        "&amp; &lt; &gt; &quot; &#20013; &#x6587;",
        '<a href="https://example.com/?a=1&amp;b=2">link</a>',
        "<b>bold <i>bold italic <u>and underlined</u></i></b>",
        '<span class="tg-spoiler">spoiler</span> <tg-spoiler>also</tg-spoiler>',
        '<pre><code class="language-python">print("hi")</code></pre>',
        "<blockquote>quote</blockquote> <blockquote expandable>long quote</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<B>upper-case tags</B>",
        "静安寺街道 <b>党群服务站</b>",
    ],
)
def test_valid_html(text: str) -> None:
    assert validate_html(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("静安<br>", 'Unsupported start tag "br" at byte offset 6'),  # byte, not character, offsets
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Tom & Jerry", "Character entity expected at byte offset 4"),
        ("&nbsp;", "Character entity expected at byte offset 0"),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("a <", "Unclosed start tag at byte offset 2"),
        ("<span>s</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a>no href</a>", 'Tag "a" must have attribute "href" at byte offset 0'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
    ],
)
def test_invalid_html(text: str, reason: str) -> None:
    assert validate_html(text) == PREFIX + reason


def test_lenient_mode_accepts_what_telegram_tolerates() -> None:
    """Real Telegram keeps a bare '&' as is; strict mode (the default) flags it as a bug."""
    assert validate_html("Tom & Jerry", strict=False) is None
    assert parse_html("Tom & Jerry", strict=False).text == "Tom & Jerry"
    assert validate_html("<a>x</a>", strict=False) is None


def test_html_to_text() -> None:
    assert html_to_text('<b>Tom</b> &amp; <a href="https://x.org">Jerry</a> &lt;3') == "Tom & Jerry <3"
    assert html_to_text("<b>broken") == "broken"  # still searchable when Telegram would reject it


def test_entities_use_utf16_offsets() -> None:
    parsed = parse_html(
        '😀<b>x</b> <a href="https://e.org">y</a><pre><code class="language-py">z</code></pre>'
    )
    assert parsed.text == "😀x yz"
    assert utf16_len("😀") == 2
    assert parsed.entities == [
        {"type": "bold", "offset": 2, "length": 1},
        {"type": "text_link", "offset": 4, "length": 1, "url": "https://e.org"},
        {"type": "pre", "offset": 5, "length": 1, "language": "py"},
    ]
