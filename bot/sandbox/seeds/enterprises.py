"""Demo registry: the 1,520 fictitious sample enterprises, plus the article's two real cases.

- InterBridge Group Shanghai (IBG) in JA Gohigh Building: its lease expires and it must move, so
  the station marks it red (the tier-3 chat is alerted) and visits it.
- Eisai China in Park Place, whose liaison Chen Yu is linked, visited by Wang Shan (tier 1).
A few more colours are set by staff with their reasons, so the board and the history show life.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.sandbox.seeds import LIAISON, STAFF_TIER
from bot.storage import enterprises as enterprises_repo
from bot.storage.db import ts

if TYPE_CHECKING:
    from bot.services import Services

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "enterprises_sample.csv"
HEADER = "key,name,name_en,building,floor_unit,industry,headcount_band,lease_end,party_org,colour,notes\n"


async def seed(services: Services) -> None:
    ent = services.enterprises
    await ent.registry.import_csv(SAMPLE.read_bytes())
    today = services.clock.now().astimezone(services.settings.tz).date()
    lease = (today + timedelta(days=38)).isoformat()
    cases = (
        HEADER
        + f"IBG-SH,英桥集团上海,InterBridge Group Shanghai,GOHIGH,18F,consulting,200-499,{lease},joint,blue,"
        "the article's relocation case\n"
        + "EISAI-CN,卫材（中国）投资有限公司,Eisai China Inc.,PARKPL,32F,pharma,500+,2029-06-30,own,green,"
        "the article's IoT subsidiary case\n"
    )
    await ent.registry.import_csv(cases.encode())
    async with services.db.read() as conn:
        ibg = await enterprises_repo.by_key(conn, "IBG-SH")
        eisai = await enterprises_repo.by_key(conn, "EISAI-CN")
        park = await enterprises_repo.search_by_name(conn, "Yiheng Management Consulting")
    assert ibg is not None and eisai is not None

    district = STAFF_TIER[3]
    await ent.colours.set_colour(
        district,
        ibg.id,
        "red",
        "原办公室租约到期，需为发展搬迁；已联系区投促办一同走访 — lease in JA Gohigh expires, must relocate",
    )
    await ent.visits.log_visit(
        district,
        ibg.id,
        "may_move",
        "与负责人面谈，推荐静安区内三处办公楼 — met the managing director, shortlisted three offices in Jing'an",
        "陪同看房 — accompany the office viewings",
        today + timedelta(days=1),
    )
    await ent.visits.log_visit(
        STAFF_TIER[1],
        eisai.id,
        "needs_help",
        "拟设立物联网新公司，需办理税务登记 — plans a new IoT company, needs tax registration",
    )
    if park and park[0].colour != "orange":
        await ent.colours.set_colour(
            STAFF_TIER[1],
            park[0].id,
            "orange",
            "两次诉求超时未办结，或将缩减办公面积 — two late requests, may downsize",
        )
    async with services.db.tx() as conn:
        await enterprises_repo.set_liaison(conn, eisai.id, LIAISON, ts(services.clock.now()))
