"""`python -m bench [--quick] [--only NAME ...]`: run the scenarios, print one table, save JSON.

Results go to bench/results/latest.json with the date and the machine (uname, CPU model, cores,
Python), because a throughput number means nothing without the machine it was measured on.
The table says for each row with a goal whether it is met; the last line counts the goals met and
names those that are not. Exit status: 0 when every scenario ran (goals not met are reported, not
fatal), 1 when one crashed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import SCENARIOS

RESULTS = Path(__file__).with_name("results")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "uname": " ".join(part for part in platform.uname() if part),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        # Other work on the machine slows CPU-bound scenarios; the 1-minute load says how much.
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def run_scenario(name: str, quick: bool) -> list[dict[str, Any]]:
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.{name}")
        rows = asyncio.run(module.run(quick))
    except Exception as error:
        traceback.print_exc()
        return [{"scenario": name, "metric": "crashed", "value": math.nan, "unit": "", "goal": "", "met": False,
                 "error": f"{type(error).__name__}: {error}"}]  # fmt: skip
    print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    header = ("scenario", "metric", "value", "unit", "goal", "met")
    cells = [header] + [
        (
            str(r["scenario"]),
            str(r["metric"]),
            f"{r['value']:.3g}"
            if isinstance(r["value"], float) and abs(r["value"]) < 1000
            else f"{r['value']:.0f}",
            str(r.get("unit", "")),
            str(r.get("goal", "")),
            {True: "yes", False: "NO", None: ""}[r.get("met")],
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary(rows: list[dict[str, Any]]) -> str:
    """One line: how many goals were met, and which were not (a crashed scenario is one not met)."""
    met = sum(1 for r in rows if r.get("met") is True)
    unmet = [f"{r['scenario']}: {r['metric'].strip()}" for r in rows if r.get("met") is False]
    line = f"goals: {met} met, {len(unmet)} not met"
    return f"{line} ({'; '.join(unmet)})" if unmet else line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test of the benchmarks)")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", choices=SCENARIOS, help="run only these scenarios"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="where to write the JSON")
    args = parser.parse_args(argv)

    rows: list[dict[str, Any]] = []
    host = machine()
    for name in args.only or SCENARIOS:
        print(f"running {name}{' (quick)' if args.quick else ''}...", file=sys.stderr)
        rows.extend(run_scenario(name, args.quick))
    print(table(rows))
    report = {
        "summary": summary(rows),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": host,
        "rows": [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in rows
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)
    print(summary(rows))
    return 1 if any(r["metric"] == "crashed" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
