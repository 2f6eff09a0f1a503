"""`counter-app dossier CODE ACTION` on real SQLite files (DESIGN.md §4, DOMAIN.md §4)."""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pinned_clock import PINNED_DAY, at

from counter_app.domain.errors import Conflict, ValidationError


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    assert res.err == ""
    return json.loads(res.out) if res.out.lstrip().startswith(("{", "[")) else res.out


def outbox_events(db: Path, code: str) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT payload FROM outbox WHERE kind = 'dossier_event' ORDER BY seq"
        ).fetchall()
    return [p for p in (json.loads(r[0]) for r in rows) if p["code"] == code]


@pytest.fixture
def new_dossier(demo_db, cli, write_json, itest):
    """new_dossier(**intake overrides) -> its code, received now (09:00 on the pinned day)."""

    def make(**over: Any) -> str:
        res = cli("--json", "intake", write_json(itest.payload(**over)), "--clerk", "canbo1")
        return ok(res)[0]["code"]

    return make


@pytest.fixture
def act(cli, clock):
    """act(code, action, *flags) -> the JSON answer; the clock moves 5 minutes first."""

    def run(code: str, action: str, *flags: str) -> dict[str, Any]:
        clock.advance(minutes=5)
        return ok(cli("--json", "dossier", code, action, "--by", "canbo1", *flags))

    return run


def test_intake_to_return_through_a_hand_over(new_dossier, act, cli, db_path) -> None:
    code = new_dossier()
    r = act(code, "handover", "--to", "Phòng Tư pháp")
    assert (r["code"], r["status"]) == (code, "processing")
    assert r["event"]["kind"] == "handed_over" and r["event"]["data"] == {"to": "Phòng Tư pháp"}
    r = act(code, "receive-back", "--result", "Đã ký giấy xác nhận")
    assert r["status"] == "accepted"
    assert r["event"]["data"] == {"from": "Phòng Tư pháp", "result": "Đã ký giấy xác nhận"}
    assert act(code, "result-ready")["status"] == "result_ready"
    r = act(code, "return", "--to", "Trần Thị Bình|079190001235", "--fee", "5000")
    assert r["status"] == "returned"
    assert r["event"]["data"] == {
        "channel": "counter",
        "fee": 5000,
        "to": {"name": "Trần Thị Bình", "id_number": "079190001235"},
    }
    assert r["due_date"] == "2026-12-07"  # 3 working days after Wednesday 02/12, unchanged

    # One outbox event per step, each with the status central projects.
    statuses = [(e["kind"], e["status"]) for e in outbox_events(db_path, code)]
    assert statuses == [
        ("received", "accepted"),
        ("handed_over", "processing"),
        ("received_back", "accepted"),
        ("result_ready", "result_ready"),
        ("returned", "returned"),
    ]
    shown = ok(cli("--json", "show", code))
    assert shown["status"] == "returned"
    assert [e["data"] for e in shown["events"]][1] == {"to": "Phòng Tư pháp"}
    text = ok(cli("show", code))
    for words in (
        "Chuyển cơ quan giải quyết",
        "giao: Phòng Tư pháp",
        "Nhận lại từ cơ quan giải quyết",
        "kết quả: Đã ký giấy xác nhận",
        "Trả kết quả",
        "người nhận thay: Trần Thị Bình (CCCD 079190001235)",
        "thu 5.000 đ",
    ):
        assert words in text, words


def test_result_ready_straight_after_acceptance_and_the_default_fee(new_dossier, act) -> None:
    code = new_dossier()
    assert act(code, "result-ready")["status"] == "result_ready"
    r = act(code, "return")
    assert r["event"]["data"] == {"channel": "counter", "fee": 3000}  # the procedure's fee


def test_a_postal_return_needs_its_tracking_number(new_dossier, act, cli, db_path, itest) -> None:
    code = new_dossier(return_channel="postal", return_address="Số 1 Lê Lợi, Long Xuyên")
    act(code, "result-ready")
    res = cli("dossier", code, "return", "--by", "canbo1")
    assert res.rc == 1
    assert "mã vận đơn" in itest.assert_one_vietnamese_line(res.err)
    r = act(code, "return", "--tracking", "EB123456789VN")
    assert r["event"]["data"]["channel"] == "postal"
    assert r["event"]["data"]["tracking"] == "EB123456789VN"


def test_documents_completed_later_start_the_due_date_then(new_dossier, act, clock) -> None:
    code = new_dossier(documents=[{"name": "Tờ khai", "kind": "original", "count": 1}])
    # Missing required checklist lines: Mẫu 02, paused.
    clock.set(at(10, day=PINNED_DAY + timedelta(days=1)))  # Thursday 10:00
    r = act(code, "receive-supplement")
    assert r["status"] == "accepted"
    # 3 working days after Thursday 03/12: Tuesday 08/12, at the time the documents came.
    assert r["due_date"] == "2026-12-08"
    data = r["event"]["data"]
    assert data["stage"] == "intake" and data["documents"]
    assert data["due_at"].startswith("2026-12-08T10:05")


def test_a_later_supplement_request_keeps_the_due_date_and_comes_once(
    new_dossier, act, cli, db_path, db_snapshot, itest
) -> None:
    code = new_dossier()
    r = act(code, "supplement", "--document", "Bản sao giấy khai sinh", "--reason", "Thiếu")
    assert r["status"] == "supplement_requested"
    assert r["event"]["data"] == {"documents": ["Bản sao giấy khai sinh"], "stage": "processing"}
    due = r["due_date"]
    r = act(code, "receive-supplement")
    assert (r["status"], r["due_date"]) == ("accepted", due)
    assert r["event"]["data"] == {"stage": "processing"}
    before = db_snapshot(db_path)
    res = cli("dossier", code, "supplement", "--by", "canbo1")
    assert res.rc == 1
    assert "một lần" in itest.assert_one_vietnamese_line(res.err)
    assert db_snapshot(db_path) == before


def test_apology_moves_the_due_date_once(new_dossier, act, cli, itest) -> None:
    code = new_dossier()
    res = cli("dossier", code, "apologize", "--by", "canbo1", "--new-due", "2026-12-10")
    assert res.rc == 1
    assert "lý do" in itest.assert_one_vietnamese_line(res.err)
    res = cli(
        "dossier", code, "apologize", "--by", "canbo1", "--reason", "x", "--new-due", "2026-12-07"
    )
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=("07/12/2026",))
    r = act(code, "apologize", "--reason", "Chờ xác minh", "--new-due", "2026-12-10")
    assert r["due_date"] == "2026-12-10"
    assert r["event"]["data"]["previous_due_at"].startswith("2026-12-07")
    res = cli(
        "dossier", code, "apologize", "--by", "canbo1", "--reason", "x", "--new-due", "2026-12-11"
    )
    assert res.rc == 1
    assert "một lần" in itest.assert_one_vietnamese_line(res.err)
    assert "hẹn trả mới 09:00 10/12/2026" in ok(cli("show", code))


@pytest.mark.parametrize("action", ["refuse", "stop", "withdraw"])
def test_closing_actions(new_dossier, act, cli, itest, action: str) -> None:
    code = new_dossier()
    if action != "withdraw":
        res = cli("dossier", code, action, "--by", "canbo1")
        assert res.rc == 1 and "lý do" in itest.assert_one_vietnamese_line(res.err)
    r = act(code, action, "--reason", "Theo quy định")
    assert r["status"] == {"refuse": "refused", "stop": "stopped", "withdraw": "withdrawn"}[action]
    res = cli("dossier", code, "handover", "--by", "canbo1", "--to", "UBND")
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err)


def test_a_refused_transition_changes_nothing(
    new_dossier, cli, db_path, db_snapshot, itest
) -> None:
    code = new_dossier()
    before = db_snapshot(db_path)
    for args in (
        ("return",),  # not yet resolved
        ("receive-back",),  # never handed over
        ("handover",),  # no agency
        ("refuse",),  # no reason
        ("handover", "--to", "X", "--tracking", "1"),  # an option that does not belong
        ("return", "--to", "Trần Thị Bình|123"),  # not a citizen ID
        ("return", "--to", "Trần Thị Bình"),  # not NAME|ID
        ("result-ready", "--at", "2026-12-02T12:00:00+07:00"),  # in the future
        ("result-ready", "--at", "2026-12-01T12:00:00+07:00"),  # before the receipt
        ("result-ready", "--at", "hôm qua"),
        ("apologize", "--reason", "x", "--new-due", "10/12/2026"),
        ("correct", "--field", "name"),
        ("correct", "--field", "ngay_sinh", "--value", "1990"),
        ("correct", "--field", "phone", "--value", "12"),
    ):
        res = cli("dossier", code, *args, "--by", "canbo1")
        assert res.rc == 1, args
        itest.assert_one_vietnamese_line(res.err, strip=("ngay_sinh",))
    res = cli("dossier", code, "handover", "--to", "X", "--by", "nobody")
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=("nobody",))
    res = cli("dossier", "000.20.25.H01-261202-0999", "handover", "--to", "X", "--by", "canbo1")
    assert res.rc == 1
    assert db_snapshot(db_path) == before
    assert ok(cli("--json", "show", code))["status"] == "accepted"


def test_a_closed_day_takes_no_backdated_action(new_dossier, cli, db_path, itest) -> None:
    code = new_dossier(received_at="2026-11-30T09:00:00+07:00")
    with closing(sqlite3.connect(db_path)) as conn, conn:
        unit_id, user_id = conn.execute(
            "SELECT unit_id, id FROM users WHERE username = 'giamsat'"
        ).fetchone()
        conn.execute(
            "INSERT INTO day_closes (unit_id, day, closed_by, closed_at) "
            "VALUES (?, '2026-11-30', ?, '2026-11-30 10:00:00.000000')",
            (unit_id, user_id),
        )
    res = cli(
        "dossier", code, "result-ready", "--by", "canbo1", "--at", "2026-11-30T16:00:00+07:00"
    )
    assert res.rc == 1
    itest.assert_one_vietnamese_line(res.err, strip=("2026-11-30",))
    res = cli(
        "--json",
        "dossier",
        code,
        "result-ready",
        "--by",
        "canbo1",
        "--at",
        "2026-12-01T08:00:00+07:00",
    )
    assert json.loads(res.out)["status"] == "result_ready", res.err


def test_a_correction_shows_in_show_and_in_name_look_up(
    new_dossier, act, cli, db_path, make_context, clock
) -> None:
    from counter_app.services import lookup

    code = new_dossier()
    r = act(
        code,
        "correct",
        "--field", "name", "--value", "Nguyễn Văn Ấn",
        "--field", "phone", "--value", "0987654321",
    )  # fmt: skip
    assert r["status"] == "accepted"  # a correction does not change status
    assert r["event"]["data"] == {
        "changes": {
            "name": ["Nguyễn Văn An", "Nguyễn Văn Ấn"],
            "phone": ["0912345678", "0987654321"],
        }
    }
    shown = ok(cli("--json", "show", code))
    assert shown["applicant"]["name"] == "Nguyễn Văn Ấn"
    assert shown["applicant"]["phone"] == "0987654321"
    assert "Họ tên: Nguyễn Văn An → Nguyễn Văn Ấn" in ok(cli("show", code))
    # Only the accent changed: the folded index words are the same, and still find it.
    ctx = make_context(db_path, now=clock.local())
    assert code in [s.code for s in lookup.search(ctx, "van ấn")]
    # The outbox carries the correction for central.
    assert outbox_events(db_path, code)[-1]["data"]["changes"]["phone"][1] == "0987654321"


def test_a_name_correction_swaps_the_index_words(new_dossier, act, db_path, make_context, clock):
    from counter_app.services import lookup

    code = new_dossier()
    act(code, "correct", "--field", "name", "--value", "Lê Thị Hồng")
    ctx = make_context(db_path, now=clock.local())
    assert code in [s.code for s in lookup.search(ctx, "le thi hong")]
    assert code not in [s.code for s in lookup.search(ctx, "nguyen van an")]
    with closing(sqlite3.connect(db_path)) as conn:
        words = dict(conn.execute("SELECT token, dossiers FROM name_words").fetchall())
    assert words.get("hong", 0) >= 1 and words.get("le thi", 0) >= 1


# --- two counters at once ----------------------------------------------------------------


def _race(make_context, db_path: Path, now: datetime, jobs: list[dict[str, Any]]) -> list[Any]:
    from counter_app.services.actions import act

    contexts = [make_context(db_path, now=now) for _ in jobs]
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = act(contexts[i], **jobs[i]).status
        except (ValidationError, Conflict) as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_counters_acting_at_once_exactly_one_wins(new_dossier, make_context, db_path, clock):
    code = new_dossier()
    clock.advance(minutes=5)
    job = {"code": code, "action": "result-ready", "by": "canbo1"}
    results = _race(make_context, db_path, clock.local(), [job, dict(job, by="canbo2")])
    won = [r for r in results if r == "result_ready"]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "action_not_allowed"
    assert [e["kind"] for e in outbox_events(db_path, code)] == ["received", "result_ready"]


def test_a_stale_screen_loses_to_the_counter_that_acted_first(
    new_dossier, make_context, db_path, clock
):
    """Hand-over and apology are both allowed from `accepted` (and an apology keeps the
    status): each counter says how much history it saw, so the second is told the dossier
    moved on instead of acting on a dossier it never saw."""
    code = new_dossier()
    clock.advance(minutes=5)
    jobs = [
        {"code": code, "action": "handover", "by": "canbo1", "to": "Phòng Tư pháp",
         "seen_steps": 1},
        {"code": code, "action": "apologize", "by": "canbo2", "reason": "Chậm",
         "new_due": PINNED_DAY + timedelta(days=14), "seen_steps": 1},
    ]  # fmt: skip
    results = _race(make_context, db_path, clock.local(), jobs)
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "dossier_changed"
    assert len(outbox_events(db_path, code)) == 2


# --- correcting the document lines (issue 10 §1) -----------------------------------------

DIVORCE = "Bản án, quyết định ly hôn đã có hiệu lực pháp luật hoặc trích lục khai tử"


def test_a_correction_adds_changes_receives_and_removes_document_lines(
    new_dossier, act, cli, db_path
) -> None:
    code = new_dossier()
    lines = ok(cli("--json", "show", code))["documents"]
    divorce = next(x["name"] for x in lines if x["name"].startswith(DIVORCE))
    assert not next(x for x in lines if x["name"] == divorce)["received"]
    r = act(
        code,
        "correct",
        "--field", "document", "--value", "Giấy ủy quyền|certified-copy|2",
        "--field", "document-received", "--value", divorce,
        "--field", "name", "--value", "Nguyễn Văn Ấn",
    )  # fmt: skip
    assert r["status"] == "accepted"
    old, new = r["event"]["data"]["changes"]["documents"]
    assert len(new) == len(old) + 1
    assert new[-1] == {"name": "Giấy ủy quyền", "kind": "certified_copy", "count": 2,
                       "received": True}  # fmt: skip
    assert next(x for x in new if x["name"] == divorce)["received"] is True
    assert r["event"]["data"]["changes"]["name"] == ["Nguyễn Văn An", "Nguyễn Văn Ấn"]
    # Change the line typed a moment ago (matched without accents), then remove it.
    r = act(code, "correct", "--field", "document", "--value", "giay uy quyen|copy|1")
    old, new = r["event"]["data"]["changes"]["documents"]
    assert new[-1] == {"name": "giay uy quyen", "kind": "copy", "count": 1, "received": True}
    r = act(code, "correct", "--field", "remove-document", "--value", "Giấy ủy quyền")
    old, new = r["event"]["data"]["changes"]["documents"]
    assert [x["name"] for x in new] == [x["name"] for x in lines]
    shown = ok(cli("--json", "show", code))
    assert [x["name"] for x in shown["documents"]] == [x["name"] for x in lines]
    text = ok(cli("show", code))
    for words in (
        "Giấy tờ: — → Giấy ủy quyền (Bản sao chứng thực, 2)",
        f"Giấy tờ: {divorce} (Bản sao chứng thực, 1, thiếu) → {divorce} (Bản sao chứng thực, 1)",
        "Giấy tờ: Giấy ủy quyền (Bản sao chứng thực, 2) → giay uy quyen (Bản sao, 1)",
        "Giấy tờ: giay uy quyen (Bản sao, 1) → —",
        "Họ tên: Nguyễn Văn An → Nguyễn Văn Ấn",
    ):
        assert words in text, words
    kinds = [e["kind"] for e in outbox_events(db_path, code)]
    assert kinds == ["received", "corrected", "corrected", "corrected"]


def test_a_wrong_document_correction_is_refused_and_writes_nothing(
    new_dossier, cli, db_path, db_snapshot, itest
) -> None:
    code = new_dossier()
    before = db_snapshot(db_path)
    for value, field, words in (
        ("Giấy ủy quyền|photocopy|1", "document", "photocopy"),
        ("Giấy ủy quyền|copy|0", "document", "từ 1 đến 99"),
        ("Giấy ủy quyền|copy|100", "document", "từ 1 đến 99"),
        ("Giấy ủy quyền|copy|hai", "document", "từ 1 đến 99"),
        ("Giấy ủy quyền|copy", "document", "Tên giấy tờ|loại|số lượng"),
        ("|copy|1", "document", "Tên giấy tờ|loại|số lượng"),
        ("Giấy ủy quyền", "remove-document", "không có giấy tờ"),
        ("Giấy ủy quyền", "document-received", "không có giấy tờ"),
        ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "remove-document", "bắt buộc"),
        # changes nothing: the line as it is, or a line already received
        ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân|original|1", "document", "giống"),
        ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "document-received", "giống"),
    ):
        res = cli("dossier", code, "correct", "--by", "canbo1", "--field", field, "--value", value)
        assert res.rc == 1, (field, value)
        line = itest.assert_one_vietnamese_line(res.err, strip=("photocopy",))
        assert words in line, (line, words)
    assert db_snapshot(db_path) == before


def test_a_document_missing_at_intake_is_received_through_receive_supplement(
    new_dossier, act, cli, itest
) -> None:
    """A required line missing at intake paused the dossier: receive-supplement records it
    (and starts the due date then); the correction points there instead."""
    code = new_dossier(documents=[{"name": "Tờ khai", "kind": "original", "count": 1}])
    missing = next(x["name"] for x in ok(cli("--json", "show", code))["documents"]
                   if not x["received"] and x["name"].startswith("Tờ khai cấp"))  # fmt: skip
    res = cli(
        "dossier", code, "correct", "--by", "canbo1",
        "--field", "document-received", "--value", missing,
    )  # fmt: skip
    assert res.rc == 1
    assert "receive-supplement" in itest.assert_one_vietnamese_line(res.err)
    # Correcting the kind of the line typed at intake is still a correction.
    r = act(code, "correct", "--field", "document", "--value", "Tờ khai|copy|1")
    assert r["status"] == "supplement_requested"
    assert act(code, "receive-supplement")["status"] == "accepted"
