"""User text reaches the chat literally; translations are valid Telegram HTML; nothing exceeds 4096."""

from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot import i18n
from bot.render import Renderer, fit, visible_length
from bot.sandbox.telegram_html import html_to_text, validate_html

HOSTILE = ["<script>alert(1)</script>", "Tom & Jerry", "<b>unclosed", "a < b > c", "&amp;", '"quoted"']


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    i18n.compile_all()
    return Renderer(ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_is_escaped(renderer: Renderer, lang: str, hostile: str) -> None:
    text = renderer.render(lang, "onboarding/welcome.html", first_name=hostile)
    assert validate_html(text) is None, text
    assert hostile in html_to_text(text)  # what the person sees is exactly what was typed


def test_translations_are_used(renderer: Renderer) -> None:
    assert "欢迎" in renderer.render("zh", "onboarding/welcome.html", first_name="x")
    assert "Bienvenue" in renderer.render("fr", "onboarding/welcome.html", first_name="x")
    assert "Welcome" in renderer.render("en", "onboarding/welcome.html", first_name="x")


def test_every_translation_is_valid_telegram_html() -> None:
    """Translated strings are trusted markup: a bare & or an unknown tag would break the message."""
    problems = []
    for po in sorted(i18n.LOCALES.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for s in strings:
                if s and validate_html(s) is not None:
                    problems.append(f"{po.name}: {message.id!r} -> {s!r}: {validate_html(s)}")
    assert problems == []


def test_every_string_is_translated() -> None:
    assert i18n.missing() == []


def test_fit_never_exceeds_the_limit() -> None:
    long = "\n".join(f"<b>line {i}</b> " + "字" * 50 for i in range(200))
    fitted = fit(long)
    assert visible_length(fitted) <= 4096
    assert validate_html(fitted) is None
    assert fitted.endswith("…")
    assert fit("short") == "short"


def test_a_msgid_means_the_same_in_every_catalog() -> None:
    """Catalogs are merged per language: a msgid translated two ways would depend on load order."""
    seen: dict[tuple[str, object], tuple[str, object]] = {}
    clashes = []
    for po in sorted(i18n.LOCALES.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id or not message.string:
                continue
            key = (lang, message.id)
            if key in seen and seen[key][1] != message.string:
                clashes.append(
                    f"{lang} {message.id!r}: {seen[key][0]}={seen[key][1]!r} vs {po.name}={message.string!r}"
                )
            seen.setdefault(key, (po.name, message.string))
    assert clashes == []


def test_every_catalog_of_a_language_has_the_same_plural_rule() -> None:
    """Catalogs are merged per language: one with another plural rule would pick the wrong form."""
    for po in sorted(i18n.LOCALES.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        with po.open("rb") as handle:
            catalog = read_po(handle)
        assert catalog.plural_forms == i18n.PLURAL_FORMS[lang], po.name
