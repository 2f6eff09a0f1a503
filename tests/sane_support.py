"""SANE's `test` backend as a real scanner: scanimage with a private SANE_CONFIG_DIR whose
dll.conf lists only `test` (Debian ships it commented out), so the tests never probe the
network or a USB bus. Without scanimage the tests skip with the reason, unless
COUNTER_APP_REQUIRE_SANE=1 (set by .ci/run): then they fail."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Read at import: the session-wide autouse fixture in tests/conftest.py clears COUNTER_APP_*.
REQUIRE_SANE = os.environ.get("COUNTER_APP_REQUIRE_SANE", "") not in ("", "0")


def sane_test_env(tmp: Path) -> dict[str, str]:
    """The environment for scanimage with only the test backend; skips (or fails in CI)
    when scanimage is missing."""
    if not shutil.which("scanimage"):
        msg = "scanimage (sane-utils) is not installed"
        if REQUIRE_SANE:
            pytest.fail(msg + " and COUNTER_APP_REQUIRE_SANE=1")
        pytest.skip(msg)
    conf = tmp / "sane.d"
    conf.mkdir(exist_ok=True)
    (conf / "dll.conf").write_text("test\n", encoding="ascii")
    env = dict(os.environ)
    env["SANE_CONFIG_DIR"] = str(conf)  # no trailing separator: this folder only
    return env
