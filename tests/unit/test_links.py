"""bot.domain.links: Telegram's rules for a URL button's link, as a pure function.

The emulator's tests (tests/sandbox/test_telegram_strictness.py) check the same function through
the Bot API's wording; here, what the guide adds (https only) and the edge cases of the parser.
"""

from __future__ import annotations

import pytest

from bot.domain.links import button_url_problem, is_button_url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://www.12371.cn/", None),
        ("http://www.12371.cn/", "Only HTTPS links are allowed"),
        ("tg://resolve?domain=jingan_bot", "Only HTTPS links are allowed"),
        ("https://intranet/", "Wrong HTTP URL"),
        ("https://user@example.com:443/", None),
        ("https://example.com:0443/", None),  # leading zeros of a port are ignored, as TDLib does
        ("https://exa%2Dmple.com/", None),
        ("https://exa%zzmple.com/", "Wrong percent-encoded symbol in URL host"),
        ("https://.", "Host is invalid"),
        ("", "URL host is empty"),
    ],
)
def test_https_only_links(url: str, problem: str | None) -> None:
    assert button_url_problem(url, https_only=True) == problem


def test_dotless_hosts_are_refused_whatever_the_spelling() -> None:
    for url in ("http://localhost", "HTTP://LOCALHOST:8080/x", "http://user:pw@intranet", "intranet"):
        assert not is_button_url(url), url
    assert is_button_url("http://[::1]:8080/")  # an IPv6 literal is the exception
