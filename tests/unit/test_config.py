"""Settings: TOML, then environment; booleans and numbers parsed, bad values named."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from counter_app.config import load_settings
from counter_app.domain.errors import ValidationError


def test_environment_overrides_and_booleans(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("counter_number = 3\nboard_voice = true\n", encoding="utf-8")
    s = load_settings(
        cfg, env={"COUNTER_APP_BOARD_VOICE": "false", "COUNTER_APP_TICKET_PRINTER_DOTS": "384"}
    )
    assert s.counter_number == 3
    assert s.board_voice is False  # bool("false") would be True: parsed as a word, not cast
    assert s.ticket_printer_dots == 384


@pytest.mark.parametrize(("key", "value"), [("BOARD_VOICE", "maybe"), ("COUNTER_NUMBER", "ba")])
def test_bad_values_are_refused_with_their_key(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        load_settings(tmp_path / "none.toml", env={f"COUNTER_APP_{key}": value})
    assert err.value.code == "config_invalid" and err.value.params["key"] == key.lower()


# --- COUNTER_APP_NOW: the testing aid that pins "now" for one process ------------------------


def test_pinned_clock_starts_at_the_instant_and_runs_on() -> None:
    import time
    from datetime import UTC, datetime, timedelta

    from counter_app.app import pinned_clock

    clock = pinned_clock("2026-12-02T23:59:59.950+07:00")
    first = clock()
    assert first.tzinfo is not None
    assert (
        timedelta(0)
        <= first - datetime(2026, 12, 2, 16, 59, 59, 950000, tzinfo=UTC)
        < (timedelta(seconds=1))
    )
    time.sleep(0.1)  # waits still work: it advances with the monotonic clock, across midnight
    later = clock()
    assert later - first >= timedelta(seconds=0.1)
    assert later.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat() == "2026-12-03"


@pytest.mark.parametrize("value", ["09:00", "2026-12-02T09:00:00", "hôm nay", "2026-13-01T09:00Z"])
def test_a_malformed_pinned_now_is_refused(value: str) -> None:
    from counter_app.app import pinned_clock

    with pytest.raises(ValidationError) as err:
        pinned_clock(value)
    assert err.value.code == "now_invalid"
