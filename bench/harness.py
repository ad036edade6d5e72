"""Shared pieces of the district-scale scenarios: settings for a bot under benchmark, peak memory.

Why a module: throughput, fan-out, ticks and start-up all start the real bot against a copy of
the synthetic district; they must agree on its settings (same token as the emulator, no tick
running behind the measurement's back, quiet logs) or their numbers would not be comparable.
"""

from __future__ import annotations

import logging
import resource
import sys
from pathlib import Path
from typing import Any

from bench.district import ADMIN_ID, RESULTS
from bot.settings import Settings

TOKEN = "123456:TEST"  # the emulator's default token


def bench_env(db_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    """Environment of a bot under benchmark (also what `python -m bot run` gets in start-up)."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "BOT_DB_PATH": str(db_path),
        "BOT_ADMIN_IDS": str(ADMIN_ID),
        "BOT_TICK_SECONDS": "3600",  # ticks are measured on their own (bench/ticks.py)
        "BOT_LOG_LEVEL": "ERROR",
        **extra,
    }


def bench_settings(db_path: Path, api_url: str, **extra: str) -> Settings:
    return Settings.from_mapping(bench_env(db_path, api_url, **extra))


def quiet_logs() -> None:
    """Per-message log lines would cost more than the work measured; errors still show."""
    for name in ("bot", "telegram", "httpx", "apscheduler", "aiohttp"):
        logging.getLogger(name).setLevel(logging.ERROR)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far.

    Linux keeps ru_maxrss across execve, so a process spawned by the bench would report the
    bench's own peak (1 GB while it builds the district): /proc's VmHWM belongs to this process
    image alone. Elsewhere, getrusage (KiB on Linux, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def profiler(interval: float = 0.0005) -> Any:
    """A pyinstrument profiler (the optional `bench` extra) of this process's event loop, not yet
    started; None without pyinstrument. Longer runs sample less often so the output stays readable."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("BENCH_PROFILE: pip install -e '.[bench]' for pyinstrument; not profiling")
        return None
    return Profiler(interval=interval, async_mode="disabled")


def save_profile(profiler: Any, name: str) -> None:
    """Stop `profiler` and write bench/results/profile-<name>.txt, .html and .pyisession."""
    profiler.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    (RESULTS / f"profile-{name}.txt").write_text(text, encoding="utf-8")
    (RESULTS / f"profile-{name}.html").write_text(profiler.output_html(), encoding="utf-8")
    profiler.last_session.save(str(RESULTS / f"profile-{name}.pyisession"))
