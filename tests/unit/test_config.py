"""Settings: TOML, then environment; booleans and numbers parsed, bad values named."""

from __future__ import annotations

from pathlib import Path

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
