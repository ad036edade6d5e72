"""Fuzzy search of enterprise names across scripts, and hostile names reaching the card literally."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.domain import names, risk
from bot.render import Renderer
from bot.sandbox.telegram_html import html_to_text, validate_html
from bot.storage.enterprises import Enterprise

CANDIDATES = [
    (1, "英桥集团上海", "InterBridge Group Shanghai"),
    (2, "卫材（中国）投资有限公司", "Eisai China Inc."),
    (3, "宸晟教育科技（上海）有限公司", "Chensheng Education Technology (Shanghai) Co., Ltd."),
    (4, "翊恒企业管理咨询（上海）有限公司", "Yiheng Management Consulting (Shanghai) Co., Ltd."),
]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("英桥", 1),
        ("英桥集团上海有限公司", 1),
        ("interbridge", 1),
        ("ＩＮＴＥＲＢＲＩＤＧＥ", 1),  # full-width Latin folds (NFKC)
        ("Interbrige group", 1),  # a typo
        ("eisai", 2),
        ("卫材", 2),
        ("chensheng edu", 3),
        ("Yiheng consulting", 4),
    ],
)
def test_rank_finds_the_enterprise(query: str, first: int) -> None:
    ranked = names.rank(query, CANDIDATES)
    assert ranked and ranked[0][0] == first


@pytest.mark.parametrize("query", ["zzz", "有限公司", "Co., Ltd.", ""])
def test_rank_finds_nothing_for_noise(query: str) -> None:
    assert names.rank(query, CANDIDATES) == []


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "Tom & Jerry", "<b>unclosed", "a < b > c"])
@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_card_shows_hostile_names_literally(lang: str, hostile: str) -> None:
    from bot import i18n
    from bot.services.enterprises.cards import Card

    i18n.compile_all()
    renderer = Renderer(ZoneInfo("Asia/Shanghai"))
    enterprise = Enterprise(
        7, "K", hostile, hostile, None, hostile, hostile, "1-9", date(2027, 1, 1), "own", "red", None, hostile
    )
    card = Card(enterprise, None, [], [], None, False, risk.DEFAULT_RULES["red"], None, {}, None)
    from bot.handlers.enterprises import _values

    text = renderer.render(lang, "enterprises/card.html", **_values(card=card))
    assert validate_html(text) is None, text
    assert hostile in html_to_text(text)


@pytest.mark.parametrize(
    ("lang", "industry", "key"), [("zh", "行业：教育", "企业代码 K"), ("en", "Industry: Education", "code K")]
)
def test_card_translates_the_industry_and_the_key_label(lang: str, industry: str, key: str) -> None:
    """Why: the card showed "键" for the key and raw industry codes ("行业：education")."""
    from bot import i18n
    from bot.handlers.enterprises import _values
    from bot.services.enterprises.cards import Card

    i18n.compile_all()
    renderer = Renderer(ZoneInfo("Asia/Shanghai"))
    enterprise = Enterprise(7, "K", "甲", None, None, None, "education", None, None, None, "blue", None, None)
    card = Card(enterprise, None, [], [], None, False, risk.DEFAULT_RULES["blue"], None, {}, None)
    text = html_to_text(renderer.render(lang, "enterprises/card.html", **_values(card=card)))
    assert industry in text and key in text and "education" not in text and "键" not in text
