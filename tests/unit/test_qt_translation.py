"""The shipped Vietnamese translation of Qt's own texts (issue 14 item 9): the committed .qm
is what PySide6's own lrelease makes of the .ts, and it covers the standard buttons."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6

from counter_app.paths import assets_dir

TS = assets_dir() / "i18n" / "qtbase_vi.ts"
QM = TS.with_suffix(".qm")


def lrelease() -> Path:
    """The lrelease inside the PySide6-Essentials wheel (no Qt install needed)."""
    return Path(PySide6.__file__).parent / (
        "lrelease.exe" if sys.platform == "win32" else "lrelease"
    )


def test_committed_qm_matches_the_ts(tmp_path: Path) -> None:
    out = tmp_path / "qtbase_vi.qm"
    subprocess.run([str(lrelease()), str(TS), "-qm", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == QM.read_bytes(), (
        "assets/i18n/qtbase_vi.qm is stale: uv run pyside6-lrelease "
        "assets/i18n/qtbase_vi.ts -qm assets/i18n/qtbase_vi.qm"
    )


def test_every_standard_button_text_is_translated() -> None:
    root = ET.parse(TS).getroot()
    theme = next(c for c in root.iter("context") if c.findtext("name") == "QPlatformTheme")
    done = {m.findtext("source"): m.findtext("translation") for m in theme.iter("message")}
    for source in ("OK", "Cancel", "&Yes", "&No", "Close", "Save", "Discard", "Apply"):
        assert done.get(source), source
        assert done[source] != source
