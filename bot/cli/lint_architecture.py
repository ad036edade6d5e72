"""The layering rules of docs/architecture.md, checked on the source: `python -m bot.cli.lint_architecture`.

Each rule is a function returning the places that break it ("path:line: what"); the command
prints them and exits 1 if there are any. tests/unit/test_architecture.py runs every rule.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
SERVICE_MODULE_MAX_LINES = 400

Rule = Callable[[], list[str]]
RULES: dict[str, Rule] = {}


def rule(function: Rule) -> Rule:
    RULES[function.__name__] = function
    return function


def _python(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _grep(folder: Path, pattern: str, *, skip: tuple[str, ...] = ()) -> list[str]:
    found = []
    regex = re.compile(pattern)
    for path in _python(folder):
        rel = path.relative_to(ROOT).as_posix()
        if rel in skip:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if regex.search(line):
                found.append(f"{rel}:{number}: {line.strip()}")
    return found


@rule
def service_modules_are_small() -> list[str]:
    """A service module over ~400 lines hides several use cases: split it along its seams."""
    found = []
    for path in _python(BOT / "services"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > SERVICE_MODULE_MAX_LINES:
            found.append(
                f"{path.relative_to(ROOT).as_posix()}: {lines} lines (max {SERVICE_MODULE_MAX_LINES})"
            )
    return found


@rule
def refusals_live_in_the_permission_policy() -> list[str]:
    """Every 'may this person do this' rule is a named rule in services/access.py."""
    return _grep(BOT, r"raise\s+(\w+\.)*NotAllowed\b", skip=("bot/services/access.py",))


@rule
def no_hand_written_callback_patterns() -> list[str]:
    """Buttons are routed through bot.callbacks.Action / handlers.routing.Router, never a regex."""
    return _grep(BOT, r"""["']\^?1\\\\?\||\.pattern\[1:\]|pattern=f?r?["']\^""", skip=("bot/callbacks.py",))


@rule
def settings_are_typed_fields() -> list[str]:
    """Every setting is a validated Settings field; nothing reads raw environment names later."""
    return _grep(
        BOT, r"settings\.extra\b|os\.environ\b|os\.getenv\(", skip=("bot/settings.py", "bot/__init__.py")
    )


@rule
def domain_imports_no_rendering() -> list[str]:
    return _grep(
        BOT / "domain", r"^from bot\.(render|context|handlers|services|storage)\b|^import (jinja2|babel)"
    )


@rule
def handlers_answer_through_the_router() -> list[str]:
    """No bare answer() of a press, no repeated `except InvalidInput`, no sends around context.reply."""
    skip = ("bot/handlers/routing.py", "bot/handlers/errors.py", "bot/handlers/flood.py")
    return (
        _grep(BOT / "handlers", r"callback_query\.answer\(", skip=skip)
        + _grep(BOT / "handlers", r"except .*\bInvalidInput\b", skip=skip)
        + _grep(BOT / "handlers", r"context\.bot\.(send|edit)_", skip=skip)
    )


@rule
def services_and_domain_do_not_import_telegram() -> list[str]:
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for folder in ("services", "domain", "storage")
        for p in _python(BOT / folder)
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return [f"importing bot.services / bot.domain / bot.storage failed: {result.stderr.strip()[-500:]}"]
    loaded = result.stdout.strip()
    return (
        [f"importing bot.services, bot.domain and bot.storage imports telegram ({loaded[:200]})"]
        if loaded
        else []
    )


def main(argv: list[str] | None = None) -> int:
    broken = 0
    for name, check in RULES.items():
        found = check()
        broken += len(found)
        print(f"{'ok  ' if not found else 'FAIL'} {name}" + "".join(f"\n     {f}" for f in found))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
