"""The staff Mini App's test station: people of two buildings and the district, their roles and
staff chats, three enterprises (one with a hostile name) and one request, and the Mini App's HTTP
API called as Telegram's webview calls it (a fresh initData for each call).

The people: a worker of JA Gohigh, a building worker of JA Gohigh and one of Park Place (tier 1,
their building only), and a sub-district staff member (tier 3, the whole district). Telegram's
side is the emulator, which signs each person's initData with the bot's token. Test modules take
the `station` fixture by importing `station_fixture`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.sandbox.people import Group, Person
from bot.services.requests.intake import Draft
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import ts
from tests.conftest import BotFactory, BotHarness

HOSTILE = "<script>alert(1)</script>红星 & Co"


@dataclass
class Station:
    bot: BotHarness
    http: aiohttp.ClientSession
    worker: Person
    gohigh_staff: Person
    park_staff: Person
    district_staff: Person
    tier1: Group
    tier3: Group
    gohigh: int
    park: int
    ibg: int
    eisai: int
    hostile: int
    request_id: int
    reference: str

    @property
    def base(self) -> str:
        assert self.bot.settings.webapp_url
        return self.bot.settings.webapp_url

    def init(self, person: Person) -> str:
        """What the person's Telegram hands the page when they open the Mini App now."""
        url = self.bot.emu.launch_web_app(person, self.base + "/", query=True)
        return parse_qs(urlsplit(url).fragment)["tgWebAppData"][0]

    async def get(self, who: Person | str, route: str, **headers: str) -> tuple[int, str]:
        auth = who if isinstance(who, str) else self.init(who)
        async with self.http.get(
            f"{self.base}/api/view/{route}", headers={"Authorization": f"tma {auth}", **headers}
        ) as response:
            return response.status, await response.text()

    async def post(
        self, who: Person | str, path: str, action_id: str = "a1b2c3d4e5", **form: str
    ) -> tuple[int, str]:
        auth = who if isinstance(who, str) else self.init(who)
        async with self.http.post(
            f"{self.base}/api/{path}",
            headers={"Authorization": f"tma {auth}"},
            json={"action_id": action_id, **form},
        ) as response:
            return response.status, await response.text()

    async def state(self) -> tuple[object, ...]:
        """What a change would change: colours, visits, the request, the audit log, the outbox."""
        async with self.bot.services.db.read() as conn:
            rows = []
            for sql in (
                "SELECT group_concat(id || colour) FROM enterprises",
                "SELECT COUNT(*) FROM enterprise_visits",
                "SELECT COUNT(*) FROM enterprise_colour_history",
                "SELECT status || IFNULL(claimed_by, '') FROM requests",
                "SELECT COUNT(*) FROM audit_log",
                "SELECT COUNT(*) FROM outbox",
            ):
                rows.append(tuple(await (await conn.execute(sql)).fetchall()))
        return tuple(rows)


@pytest.fixture(name="station")
async def station_fixture(bot_factory: BotFactory) -> AsyncIterator[Station]:
    bot = await bot_factory(webapp=True)
    emu, now = bot.emu, bot.clock.now()
    worker = emu.user(1001, "Na", language_code="en")
    gohigh_staff = emu.user(2001, "Shan", language_code="en")
    park_staff = emu.user(2002, "Min", language_code="en")
    district_staff = emu.user(2003, "Hua", language_code="en")
    tier1 = emu.group(-1001, "Tier 1", [gohigh_staff, park_staff])
    tier3 = emu.group(-1003, "Tier 3", [district_staff])
    async with bot.services.db.tx() as conn:
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
        park = await buildings_repo.by_code(conn, "PARKPL")
        assert gohigh and park
        stamp = ts(now)
        ibg = await enterprises_repo.insert(
            conn,
            key="IBG",
            name="英桥集团上海",
            name_en="InterBridge Group Shanghai",
            building_id=gohigh.id,
            now=stamp,
        )
        eisai = await enterprises_repo.insert(
            conn,
            key="EISAI",
            name="卫材（中国）",
            name_en="Eisai China",
            building_id=park.id,
            now=stamp,
            colour="green",
        )
        hostile = await enterprises_repo.insert(
            conn, key="HOST", name=HOSTILE, building_id=gohigh.id, now=stamp, colour="red"
        )
        for person, building in (
            (worker, gohigh.id),
            (gohigh_staff, gohigh.id),
            (park_staff, park.id),
            (district_staff, None),
        ):
            await users_repo.upsert_seen(conn, person.id, person.first_name, None, "en", now)
            await users_repo.update(conn, person.id, now, building_id=building, onboarded_at=now)
        await roles_repo.grant(conn, gohigh_staff.id, "staff", now, tier=1, building_id=gohigh.id)
        await roles_repo.grant(conn, park_staff.id, "staff", now, tier=1, building_id=park.id)
        await roles_repo.grant(conn, district_staff.id, "staff", now, tier=3)
        await roles_repo.bind_chat(conn, tier1.id, tier1.title, 1, None, 9001, now)
        await roles_repo.bind_chat(conn, tier3.id, tier3.title, 3, None, 9001, now)
    filed = await bot.services.requests.intake.submit(
        worker.id,
        Draft(category="tax", enterprise_id=ibg, description="发票打印机坏了 the invoice printer broke"),
    )
    await bot.flush()
    async with aiohttp.ClientSession() as http:
        yield Station(
            bot, http, worker, gohigh_staff, park_staff, district_staff, tier1, tier3,
            gohigh.id, park.id, ibg, eisai, hostile, filed.id, filed.reference,
        )  # fmt: skip
