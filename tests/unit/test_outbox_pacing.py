"""The sender's pacing rules come from settings; the sped-up scale is validated like any setting."""

from __future__ import annotations

import pytest

from bot.jobs.sender import Pacing
from bot.pacing import TokenBucket
from bot.settings import Settings, SettingsError


def test_production_pacing_is_telegrams() -> None:
    pacing = Pacing.from_settings(Settings.from_mapping({}))
    assert pacing.overall_per_second == 25
    assert (pacing.private_per_second, pacing.private_burst) == (1, 3)
    assert (pacing.group_per_minute, pacing.group_burst) == (20, 20)
    assert pacing.backoff_base == 1 and pacing.backoff_cap == 300
    assert pacing.overall_burst == 2.5  # a tenth of a second of sending


def test_scale_speeds_up_limits_and_shortens_waits() -> None:
    pacing = Pacing.from_settings(
        Settings.from_mapping({"BOT_SEND_RATE": "250", "BOT_SEND_LIMIT_SCALE": "10"})
    )
    assert pacing.overall_per_second == 250 and pacing.private_per_second == 10
    assert pacing.group_per_minute == 200 and pacing.backoff_base == pytest.approx(0.1)
    assert pacing.overall_burst == 20  # capped below the 30 Telegram tolerates


@pytest.mark.parametrize("value", ["0", "-2", "fast"])
def test_bad_scale_names_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="BOT_SEND_LIMIT_SCALE"):
        Settings.from_mapping({"BOT_SEND_LIMIT_SCALE": value})


def test_bucket_allows_the_burst_then_the_rate() -> None:
    bucket = TokenBucket(capacity=3, rate=1.0, tokens=3, stamp=0.0)
    for _ in range(3):
        assert bucket.ready_in(0.0) == 0
        bucket.take(0.0)
    assert bucket.ready_in(0.0) == pytest.approx(1.0)
    assert bucket.ready_in(0.5) == pytest.approx(0.5)
    bucket.hold_until = 5.0  # Telegram said "retry after"
    assert bucket.ready_in(1.0) == pytest.approx(4.0)
