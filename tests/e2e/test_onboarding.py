"""Onboarding in the three languages, menus, help, language changes and the fallbacks,
driven through the real Application and the local Bot API emulator."""

from __future__ import annotations

import pytest

from bot.storage import users as users_repo

GREETING = {"zh": "欢迎", "en": "Welcome", "fr": "Bienvenue"}
DONE = {"zh": "设置完成", "en": "You're all set", "fr": "Tout est prêt"}
MENU = {
    "zh": "服务站能为您做些什么",
    "en": "What can the station do for you",
    "fr": "Que peut faire la station",
}


async def stored(bot, user_id: int) -> users_repo.UserRow:
    async with bot.services.db.read() as conn:
        user = await users_repo.get(conn, user_id)
    assert user is not None
    return user


@pytest.mark.parametrize("language", ["zh", "en", "fr"])
async def test_onboarding_in_each_language(bot, language: str) -> None:
    person = bot.emu.user(100 + len(language), "Wei", language_code="de")  # a phone language we don't speak
    await person.send("/start")
    welcome = await person.wait_for("Choose your language")  # zh by default, the choice in all three
    assert welcome.buttons == ["中文", "English", "Français"]

    await person.press({"zh": "中文", "en": "English", "fr": "Français"}[language])
    await person.wait_for({"zh": "称呼", "en": "call you", "fr": "appeler"}[language])
    await person.send("<b>Wei & Co</b>")  # hostile-looking name: stored and shown literally
    await person.wait_for({"zh": "楼宇", "en": "building", "fr": "immeuble"}[language])
    await person.press("越洋广场" if language == "zh" else "Park Place")
    await person.wait_for({"zh": "公司", "en": "company", "fr": "entreprise"}[language])
    await person.send("Eisai China")
    done = await person.wait_for(DONE[language])
    assert "<b>Wei & Co</b>" in done.plain
    await person.wait_for(MENU[language])

    user = await stored(bot, person.id)
    assert user.language == language
    assert user.display_name == "<b>Wei & Co</b>"
    assert user.company == "Eisai China"
    assert user.building_id is not None and user.onboarded_at is not None
    # Every message the bot sent passed the emulator's HTML and length checks.
    assert bot.emu.error_log == []


async def test_telegram_language_is_used_before_a_choice(bot) -> None:
    person = bot.emu.user(201, "Claire", language_code="fr-FR")
    await person.send("/help")
    reply = await person.wait_for("/start")
    assert "Ce que ce bot sait faire" in reply.plain or "Démarrer" in reply.plain


async def test_start_again_shows_menu_without_asking(bot) -> None:
    person = bot.emu.user(202, "Li", language_code="zh")
    await bot.onboard(person, language="en")
    person.mark()
    await person.send("/start")
    menu = await person.wait_for(MENU["en"])
    assert "English" not in menu.buttons  # not asked for the language again


async def test_language_can_change_any_time(bot) -> None:
    person = bot.emu.user(203, "Li", language_code="zh")
    await bot.onboard(person, language="zh")
    await person.send("/language")
    await person.wait_for("请选择语言")
    await person.press("Français")
    await person.wait_for("Langue choisie")
    assert (await stored(bot, person.id)).language == "fr"


async def test_cancel_leaves_onboarding_cleanly(bot) -> None:
    person = bot.emu.user(204, "Li", language_code="en")
    await person.send("/start")
    await person.press("English")
    await person.send("/cancel")
    await person.wait_for("Cancelled")
    person.mark()
    await person.send("some words")  # no longer taken as a name
    await bot.emu.wait_idle()
    assert (await stored(bot, person.id)).display_name is None


async def test_unknown_command_and_free_text_get_a_hint(bot) -> None:
    person = bot.emu.user(205, "Li", language_code="en")
    await person.send("/frobnicate")
    await person.wait_for("/help")
    assert "don't know that command" in person.last.plain


async def test_typing_where_a_button_is_expected_is_answered(bot) -> None:
    person = bot.emu.user(206, "Li", language_code="en")
    await person.send("/start")
    await person.wait_for("Welcome")
    await person.send("English please")
    await person.wait_for("tap one of the buttons")


async def test_forged_button_is_refused(bot) -> None:
    person = bot.emu.user(207, "Li", language_code="en")
    await person.send("/help")
    await person.wait_for("/start")
    answer = await person.press_data("1|nope|hack|1")
    assert answer is not None and answer.show_alert
    answer = await person.press_data("garbage that is not ours")
    assert answer is not None and "no longer valid" in (answer.text or "")


async def test_commands_are_registered_in_three_languages(bot) -> None:
    for lang, word in (("zh", "主菜单"), ("en", "Main menu"), ("fr", "Menu principal")):
        commands = bot.emu.get_commands(None, lang)
        assert any(c["description"] == word for c in commands), (lang, commands)
    assert bot.emu.get_commands(None, "")  # the default list for every other language


async def test_reply_waits_for_the_flood_limit_instead_of_apologising(bot) -> None:
    """The outbox may just have used a chat's allowance (Telegram: ~1 message/s per chat, short
    bursts): a reply that meets 429 twice in a row is retried, not turned into an apology."""
    person = bot.emu.user(208, "Li", language_code="en")
    await bot.onboard(person, language="en")
    bot.emu.faults.fail_next(2, "429", methods=["sendMessage"])
    person.mark()
    await person.send("/help")
    await person.wait_for("/start", timeout=8)
    assert not any("Sorry" in m.plain for m in person.inbox)
