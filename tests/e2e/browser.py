"""What the browser tests share: Debian's Chromium driven by Playwright, or a clean skip.

Imported by a test module, it skips that whole module with a message saying what to install when
Playwright or Chromium is missing (`make test` installs both).
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (make test installs it)"
)
if CHROMIUM is None:
    pytest.skip(
        "no Chromium on this machine: `apt-get install chromium` (make test tries it)",
        allow_module_level=True,
    )

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def launch(playwright: Any) -> Any:
    """Headless Chromium, quiet: no network of its own, no first-run screens."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
