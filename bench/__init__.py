"""Benchmarks (`python -m bench` / `make bench`): speed and memory targets live here, never in tests.

Each scenario is a module `bench/<name>.py` listed in SCENARIOS, exposing
`async def run(quick: bool) -> list[dict]` where each dict is one result row:
{"scenario": str, "metric": str, "value": float, "unit": str, "goal": str, "met": bool | None}.
`bench/__main__.py` runs them in order, prints one table and writes bench/results/latest.json.
"""

SCENARIOS: list[str] = [
    "sender",
    "throughput",
    "fanout",
    "rush",
    "ticks",
    "startup",
    "guide",
    "webapp",
    "volunteering",
    "hostile_files",
    "erasure",
]
