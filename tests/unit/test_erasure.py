"""Finding a person's values wherever text may quote them (bot/domain/erasure.py): each case is
one way the attack run found a value surviving /forgetme (issue 15, "Why" 1)."""

from __future__ import annotations

import html

import pytest
from markupsafe import escape

from bot.domain import guide_misses as misses
from bot.domain.erasure import PLACEHOLDER, Form, needles, scrub
from bot.domain.phone_numbers import canonical_number, mask_numbers, numbers_in
from bot.render import Renderer

NAME = "Zhenya O'Quokka"
DESCRIPTION = 'It\'s "urgent": the badge reader & door\non floor 12 refuse my card since Monday morning'


@pytest.mark.parametrize(
    "written",
    [
        "13912345678",
        "139 1234 5678",
        "139-1234-5678",
        "139.1234.5678",
        "+86 139 1234 5678",
        "+86-139-1234-5678",
        "(+86) 139 1234 5678",
        "0086 139 1234 5678",
        "8613912345678",
        "１３９ １２３４ ５６７８",
    ],
)
def test_a_mobile_number_is_the_same_number_in_every_common_spacing(written: str) -> None:
    assert canonical_number(written) == "13912345678"
    assert numbers_in(f"call me on {written} after 6") == {"13912345678"}
    assert numbers_in(f"电话{written}谢谢") == {"13912345678"}


def test_id_numbers_landlines_and_what_is_not_a_number() -> None:
    for written in ("31010119900101123X", "310101 19900101 123x", "310101-1990-0101-123X"):
        assert canonical_number(written) == "31010119900101123X"
    assert canonical_number("021-6234 5678") == canonical_number("+86 21 6234 5678") == "2162345678"
    for not_a_number in ("JA-2026-000123", "2026-11-23 09:30", "12345", "1234567"):
        assert numbers_in(not_a_number) == set(), not_a_number
    # Two numbers in one run of digits are still found apart.
    assert numbers_in("139 1234 5678 / 021 6234 5678") == {"13912345678", "2162345678"}
    assert mask_numbers("call 139 1234 5678 now") == "call # now"
    # The guide's log of searches that found nothing keeps no number, however it was spaced.
    for question in ("call 139 1234 5678 taxi", "id 310101 19900101 123X card", "+86-139-1234-5678 please"):
        key = misses.miss_key(misses.scrub(question))
        assert key is not None and not any(c.isdigit() for c in key), key


def test_the_template_escaping_is_matched_not_html_escape() -> None:
    """markupsafe writes ' as &#39; and " as &#34;; html.escape as &#x27; and &quot;: both match."""
    found = needles(names=[NAME], texts=[DESCRIPTION])
    for escaped in (str(escape(NAME)), html.escape(NAME)):
        assert (
            scrub(f"<b>Card</b> 👤 {escaped} filed it", found, Form.HTML)
            == f"<b>Card</b> 👤 {PLACEHOLDER} filed it"
        )


def test_reflowed_and_truncated_quotes_are_erased_whole() -> None:
    found = needles(texts=[DESCRIPTION])
    one_line = DESCRIPTION.replace("\n", " ")
    renderer = Renderer(guide_tz())
    env = renderer._envs["en"]  # the card's own filters: replace then truncate, then autoescape
    card = env.from_string('— {{ note|replace("\\n", " ")|truncate(40) }} · <i>end</i>').render(
        note=DESCRIPTION
    )
    assert "..." in card
    assert scrub(card, found, Form.HTML) == f"— {PLACEHOLDER} · <i>end</i>"
    # A hard cut at the end (an audit detail's first 30 characters) and fit()'s "…".
    assert scrub(one_line[:30], found, Form.PLAIN) == PLACEHOLDER
    assert (
        scrub(f"<blockquote>{escape(DESCRIPTION[:40])}\n…", found, Form.HTML) == f"<blockquote>{PLACEHOLDER}"
    )
    # The whole text with its line break, as the card's blockquote shows it.
    assert scrub(f"<blockquote>{escape(DESCRIPTION)}</blockquote>", found, Form.HTML) == (
        f"<blockquote>{PLACEHOLDER}</blockquote>"
    )
    # Someone else's text that merely starts the same way is left alone.
    other = 'It\'s "urgent": the badge reader works again'
    assert scrub(other, found, Form.PLAIN) == other


def test_names_are_erased_as_words_in_any_case_and_numbers_in_any_spacing() -> None:
    found = needles(names=["Li", "Zhenya Quokka", "+8613912345678"])
    assert scrub("Lift broken; ask Li or ZHENYA quokka", found, Form.PLAIN) == (
        f"Lift broken; ask {PLACEHOLDER} or {PLACEHOLDER}"
    )
    assert scrub("she said call 139 1234 5678 or 139-1234-5678", found, Form.PLAIN) == (
        f"she said call {PLACEHOLDER} or {PLACEHOLDER}"
    )
    assert scrub("王伟说李四来过", needles(names=["李四"]), Form.PLAIN) == f"王伟说{PLACEHOLDER}来过"


def test_keyboards_search_keys_and_files() -> None:
    found = needles(names=["Zhenya Quokka"], files=["AgACAgIAAxkBAAIB"])
    keyboard = '[[{"text": "Call Zhenya Quokka", "callback_data": "1|rq|claim|7"}]]'
    assert scrub(keyboard, found, Form.JSON) == (
        f'[[{{"text": "Call {PLACEHOLDER}", "callback_data": "1|rq|claim|7"}}]]'
    )
    # The miss log drops the names it does not know before writing a question ...
    key = misses.miss_key(misses.scrub("Where does ZHÉNYA Quokka work?"))
    assert key is not None and "quokka" not in key.lower()
    # ... and erasure still finds one in a search's text, however it is cased or accented.
    assert PLACEHOLDER in scrub(
        "where does zhenya quokka work", needles(names=["Zhénya Quokka"]), Form.SEARCH
    )
    assert scrub("AgACAgIAAxkBAAIB", found, Form.FILE) == PLACEHOLDER
    assert scrub("AgACAgIAAxkBAAIC", found, Form.FILE) == "AgACAgIAAxkBAAIC"


def test_short_common_words_of_a_text_are_not_needles_but_its_numbers_are() -> None:
    found = needles(texts=["ok", "call 139 1234 5678"], numbers_from=["Called back, 021-6234 5678 then"])
    assert scrub("ok, done", found, Form.PLAIN) == "ok, done"
    assert scrub("ring 13912345678", found, Form.PLAIN) == f"ring {PLACEHOLDER}"
    # A staff note about the person: its words are the staff's, its numbers the person's.
    assert scrub("Called back, 021 62345678 then", found, Form.PLAIN) == f"Called back, {PLACEHOLDER} then"
    assert found.anchors(Form.PLAIN) is not None


def guide_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_other_peoples_own_words_keep_a_question_the_person_also_asked() -> None:
    question = "How do I open social insurance accounts for new hires?"
    found = needles(names=["Zhenya Quokka"], texts=[question])
    assert scrub(question, found, Form.PLAIN) == PLACEHOLDER  # a quote of it (a staff note)
    theirs = found.without_writing()  # another requester's own description
    assert scrub(question, theirs, Form.PLAIN) == question
    assert (
        scrub(f"{question} Zhenya Quokka said so", theirs, Form.PLAIN) == f"{question} {PLACEHOLDER} said so"
    )
