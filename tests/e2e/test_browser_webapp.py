"""The staff Mini App in a real browser, inside the no-token demo, as a staff member uses it.

Headless Chromium (Debian's package) with Playwright: the demo page opens the Mini App beside
the chat from the staff member's menu button, as Telegram Desktop does; the emulator signs the
launch's initData with its token. Skipped with a clear message only where no browser exists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.domain import risk
from bot.sandbox import seeds
from bot.sandbox.demo import Demo, demo_running
from bot.settings import Settings
from bot.webapp.problems import UNAUTHORIZED
from tests.e2e.browser import launch, playwright_api

pytestmark = pytest.mark.slow
expect = playwright_api.expect
STATION = seeds.STAFF_TIER[2]  # 周敏 Zhou Min, station staff (tier 2, the whole district), reads Chinese


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    settings = Settings.from_mapping({"BOT_DB_PATH": str(tmp_path / "bot.sqlite3")})
    async with demo_running(settings, port=0) as running_demo:
        yield running_demo


@pytest.fixture
async def browser():
    async with playwright_api.async_playwright() as p:
        browser = await launch(p)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser, demo: Demo):
    context = await browser.new_context(viewport={"width": 900, "height": 860})
    page = await context.new_page()
    await page.goto(demo.emu.api_url + "/")
    return page


def zh(demo: Demo, msgid: str, **values: object) -> str:
    assert demo.services is not None
    return demo.services.renderer.gettext("zh", msgid, **values)


async def test_staff_filter_the_board_open_an_enterprise_and_change_its_colour(
    page, demo: Demo, tmp_path: Path
) -> None:
    await page.select_option("[data-testid=persona]", str(STATION))
    menu = page.locator("[data-testid=app-button]")
    await expect(menu).to_have_text(zh(demo, "Station"))
    await menu.click()
    app = page.frame_locator("[data-testid=miniapp-frame]")
    await expect(app.locator("[data-testid=board]")).to_be_visible(timeout=10000)
    await expect(app.locator("h1")).to_have_text(zh(demo, "The district's five colours"))
    frame = next(f for f in page.frames if "/station/" in f.url)
    theme = await frame.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--tg-theme-button-color')"
    )
    assert theme.strip() == "#3390ec"  # Telegram's theme, from the launch parameters

    await app.locator("[data-testid=colour-red]").click()  # filter the board to red
    tiles = app.locator("[data-testid=tile]")
    await expect(app.locator("[data-testid=count]")).to_be_visible()
    assert await tiles.count() > 0
    colours = await tiles.evaluate_all("tiles => tiles.map(t => t.dataset.colour)")
    assert set(colours) == {"red"}

    await app.locator("[data-testid=tile]", has_text="英桥集团上海").click()
    enterprise = app.locator("[data-testid=enterprise]")
    await expect(enterprise).to_have_attribute("data-colour", "red")
    await app.locator("[data-testid=change-colour] summary").click()
    await app.locator("[data-testid=set-orange]").click()
    reason = "已在静安区内找到新办公室，仍需协助注册地址变更"
    await app.locator("[data-testid=reason]").fill(reason)
    await app.locator("[data-testid=save-colour]").click()

    await expect(app.locator("[data-testid=notice]")).to_be_visible()
    await expect(enterprise).to_have_attribute("data-colour", "orange")
    await expect(app.locator("[data-testid=history] li").first).to_contain_text(reason)
    await page.screenshot(path=str(tmp_path / "miniapp.png"))

    # The chat card: orange alerts the tier-2 staff group, with the reason, as a chat button would.
    await page.select_option("[data-testid=chat]", str(seeds.STAFF_CHAT[2]))
    messages = page.locator("[data-testid=messages]")
    await expect(messages).to_contain_text(reason, timeout=10000)
    await expect(messages).to_contain_text(risk.EMOJI["orange"])
    # And the enterprise's card in the private chat shows it too.
    await page.select_option("[data-testid=chat]", str(STATION))
    await page.fill("[data-testid=text]", "/ent 英桥集团上海")
    await page.click("[data-testid=send]")
    card = page.locator(
        "[data-testid=messages] .msg",
        has_text=zh(demo, "Colour: %(colour)s", colour=zh(demo, risk.LABELS["orange"])),
    )
    await expect(card.last).to_contain_text(reason, timeout=10000)


async def test_a_workers_initdata_and_a_tampered_signature_are_refused(browser, demo: Demo) -> None:
    context = await browser.new_context(viewport={"width": 420, "height": 800})
    page = await context.new_page()
    worker = demo.emu.people[seeds.WORKER]
    staff = demo.emu.people[STATION]
    app_url = demo.emu.mini_apps["station"]

    await page.goto(demo.emu.launch_web_app(worker, app_url, query=True))
    problem = page.locator("[data-testid=problem]")
    await expect(problem).to_have_attribute("data-status", "403")
    await expect(problem).to_contain_text(zh(demo, "Sorry, this is only for station staff."))
    await expect(page.locator("[data-testid=board]")).to_have_count(0)

    launched = demo.emu.launch_web_app(staff, app_url, query=True)
    head, _, signature = launched.rpartition("hash%3D")
    tampered = head + "hash%3D" + ("0" if signature[0] != "0" else "1") + signature[1:]
    await page.goto("about:blank")
    await page.goto(tampered)
    await expect(problem).to_have_attribute("data-status", "401")
    await expect(problem).to_contain_text(zh(demo, UNAUTHORIZED["forged"]))
    await expect(page.locator("[data-testid=board]")).to_have_count(0)

    await page.goto("about:blank")
    await page.goto(
        app_url + "#tgWebAppData=" + quote("user=%7B%22id%22%3A2002%7D&auth_date=1&hash=" + "0" * 64)
    )
    await expect(problem).to_have_attribute("data-status", "401")
    await context.close()
