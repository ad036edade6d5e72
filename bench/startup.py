"""Start-up: from `python -m bot run` being launched to the first answered update, on the large district.

The bot is a real subprocess (`python -m bot run`, exactly what systemd starts) with
TELEGRAM_API_URL pointing at an emulator running in this process and BOT_DB_PATH at a copy of
the large district. A person's /start is queued in the emulator before the process is launched,
as when updates pile up during a restart, so the time includes: interpreter and imports,
settings, opening the 300 MB database and checking migrations, setMyCommands, the first
getUpdates and the answer. Measured three times (the median is reported) with the page cache
warm, as after a restart on the same machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import district as districts
from bench.harness import bench_env
from bot.sandbox.emulator import Emulator, Limits

ROOT = Path(__file__).resolve().parents[1]


def _vm_hwm_mb(pid: int) -> float | None:
    """Peak resident memory of another process (Linux /proc), read before it exits."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def once(db: Path, person_id: int) -> tuple[float, float | None]:
    async with Emulator(limits=Limits(enabled=False)) as emu:
        person = emu.user(person_id, "王小明", language_code="zh")
        env = {**os.environ, **bench_env(db, emu.api_url, BOT_LOG_LEVEL="WARNING")}
        await person.send("/menu")
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await person.wait_for(lambda m: True, timeout=60)
            elapsed = time.perf_counter() - started
            await asyncio.sleep(0.5)  # let the sender and job queue start fully before reading memory
            rss = _vm_hwm_mb(process.pid)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 15)
                except TimeoutError:
                    process.kill()
                    await process.wait()
    return elapsed, rss


async def run(quick: bool, *, scale: float | None = None, repeats: int | None = None) -> list[dict]:
    district = await districts.ensure(scale if scale is not None else (0.05 if quick else 1.0))
    times, rss = [], []
    with tempfile.TemporaryDirectory() as folder:
        db = districts.copy_of(district, Path(folder) / "startup.sqlite3")
        for i in range(repeats or (1 if quick else 3)):
            elapsed, peak = await once(db, district.worker(i))
            times.append(elapsed)
            if peak is not None:
                rss.append(peak)
    median = statistics.median(times)
    row = {"scenario": "startup"}
    size = f"{district.path.stat().st_size / 1e6:.0f} MB database"
    return [
        {**row, "metric": f"process start -> first answered update ({size})", "value": round(median, 2), "unit": "s", "goal": "(none set)", "met": None},
        {**row, "metric": "slowest start", "value": round(max(times), 2), "unit": "s", "goal": "", "met": None},
        {**row, "metric": "peak RSS of the bot process after start", "value": round(max(rss), 1) if rss else float("nan"), "unit": "MB", "goal": "", "met": None},
    ]  # fmt: skip


if __name__ == "__main__":
    for result in asyncio.run(run(quick="--quick" in sys.argv)):
        print(result)
