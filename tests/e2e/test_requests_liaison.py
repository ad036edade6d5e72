"""An enterprise's liaison reports on its behalf and sees what colleagues asked about it."""

from __future__ import annotations

from bot.services.requests.intake import Draft
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage.db import ts
from tests.conftest import ADMIN_ID


async def test_liaison_sees_company_requests_and_reports_for_it(bot) -> None:
    async with bot.services.db.tx() as conn:
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
        ibg = await enterprises_repo.insert(
            conn,
            key="IBG",
            name="英桥集团上海",
            building_id=gohigh.id,
            now=ts(bot.clock.now()),
            name_en="InterBridge Group",
        )
    liaison = bot.emu.user(701, "Chen", language_code="en")
    colleague = bot.emu.user(702, "Lin", language_code="en")
    stranger = bot.emu.user(703, "Zhou", language_code="en")
    for person in (liaison, colleague, stranger):
        await bot.onboard(person, language="en")

    link = await bot.services.enterprises.registry.link_code(ADMIN_ID, ibg)
    await liaison.send(f"/start ent-{link.code}")
    await bot.emu.wait_idle()

    request = await bot.services.requests.intake.submit(
        colleague.id, Draft(category="office", enterprise_id=ibg, description="Our lease ends in March")
    )
    await bot.flush()

    liaison.mark()
    await liaison.send("/myrequests")
    listing = await liaison.wait_for("Requests about the companies you represent")
    assert request.reference in listing.plain

    stranger.mark()
    await stranger.send("/myrequests")
    other = await stranger.wait_for("no requests yet")
    assert request.reference not in other.plain  # nobody else sees the company's requests

    liaison.mark()
    await liaison.send("/request")
    await liaison.press("Office space and relocation")
    step = await liaison.wait_for("Which company does it concern")
    assert step.buttons[0].startswith("InterBridge Group")  # theirs first, in their language
