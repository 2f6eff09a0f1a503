"""The command-line contract (DESIGN.md §4) on real SQLite files, driven in-process."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from contextlib import closing
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from counter_app.services.setup import sample_catalogue_path

INTAKE_KEYS = {"code", "due_date", "status"}
CATALOGUE_KEYS = {
    "code",
    "name",
    "sector",
    "level",
    "processing_days",
    "fee",
    "version",
    "documents",
}


def ok_json(res: Any) -> Any:
    assert res.rc == 0, res.err
    assert res.err == ""
    return json.loads(res.out)


def sample_catalogue() -> dict[str, Any]:
    return json.loads(sample_catalogue_path().read_text(encoding="utf-8"))


def dossier_codes(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return [r[0] for r in conn.execute("SELECT code FROM dossiers ORDER BY code")]


@pytest.fixture
def intake(cli, write_json):
    """intake(obj_or_list, clerk="canbo1") -> the parsed `--json` output."""

    def run(obj: Any, clerk: str = "canbo1") -> list[dict[str, Any]]:
        return ok_json(cli("--json", "intake", write_json(obj), "--clerk", clerk))

    return run


# --- init ---------------------------------------------------------------------------------


def test_init_without_demo_creates_an_empty_schema_and_is_repeatable(cli, db_path) -> None:
    first = ok_json(cli("--json", "init"))
    assert first["unit"] is None and first["created_unit"] is False
    assert db_path.is_file()
    again = ok_json(cli("--json", "init"))
    assert again == first
    assert dossier_codes(db_path) == []


def test_init_demo_twice_is_idempotent(cli, db_path, db_snapshot) -> None:
    first = ok_json(cli("--json", "init", "--demo"))
    assert first["unit"] == "000.20.25.H01"
    assert first["created_unit"] is True
    n = len(sample_catalogue()["procedures"])
    assert first["catalogue"] == {"added": n, "updated": 0, "unchanged": 0}
    catalogue = ok_json(cli("--json", "catalogue", "list"))
    codes = dossier_codes(db_path)
    assert codes, "the demo seeds sample dossiers"
    counts = db_snapshot(db_path)

    second = ok_json(cli("--json", "init", "--demo"))
    assert second["unit"] == first["unit"]
    assert second["created_unit"] is False
    assert second["catalogue"] == {"added": 0, "updated": 0, "unchanged": n}
    assert ok_json(cli("--json", "catalogue", "list")) == catalogue
    assert dossier_codes(db_path) == codes  # no second batch of sample dossiers
    after = db_snapshot(db_path)
    for table in ("units", "users", "procedures", "dossiers", "dossier_events", "outbox"):
        assert after[table] == counts[table], table


def test_init_demo_with_unit_uses_that_agency_id(cli, db_path, intake, itest) -> None:
    res = ok_json(cli("--json", "init", "--demo", "--unit", "000.00.20.H01"))
    assert res["unit"] == "000.00.20.H01"
    samples = dossier_codes(db_path)
    assert samples and all(c.startswith("000.00.20.H01-") for c in samples)
    [row] = intake(itest.payload())
    assert row["code"].startswith("000.00.20.H01-")
    shown = ok_json(cli("--json", "show", row["code"]))
    assert shown["unit"] == "000.00.20.H01"


# --- catalogue ----------------------------------------------------------------------------


def test_catalogue_list_json_matches_the_sample_file(cli, demo_db) -> None:
    listed = ok_json(cli("--json", "catalogue", "list"))
    sample = {p["code"]: p for p in sample_catalogue()["procedures"]}
    assert isinstance(listed, list)
    assert len(listed) == len(sample)
    assert len({e["code"] for e in listed}) == len(listed)
    for e in listed:
        assert set(e) >= CATALOGUE_KEYS
        src = sample[e["code"]]
        assert e["version"] == 1
        for key in ("name", "sector", "level", "processing_days", "fee"):
            assert e[key] == src[key], (e["code"], key)
        assert [d["name"] for d in e["documents"]] == [d["name"] for d in src["documents"]]


def test_catalogue_import_counts_and_versions(
    cli, demo_db, intake, itest, write_json, thursday_at
) -> None:
    sample = {p["code"]: p for p in sample_catalogue()["procedures"]}
    [old] = intake(itest.payload(received_at=thursday_at(9)))

    changed = copy.deepcopy(sample[itest.PROC_3_DAYS])
    changed["processing_days"] = 5
    changed["name"] = "Cấp Giấy xác nhận tình trạng hôn nhân (mẫu mới)"
    same = copy.deepcopy(sample["1.001193"])
    new = {
        "code": "9.000001",
        "name": "Thủ tục thử nghiệm",
        "sector": "Thử nghiệm",
        "level": "commune",
        "processing_days": 2,
        "fee": 0,
        "documents": [{"name": "Đơn đề nghị", "kind": "original", "count": 1, "required": True}],
    }
    path = write_json({"procedures": [changed, same, new]}, "catalogue.json")
    res = ok_json(cli("--json", "catalogue", "import", path))
    assert res == {"added": 1, "updated": 1, "unchanged": 1}
    # importing the same file again changes nothing
    assert ok_json(cli("--json", "catalogue", "import", path)) == {
        "added": 0,
        "updated": 0,
        "unchanged": 3,
    }

    listed = {e["code"]: e for e in ok_json(cli("--json", "catalogue", "list"))}
    assert listed[itest.PROC_3_DAYS]["version"] == 2
    assert listed[itest.PROC_3_DAYS]["processing_days"] == 5
    assert listed[itest.PROC_3_DAYS]["name"] == changed["name"]
    assert listed["1.001193"]["version"] == 1
    assert listed["9.000001"]["version"] == 1
    assert len(listed) == len(sample) + 1

    # the dossier taken under version 1 keeps it
    shown = ok_json(cli("--json", "show", old["code"]))
    assert shown["procedure"]["version"] == 1
    assert shown["procedure"]["processing_days"] == 3
    assert shown["procedure"]["name"] == sample[itest.PROC_3_DAYS]["name"]
    # a new dossier is taken under version 2
    [fresh] = intake(itest.payload(received_at=thursday_at(9)))
    shown = ok_json(cli("--json", "show", fresh["code"]))
    assert shown["procedure"]["version"] == 2
    assert shown["procedure"]["processing_days"] == 5


# --- calendar and due dates -----------------------------------------------------------------


@pytest.fixture
def thursday(itest):
    return itest.quiet_thursday()


@pytest.fixture
def thursday_at(itest, thursday):
    return lambda hh, mm=0: itest.at_local(thursday, hh, mm)


def test_calendar_set_and_list(cli, demo_db, thursday) -> None:
    sat = thursday + timedelta(days=2)
    fri = thursday + timedelta(days=1)
    res = ok_json(cli("--json", "calendar", "set", sat.isoformat(), "work", "--note", "Làm bù"))
    assert res == {"date": sat.isoformat(), "kind": "work", "note": "Làm bù"}
    res = ok_json(cli("--json", "calendar", "set", fri.isoformat(), "off"))
    assert res == {"date": fri.isoformat(), "kind": "off", "note": ""}
    listed = ok_json(cli("--json", "calendar", "list"))
    assert listed == [
        {"date": fri.isoformat(), "kind": "off", "note": ""},
        {"date": sat.isoformat(), "kind": "work", "note": "Làm bù"},
    ]
    assert ok_json(cli("--json", "calendar", "list", "--year", str(sat.year))) == listed
    assert ok_json(cli("--json", "calendar", "list", "--year", str(sat.year - 5))) == []
    # setting a day again replaces its override
    ok_json(cli("--json", "calendar", "set", sat.isoformat(), "off"))
    listed = ok_json(cli("--json", "calendar", "list"))
    assert {"date": sat.isoformat(), "kind": "off", "note": ""} in listed
    assert len(listed) == 2
    human = cli("calendar", "list")
    assert human.rc == 0 and f"{sat:%d/%m/%Y}" in human.out


def test_calendar_overrides_move_the_due_date(cli, demo_db, intake, itest, thursday) -> None:
    """Thu 09:00 + 3 working days: Tue; a make-up Saturday gives Mon; an extra Friday off, Wed."""
    received = itest.at_local(thursday, 9)
    payload = itest.payload(received_at=received)
    [base] = intake(payload)
    assert base["due_date"] == (thursday + timedelta(days=5)).isoformat()

    sat = thursday + timedelta(days=2)
    ok_json(cli("--json", "calendar", "set", sat.isoformat(), "work", "--note", "Làm bù"))
    [shorter] = intake(payload)
    assert shorter["due_date"] == (thursday + timedelta(days=4)).isoformat()

    ok_json(cli("--json", "calendar", "set", sat.isoformat(), "off"))
    ok_json(cli("--json", "calendar", "set", (thursday + timedelta(days=1)).isoformat(), "off"))
    [longer] = intake(payload)
    assert longer["due_date"] == (thursday + timedelta(days=6)).isoformat()

    # the first dossier keeps the due date it was given
    assert ok_json(cli("--json", "show", base["code"]))["due_date"] == base["due_date"]
    assert [r["code"] for r in (base, shorter, longer)] == [
        itest.code_for(thursday, i) for i in (1, 2, 3)
    ]


# --- intake ---------------------------------------------------------------------------------


def test_intake_one_object_prints_a_list(intake, demo_db, itest, thursday_at, thursday) -> None:
    out = intake(itest.payload(received_at=thursday_at(9, 15)))
    assert isinstance(out, list) and len(out) == 1
    row = out[0]
    assert set(row) >= INTAKE_KEYS
    assert row["code"] == itest.code_for(thursday, 1)
    assert row["status"] == "accepted"
    assert row["due_date"] == (thursday + timedelta(days=5)).isoformat()


def test_intake_list_gets_consecutive_codes_per_day(intake, demo_db, itest, thursday) -> None:
    day2 = thursday + timedelta(days=1)
    batch = [
        itest.payload(received_at=itest.at_local(thursday, 8, 0)),
        itest.payload(received_at=itest.at_local(thursday, 9, 30)),
        itest.payload(received_at=itest.at_local(day2, 8, 0)),
        itest.payload(received_at=itest.at_local(thursday, 10, 45)),
    ]
    out = intake(batch)
    assert [r["code"] for r in out] == [
        itest.code_for(thursday, 1),
        itest.code_for(thursday, 2),
        itest.code_for(day2, 1),
        itest.code_for(thursday, 3),
    ]
    assert all(set(r) >= INTAKE_KEYS and r["status"] == "accepted" for r in out)
    # a later file continues the day's sequence
    more = intake([itest.payload(received_at=itest.at_local(thursday, 14, 0))] * 2)
    assert [r["code"] for r in more] == [itest.code_for(thursday, i) for i in (4, 5)]


def test_intake_human_output_names_code_and_due_date(cli, demo_db, itest, write_json, thursday):
    res = cli(
        "intake",
        write_json(itest.payload(received_at=itest.at_local(thursday, 9))),
        "--clerk",
        "canbo1",
    )
    assert res.rc == 0, res.err
    assert itest.code_for(thursday, 1) in res.out
    assert f"{thursday + timedelta(days=5):%d/%m/%Y}" in res.out


def test_intake_missing_documents_asks_for_a_supplement(intake, cli, demo_db, itest, thursday_at):
    payload = itest.payload(received_at=thursday_at(9))
    payload["documents"] = payload["documents"][:1]  # the ID papers are missing
    [row] = intake(payload)
    assert row["status"] == "supplement_requested"
    shown = ok_json(cli("--json", "show", row["code"]))
    missing = [d for d in shown["documents"] if d["required"] and not d["received"]]
    assert [d["name"] for d in missing] == [itest.with_applicant()["documents"][1]["name"]]


# --- show, form, label ----------------------------------------------------------------------


def test_show_json_has_applicant_documents_and_events(cli, demo_db, intake, itest, thursday):
    payload = itest.with_applicant(phone="+84 912 345 678", email="An.Nguyen@Example.VN")
    payload["received_at"] = itest.at_local(thursday, 9, 15)
    [row] = intake(payload)
    shown = ok_json(cli("--json", "show", row["code"]))
    assert shown["code"] == row["code"]
    assert shown["status"] == "accepted"
    assert shown["unit"] == itest.DEMO_AGENCY
    assert shown["applicant"] == {
        "name": "Nguyễn Văn An",
        "id_number": "079090001234",
        "phone": "0912345678",
        "address": payload["applicant"]["address"],
        "email": "An.Nguyen@example.vn",
        # issue 16 (additions): the address's 2025 commune, read from its text
        "commune": {
            "code": "30307",
            "name": "Phường Long Xuyên",
            "province": "Tỉnh An Giang",
            "label": "Phường Long Xuyên, tỉnh An Giang",
        },
        "address_verified": True,
    }
    assert shown["procedure"]["code"] == itest.PROC_3_DAYS
    assert shown["received_at"] == itest.at_local(thursday, 9, 15)
    assert shown["due_date"] == row["due_date"]
    docs = shown["documents"]
    assert [(d["name"], d["kind"], d["count"], d["received"]) for d in docs[:2]] == [
        (payload["documents"][0]["name"], "original", 1, True),
        (payload["documents"][1]["name"], "copy", 2, True),
    ]
    assert len(docs) == 4  # the two optional checklist lines follow, not received
    assert all(not d["required"] and not d["received"] for d in docs[2:])
    [event] = shown["events"]
    assert event["status"] == "accepted"
    assert event["kind"] == "received"
    assert event["by"] == "Nguyễn Thị Lan"  # canbo1's full name
    assert event["at"] == itest.at_local(thursday, 9, 15)
    # show takes the code in any case, with stray spaces
    assert ok_json(cli("--json", "show", f"  {row['code'].lower()} ")) == shown


def test_form_receipt_writes_a_pdf(cli, demo_db, intake, itest, thursday_at, tmp_path) -> None:
    [row] = intake(itest.payload(received_at=thursday_at(9)))
    out = tmp_path / "out" / "x.pdf"
    res = ok_json(cli("--json", "form", row["code"], "--kind", "receipt", "-o", out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert res["code"] == row["code"] and res["bytes"] == len(data)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)
    assert row["code"] in text
    assert not [p for p in out.parent.iterdir() if p.name != "x.pdf"], "temp files left behind"


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        ("png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
        ("pdf", lambda b: b.startswith(b"%PDF")),
        ("svg", lambda b: ET.fromstring(b).tag.endswith("svg")),
    ],
)
def test_label_formats(cli, demo_db, intake, itest, thursday_at, tmp_path, suffix, check) -> None:
    [row] = intake(itest.payload(received_at=thursday_at(9)))
    out = tmp_path / f"x.{suffix}"
    res = ok_json(cli("--json", "label", row["code"], "-o", out))
    data = out.read_bytes()
    assert check(data)
    assert res["format"] == suffix and res["bytes"] == len(data)


# --- --json after the subcommand --------------------------------------------------------------


def test_json_flag_after_the_subcommand(cli, demo_db, itest, write_json, thursday_at) -> None:
    assert ok_json(cli("catalogue", "list", "--json")) == ok_json(
        cli("--json", "catalogue", "list")
    )
    assert ok_json(cli("calendar", "list", "--json")) == []
    path = write_json(itest.payload(received_at=thursday_at(9)))
    [row] = ok_json(cli("intake", path, "--clerk", "canbo1", "--json"))
    assert ok_json(cli("show", row["code"], "--json")) == ok_json(
        cli("--json", "show", row["code"])
    )
    # --db after the subcommand too
    res = cli("show", row["code"], "--json", "--db", demo_db, db=None)
    assert ok_json(res)["code"] == row["code"]


# --- the real process -----------------------------------------------------------------------


def test_real_process_reads_stdin_and_exits_with_the_contract_codes(
    demo_db, app_command, subprocess_env, itest, thursday_at
) -> None:
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*app_command, "--db", str(demo_db), *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=subprocess_env,
            timeout=60,
        )

    body = json.dumps([itest.payload(received_at=thursday_at(9))] * 2, ensure_ascii=False)
    ok = run("intake", "-", "--clerk", "canbo1", "--json", stdin=body)
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr == ""
    assert [r["code"] for r in json.loads(ok.stdout)] == [
        itest.code_for(itest.quiet_thursday(), i) for i in (1, 2)
    ]

    bad = run("intake", "-", "--clerk", "canbo1", stdin="{not json")
    assert bad.returncode == 1
    assert bad.stdout == ""
    itest.assert_one_vietnamese_line(bad.stderr)

    usage = run("intake")
    assert usage.returncode == 2
    assert usage.stderr.count("\n") == 1 and usage.stderr.startswith("Lỗi")


def test_output_piped_into_a_closed_reader_is_not_an_unexpected_error(
    demo_db, app_command, subprocess_env
) -> None:
    """`counter-app catalogue list --json | head -1`: the reader leaves early; no stderr noise."""
    proc = subprocess.Popen(
        [*app_command, "--db", str(demo_db), "--json", "catalogue", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `head` exiting before the app writes anything
    with proc.stderr:
        err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert "không mong đợi" not in err, err
    assert "Exception ignored" not in err and "Traceback" not in err, err


def test_catalogue_list_keeps_the_commas_of_procedure_names(cli, demo_db) -> None:
    """Only the fee takes the Vietnamese thousands separator, not the whole line."""
    res = cli("catalogue", "list")
    assert res.rc == 0, res.err
    line = next(x for x in res.out.splitlines() if x.startswith("1.001022 "))
    assert line == "1.001022       Đăng ký nhận cha, mẹ, con · Hộ tịch · 3 ngày · 10.000 đ"
