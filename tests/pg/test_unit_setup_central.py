"""A unit set up OFFLINE, without --demo, later provisioned on central under the same agency
id, joins by `sync` without losing anything it did (dossiers, events, tickets, users, its
names); counters and queue services set on central reach it by the reference pull; each
unit reads only its own; `central init` again keeps the units' read grants (issue 11 §4)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sync_support import assert_in_step

from counter_app.services import queue, unit_setup
from counter_app.services.auth import login
from counter_app.services.setup import sample_catalogue_path

AGENCY = "000.31.07.H12"
OTHER = "000.31.07.H13"


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    text = res.out.strip()
    return json.loads(text) if text[:1] in "{[" else text


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch):
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def offline_unit(cli: Any, stdin: Any, db: Path, intake_file: Path) -> None:
    ok(cli("unit", "set", "--agency", AGENCY, "--name", "UBND XÃ AN BÌNH", db=db))
    ok(cli("unit", "set", "--parent-name", "UBND TỈNH AN GIANG", "--cutoff", "16:00", db=db))
    ok(cli("counter", "add", "1", db=db))
    ok(cli("counter", "add", "2", db=db))
    for user, name, role, pw in (
        ("giamsat", "Trần Văn Minh", "supervisor", "gs-offline"),
        ("canbo1", "Nguyễn Thị Lan", "clerk", "cb-offline"),
    ):
        stdin(pw + "\n")
        ok(cli("user", "add", user, "--name", name, "--role", role, "--password-stdin", db=db))
    ok(
        cli(
            "service", "add", "HT", "--name", "Hộ tịch", "--prefix", "1", "--counters", "1,2", db=db
        )
    )
    ok(cli("catalogue", "import", sample_catalogue_path(), db=db))
    for _ in range(3):
        ok(cli("intake", intake_file, "--clerk", "canbo1", db=db))
    ok(cli("ticket", "issue", "--service", "HT", db=db))
    ok(cli("ticket", "call-next", "--counter", "1", db=db))
    ok(cli("ticket", "finish", "--counter", "1", db=db))


def intake_json(tmp_path: Path) -> Path:
    path = tmp_path / "one.json"
    path.write_text(
        json.dumps(
            {
                "procedure": "1.004873",
                "applicant": {
                    "name": "Võ Thị Thu Hà",
                    "id_number": "089185002468",
                    "phone": "0975123456",
                    "address": "Ấp An Hòa, xã An Bình",
                },
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


def test_an_offline_unit_joins_central_and_gets_its_counters_and_services(
    cli: Any, stdin: Any, tmp_path: Path, pg_url: str, make_context: Any, clock: Any
) -> None:
    db = tmp_path / "an-binh.db"
    offline_unit(cli, stdin, db, intake_json(tmp_path))
    # the province provisions it later, under the same agency id, with only a name
    ok(cli("central", "init", "--url", pg_url, db=None))
    added = ok(
        cli(
            "--json",
            "central",
            "add-unit",
            "--url",
            pg_url,
            "--unit",
            AGENCY,
            "--name",
            "UBND XÃ AN BÌNH",
            db=None,
        )
    )
    ok(
        cli(
            "central", "user", "--url", pg_url, "--unit", AGENCY, "--name", "Lê Văn Cường",
            "--role", "clerk", "--password", "cb9-central", "canbo9", db=None,
        )
    )  # fmt: skip
    ok(
        cli(
            "central",
            "counter",
            "3",
            "--url",
            pg_url,
            "--unit",
            AGENCY,
            "--name",
            "Quầy Đất đai",
            db=None,
        )
    )
    ok(
        cli(
            "central", "service", "DD", "--url", pg_url, "--unit", AGENCY, "--name", "Đất đai",
            "--prefix", "3", "--counters", "3", "--opens", "07:00", "--closes", "16:30", db=None,
        )
    )  # fmt: skip
    report = ok(cli("--json", "sync", "--once", "--central", added["url"], db=db))
    assert report["unit"] == AGENCY and report["waiting"] == 0
    assert report["pulled"]["service_counters"] == 1 and report["pulled"]["queue_services"] == 1
    ctx = make_context(db)
    ctx.clock = clock
    assert_in_step(ctx, pg_url, AGENCY)  # every dossier, event and ticket it took offline
    # nothing it did is lost: its accounts (and their passwords), its names and hours
    assert login(ctx, "giamsat", "gs-offline").role == "supervisor"
    assert login(ctx, "canbo1", "cb-offline").role == "clerk"
    assert login(ctx, "canbo9", "cb9-central").role == "clerk"
    unit = unit_setup.current_unit(ctx)
    assert unit is not None
    assert unit.parent_name == "UBND TỈNH AN GIANG"  # central left it empty
    assert unit.cutoff == "16:00"  # central sets no hours
    # what central set arrived
    counters = {c.number: c.name for c in unit_setup.list_counters(ctx)}
    assert counters == {1: "", 2: "", 3: "Quầy Đất đai"}
    services = {s.code: (s.prefix, s.counters, s.opens, s.closes) for s in queue.list_services(ctx)}
    assert services == {
        "HT": ("1", (1, 2), "07:30", "17:00"),
        "DD": ("3", (3,), "07:00", "16:30"),
    }
    assert ok(cli("--json", "ticket", "issue", "--service", "DD", db=db))["number"] == "3001"
    # a second round changes nothing
    again = ok(cli("--json", "sync", "--once", "--central", added["url"], db=db))
    assert sum(again["pulled"].values()) == 0
    # central takes over a service by code, stops one, and the unit follows
    ok(
        cli(
            "central", "service", "HT", "--url", pg_url, "--unit", AGENCY, "--name", "Hộ tịch",
            "--prefix", "1", "--counters", "3", "--closes", "11:30", db=None,
        )
    )  # fmt: skip
    ok(
        cli(
            "central", "service", "DD", "--url", pg_url, "--unit", AGENCY, "--name", "Đất đai",
            "--prefix", "3", "--counters", "3", "--deactivate", db=None,
        )
    )  # fmt: skip
    ok(cli("--json", "sync", "--once", "--central", added["url"], db=db))
    services = {s.code: (s.counters, s.closes) for s in queue.list_services(ctx)}
    assert services == {"HT": ((3,), "11:30")}
    assert_in_step(ctx, pg_url, AGENCY)


def test_each_unit_reads_only_its_own_counters_and_services_even_after_init_again(
    cli: Any, pg_url: str
) -> None:
    ok(cli("central", "init", "--url", pg_url, db=None))
    urls = {}
    for agency in (AGENCY, OTHER):
        urls[agency] = ok(
            cli("--json", "central", "add-unit", "--url", pg_url, "--unit", agency,
                "--name", f"UBND XÃ {agency[-3:]}", db=None)
        )["url"]  # fmt: skip
        ok(cli("central", "counter", "1", "--url", pg_url, "--unit", agency, db=None))
        ok(
            cli("central", "service", "HT", "--url", pg_url, "--unit", agency, "--name", "Hộ tịch",
                "--prefix", "1", "--counters", "1", db=None)
        )  # fmt: skip
    ok(cli("central", "init", "--url", pg_url, db=None))  # SECURE_SQL again, then the grants
    for agency, url in urls.items():
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as c:
            for table in ("queue_services", "service_counters"):
                units = {r[0] for r in c.execute(f"SELECT unit_id FROM central.{table}")}
                assert units == {agency}
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(
                    "INSERT INTO central.service_counters (unit_id, number) VALUES (%s, 9)",
                    (agency,),
                )


def test_central_refusals(cli: Any, pg_url: str) -> None:
    ok(cli("central", "init", "--url", pg_url, db=None))
    ok(
        cli(
            "central", "add-unit", "--url", pg_url, "--unit", AGENCY, "--name", "UBND XÃ X", db=None
        )
    )
    ok(cli("central", "counter", "1", "--url", pg_url, "--unit", AGENCY, db=None))
    ok(
        cli("central", "service", "HT", "--url", pg_url, "--unit", AGENCY, "--name", "Hộ tịch",
            "--prefix", "1", "--counters", "1", db=None)
    )  # fmt: skip
    for args, says in (
        (("service", "CT", "--name", "Chứng thực", "--prefix", "2", "--counters", "4"),
         "quầy số 4"),
        (("service", "CT", "--name", "Chứng thực", "--prefix", "1", "--counters", "1"),
         "Tiền tố 1"),
        (("service", "CT", "--name", "Chứng thực", "--prefix", "2", "--counters", "1",
          "--opens", "17:00", "--closes", "07:00"), "phải sau giờ bắt đầu"),
        (("counter", "1", "--remove"), "đang phục vụ"),
        (("counter", "5", "--unit", OTHER), "chưa có đơn vị"),
    ):  # fmt: skip
        unit = () if "--unit" in args else ("--unit", AGENCY)
        res = cli("central", *args, "--url", pg_url, *unit, db=None)
        assert res.rc == 1, res
        assert res.err.startswith("Lỗi: ") and res.err.count("\n") == 1, res.err
        assert says in res.err and "Traceback" not in res.err
