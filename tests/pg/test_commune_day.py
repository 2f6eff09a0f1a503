"""Issue 11, done when: a commune is set up from nothing, works a day, is closed by its
supervisor, backed up and restored, and syncs — all through the command line, without --demo,
against the real central. One story, as the README tells it; each step checks what a
supervisor would look at."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from pinned_clock import at

from counter_app.paths import assets_dir

AGENCY = "000.31.07.H12"


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    return json.loads(res.out)


def refused(res: Any) -> str:
    assert res.rc == 1, res
    line: str = res.err.strip()
    assert line.startswith("Lỗi: ") and "\n" not in line, line
    return line


def payload(name: str, id_number: str, request_id: str) -> dict[str, Any]:
    catalogue = json.loads(
        (assets_dir() / "catalogue" / "sample-catalogue.json").read_text(encoding="utf-8")
    )
    proc = next(p for p in catalogue["procedures"] if p["code"] == "1.001193")
    return {
        "procedure": proc["code"],
        "applicant": {"name": name, "id_number": id_number, "phone": "0912345678"},
        "documents": [
            {"name": d["name"], "kind": d["kind"], "count": d["count"]}
            for d in proc["documents"]
            if d.get("required")
        ],
        "request_id": request_id,
    }


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Any:
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def test_a_commune_from_nothing_to_a_closed_synced_restored_day(
    cli: Any, db_path: Path, tmp_path: Path, stdin: Any, clock: Any, central_url: str
) -> None:
    def intake(name: str, idn: str, rid: str) -> Any:
        f = tmp_path / f"{rid}.json"
        f.write_text(json.dumps(payload(name, idn, rid), ensure_ascii=False), encoding="utf-8")
        return cli("--json", "intake", f, "--clerk", "canbo1")

    # Set up from nothing (no --demo).
    clock.set(at(7, 40))
    ok(
        cli(
            *("--json", "unit", "set", "--agency", AGENCY, "--name", "UBND XÃ AN BÌNH"),
            *("--parent-name", "UBND TỈNH AN GIANG", "--place-name", "An Bình"),
            *("--opens", "07:30", "--closes", "17:00", "--cutoff", "16:00"),
            *("--code-range", "1-4999"),
        )
    )
    ok(cli("--json", "counter", "add", "1", "--name", "Quầy Hộ tịch"))
    for user, name, role in (
        ("giamsat", "Trần Văn Minh", "supervisor"),
        ("canbo1", "Nguyễn Thị Lan", "clerk"),
    ):
        stdin("mat-khau-rat-dai-1\n")
        ok(cli("--json", "user", "add", user, "--name", name, "--role", role, "--password-stdin"))
    ok(
        cli(
            "--json",
            "service",
            "add",
            "HT",
            "--name",
            "Hộ tịch",
            *("--prefix", "1", "--counters", "1"),
        )
    )
    assert cli("catalogue", "import", assets_dir() / "catalogue" / "sample-catalogue.json").rc == 0

    # The morning: a ticket, a dossier (retried once: still one), its receipt, a rating.
    clock.set(at(8))
    ok(cli("--json", "ticket", "issue", "--service", "HT"))
    clock.set(at(8, 5))
    ok(cli("--json", "ticket", "call-next", "--counter", "1"))
    [first] = ok(intake("Lê Văn Bình", "089090001234", "req-1"))
    assert ok(intake("Lê Văn Bình", "089090001234", "req-1")) == [first]
    assert first["code"] == f"{AGENCY}-261202-0001"
    assert cli("form", first["code"], "--kind", "receipt", "-o", tmp_path / "mau01.pdf").rc == 0
    clock.set(at(8, 20))
    ok(cli("--json", "ticket", "finish", "--counter", "1"))
    ok(cli("--json", "rate", "--ticket", "1001", "--level", "3"))

    # A backup at noon; the province provisions the unit; the first sync.
    clock.set(at(12))
    ok(cli("--json", "backup", "-o", tmp_path / "trua.db"))
    url = ok(
        cli("--json", "central", "add-unit", "--url", central_url, "--unit", AGENCY, "--name", "X")
    )["url"]
    assert cli("sync", "--once", "--central", url).rc == 0

    # The afternoon's dossier reaches central; then the disk dies and noon's copy comes back.
    clock.set(at(14))
    [second] = ok(intake("Phạm Thị Cúc", "089195004321", "req-2"))
    assert cli("form", second["code"], "--kind", "receipt", "-o", tmp_path / "b.pdf").rc == 0
    assert cli("sync", "--once", "--central", url).rc == 0
    clock.set(at(14, 30))
    ok(cli("--json", "restore", tmp_path / "trua.db"))
    assert "restore --check" in refused(intake("Đỗ Văn Dũng", "089088012345", "req-3"))
    checked = ok(cli("--json", "restore", "--check", "--central", url))
    assert [d["code"] for d in checked["lost"]] == [second["code"]]  # listed, not dropped
    [third] = ok(intake("Đỗ Văn Dũng", "089088012345", "req-3"))
    assert third["code"] == f"{AGENCY}-261202-0003"  # after central's, never 0002 again
    assert cli("form", third["code"], "--kind", "receipt", "-o", tmp_path / "c.pdf").rc == 0

    # The close: a clerk may not; the supervisor does, with the sheet; then the day is frozen.
    clock.set(at(17, 10))
    refused(cli("close-day", "--supervisor", "canbo1"))
    closed = ok(
        cli("--json", "close-day", "--supervisor", "giamsat", "-o", tmp_path / "khoaso.pdf")
    )
    assert closed["closed"] and closed["totals"]["received"] == 2  # 0001 and 0003 here
    assert closed["totals"]["ratings"] == {"rat_hai_long": 1}
    assert (tmp_path / "khoaso.pdf").read_bytes().startswith(b"%PDF")
    assert "khóa sổ" in refused(intake("Vũ Thị Em", "089301000777", "req-4"))

    # Central holds it all, in one whole stream, nothing rejected, the close shown.
    assert cli("sync", "--once", "--central", url).rc == 0
    [status] = ok(cli("--json", "central", "status", "--url", central_url))
    assert status["unit"] == AGENCY
    assert status["dossiers"] == 3 and status["rejected"] == 0 and status["gaps"] == []
    assert status["closed_through"] == "2026-12-02"
    with closing(sqlite3.connect(db_path)) as c:
        (top,) = c.execute("SELECT max(seq) FROM outbox").fetchone()
    assert status["contiguous_seq"] == top
