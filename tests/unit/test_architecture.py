"""The layering rules of docs/architecture.md hold (bot/cli/lint_architecture.py measures them)."""

from __future__ import annotations

import pytest

from bot.cli import lint_architecture


@pytest.mark.parametrize("name", sorted(lint_architecture.RULES))
def test_rule_holds(name: str) -> None:
    broken = lint_architecture.RULES[name]()
    assert broken == [], f"{name}: {lint_architecture.RULES[name].__doc__ or ''}\n" + "\n".join(broken)


def test_the_rules_find_what_they_look_for(tmp_path, monkeypatch) -> None:
    """A rule that cannot fail is no rule: plant one breach of each and see them found."""
    bot = tmp_path / "bot"
    (bot / "services").mkdir(parents=True)
    (bot / "handlers").mkdir()
    (bot / "domain").mkdir()
    (bot / "services" / "big.py").write_text("x = 1\n" * 401)
    (bot / "services" / "refuse.py").write_text("raise NotAllowed('no')\n")
    (bot / "handlers" / "press.py").write_text(
        "pattern=r'^1\\\\|rq\\\\|claim'\nawait update.callback_query.answer()\nexcept InvalidInput:\n"
    )
    (bot / "services" / "env.py").write_text("settings.extra['BOT_X']\n")
    (bot / "domain" / "rule.py").write_text("from bot.render import Renderer\n")
    monkeypatch.setattr(lint_architecture, "ROOT", tmp_path)
    monkeypatch.setattr(lint_architecture, "BOT", bot)
    for name in (
        "service_modules_are_small",
        "refusals_live_in_the_permission_policy",
        "no_hand_written_callback_patterns",
        "settings_are_typed_fields",
        "domain_imports_no_rendering",
        "handlers_answer_through_the_router",
    ):
        assert lint_architecture.RULES[name](), f"{name} found nothing"
