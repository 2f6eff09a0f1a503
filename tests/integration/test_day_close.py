"""The day close on real SQLite files: the summary per clerk, the anomalies, the refusals,
the frozen day (intake, actions, tickets), the hash chain, the race, the CLI and its sheet."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pinned_clock import PINNED_DAY, at

from counter_app.domain.errors import ValidationError
from counter_app.services import dayclose, queue, ratings
from counter_app.services.actions import act
from counter_app.services.intake import parse_intake, register


@pytest.fixture
def ctx(demo_db: Path, make_context, clock) -> Any:
    c = make_context(demo_db)
    c.clock = clock  # moves with the test's clock
    return c


def _intake(ctx: Any, itest: Any, clerk: str = "canbo1", **over: Any) -> str:
    return register(ctx, [parse_intake(itest.payload(**over))], clerk)[0].code


def _missing_documents(itest: Any) -> list[dict[str, Any]]:
    return [{"name": itest.payload()["documents"][1]["name"], "kind": "copy", "count": 2}]


def _codes(summary: Any, kind: str) -> list[str]:
    return [a["ref"] for a in summary.anomalies if a["kind"] == kind]


def _line(summary: Any, username: str) -> dict[str, Any]:
    return next(r for r in summary.per_clerk if r["username"] == username)


def test_the_summary_per_clerk_and_the_anomalies(ctx, itest, clock, cli, demo_db) -> None:
    from counter_app.services.papers import record_paper

    # A pause that started three weeks ago and was never resumed. (The demo was set up at
    # 09:00: the clock never steps back before it, or intake refuses, issue 12 item 4.)
    clock.set(at(9))
    old = itest.quiet_thursday()
    paused = _intake(
        ctx, itest, documents=_missing_documents(itest), received_at=itest.at_local(old, 9)
    )
    a = _intake(ctx, itest)
    b = _intake(ctx, itest)
    c = _intake(ctx, itest, clerk="canbo2")
    assert cli("form", a, "--kind", "receipt", "-o", demo_db.parent / "a.pdf").rc == 0
    assert record_paper(ctx, b, "receipt", "printer", "canbo1")
    # a: ready and returned with a fee; c: refused by canbo2.
    clock.set(at(9, 30))
    act(ctx, a, "result-ready", "canbo1")
    act(ctx, a, "return", "canbo1", fee=8000)
    act(ctx, c, "refuse", "canbo2", reason="Không thuộc thẩm quyền")
    # Tickets: canbo1 serves one (wait 2 min, service 4 min), a no-show; canbo2 leaves one called.
    clock.set(at(10))
    for _ in range(3):
        queue.issue(ctx, "HT")
    clock.set(at(10, 2))
    queue.call_next(ctx, 1, user="canbo1")
    clock.set(at(10, 6))
    queue.call_next(ctx, 1, user="canbo1")  # finishes the first, calls the second
    queue.skip(ctx, 1, user="canbo1")
    queue.call_next(ctx, 2, user="canbo2")
    # The citizens rate: the ticket canbo1 finished, and dossier a, returned by canbo1.
    ratings.record(ctx, 3, ticket_number="1001", source="screen")
    ratings.record(ctx, 2, dossier_code=a, source="keypad")
    clock.set(at(17))

    s = dayclose.day_summary(ctx)
    one, two = _line(s, "canbo1"), _line(s, "canbo2")
    assert (one["received"], one["returned"], one["refused"], one["fees"]) == (2, 1, 0, 8000)
    assert (one["tickets_served"], one["no_shows"]) == (1, 1)
    assert one["avg_wait_s"] == (120 + 360) // 2 and one["avg_service_s"] == 240
    assert (two["received"], two["refused"], two["tickets_served"]) == (1, 1, 0)
    assert one["ratings"] == {"rat_hai_long": 1, "hai_long": 1} and two["ratings"] == {}
    assert s.totals["ratings"] == {"rat_hai_long": 1, "hai_long": 1}
    assert s.totals["received"] == 3 and s.totals["fees"] == 8000
    assert s.totals["tickets_served"] == 1 and s.totals["no_shows"] == 1
    assert _codes(s, "ticket_unfinished") == ["1003"]
    assert _codes(s, "receipt_missing") == [c]  # a via `form`, b via the printer
    assert _codes(s, "pause_overdue") == [paused]
    assert _codes(s, "dossier_overdue")  # the demo's earlier dossiers, due and still open
    assert s.closed is None


def test_only_a_supervisor_closes_and_bad_closes_write_nothing(
    ctx, clock, db_snapshot, demo_db
) -> None:
    before = db_snapshot(demo_db)
    refusals = [
        ("canbo1", None, "close_day_not_supervisor"),
        ("giamsat", PINNED_DAY + timedelta(days=1), "close_day_future"),
    ]
    for user, day, code in refusals:
        with pytest.raises(ValidationError) as err:
            dayclose.close_day(ctx, user, day)
        assert err.value.code == code
    assert db_snapshot(demo_db) == before

    clock.set(at(17, 5))
    dayclose.close_day(ctx, "giamsat")
    after = db_snapshot(demo_db)
    with pytest.raises(ValidationError) as err:
        dayclose.close_day(ctx, "giamsat")
    assert err.value.code == "close_day_already"
    assert err.value.params["by"] == "Trần Văn Minh (giamsat)"
    assert err.value.params["at"] == "17:05 02/12/2026"
    with pytest.raises(ValidationError) as err:
        dayclose.close_day(ctx, "giamsat", PINNED_DAY - timedelta(days=1))
    assert err.value.code == "close_day_later_closed"
    assert db_snapshot(demo_db) == after


def test_the_close_is_recorded_audited_and_queued_for_central(ctx, clock, demo_db) -> None:
    clock.set(at(17))
    s = dayclose.close_day(ctx, "giamsat")
    assert s.closed is not None and s.closed.username == "giamsat"
    with closing(sqlite3.connect(demo_db)) as conn:
        (payload,) = conn.execute("SELECT payload FROM outbox WHERE kind = 'day_closed'").fetchone()
        audit = conn.execute("SELECT detail FROM audit_log WHERE action = 'day_closed'").fetchall()
    ev = json.loads(payload)
    assert ev["day"] == "2026-12-02" and ev["by"] == "giamsat"
    assert ev["hash"] == s.closed.hash and ev["prev_hash"] == "0" * 64
    assert ev["totals"] == s.totals
    assert len(audit) == 1
    # Read back, the closed day shows the recorded close.
    again = dayclose.day_summary(ctx)
    assert again.closed == s.closed and again.anomalies == s.anomalies


def test_nothing_may_be_dated_on_or_before_a_closed_day(ctx, itest, clock) -> None:
    code = _intake(ctx, itest)
    queue.issue(ctx, "HT")
    queue.call_next(ctx, 1, user="canbo1")
    clock.set(at(17))
    dayclose.close_day(ctx, "giamsat")
    yesterday = itest.at_local(PINNED_DAY - timedelta(days=1), 10)
    attempts = {
        "intake now": lambda: _intake(ctx, itest),
        "intake back-dated": lambda: _intake(ctx, itest, received_at=yesterday),
        "action": lambda: act(ctx, code, "result-ready", "canbo1"),
        "ticket issue": lambda: queue.issue(ctx, "HT"),
        "ticket call": lambda: queue.call_next(ctx, 2, user="canbo2"),
        "ticket finish": lambda: queue.finish(ctx, 1, user="canbo1"),
        "ticket skip": lambda: queue.skip(ctx, 1, user="canbo1"),
    }
    for what, attempt in attempts.items():
        with pytest.raises(ValidationError) as err:
            attempt()
        assert err.value.code == "day_closed", what
    # The next morning everything works again.
    clock.set(at(8, day=PINNED_DAY + timedelta(days=1)))
    act(ctx, code, "result-ready", "canbo1")
    assert queue.issue(ctx, "HT").number == "1001"


def test_the_chain_holds_and_tampering_is_found(ctx, clock, demo_db) -> None:
    first = PINNED_DAY - timedelta(days=1)
    clock.set(at(9))
    one = dayclose.close_day(ctx, "giamsat", first)
    clock.set(at(17))
    two = dayclose.close_day(ctx, "giamsat")
    assert one.closed and two.closed and two.closed.prev_hash == one.closed.hash
    assert dayclose.check_close_chain(ctx) is None
    with closing(sqlite3.connect(demo_db)) as conn, conn:
        raw = conn.execute("SELECT summary FROM day_closes WHERE day = ?", (str(first),)).fetchone()
        forged = json.loads(raw[0])
        forged["totals"]["fees"] = 999_000
        conn.execute(
            "UPDATE day_closes SET summary = ? WHERE day = ?", (json.dumps(forged), str(first))
        )
    assert dayclose.check_close_chain(ctx) == first
    with closing(sqlite3.connect(demo_db)) as conn, conn:
        conn.execute("UPDATE day_closes SET summary = ? WHERE day = ?", (raw[0], str(first)))
        conn.execute("UPDATE day_closes SET prev_hash = ? WHERE day = ?", ("1" * 64, str(first)))
    assert dayclose.check_close_chain(ctx) == first


def test_two_supervisors_closing_at_once_make_exactly_one_close(
    demo_db, make_context, clock, cli
) -> None:
    with closing(sqlite3.connect(demo_db)) as conn, conn:
        conn.execute(
            "INSERT INTO users (id, unit_id, username, full_name, role, password_hash, "
            "failed_attempts, active) SELECT 'u-2nd', unit_id, 'giamsat2', 'Lê Văn Hai', "
            "'supervisor', password_hash, 0, 1 FROM users WHERE username = 'giamsat'"
        )
    clock.set(at(17))
    contexts = [make_context(demo_db, now=clock.local()) for _ in range(2)]
    users = ["giamsat", "giamsat2"]
    start = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = dayclose.close_day(contexts[i], users[i])
        except ValidationError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [r for r in results if isinstance(r, dayclose.DaySummary)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "close_day_already"
    with closing(sqlite3.connect(demo_db)) as conn:
        assert conn.execute("SELECT count(*) FROM day_closes").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM outbox WHERE kind = 'day_closed'").fetchone() == (
            1,
        )


def test_two_processes_closing_at_once_make_exactly_one_close(
    demo_db, subprocess_env, app_command, clock
) -> None:
    clock.set(at(17))
    env = {**subprocess_env, "COUNTER_APP_NOW": clock.env_value}
    cmd = [*app_command, "--db", str(demo_db), "--json", "close-day", "--supervisor", "giamsat"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=60) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 1], outs
    err = next(e for (_o, e), p in zip(outs, procs, strict=True) if p.returncode == 1)
    assert "đã được Trần Văn Minh (giamsat) khóa sổ" in err
    with closing(sqlite3.connect(demo_db)) as conn:
        assert conn.execute("SELECT count(*) FROM day_closes").fetchone() == (1,)


def test_close_day_on_the_command_line_with_its_sheet(cli, demo_db, clock, itest, tmp_path) -> None:
    clock.set(at(17, 30))
    res = cli("--json", "close-day", "--supervisor", "canbo1")
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=("canbo1",))
    sheet = tmp_path / "khoaso.pdf"
    res = cli("--json", "close-day", "--supervisor", "giamsat", "-o", sheet)
    assert res.rc == 0, res.err
    data = json.loads(res.out)
    assert set(data) >= {
        "day",
        "unit",
        "closed_by",
        "closed_at",
        "hash",
        "prev_hash",
        "per_clerk",
        "totals",
        "anomalies",
        "output",
    }
    assert data["day"] == "2026-12-02" and data["closed_by"] == "giamsat"
    assert data["closed_at"].startswith("2026-12-02T17:30")
    assert data["output"] == str(sheet)
    text = subprocess.run(
        ["pdftotext", "-layout", str(sheet), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "PHIẾU KHÓA SỔ NGÀY" in text
    assert "Trần Văn Minh (giamsat)" in text and "17:30" in text
    assert data["hash"][:16] in text
    for a in data["anomalies"]:
        assert a["ref"] in text
    res = cli("close-day", "--supervisor", "giamsat")
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=("giamsat",))
    assert "17:30 02/12/2026" in res.err
    # A wrong output is refused before anything is opened or written.
    res = cli("close-day", "--date", "2026-12-03", "--supervisor", "giamsat", "-o", "x.txt")
    assert res.rc == 1 and "PDF" not in res.out


def test_an_overdue_dossier_is_flagged_at_one_close_not_at_every_one(ctx, clock) -> None:
    """The demo's earlier dossiers fell due on 27/11, 30/11 and 01/12: once 30/11 is closed,
    the close of 02/12 flags only what ran out after it."""
    everything = dayclose.day_summary(ctx)
    due = {
        a["ref"]: a["detail"]["due"] for a in everything.anomalies if a["kind"] == "dossier_overdue"
    }
    assert {d[:5] for d in due.values()} >= {"27/11", "30/11", "01/12"}
    dayclose.close_day(ctx, "giamsat", PINNED_DAY - timedelta(days=2))
    later = dayclose.day_summary(ctx)
    assert {a["ref"] for a in later.anomalies if a["kind"] == "dossier_overdue"} == {
        code for code, d in due.items() if d.startswith("01/12")
    }


def test_the_window_notes_the_intake_paper_it_printed_or_saved(ctx, itest, tmp_path) -> None:
    """printjobs.print_intake_paper (the window's Ctrl+S and F8): on a printer, or saved as a
    PDF when none is set up; a dossier missing documents gets Mẫu 02, noted the same."""
    from counter_app.printing.spool import FakeSpooler, FolderSpooler
    from counter_app.services import printjobs
    from counter_app.services.lookup import get_dossier

    a = _intake(ctx, itest)
    b = _intake(ctx, itest, documents=_missing_documents(itest))
    on_paper = printjobs.Printers(a4=FakeSpooler(), label=FakeSpooler())
    as_pdf = printjobs.Printers(a4=FolderSpooler(tmp_path / "prints"), label=FakeSpooler())
    assert printjobs.print_intake_paper(get_dossier(ctx, a), on_paper, ctx, "canbo1") == "receipt"
    assert printjobs.print_intake_paper(get_dossier(ctx, b), as_pdf, ctx, "canbo1") == "supplement"
    with ctx.uow.read() as s:
        from sqlalchemy import select

        from counter_app.db.models import Dossier, PaperPrint

        rows = s.execute(
            select(Dossier.code, PaperPrint.kind, PaperPrint.via, PaperPrint.username).join(
                Dossier, Dossier.id == PaperPrint.dossier_id
            )
        ).all()
    assert sorted(rows) == sorted(
        [(a, "receipt", "printer", "canbo1"), (b, "supplement", "pdf", "canbo1")]
    )
    assert _codes(dayclose.day_summary(ctx), "receipt_missing") == []
