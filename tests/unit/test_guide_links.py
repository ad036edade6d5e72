"""The guide's links are checked with Telegram's own rules (bot/domain/links.py) when imported:
a link Telegram would refuse on a button is refused with the file's line, and nothing changes."""

from __future__ import annotations

import pytest

from bot.domain.guide_catalogue import CatalogueError, parse_catalogue

ONLINE = """\
entries:
  - id: tax-online
    audience: individual
    kind: online
    category: tax
    title: {{zh: 网上办税, en: Tax online, fr: Impôts en ligne}}
    summary: {{zh: 办税, en: Pay tax, fr: Payer}}
    eligible: {{zh: 所有人, en: Anyone, fr: Tous}}
    link: {link}
"""


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("https://intranet/tax", "Wrong HTTP URL"),
        ("http://etax.shanghai.chinatax.gov.cn/", "Only HTTPS links are allowed"),
        ("https://etax.shanghai.chinatax.gov.cn:99999/", "Wrong port number specified in the URL"),
        ("ftp://etax.shanghai.chinatax.gov.cn/", "Unsupported URL protocol"),
    ],
)
def test_a_link_telegram_would_refuse_is_refused_at_its_line(link: str, reason: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(ONLINE.format(link=link))
    message = str(caught.value)
    assert "9:" in message and reason in message


def test_a_link_telegram_accepts_is_kept() -> None:
    entries = parse_catalogue(ONLINE.format(link="https://etax.shanghai.chinatax.gov.cn/"))
    assert [e.link for e in entries] == ["https://etax.shanghai.chinatax.gov.cn/"]
