"""The environment is exactly requirements.lock: what was tested is what people install."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
# Installed by `python -m venv` itself, or the project (an editable install of this checkout).
NOT_LOCKED = {"pip", "jingan-bot"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def test_the_lock_pins_every_package_with_hashes_and_no_addresses() -> None:
    text = LOCK.read_text(encoding="utf-8")
    requirements = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert requirements, "requirements.lock is empty"
    for line in requirements:
        assert _PIN.match(line), f"not an exact pin: {line!r}"
        assert line.endswith("\\"), f"no --hash lines after {line!r}"
    assert not re.search(r"https?:|file:|--index-url|--extra-index-url|--find-links|/", text), (
        "the lock must hold no URL, index, host or path"
    )


def test_installed_packages_equal_the_lock() -> None:
    installed = {
        normalise(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if normalise(d.metadata["Name"]) not in NOT_LOCKED
    }
    pins = pinned()
    assert installed == pins, (
        f"not in the lock: {sorted(set(installed) - set(pins))}; "
        f"locked but missing: {sorted(set(pins) - set(installed))}; "
        f"other versions: {sorted(n for n in set(pins) & set(installed) if pins[n] != installed[n])} "
        "— run `make clean setup` (or `make lock` if pyproject.toml changed)"
    )
