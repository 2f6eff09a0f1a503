"""Setting up a real unit without --demo (issue 11 §4), through the command line on real
SQLite files: the unit, counters, accounts, queue services, printers; refusals change
nothing; two stand-alone counters of one unit never hand out the same dossier code."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_one_vietnamese_line, intake_payload, with_applicant

from counter_app.services.setup import sample_catalogue_path

AGENCY = "000.31.07.H12"


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    return json.loads(res.out) if res.out.strip().startswith(("{", "[", "null")) else res.out


def refused(res: Any) -> str:
    assert res.rc == 1, res
    assert res.out == ""
    return assert_one_vietnamese_line(res.err)


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch):
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def set_up(cli, stdin, db: Path | None = None, code_range: str = "1-4999") -> None:
    """A commune from nothing: unit, two counters, a supervisor and a clerk, two services."""
    kw = {} if db is None else {"db": db}
    ok(
        cli(
            "--json",
            "unit",
            "set",
            "--agency",
            AGENCY.lower(),
            "--name",
            "UBND XÃ AN BÌNH",
            "--parent-name",
            "UBND TỈNH AN GIANG",
            "--place-name",
            "An Bình",
            "--opens",
            "7:30",
            "--closes",
            "17:00",
            "--cutoff",
            "16:30",
            "--code-range",
            code_range,
            **kw,
        )
    )
    ok(cli("counter", "add", "1", "--name", "Quầy Hộ tịch", **kw))
    ok(cli("counter", "add", "2", **kw))
    stdin("matkhau-gs\n")
    ok(
        cli(
            "user",
            "add",
            "giamsat",
            "--name",
            "Trần Văn Minh",
            "--role",
            "supervisor",
            "--password-stdin",
            **kw,
        )
    )
    stdin("matkhau-cb\n")
    ok(
        cli(
            "user",
            "add",
            "canbo1",
            "--name",
            "Nguyễn Thị Lan",
            "--role",
            "clerk",
            "--password-stdin",
            **kw,
        )
    )
    ok(
        cli(
            "service",
            "add",
            "HT",
            "--name",
            "Hộ tịch",
            "--prefix",
            "1",
            "--counters",
            "1,2",
            "--opens",
            "07:30",
            "--closes",
            "17:00",
            **kw,
        )
    )
    ok(
        cli(
            "service",
            "add",
            "CT",
            "--name",
            "Chứng thực",
            "--prefix",
            "2",
            "--counters",
            "2",
            "--range",
            "1-500",
            **kw,
        )
    )
    ok(cli("catalogue", "import", sample_catalogue_path(), **kw))


def audit_actions(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]


def test_a_unit_set_up_from_nothing_works_a_day(cli, db_path, stdin, write_json) -> None:
    first = cli("--json", "unit", "show")  # no database yet: says so, creates none (issue 12)
    assert first.rc == 1 and "unit set" in first.err and not db_path.exists()
    set_up(cli, stdin)
    unit = ok(cli("--json", "unit", "show"))
    assert unit["agency_id"] == AGENCY
    assert unit["office_open"] == "07:30" and unit["cutoff"] == "16:30"
    assert unit["code_range"] == [1, 4999]
    counters = ok(cli("--json", "counter", "list"))
    assert counters == [
        {"number": 1, "name": "Quầy Hộ tịch", "active": True, "services": ["HT"]},
        {"number": 2, "name": "", "active": True, "services": ["HT", "CT"]},
    ]
    users = ok(cli("--json", "user", "list"))
    assert {u["username"]: u["role"] for u in users} == {
        "giamsat": "supervisor",
        "canbo1": "clerk",
    }
    services = ok(cli("--json", "ticket", "services"))
    assert [(s["code"], s["prefix"], s["counters"]) for s in services] == [
        ("HT", "1", [1, 2]),
        ("CT", "2", [2]),
    ]
    # a day's work: a ticket, a call, a dossier, its receipt
    t = ok(cli("--json", "ticket", "issue", "--service", "HT"))
    assert t["number"] == "1001"
    called = ok(cli("--json", "ticket", "call-next", "--counter", "1"))
    assert called["number"] == "1001"
    [d] = ok(cli("--json", "intake", write_json(intake_payload()), "--clerk", "canbo1"))
    assert d["code"].startswith(f"{AGENCY}-261202-0001")
    assert cli("form", d["code"], "--kind", "receipt", "-o", db_path.parent / "r.pdf").rc == 0
    actions = audit_actions(db_path)
    for want in (
        "unit_created",
        "counter_added",
        "user_added",
        "queue_service_added",
    ):
        assert want in actions, actions
    # the password is nowhere in the audit log
    with closing(sqlite3.connect(db_path)) as conn:
        blob = " ".join(r[0] for r in conn.execute("SELECT detail FROM audit_log"))
    assert "matkhau" not in blob


def test_the_first_supervisor_can_log_in(cli, db_path, stdin, make_context) -> None:
    from counter_app.services.auth import login

    set_up(cli, stdin)
    ctx = make_context(db_path)
    assert login(ctx, "giamsat", "matkhau-gs").role == "supervisor"
    stdin("moi-mat-khau\n")
    ok(cli("user", "reset-password", "canbo1", "--password-stdin"))
    assert login(ctx, "canbo1", "moi-mat-khau").username == "canbo1"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("unit", "set", "--agency", "khong-hop-le"), "Mã định danh"),
        (("unit", "set", "--opens", "17:00", "--closes", "07:00"), "phải sau giờ bắt đầu"),
        (("unit", "set", "--cutoff", "18:00"), "chốt nhận"),
        (("unit", "set", "--opens", "25:00"), "giờ:phút"),
        (("unit", "set", "--code-range", "0-100"), "Dải số"),
        (("unit", "set", "--code-range", "5000-4000"), "Dải số"),
        (("unit", "set", "--code-range", "1-100000"), "Dải số"),
        (("unit", "set",), "Chưa có gì để đặt"),
        (("counter", "add", "1"), "đã có"),
        (("counter", "remove", "2"), "đang phục vụ"),
        (("counter", "remove", "9"), "Không có quầy"),
        (("user", "disable", "giamsat"), "giám sát cuối cùng"),
        (("user", "disable", "ai-do"), "Không có cán bộ"),
        (("service", "add", "HT", "--name", "X", "--prefix", "7", "--counters", "1"), "Đã có"),
        (("service", "add", "DD", "--name", "Đất đai", "--prefix", "1", "--counters", "1"),
         "Tiền tố 1"),
        (("service", "add", "DD", "--name", "Đất đai", "--prefix", "3", "--counters", "7"),
         "counter add 7"),
        (("service", "add", "DD", "--name", "Đất đai", "--prefix", "3", "--counters", "1",
          "--opens", "16:00", "--closes", "08:00"), "phải sau giờ bắt đầu"),
        (("service", "add", "DD", "--name", "Đất đai", "--prefix", "3", "--counters", "x"),
         "Danh sách quầy"),
        (("service", "set", "CT", "--prefix", "1"), "Tiền tố 1"),
        (("service", "set", "ZZ", "--name", "Z"), "Không có lĩnh vực"),
        (("service", "set", "CT"), "Chưa có gì để đổi"),
    ],
)  # fmt: skip
def test_refusals_are_one_clear_line_and_change_nothing(
    cli, db_path, stdin, db_snapshot, args, says
) -> None:
    set_up(cli, stdin)
    before = db_snapshot(db_path)
    line = refused(cli(*args))
    assert says in line
    assert db_snapshot(db_path) == before


def test_a_user_name_that_exists_is_refused(cli, db_path, stdin, db_snapshot) -> None:
    set_up(cli, stdin)
    before = db_snapshot(db_path)
    stdin("khac-nua\n")
    line = refused(
        cli("user", "add", "CanBo1", "--name", "Ai Đó", "--role", "clerk", "--password-stdin")
    )
    assert "canbo1 đã có" in line
    stdin("")
    line = refused(cli("user", "add", "moi", "--name", "Ai Đó", "--role", "clerk"))
    assert "--password-stdin" in line  # no terminal to ask at, no password on the line
    assert db_snapshot(db_path) == before


def test_the_last_supervisor_stays_but_a_second_one_can_go(cli, stdin) -> None:
    set_up(cli, stdin)
    stdin("matkhau-2\n")
    ok(
        cli(
            "user", "add", "gs2", "--name", "Lê Văn Hai", "--role", "supervisor", "--password-stdin"
        )
    )
    assert ok(cli("--json", "user", "disable", "giamsat"))["active"] is False
    refused(cli("user", "disable", "gs2"))
    assert ok(cli("--json", "user", "enable", "giamsat"))["active"] is True
    assert ok(cli("--json", "user", "disable", "gs2"))["active"] is False


def test_the_agency_id_is_fixed_once_dossiers_carry_it(
    cli, stdin, write_json, db_snapshot, db_path
) -> None:
    set_up(cli, stdin)
    ok(cli("unit", "set", "--agency", "000.31.07.H13"))  # no dossier yet: a typo can be fixed
    ok(cli("unit", "set", "--agency", AGENCY))
    ok(cli("intake", write_json(intake_payload()), "--clerk", "canbo1"))
    before = db_snapshot(db_path)
    line = refused(cli("unit", "set", "--agency", "000.31.07.H13"))
    assert AGENCY in line
    assert db_snapshot(db_path) == before
    # the rest of the unit still changes
    data = ok(
        cli(
            "--json",
            "unit",
            "set",
            "--receiving-name",
            "Trung tâm Phục vụ hành chính công xã An Bình",
        )
    )
    assert data["receiving_name"].startswith("Trung tâm") and data["unit"] == AGENCY


def test_service_set_changes_and_deactivates(cli, stdin) -> None:
    set_up(cli, stdin)
    s = ok(cli("--json", "service", "set", "CT", "--counters", "1,2", "--closes", "11:30"))
    assert s["counters"] == [1, 2] and s["closes"] == "11:30" and s["active"] is True
    s = ok(cli("--json", "service", "set", "CT", "--deactivate"))
    assert s["active"] is False
    assert [x["code"] for x in ok(cli("--json", "ticket", "services"))] == ["HT"]
    refused(cli("ticket", "issue", "--service", "CT"))
    # its prefix is free while it is inactive, and taken again when it comes back
    ok(cli("service", "add", "DD", "--name", "Đất đai", "--prefix", "2", "--counters", "1"))
    assert "Tiền tố 2" in refused(cli("service", "set", "CT", "--activate"))
    # a counter no active service names can be taken out of use
    ok(cli("service", "set", "HT", "--counters", "1"))
    ok(cli("service", "set", "DD", "--counters", "1"))
    assert ok(cli("--json", "counter", "remove", "2"))["active"] is False
    assert "counter add 2" in refused(cli("service", "set", "HT", "--counters", "1,2"))


def codes_of(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return [r[0] for r in conn.execute("SELECT code FROM dossiers ORDER BY code")]


def test_two_standalone_counters_of_one_unit_never_share_a_code(
    cli, stdin, tmp_path, write_json
) -> None:
    a, b = tmp_path / "pc1.db", tmp_path / "pc2.db"
    set_up(cli, stdin, a, "1-4999")
    set_up(cli, stdin, b, "5000-9999")
    people = [with_applicant(name=f"Người Thứ {chr(65 + i)}") for i in range(5)]
    for p in people:
        ok(cli("intake", write_json(p), "--clerk", "canbo1", db=a))
        ok(cli("intake", write_json(p), "--clerk", "canbo1", db=b))
    ca, cb = codes_of(a), codes_of(b)
    assert [c.rsplit("-", 1)[1] for c in ca] == ["0001", "0002", "0003", "0004", "0005"]
    assert [c.rsplit("-", 1)[1] for c in cb] == ["5000", "5001", "5002", "5003", "5004"]
    assert not set(ca) & set(cb)


def test_a_range_runs_out_with_a_clear_message(
    cli, stdin, db_path, write_json, db_snapshot
) -> None:
    set_up(cli, stdin, code_range="98-99")
    ok(cli("intake", write_json([intake_payload(), intake_payload()]), "--clerk", "canbo1"))
    before = db_snapshot(db_path)
    line = refused(cli("intake", write_json(intake_payload()), "--clerk", "canbo1"))
    assert "--code-range" in line
    assert db_snapshot(db_path) == before
    assert [c[-4:] for c in codes_of(db_path)] == ["0098", "0099"]


def test_printer_set_is_what_the_app_prints_with_unless_the_config_says(
    cli, stdin, db_path, tmp_path, make_context, monkeypatch
) -> None:
    set_up(cli, stdin)
    folder = tmp_path / "prints-here"
    p = ok(cli("--json", "printer", "set", "a4", f"folder:{folder}"))
    assert p == {
        "kind": "a4",
        "value": f"folder:{folder}",
        "source": "database",
        "stored": f"folder:{folder}",
        "config": "",
    }
    ok(cli("printer", "set", "ticket", "socket://127.0.0.1:9100"))
    ctx = make_context(db_path)
    assert ctx.settings.a4_printer == f"folder:{folder}"
    assert ctx.settings.ticket_printer == "socket://127.0.0.1:9100"
    spooler = ctx.adapters.a4_printer()
    spooler.send(b"%PDF-1.4 test", title="t")
    assert any(folder.iterdir())
    # a config file naming a printer wins (one PC's own choice, e.g. on a shared office DB)
    monkeypatch.setenv("COUNTER_APP_A4_PRINTER", "HP_LaserJet")
    rows = {r["kind"]: r for r in ok(cli("--json", "printer", "list"))}
    assert rows["a4"]["value"] == "HP_LaserJet" and rows["a4"]["source"] == "config"
    assert make_context(db_path).settings.a4_printer == "HP_LaserJet"
    # "" puts it back to the default
    monkeypatch.delenv("COUNTER_APP_A4_PRINTER")
    assert ok(cli("--json", "printer", "set", "a4", ""))["source"] == "default"
    assert "printer_set" in audit_actions(db_path)


def test_usage_errors_exit_2(cli, stdin) -> None:
    set_up(cli, stdin)
    assert cli("user", "add", "x", "--role", "clerk").rc == 2  # no --name
    assert cli("printer", "set", "fax", "x").rc == 2
    assert cli("service", "add", "X", "--name", "X").rc == 2


def test_the_readme_sequence_as_separate_processes(
    tmp_path: Path, app_command, subprocess_env, write_json
) -> None:
    """The README's "Setting up a real commune", each command its own process (as typed)."""
    import subprocess

    db = tmp_path / "pc1.db"

    def run(*args: str, stdin: str = "") -> Any:
        res = subprocess.run(
            [*app_command, "--db", str(db), "--json", *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=subprocess_env,
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)

    unit = run(
        "unit", "set", "--agency", AGENCY, "--name", "UBND XÃ AN BÌNH",
        "--parent-name", "UBND TỈNH AN GIANG", "--opens", "07:30", "--closes", "17:00",
        "--cutoff", "16:00", "--code-range", "1-4999",
    )  # fmt: skip
    assert unit["created"] is True and unit["code_range"] == [1, 4999]
    run("counter", "add", "1", "--name", "Quầy Hộ tịch – Chứng thực")
    run("user", "add", "giamsat", "--name", "Trần Văn Minh", "--role", "supervisor",
        "--password-stdin", stdin="gs-2026\n")  # fmt: skip
    run("user", "add", "canbo1", "--name", "Nguyễn Thị Lan", "--role", "clerk",
        "--password-stdin", stdin="cb-2026\n")  # fmt: skip
    run("service", "add", "HT", "--name", "Hộ tịch", "--prefix", "1", "--counters", "1")
    run("catalogue", "import", str(sample_catalogue_path()))
    assert run("ticket", "issue", "--service", "HT")["number"] == "1001"
    assert run("ticket", "call-next", "--counter", "1")["number"] == "1001"
    body = write_json(intake_payload(request_id="quay1-001"))
    [d] = run("intake", str(body), "--clerk", "canbo1")
    assert run("intake", str(body), "--clerk", "canbo1") == [d]
    assert codes_of(db) == [d["code"]]
