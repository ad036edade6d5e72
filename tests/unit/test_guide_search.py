"""The shipped catalogue answers real questions: 45 questions in Chinese, English and French
(Chinese without spaces, one-character typos, traditional characters, mixed scripts) each find
the intended entry in the top three, through the real SQLite FTS5 search."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.clock import ManualClock
from bot.services.guide import GuideService
from bot.storage.db import Database

in_module_loop = pytest.mark.asyncio(loop_scope="module")

QUESTIONS = [
    # Chinese, typed without spaces
    ("我想转组织关系", "party-transfer"),
    ("社保卡", "hr-social-security-card"),
    ("税", "tax-machine"),
    ("社保", "hr-social-security-card"),
    ("公积金怎么取", "hr-housing-fund-withdrawal"),
    ("怎么交党费", "party-dues"),
    ("居住证续签", "talent-residence-permit"),
    ("会议室预约", "office-meeting-room"),
    ("注册公司需要什么材料", "reg-new-company"),
    ("减压室在哪里", "relief-room"),
    ("我想做志愿者", "volunteer-register"),
    ("开发票", "tax-invoice"),
    ("个税退税", "tax-income-annual"),
    ("社保卡丢了怎么办", "hr-social-security-card"),
    ("公司要搬家", "reg-relocation"),
    ("心理咨询", "counselling-psychology"),
    ("落户", "talent-hukou"),
    ("稅務機器", "tax-machine"),  # traditional characters
    ("居住证续鉴", "talent-residence-permit"),  # one-character typo (签 -> 鉴)
    ("组织关系专接", "party-transfer"),  # one-character typo (转 -> 专)
    # English
    ("how do I renew my residence permit", "talent-residence-permit"),
    ("tax machine", "tax-machine"),
    ("where can I print my business licence", "reg-licence-print"),
    ("I want to register as a volunteer", "volunteer-register"),
    ("book a meeting room", "office-meeting-room"),
    ("residnce permit", "talent-residence-permit"),  # one-character typo
    ("housing fnd withdrawal", "hr-housing-fund-withdrawal"),  # one-character typo
    ("pay party dues", "party-dues"),
    ("I feel stressed at work", "relief-room"),
    ("work permit for a foreign employee", "talent-foreign-work-permit"),
    ("how to close my company", "reg-deregistration"),
    ("Free lawyer?", "legal-advice"),
    # French
    ("où est la machine fiscale", "tax-machine"),
    ("renouveler mon permis de résidence", "talent-residence-permit"),
    ("réserver une salle de réunion", "office-meeting-room"),
    ("je veux être bénévole à l'hôpital", "volunteer-hospital-guide"),
    ("carte de securite sociale perdue", "hr-social-security-card"),  # accents left out
    ("créer une entreprise", "reg-new-company"),
    ("parler à un psychologue", "counselling-psychology"),
    ("cotisations du parti", "party-dues"),
    ("retirer mon fond de logement", "hr-housing-fund-withdrawal"),  # fonds -> fond
    # Mixed scripts and languages
    ("reunion room booking", "office-meeting-room"),
    ("tax机器", "tax-machine"),
    ("预约meeting room", "office-meeting-room"),
    ("HR 社保 增员", "hr-enterprise-insurance"),
    ("Suishenban 一体机", "gov-all-in-one-machine"),
    # More of the catalogue, so every area is reached
    ("入党申请书", "party-application"),
    ("how can our company set up a party branch", "party-branch-setup"),
    ("主题党日活动", "party-four-histories"),
    ("打印完税证明", "tax-certificate"),
    ("changer l'adresse de la société", "reg-change"),
    ("劳动纠纷 拖欠工资", "hr-labour-advice"),
    ("居住证积分", "talent-residence-points"),
    ("talent apartment rent subsidy", "talent-apartment"),
    ("商学院课程", "college-courses"),
    ("teach seniors smartphones", "volunteer-seniors-smartphone"),
    ("jogging déchets", "volunteer-plogging"),
    ("租金补贴 惠企政策", "gov-business-policy"),
    ("looking for a new office to rent", "office-space-search"),
    ("wifi et recharger mon téléphone", "office-shared-desk"),
]

NOTHING = ["hello world", "我想买一只猫", "recette des crêpes au chocolat", "asdfgh qwerty"]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def guide(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GuideService]:
    path: Path = tmp_path_factory.mktemp("guide") / "guide.sqlite3"
    async with Database(path) as db:
        await db.migrate()
        clock = ManualClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC), frozen=True)
        services = SimpleNamespace(
            db=db, clock=clock, settings=SimpleNamespace(tz=ZoneInfo("Asia/Shanghai")), renderer=None
        )
        service = GuideService(services)  # type: ignore[arg-type]
        await service.ensure_catalogue()
        yield service


def test_at_least_thirty_questions_in_each_kind() -> None:
    assert len(QUESTIONS) >= 30
    assert len({expected for _, expected in QUESTIONS}) >= 25


@in_module_loop
@pytest.mark.parametrize(("question", "expected"), QUESTIONS, ids=[q for q, _ in QUESTIONS])
async def test_question_finds_the_intended_entry(guide: GuideService, question: str, expected: str) -> None:
    result = await guide.search(question)
    found = [e.id for e in result.entries]
    assert expected in found[:3], f"{question!r} -> {found}"


@in_module_loop
@pytest.mark.parametrize("question", NOTHING)
async def test_unrelated_questions_find_nothing(guide: GuideService, question: str) -> None:
    result = await guide.search(question)
    assert result.entries == [], [e.id for e in result.entries]
