"""Demo requests: one new at tier 1, one being handled, one passed up to tier 2, one solved and rated.

Filed and handled through the requests service itself, so the demo's staff groups show real cards
(edited in place) and the people have the notices they would have received.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.sandbox.seeds import LIAISON, STAFF_TIER, VOLUNTEER, WORKER
from bot.services.requests.intake import Draft

if TYPE_CHECKING:
    from bot.services import Services


async def seed(services: Services) -> None:
    intake, staff = services.requests.intake, services.requests.staff
    await intake.submit(
        WORKER,
        Draft(
            category="tax",
            enterprise_name="英桥集团上海 InterBridge Group Shanghai",
            description="公司去年三月的增值税发票需要重新打印，请问在哪里办理？需要带哪些材料？",
        ),
    )
    office = await intake.submit(
        LIAISON,
        Draft(
            category="office",
            enterprise_name="Eisai China",
            description="Our lease in Park Place ends in March. We need 400 m² nearby for 60 staff; "
            "can the station introduce landlords in Jing'an Temple?",
        ),
    )
    await staff.claim(STAFF_TIER[1], office.id)
    await staff.note(
        STAFF_TIER[1], office.id, "Called two landlords on West Nanjing Road; viewing on Thursday."
    )

    permit = await intake.submit(
        LIAISON,
        Draft(
            category="talent",
            enterprise_name="Eisai China",
            description="A French engineer's residence permit renewal was refused twice for a missing "
            "document we cannot obtain from abroad.",
        ),
    )
    await staff.escalate(
        STAFF_TIER[1], permit.id, "Needs the exit-entry bureau: beyond what the building can do."
    )

    counselling = await intake.submit(
        VOLUNTEER,
        Draft(category="counselling", description="我们部门最近加班很多，想预约一次减压讲座。"),
    )
    await staff.claim(STAFF_TIER[1], counselling.id)
    await staff.resolve(STAFF_TIER[1], counselling.id, "已安排下周三中午在服务站举办减压讲座，欢迎参加。")
    await services.requests.requester.rate(VOLUNTEER, counselling.id, 5)
