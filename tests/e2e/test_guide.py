"""The service guide through the real Application and the local Bot API emulator: a worker types
a question, opens the answer, and "Still need help" starts the request intake with the category
already chosen; browsing, misses, the map, /guide in three languages and forged buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.callbacks import pack


async def test_question_card_and_still_need_help_start_the_intake(bot) -> None:
    worker = bot.emu.user(301, "Li", language_code="en")
    await bot.onboard(worker, language="en")

    worker.mark()
    await worker.send("how do I renew my residence permit")
    results = await worker.wait_for("Here is what I found")
    assert results.buttons[0] == "Apply for or renew a Shanghai residence permit"

    await worker.press("Apply for or renew a Shanghai residence permit")
    card = await worker.wait_for("Who can use it")
    assert "What to bring" in card.plain and "370 Changde Road" in card.plain
    assert "Ground floor · residence permit counter" in card.plain
    help_button = card.button("Still need help")
    assert help_button is not None and help_button["callback_data"] == pack("req", "new", "talent")

    await worker.press("Still need help")
    intake = await worker.wait_for("Which company does it concern")
    assert "Talent and residence permits" in intake.plain  # the category is already chosen
    await worker.press("Not about a specific company")
    await worker.press("Use the suggested text")  # the question typed to the guide, offered back
    await worker.press("Skip")  # no attachment
    confirm = await worker.wait_for(lambda m: "✅ Send" in m.buttons)
    assert "how do I renew my residence permit" in confirm.plain
    assert bot.emu.error_log == []


async def test_chinese_question_without_spaces_in_chinese(bot) -> None:
    worker = bot.emu.user(302, "Wang", language_code="zh")
    await worker.send("/guide 我想转组织关系")
    results = await worker.wait_for("找到以下服务")
    assert results.buttons[0] == "党员组织关系转接（转入、转出）"
    await worker.press("党员组织关系转接（转入、转出）")
    card = await worker.wait_for("适用对象")
    assert "2楼 党务窗口" in card.plain and "周一至周五" in card.plain
    assert card.button("🌐 网上办理")["url"] == "https://www.12371.cn/"


async def test_nothing_found_is_said_kindly_counted_and_offers_to_ask(bot) -> None:
    worker = bot.emu.user(303, "Claire", language_code="fr")
    await worker.send("/guide recette des crêpes au chocolat")
    reply = await worker.wait_for("je n'ai rien trouvé")
    assert "« recette des crêpes au chocolat »" in reply.plain
    assert reply.button("Demandez à la station")["callback_data"] == pack("req", "new", "other")
    await worker.send("recette des crêpes au chocolat")  # free text: the same miss again
    await worker.wait_for("je n'ai rien trouvé")
    since = bot.clock.now() - timedelta(days=7)
    assert await bot.services.guide.top_misses(since) == [("recette des crepes au chocolat", 2)]


async def test_browse_by_audience_and_topic_then_map(bot) -> None:
    worker = bot.emu.user(304, "Chen", language_code="en")
    await worker.send("/guide")
    await worker.wait_for("Service guide")
    await worker.press("For enterprises")
    topics = await worker.wait_for("Choose a topic")
    assert "Tax (2)" in topics.buttons
    await worker.press("Tax (2)")
    await worker.wait_for("Choose a service")
    await worker.press("Get or issue invoices (fapiao)")
    card = await worker.wait_for("Open 24 hours")
    assert card.button("Still need help")["callback_data"] == pack("req", "new", "tax")
    await worker.press("📍 Map")
    venue = await worker.wait_for(lambda m: m.kind == "venue")
    assert venue.venue["location"]["latitude"] == pytest.approx(31.2235)
    assert bot.emu.error_log == []


async def test_forged_and_stale_guide_buttons_are_refused(bot) -> None:
    worker = bot.emu.user(305, "Li", language_code="en")
    await worker.send("/guide")
    await worker.wait_for("Service guide")
    for data in (
        pack("guide", "open", "no-such-entry"),
        pack("guide", "aud", "aliens"),
        pack("guide", "top", "individual", "tax", "x"),
        pack("guide", "top", "individual", "tax", 99),
        pack("guide", "map", "gov-online-portal"),
        pack("guide", "hack"),
    ):
        answer = await worker.press_data(data)
        assert answer is not None and answer.show_alert, data
    answer = await worker.press_data(pack("guide", "open", "no-such-entry"))
    assert "no longer in the guide" in (answer.text or "")


async def test_text_inside_a_conversation_is_not_taken_as_a_search(bot) -> None:
    worker = bot.emu.user(306, "Zhou", language_code="en")
    await worker.send("/start")
    await worker.press("English")
    await worker.wait_for("call you")
    worker.mark()
    await worker.send("tax machine")  # this is the name asked for, not a question for the guide
    await worker.wait_for("building")
    assert not any("Here is what I found" in m.plain for m in worker.inbox)


async def test_hostile_and_empty_questions_are_answered_plainly(bot) -> None:
    worker = bot.emu.user(307, "Li", language_code="en")
    await worker.send("/guide <b>crêpes</b> & <script>")
    reply = await worker.wait_for("couldn't find anything")
    assert "“<b>crêpes</b> & <script>”" in reply.plain  # shown literally, not as markup
    await worker.send("/guide ？？ !!")
    hint = await worker.wait_for("Tell me in a few words")
    assert hint.buttons[:1] == ["👤 For individuals"]
    assert bot.emu.error_log == []
