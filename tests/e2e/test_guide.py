"""The service guide through the real Application and the local Bot API emulator: a worker types
a question, opens the answer, and "Still need help" starts the request intake with the category
already chosen; browsing by the station's sections, misses, the map, /guide in three languages,
forged buttons, and staff teaching the guide a question it could not answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.callbacks import pack

WITH_MAP = """\
places:
  hall:
    name: {zh: 服务大厅, en: Service hall, fr: Hall de services}
    hours: {zh: 工作日, en: Working days, fr: Jours ouvrés}
    lat: 31.2235
    lon: 121.4505
entries:
  - id: tax-hall
    audience: enterprise
    kind: on-site
    section: tax
    category: tax
    title: {zh: 办税大厅, en: Tax hall, fr: Hall des impôts}
    summary: {zh: 办税, en: Pay tax, fr: Payer}
    eligible: {zh: 企业, en: Companies, fr: Entreprises}
    where: {place: hall}
"""


async def test_question_card_and_still_need_help_start_the_intake(bot) -> None:
    worker = bot.emu.user(301, "Li", language_code="en")
    await bot.onboard(worker, language="en")

    worker.mark()
    await worker.send("I want to start a company")
    results = await worker.wait_for("Here is what I found")
    assert results.buttons[0].startswith("Register a new company")

    await worker.press(results.buttons[0])
    card = await worker.wait_for("Who can use it")
    assert "What to bring" in card.plain and "JA Gohigh Building" in card.plain
    assert "Enterprise service desk" in card.plain and "How long it takes" in card.plain
    assert "check the official guide on Government Online-Offline Shanghai" in card.plain
    help_button = card.button("Still need help")
    assert help_button is not None and help_button["callback_data"] == pack("req", "new", "registration")

    await worker.press("Still need help")
    intake = await worker.wait_for("Which company does it concern")
    assert "Company registration and changes" in intake.plain  # the category is already chosen
    await worker.press("Not about a specific company")
    await worker.press("Use the suggested text")  # the question typed to the guide, offered back
    await worker.press("Skip")  # no attachment
    confirm = await worker.wait_for(lambda m: "✅ Send" in m.buttons)
    assert "I want to start a company" in confirm.plain
    assert bot.emu.error_log == []


async def test_a_whole_chinese_sentence_finds_counselling(bot) -> None:
    """Issue 19: "工作压力大想找人聊聊" found nothing although counselling exists."""
    worker = bot.emu.user(302, "Wang", language_code="zh")
    await worker.send("工作压力大想找人聊聊")
    results = await worker.wait_for("找到以下服务")
    assert results.buttons[0] == "免费心理咨询（一对一）"
    await worker.press("免费心理咨询（一对一）")
    card = await worker.wait_for("适用对象")
    assert "白领减压室" in card.plain and "962525" in card.plain


async def test_chinese_question_without_spaces_in_chinese(bot) -> None:
    worker = bot.emu.user(302, "Wang", language_code="zh")
    await worker.send("/guide 我想转组织关系")
    results = await worker.wait_for("找到以下服务")
    assert results.buttons[0] == "党员组织关系转接（转入、转出）"
    await worker.press("党员组织关系转接（转入、转出）")
    card = await worker.wait_for("适用对象")
    assert "党务服务窗口" in card.plain and "工作日办公时间" in card.plain
    assert card.button("🌐 网上办理")["url"] == "https://www.12371.cn/"


async def test_nothing_found_is_said_kindly_counted_and_offers_to_ask(bot) -> None:
    worker = bot.emu.user(303, "Claire", language_code="fr")
    await worker.send("/guide recette des crêpes au chocolat")
    reply = await worker.wait_for("je n'ai rien trouvé")
    assert "« recette des crêpes au chocolat »" in reply.plain
    assert reply.button("Demandez à la station")["callback_data"] == pack("req", "new", "other")
    await worker.send("Recette des crêpes au chocolat")  # free text: the same miss again
    await worker.wait_for("je n'ai rien trouvé")
    since = bot.clock.now() - timedelta(days=7)
    assert await bot.services.guide.top_misses(since) == [("recette des crêpes au chocolat", 2)]


async def test_a_miss_keeps_no_phone_number_or_name(bot) -> None:
    worker = bot.emu.user(308, "Zhang", language_code="zh")
    await worker.send("我叫张伟，手机13812345678，楼下快递柜坏了")
    await worker.wait_for("没有找到")
    since = bot.clock.now() - timedelta(days=7)
    ((shown, count),) = await bot.services.guide.top_misses(since)
    assert "13812345678" not in shown and "张伟" not in shown and "快递柜" in shown and count == 1


async def test_browse_by_audience_and_section(bot) -> None:
    worker = bot.emu.user(304, "Chen", language_code="en")
    await worker.send("/guide")
    await worker.wait_for("Service guide")
    await worker.press("For enterprises")
    topics = await worker.wait_for("Choose a topic")
    tax = next(b for b in topics.buttons if b.startswith("Tax ("))
    assert any(b.startswith("Company registration and changes (") for b in topics.buttons)
    await worker.press(tax)
    await worker.wait_for("Choose a service")
    await worker.press("Collect paper invoices or have invoices issued (fapiao)")
    card = await worker.wait_for("Open 24 hours")
    assert card.button("Still need help")["callback_data"] == pack("req", "new", "tax")
    assert card.button("📍 Map") is None  # no coordinates anybody could vouch for
    assert bot.emu.error_log == []


async def test_a_place_with_coordinates_has_a_map(bot) -> None:
    await bot.services.guide.replace(WITH_MAP, source_name="hall.yaml", actor_id=None)
    worker = bot.emu.user(309, "Chen", language_code="en")
    await worker.send("tax hall")
    await worker.wait_for("Here is what I found")
    await worker.press("Tax hall")
    await worker.wait_for("Who can use it")
    await worker.press("📍 Map")
    venue = await worker.wait_for(lambda m: m.kind == "venue")
    assert venue.venue["location"]["latitude"] == pytest.approx(31.2235)


async def test_forged_and_stale_guide_buttons_are_refused(bot) -> None:
    worker = bot.emu.user(305, "Li", language_code="en")
    await worker.send("/guide")
    await worker.wait_for("Service guide")
    for data in (
        pack("guide", "open", "no-such-entry"),
        pack("guide", "aud", "aliens"),
        pack("guide", "top", "individual", "tax", "x"),
        pack("guide", "top", "individual", "sport", 0),
        pack("guide", "top", "individual", "tax", 99),
        pack("guide", "map", "gov-online-portal"),
        pack("guide", "att", 1, "party-dues"),  # a worker is no staff
        pack("guide", "misses"),
        pack("guide", "hack"),
    ):
        answer = await worker.press_data(data)
        assert answer is not None and answer.show_alert, data
    answer = await worker.press_data(pack("guide", "open", "no-such-entry"))
    assert "no longer in the guide" in (answer.text or "")
    answer = await worker.press_data(pack("guide", "att", 1, "party-dues"))
    assert "only for station staff" in (answer.text or "")


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


async def test_staff_attach_an_unanswered_question_and_the_next_asker_finds_it(bot) -> None:
    """Learning from misses: the week's unanswered questions, grouped; one tap attaches a
    question to an entry, and the next person asking it so is answered."""
    worker = bot.emu.user(310, "Lin", language_code="zh")
    await worker.send("老外来上班要办啥")
    await worker.wait_for("没有找到")
    await worker.send("老外来上班要办啥？")  # the same question, counted once more
    await worker.wait_for("没有找到")

    staff = bot.emu.user(311, "Sun", language_code="en")
    await bot.make_staff(staff)
    await worker.send("/unanswered")  # workers are refused, nothing shown
    await worker.wait_for("仅限服务站工作人员")
    staff.mark()
    await staff.send("/unanswered")
    listing = await staff.wait_for("Questions the guide could not answer")
    assert "老外来上班要办啥" in listing.plain and "asked 2 times" in listing.plain
    await staff.press(listing.buttons[0])
    group = await staff.wait_for("Unanswered:")
    permit = next(b for b in group.buttons if "Work permits for foreign employees" in b)
    await staff.press(permit)
    await staff.wait_for("✅ Added to “Work permits for foreign employees”")

    worker.mark()
    await worker.send("老外来上班要办啥")
    results = await worker.wait_for("找到以下服务")
    assert results.buttons[0] == "外国人来华工作许可"
    since = bot.clock.now() - timedelta(days=7)
    assert await bot.services.guide.top_misses(since) == []  # answered now: off the list
    staff.mark()
    await staff.send("/unanswered")
    await staff.wait_for("None: every question typed into the guide recently found an answer")
    assert bot.emu.error_log == []


async def test_staff_can_pick_another_entry_by_typing_its_words_or_dismiss(bot) -> None:
    worker = bot.emu.user(312, "Ma", language_code="en")
    await worker.send("where do I park my bike")
    await worker.wait_for("couldn't find anything")
    await worker.send("canteen lunch card")
    await worker.wait_for("couldn't find anything")
    staff = bot.emu.user(313, "Sun", language_code="en")
    await bot.make_staff(staff)
    await staff.send("/unanswered")
    listing = await staff.wait_for("Questions the guide could not answer")
    bike = next(b for b in listing.buttons if "bike" in b)
    await staff.press(bike)
    await staff.wait_for("Unanswered:")
    await staff.press("🔎 Other entry")
    prompt = await staff.wait_for("Reply to this message")
    await staff.send("electric bicycle", reply_to=prompt)
    choices = await staff.wait_for("Attach “where do I park my bike” to which entry?")
    await staff.press(next(b for b in choices.buttons if "electric bicycle" in b))
    await staff.wait_for("✅ Added to")

    await staff.send("/unanswered")
    listing = await staff.wait_for(
        lambda m: "Questions the guide could not answer" in m.plain and "canteen" in m.plain
    )
    await staff.press(next(b for b in listing.buttons if "canteen" in b))
    await staff.wait_for("Unanswered:")
    await staff.press("🗑 Dismiss")
    await staff.wait_for("Dismissed")
    since = bot.clock.now() - timedelta(days=7)
    assert await bot.services.guide.top_misses(since) == []
    worker.mark()
    await worker.send("where do I park my bike")
    results = await worker.wait_for("Here is what I found")
    assert results.buttons[0].startswith("Register an electric bicycle")
