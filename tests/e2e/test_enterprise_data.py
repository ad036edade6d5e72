"""Data in and out from Telegram (issue 17): an administrator sends the bot a file in a private chat,
reads its dry run, confirms or cancels; imports never overrule staff; /export and /report send
files. Everything through the emulator, as the administrator and staff see it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from bot.storage import roles as roles_repo
from tests.conftest import ADMIN_ID
from tests.e2e.test_enterprise_signals import mark_colour

HEADER = "key,name,name_en,building,floor_unit,industry,headcount_band,lease_end,party_org,colour,notes"
ORIGINAL = (
    f"{HEADER}\n"
    "M-1,华建科技,Huajian Tech,GOHIGH,3F,tech,1-9,2028-01-01,none,red,\n"
    "M-2,乙公司,B Co,GOHIGH,2F,tech,1-9,,none,blue,\n"
    "M-3,丙公司,C Co,PARKPL,5F,trade,10-49,,own,red,\n"
)
TIER2, TIER3 = -1001000000002, -1001000000003
DATA = Path(__file__).resolve().parents[2] / "bot" / "data"


async def admin_and_staff(bot):
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    staff = bot.emu.user(2003, "Hua", language_code="en")
    await bot.make_staff(staff, tier=3)
    async with bot.services.db.tx() as conn:
        for tier, chat_id in ((2, TIER2), (3, TIER3)):
            await roles_repo.bind_chat(conn, chat_id, f"Tier {tier}", tier, None, ADMIN_ID, bot.clock.now())
    groups = {
        tier: bot.emu.group(chat_id, f"Tier {tier}", [staff]) for tier, chat_id in ((2, TIER2), (3, TIER3))
    }
    return admin, staff, groups


async def upload(admin, data: bytes, name: str, caption: str | None = None):
    await admin.send_document(data, name, caption)
    return await admin.wait_for(lambda m: "Dry run of" in m.plain or "Nothing was imported" in m.plain)


async def colours(bot) -> dict[str, tuple[str, str]]:
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT key, colour, colour_source FROM enterprises ORDER BY key")
        return {r[0]: (r[1], r[2]) for r in await cur.fetchall()}


@pytest.mark.slow
async def test_reimport_keeps_staff_colours_lists_conflicts_and_overwrites_only_when_chosen(
    bot_factory,
) -> None:
    """Why: staff set M-1 red -> green ("visited: stable now"); re-importing the original CSV turned it
    back to red, audited only as "import", alerted nobody, and the summary said "1 updated"."""
    bot = await bot_factory(BOT_DEFAULT_LANGUAGE="en")
    admin, staff, groups = await admin_and_staff(bot)

    dry = await upload(admin, ORIGINAL.encode(), "registry.csv")
    assert "Rows: 3 new · 0 changed · 0 unchanged · 0 rejected." in dry.plain
    await admin.press("✅ Confirm", message=dry)
    done = await admin.wait_for("Imported registry.csv")
    assert "Rows: 3 new" in done.plain and not done.buttons
    await bot.flush()
    # Two red enterprises arrived: the tier-3 chat hears of them in one digest, not one per company.
    assert len(groups[3].inbox) == 1 and "Colour changes: 2 enterprises" in groups[3].inbox[0].plain

    await mark_colour(staff, "M-1", "🟢", "visited: stable now")
    await mark_colour(staff, "M-3", "🟢", "new lease signed")
    await bot.flush()
    told = len(groups[3].inbox)

    dry = await upload(admin, ORIGINAL.encode(), "registry.csv")
    assert "Conflicts with colours set by staff (2): staff's colour is kept." in dry.plain
    assert re.search(r"M-1 华建科技: staff 🟢 green · stable \(.*Hua\) · file 🔴 red · unstable", dry.plain)
    assert dry.buttons == ["✅ Confirm", "⚠️ Confirm and overwrite 2 staff colours", "✖ Cancel"]
    await admin.press("✅ Confirm", message=dry)
    kept = await admin.wait_for("Imported registry.csv")
    assert "Conflicts with colours set by staff (2)" in kept.plain
    assert await colours(bot) == {
        "M-1": ("green", "staff"),
        "M-2": ("blue", "import"),
        "M-3": ("green", "staff"),
    }
    await bot.flush()
    assert len(groups[3].inbox) == told  # nothing changed: nobody is told anything

    dry = await upload(admin, ORIGINAL.encode(), "registry.csv")
    await admin.press("⚠️ Confirm and overwrite 2 staff colours", message=dry)
    overwritten = await admin.wait_for("Imported registry.csv")
    assert "Colours set by staff overwritten at your explicit request: 2." in overwritten.plain
    assert await colours(bot) == {
        "M-1": ("red", "import"),
        "M-2": ("blue", "import"),
        "M-3": ("red", "import"),
    }
    await bot.flush()
    new = groups[3].inbox[told:]
    assert len(new) == 1  # one digest for the tier-3 chat, listing both companies
    assert "Colour changes: 2 enterprises" in new[0].plain
    assert "华建科技" in new[0].plain and "丙公司" in new[0].plain and "registry.csv" in new[0].plain
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT e.key, h.colour_from, h.colour_to, h.source, h.changed_by FROM enterprise_colour_history h"
            " JOIN enterprises e ON e.id = h.enterprise_id WHERE h.colour_from = 'green' ORDER BY e.key"
        )
        assert [tuple(r) for r in await cur.fetchall()] == [
            ("M-1", "green", "red", "import", ADMIN_ID),
            ("M-3", "green", "red", "import", ADMIN_ID),
        ]


def messy_utf8() -> bytes:
    """Excel's "CSV UTF-8": a BOM, CRLF, a key repeated in another case, a formula in a name."""
    rows = [
        HEADER,
        'M-9,"=HYPERLINK(""http://evil.example"",""click"")",Evil Co,GOHIGH,3F,tech,1-9,,none,blue,',
        "m-9,同一家公司（小写键）,Same Co,GOHIGH,3F,tech,1-9,,none,red,",
        "K-2,+1+1 贸易,Plus Co,PARKPL,2F,trade,1-9,,none,green,@SUM(A1:A9)",
        "K-3,正常公司,Normal Co,PARKPL,2F,legal,1-9,2027-06-30,joint,黄色,-note",
    ]
    return "\ufeff".encode() + "\r\n".join(rows).encode() + b"\r\n"


def gbk_file() -> bytes:
    return f"{HEADER}\r\nG-1,英桥集团上海有限公司,InterBridge,GOHIGH,12F,consulting,50-199,2026-12-31,joint,蓝色,\r\n".encode(
        "gbk"
    )


def big5_file() -> bytes:
    return f"{HEADER}\r\nTW-1,台北辦公室有限公司,Taipei Office,GOHIGH,1F,tech,1-9,,none,blue,\r\nTW-2,軟體開發股份有限公司,Soft,PARKPL,1F,tech,1-9,,none,blue,\r\n".encode(
        "big5"
    )


def truncated_file() -> bytes:
    return f'{HEADER}\r\nT-1,完整公司,Whole Co,GOHIGH,1F,tech,1-9,,none,blue,fine\r\nT-2,截断公司,Cut Co,GOHIGH,1F,tech,1-9,,none,blue,"moved to 12F, the rent is'.encode()


@pytest.mark.slow
async def test_an_administrator_imports_messy_csvs_from_telegram_and_exports_them_formula_safe(
    bot_factory,
) -> None:
    bot = await bot_factory(BOT_DEFAULT_LANGUAGE="en")
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")

    # The Big5 file and the truncated file are refused as a whole, saying why; nothing is kept.
    refused = await upload(admin, big5_file(), "taipei.csv")
    assert "Nothing was imported from taipei.csv" in refused.plain and "it looks like Big5" in refused.plain
    assert not refused.buttons
    refused = await upload(admin, truncated_file(), "cut.csv")
    assert "The file ends inside a quoted field opened on line 3: it looks cut off." in refused.plain
    assert not refused.buttons
    assert await colours(bot) == {}

    # The messy UTF-8 file: dry run, then confirm.
    dry = await upload(admin, messy_utf8(), "messy.csv")
    assert "Dry run of messy.csv" in dry.plain and "utf-8" in dry.plain
    assert "Rows: 3 new · 0 changed · 0 unchanged · 1 rejected." in dry.plain
    assert "line 3 [m-9]: the key “m-9” is already on line 2 (keys ignore case and spaces)" in dry.plain
    assert await colours(bot) == {}  # a dry run writes nothing
    await admin.press("✅ Confirm", message=dry)
    await admin.wait_for("Imported messy.csv")

    # The GBK file; then Cancel on a second dry run changes nothing.
    dry = await upload(admin, gbk_file(), "gbk.csv")
    assert "gbk" in dry.plain and "Rows: 1 new" in dry.plain
    await admin.press("✅ Confirm", message=dry)
    await admin.wait_for("Imported gbk.csv")
    dry = await upload(admin, gbk_file().replace(b"12F", b"99F"), "gbk2.csv")
    assert "Rows: 0 new · 1 changed" in dry.plain
    confirm = next(b["callback_data"] for row in dry.button_rows for b in row if b["text"] == "✅ Confirm")
    await admin.press("✖ Cancel", message=dry)
    await admin.wait_for("Cancelled: nothing was imported from gbk2.csv")
    answer = await admin.press_data(confirm)  # a Confirm pressed after Cancel (an old message)
    assert answer is not None and answer.show_alert and "already imported or cancelled" in (answer.text or "")

    imported = await colours(bot)
    assert imported == {
        "G-1": ("blue", "import"),
        "K-2": ("green", "import"),
        "K-3": ("yellow", "import"),
        "M-9": ("blue", "import"),
    }

    # The export opens in a spreadsheet as text: no cell starts a formula; and it re-imports as is.
    await admin.send("/export enterprises")
    exported = await admin.wait_for(lambda m: m.kind == "document")
    assert exported.filename.startswith("enterprises-") and exported.document.startswith("\ufeff".encode())
    text = exported.document.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells and "'+1+1 贸易" in cells
    assert "'@SUM(A1:A9)" in cells and "'-note" in cells
    again = await upload(admin, exported.document, "export.csv")
    assert "Rows: 0 new · 0 changed · 4 unchanged · 0 rejected." in again.plain


async def test_only_administrators_in_private_chats_move_data(bot) -> None:
    await bot.services.enterprises.registry.import_csv(ORIGINAL.encode())
    worker = bot.emu.user(1001, "Na", language_code="en")
    staff = bot.emu.user(2003, "Hua", language_code="en")
    await bot.make_staff(staff, tier=3)
    for person in (worker, staff):
        await person.send_document(ORIGINAL.replace("red", "green").encode(), "registry.csv")
        await person.wait_for("only the station's administrators")
        await person.send("/export enterprises")
        await person.wait_for("only the station's administrators")
        await person.send("/report month 2026-11")
        await person.wait_for("only the station's administrators")
    assert (await colours(bot))["M-1"] == ("red", "import")

    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    dry = await upload(admin, ORIGINAL.replace("red", "green").encode(), "registry.csv")
    data = next(b["callback_data"] for row in dry.button_rows for b in row if b["text"] == "✅ Confirm")
    answer = await staff.press_data(data)  # forged: another person's upload
    assert answer is not None and answer.show_alert
    assert (await colours(bot))["M-1"] == ("red", "import")

    group = bot.emu.group(-1001000000009, "Admins", [admin])
    await admin.send("/export enterprises", chat=group)
    await group.wait_for("only in a private chat")
    assert not [m for m in group.inbox if m.kind == "document"]

    await admin.send_document(b"\x89PNG\r\n\x1a\n", "photo.png")
    await admin.wait_for("I can import the enterprise registry (.csv)")
    await admin.send("/export everything")
    await admin.wait_for("Send /export enterprises")
    await admin.send("/report month 26-11")
    await admin.wait_for("Send /report month 2026-11")


async def test_the_monthly_report_comes_as_a_csv_and_a_chart(bot) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    await admin.send("/report month 2026-11")
    document = await admin.wait_for(lambda m: m.kind == "document")
    assert document.filename == "figures-2026-11.csv" and b"period,metric" in document.document
    chart = await admin.wait_for(lambda m: m.kind == "photo")
    assert "2026-11" in chart.plain


def cut_guide(entries: int) -> bytes:
    text = (DATA / "guide.yaml").read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^  - id: ", text, re.M)]
    return text[: starts[entries]].encode()


@pytest.mark.slow
async def test_a_cut_guide_needs_a_confirm_that_names_the_deletions(bot) -> None:
    """Why (issue 15): a guide.yaml cut at an entry boundary replaced the catalogue (47 -> 5 entries)."""
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    await bot.services.guide.ensure_catalogue()
    async with bot.services.db.read() as conn:
        total = (await (await conn.execute("SELECT COUNT(*) FROM guide_entries")).fetchone())[0]

    dry = await upload(admin, cut_guide(5), "guide.yaml")
    assert "service guide (YAML)" in dry.plain
    assert f"This file deletes {total - 5} of {total}, more than 20% of them" in dry.plain
    label = f"⚠️ Confirm: delete {total - 5} of {total} entries"
    assert dry.buttons == [label, "✖ Cancel"]
    await admin.press("✖ Cancel", message=dry)
    await admin.wait_for("Cancelled")
    async with bot.services.db.read() as conn:
        assert (await (await conn.execute("SELECT COUNT(*) FROM guide_entries")).fetchone())[0] == total

    dry = await upload(admin, cut_guide(5), "guide.yaml")
    await admin.press(label, message=dry)
    done = await admin.wait_for("Imported guide.yaml")
    assert f"{total - 5} deleted" in done.plain
    async with bot.services.db.read() as conn:
        assert (await (await conn.execute("SELECT COUNT(*) FROM guide_entries")).fetchone())[0] == 5


async def test_projects_are_previewed_and_imported_from_telegram(bot) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    dry = await upload(admin, (DATA / "projects.yaml").read_bytes(), "projects.yaml")
    assert "volunteer projects (YAML)" in dry.plain and "Projects: 3 new · 0 updated." in dry.plain
    async with bot.services.db.read() as conn:
        assert (await (await conn.execute("SELECT COUNT(*) FROM vol_projects")).fetchone())[0] == 0
    await admin.press("✅ Confirm", message=dry)
    await admin.wait_for("Imported projects.yaml")
    async with bot.services.db.read() as conn:
        assert (await (await conn.execute("SELECT COUNT(*) FROM vol_projects")).fetchone())[0] == 3

    broken = await upload(admin, b"projects:\n  - key: x\n    kind: nothing\n", "broken.yaml")
    assert "Nothing was imported from broken.yaml" in broken.plain and "line" in broken.plain
