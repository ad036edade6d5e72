"""The demo's people: a worker, a volunteer, a liaison, one staff member per tier, an organiser,
an administrator, and the four staff groups bound to their tiers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.seeds import ADMIN, LIAISON, ORGANISER, STAFF_CHAT, STAFF_TIER, VOLUNTEER, WORKER
from bot.storage import buildings as buildings_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo

if TYPE_CHECKING:
    from bot.services import Services

# (id, first name, display name, language, building code, company)
PEOPLE = [
    (WORKER, "Na", "李娜 Li Na", "zh", "GOHIGH", "英桥集团上海 InterBridge Group Shanghai"),
    (VOLUNTEER, "Jun", "胡军 Hu Jun", "zh", "PARKPL", "卫材（中国）Eisai China"),
    (LIAISON, "Yu", "陈雨 Chen Yu", "en", "PARKPL", "Eisai China"),
    (STAFF_TIER[1], "Shan", "王珊 Wang Shan", "zh", "PARKPL", "楼宇党群工作者"),
    (STAFF_TIER[2], "Min", "周敏 Zhou Min", "zh", None, "党群服务站"),
    (STAFF_TIER[3], "Hua", "赵华 Zhao Hua", "zh", None, "静安寺街道"),
    (STAFF_TIER[4], "Lei", "孙磊 Sun Lei", "zh", None, "静安区联席会议"),
    (ORGANISER, "Claire", "Claire Martin", "fr", "KERRY1", "Volunteer organiser"),
    (ADMIN, "Admin", "管理员 Admin", "zh", None, "党群服务站"),
]

GROUP_TITLES = {
    1: "一级·楼宇即时处置 Tier 1 – building",
    2: "二级·平台协同 Tier 2 – platform",
    3: "三级·特事特办 Tier 3 – special cases",
    4: "四级·疑难专办 Tier 4 – joint meeting",
}


async def seed(services: Services) -> None:
    now = services.clock.now()
    async with services.db.tx() as conn:
        for user_id, first, display, lang, building_code, company in PEOPLE:
            await users_repo.upsert_seen(conn, user_id, first, None, lang, now)
            building = await buildings_repo.by_code(conn, building_code) if building_code else None
            await users_repo.update(
                conn,
                user_id,
                now,
                display_name=display,
                language=lang,
                building_id=building.id if building else None,
                company=company,
                onboarded_at=now,
            )
        # The demo binds one district-wide group per tier, so its tier-1 building worker covers the
        # district too (a real deployment gives each building its own tier-1 group and worker).
        for tier in (1, 2, 3, 4):
            await roles_repo.grant(conn, STAFF_TIER[tier], "staff", now, tier=tier)
        await roles_repo.grant(conn, ORGANISER, "organiser", now, scope="hospital-guide")
        for tier, chat_id in STAFF_CHAT.items():
            await roles_repo.bind_chat(conn, chat_id, GROUP_TITLES[tier], tier, None, ADMIN, now)
