"""`counter-app scanner list | scan` with SANE's test backend (issue 15 item 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sane_support import sane_test_env


@pytest.fixture
def sane(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    env = sane_test_env(tmp_path)
    monkeypatch.setenv("COUNTER_APP_SANE_CONFIG_DIR", env["SANE_CONFIG_DIR"])
    return Path(env["SANE_CONFIG_DIR"])


def test_scanner_list(cli: Any, demo_db: Path, sane: Path) -> None:
    res = cli("--json", "scanner", "list")
    assert res.rc == 0, res.err
    rows = json.loads(res.out)
    assert rows[0]["name"] == "test:0" and "frontend-tester" in rows[0]["label"]
    assert "test:0 · " in cli("scanner", "list").out


def test_scanner_scan_writes_pages(
    cli: Any, demo_db: Path, sane: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTER_APP_DOCUMENT_SCANNER", "test:0")
    out = tmp_path / "pages"
    res = cli("--json", "scanner", "scan", "--out", out, "--dpi", "50", "--pages", "3")
    assert res.rc == 0, res.err
    data = json.loads(res.out)
    assert data["device"] == "test:0"
    assert [Path(p).name for p in data["pages"]] == ["page-001.png", "page-002.png", "page-003.png"]
    assert all(Path(p).read_bytes().startswith(b"\x89PNG") for p in data["pages"])


def test_scanner_scan_refusals(
    cli: Any, demo_db: Path, sane: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = cli("scanner", "scan", "--out", tmp_path / "p")
    assert res.rc == 1 and "chưa đặt máy quét" in res.err
    res = cli("scanner", "scan", "--out", tmp_path / "p", "--device", "test:7", "--dpi", "50")
    assert res.rc == 1 and "Không thấy máy quét test:7" in res.err
    res = cli("scanner", "scan", "--out", tmp_path / "p", "--device", "test:0", "--dpi", "5")
    assert res.rc == 1 and "50 đến 1200" in res.err
