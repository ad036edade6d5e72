"""Generate bot/data/enterprises_sample.csv: 1,520 clearly fictitious enterprises over the 38 buildings.

Run `python bot/data/make_sample_enterprises.py` to rebuild the file; the fixed seed makes the
output identical every time, so the demo and the tests see the same registry. Brand names are
invented syllable pairs (no real company is meant) and every row's notes say "fictitious sample".
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "enterprises_sample.csv"
COUNT = 1520
SEED = 20261123

# Invented brand syllables: (Chinese, pinyin-ish English).
SYLLABLES = [
    ("澜", "Lan"),
    ("岳", "Yue"),
    ("启", "Qi"),
    ("铭", "Ming"),
    ("禾", "He"),
    ("朗", "Lang"),
    ("泓", "Hong"),
    ("睿", "Rui"),
    ("瀚", "Han"),
    ("拓", "Tuo"),
    ("嘉", "Jia"),
    ("衡", "Heng"),
    ("翊", "Yi"),
    ("策", "Ce"),
    ("霖", "Lin"),
    ("沐", "Mu"),
    ("峻", "Jun"),
    ("弘", "Hong"),
    ("晟", "Sheng"),
    ("卓", "Zhuo"),
    ("蔚", "Wei"),
    ("璟", "Jing"),
    ("汇", "Hui"),
    ("恒", "Heng"),
    ("宸", "Chen"),
    ("熙", "Xi"),
    ("墨", "Mo"),
    ("川", "Chuan"),
    ("青", "Qing"),
    ("若", "Ruo"),
]
# (industry key, Chinese business word, English business word)
INDUSTRIES = [
    ("finance", "投资管理", "Investment Management"),
    ("finance", "资产管理", "Asset Management"),
    ("consulting", "企业管理咨询", "Management Consulting"),
    ("legal", "律师事务所", "Law Office"),
    ("tech", "信息科技", "Information Technology"),
    ("tech", "网络科技", "Network Technology"),
    ("tech", "数据服务", "Data Services"),
    ("trade", "国际贸易", "International Trading"),
    ("media", "文化传媒", "Culture & Media"),
    ("design", "建筑设计", "Architectural Design"),
    ("health", "医药科技", "Pharmaceutical Technology"),
    ("retail", "商贸", "Commerce"),
    ("hr", "人力资源", "Human Resources"),
    ("logistics", "供应链管理", "Supply Chain Management"),
    ("education", "教育科技", "Education Technology"),
]
BANDS = ["1-9", "10-49", "50-199", "200-499", "500+"]
PARTY = ["own", "joint", "none", "none", "joint"]
COLOURS = ["green"] * 30 + ["blue"] * 55 + ["yellow"] * 10 + ["orange"] * 4 + ["red"] * 1


def main() -> None:
    rng = random.Random(SEED)
    with (HERE / "buildings.csv").open(encoding="utf-8", newline="") as handle:
        buildings = [row["code"] for row in csv.DictReader(handle)]
    today = date(2026, 11, 23)
    used: set[str] = set()
    rows = []
    for n in range(1, COUNT + 1):
        while True:
            (c1, e1), (c2, e2) = rng.sample(SYLLABLES, 2)
            industry, zh_word, en_word = rng.choice(INDUSTRIES)
            zh = f"{c1}{c2}{zh_word}（上海）有限公司"
            if zh not in used:
                used.add(zh)
                break
        en = f"{e1}{e2.lower()} {en_word} (Shanghai) Co., Ltd."
        building = buildings[(n - 1) % len(buildings)] if n <= len(buildings) * 30 else rng.choice(buildings)
        floor = rng.randint(3, 45)
        lease = today + timedelta(days=rng.randint(-20, 1500))
        complete = rng.random() > 0.08  # a few rows lack some base data, as real registries do
        rows.append(
            {
                "key": f"SAMPLE-{n:05d}",
                "name": zh,
                "name_en": en,
                "building": building,
                "floor_unit": f"{floor}F-{rng.randint(1, 12):02d}",
                "industry": industry,
                "headcount_band": rng.choice(BANDS) if complete else "",
                "lease_end": lease.isoformat() if complete else "",
                "party_org": rng.choice(PARTY),
                "colour": rng.choice(COLOURS),
                "notes": "fictitious sample",
            }
        )
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} enterprises to {OUT}")


if __name__ == "__main__":
    main()
