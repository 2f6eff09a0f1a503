"""Idempotent intake (issue 11 §5): a client request id per dossier; a repeat returns the first
result and writes nothing; the same id with other content is refused; two processes racing
with one id register one dossier."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from cli_helpers import assert_one_vietnamese_line, intake_payload, with_applicant


def ok(res):
    assert res.rc == 0, res.err
    return json.loads(res.out)


def test_running_the_same_file_twice_registers_once(cli, demo_db, write_json, db_snapshot, clock):
    body = [
        intake_payload(request_id="0b5e6c1a-7a4e-4f7e-9a55-000000000001"),
        with_applicant(name="Lê Thị Bình", id_number="079190004321")
        | {"request_id": "may-tinh-bang-7/42"},
    ]
    path = write_json(body)
    first = ok(cli("--json", "intake", path, "--clerk", "canbo1"))
    before = db_snapshot(demo_db)
    clock.advance(minutes=7)  # a retry a while later: still the first result
    again = ok(cli("--json", "intake", path, "--clerk", "canbo1"))
    assert again == first
    assert [r["request_id"] for r in again] == [b["request_id"] for b in body]
    assert db_snapshot(demo_db) == before  # nothing new: no dossier, event, outbox, audit row


def test_a_batch_with_one_repeat_registers_only_the_new_one(cli, demo_db, write_json, db_snapshot):
    [a] = ok(
        cli("--json", "intake", write_json(intake_payload(request_id="r-1")), "--clerk", "canbo1")
    )
    before = db_snapshot(demo_db)["dossiers"]
    both = [
        intake_payload(request_id="r-1"),
        with_applicant(name="Trần Văn Cường") | {"request_id": "r-2"},
    ]
    out = ok(cli("--json", "intake", write_json(both), "--clerk", "canbo1"))
    assert out[0] == a
    assert out[1]["code"] != a["code"]
    assert db_snapshot(demo_db)["dossiers"] == before + 1
    # without a request id every run registers (as before)
    plain = write_json(intake_payload())
    ok(cli("intake", plain, "--clerk", "canbo1", "--json"))
    ok(cli("intake", plain, "--clerk", "canbo1", "--json"))
    assert db_snapshot(demo_db)["dossiers"] == before + 3


def test_the_same_id_with_other_content_is_refused(cli, demo_db, write_json, db_snapshot):
    [a] = ok(
        cli("--json", "intake", write_json(intake_payload(request_id="r-9")), "--clerk", "canbo1")
    )
    before = db_snapshot(demo_db)
    other = with_applicant(phone="0987000111") | {"request_id": "r-9"}
    res = cli("intake", write_json(other), "--clerk", "canbo1")
    assert res.rc == 1 and res.out == ""
    line = assert_one_vietnamese_line(res.err, strip=("r-9",))
    assert "r-9" in line and a["code"] in line
    assert db_snapshot(demo_db) == before
    # a batch holding such a request saves none of its dossiers
    batch = [with_applicant(name="Người Mới") | {"request_id": "r-10"}, other]
    assert cli("intake", write_json(batch), "--clerk", "canbo1").rc == 1
    assert db_snapshot(demo_db) == before


def test_a_bad_request_id_is_a_field_error(cli, demo_db, write_json, db_snapshot):
    before = db_snapshot(demo_db)
    for bad in ("x" * 65, 42, "", "  "):
        res = cli("intake", write_json(intake_payload(request_id=bad)), "--clerk", "canbo1")
        assert res.rc == 1
        assert "Mã yêu cầu" in assert_one_vietnamese_line(res.err, strip=("request_id",))
    assert db_snapshot(demo_db) == before
    ok(cli("--json", "intake", write_json(intake_payload(request_id=None)), "--clerk", "canbo1"))
    assert db_snapshot(demo_db)["dossiers"] == before["dossiers"] + 1


RACER = r"""
import json, sys, time
from pathlib import Path
from counter_app.app import build_context
from counter_app.services.intake import parse_intake, register

db, go, ready, body = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), json.loads(sys.argv[4])
ctx = build_context(db=db)
reqs = [parse_intake(b) for b in body]
ready.touch()
while not go.exists():
    time.sleep(0.002)
codes = [register(ctx, [r], "canbo1")[0].code for r in reqs]
print(json.dumps(codes))
"""


def test_two_processes_racing_with_the_same_ids_register_each_once(
    demo_db: Path, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    body = [
        with_applicant(name=f"Người Đua {chr(65 + i % 26)}{chr(65 + i // 26)}")
        | {"request_id": f"race-{i}"}
        for i in range(30)
    ]
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                RACER,
                str(demo_db),
                str(go),
                str(tmp_path / f"ready-{i}"),
                json.dumps(body, ensure_ascii=False),
            ],
            env=subprocess_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{i}").exists() for i in range(2)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_o, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    a, b = (json.loads(o) for o, _e in outs)
    assert a == b  # each id got one code, and both processes were told that code
    assert len(set(a)) == 30
    with closing(sqlite3.connect(demo_db)) as conn:
        n = conn.execute(
            "SELECT count(*) FROM dossiers d JOIN intake_requests r ON r.dossier_id = d.id "
            "WHERE r.request_id LIKE 'race-%'"
        ).fetchone()[0]
        events = conn.execute(
            "SELECT count(*) FROM outbox WHERE kind = 'dossier' AND payload LIKE '%Người Đua%'"
        ).fetchone()[0]
    assert n == 30 and events == 30
