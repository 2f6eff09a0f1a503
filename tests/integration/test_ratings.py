"""Citizen ratings on real SQLite files: `rate`, `unit set --rating-…`, the counts, the report."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from pinned_clock import PINNED_DAY
from pypdf import PdfReader

from counter_app.domain.errors import ValidationError
from counter_app.services import queue, ratings
from counter_app.services.units import local_unit


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    return json.loads(res.out)


def refused(res: Any, itest: Any) -> str:
    assert res.rc == 1 and res.out == ""
    return str(itest.assert_one_vietnamese_line(res.err, strip=("--ticket", "--dossier")))


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def ctx(demo_db: Path, make_context: Any, clock: Any) -> Any:
    c = make_context(demo_db)
    c.clock = clock
    return c


def served_ticket(ctx: Any, clock: Any, user: str = "canbo1", counter: int = 1) -> str:
    """A ticket issued, called and finished at `counter` by `user`: its number."""
    t = queue.issue(ctx, "HT")
    queue.call_next(ctx, counter, user=user)
    clock.advance(minutes=4)
    queue.finish(ctx, counter, user=user)
    return t.number


def test_a_finished_ticket_is_rated_once_with_its_officer_and_counter(
    ctx, cli, db_path, clock, itest
) -> None:
    t = queue.issue(ctx, "HT")
    queue.call_next(ctx, 2, user="canbo2")
    msg = refused(cli("rate", "--ticket", t.number, "--level", "3"), itest)
    assert "chưa được phục vụ xong" in msg
    queue.finish(ctx, 2, user="canbo2")
    before = rows(db_path, "SELECT count(*) FROM audit_log")
    r = ok(cli("--json", "rate", "--ticket", t.number, "--level", "3"))
    assert r["subject"] == "ticket" and r["ticket"] == t.number and r["dossier"] is None
    assert (r["officer"], r["counter"], r["level"], r["scale"]) == ("canbo2", 2, 3, 3)
    assert (r["level_key"], r["level_name"]) == ("rat_hai_long", "Rất hài lòng")
    assert r["business_day"] == PINNED_DAY.isoformat() and r["source"] == "cli"
    # Not an administrator's act: no audit entry. One outbox event, with no personal data.
    assert rows(db_path, "SELECT count(*) FROM audit_log") == before
    (payload,) = [
        json.loads(p) for (p,) in rows(db_path, "SELECT payload FROM outbox WHERE kind = 'rating'")
    ]
    assert payload["level"] == 3 and payload["scale"] == 3 and payload["ticket"] == t.number
    assert payload["counter"] == 2 and payload["day"] == PINNED_DAY.isoformat()
    assert not {"name", "applicant", "id_number", "phone"} & set(payload)
    msg = refused(cli("rate", "--ticket", t.number, "--level", "1"), itest)
    assert "đã được đánh giá" in msg
    assert rows(db_path, "SELECT count(*) FROM ratings") == [(1,)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--ticket", "9999", "--level", "2"), "Không tìm thấy số thứ tự 9999"),
        (("--dossier", "000.20.25.H01-261202-9999", "--level", "2"), "Không tìm thấy hồ sơ"),
        (("--ticket", "1001", "--level", "4"), "không có trong thang 3 mức"),
        (("--ticket", "1001", "--level", "0"), "không có trong thang 3 mức"),
    ],
)
def test_bad_ratings_are_refused_and_change_nothing(cli, demo_db, db_snapshot, itest, args, words):
    before = db_snapshot(demo_db)
    assert words in refused(cli("rate", *args), itest)
    assert db_snapshot(demo_db) == before


def test_a_ticket_and_a_dossier_at_once_is_a_usage_error(cli, demo_db) -> None:
    res = cli("rate", "--ticket", "1001", "--dossier", "X", "--level", "1")
    assert res.rc == 2


def test_the_unit_scale_and_timeout(cli, ctx, clock, db_path, db_snapshot, itest) -> None:
    assert ratings.get_settings(ctx) == ratings.RatingSettings(3, 30)
    before = db_snapshot(db_path)
    assert "3 hoặc 5" in refused(cli("unit", "set", "--rating-scale", "4"), itest)
    msg = refused(cli("unit", "set", "--rating-scale", "5", "--rating-timeout", "2"), itest)
    assert "từ 5 đến 600 giây" in msg
    assert db_snapshot(db_path) == before
    r = ok(cli("--json", "unit", "set", "--rating-scale", "5", "--rating-timeout", "20"))
    assert r == {"rating_scale": 5, "rating_timeout_s": 20}
    assert rows(db_path, "SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1") == [
        ("unit_set", '{"rating_scale":5,"rating_timeout_s":20}')
    ]
    # With the form settings in the same command, both change.
    r = ok(cli("--json", "unit", "set", "--receiving-name", "Trung tâm X", "--rating-scale", "3"))
    assert r["receiving_name"] == "Trung tâm X" and r["rating_scale"] == 3
    ok(cli("--json", "unit", "set", "--rating-scale", "5"))
    number = served_ticket(ctx, clock)
    r = ok(cli("--json", "rate", "--ticket", number, "--level", "5"))
    assert (r["level_key"], r["scale"]) == ("rat_hai_long", 5)


def test_dossier_ratings_follow_who_served_it(cli, ctx, clock, db_path, write_json, itest):
    def intake(**over: Any) -> str:
        res = cli("--json", "intake", write_json(itest.payload(**over)), "--clerk", "canbo1")
        return str(ok(res)[0]["code"])

    code = intake()
    msg = refused(cli("rate", "--dossier", code, "--level", "2", "--officer", "canbo2"), itest)
    assert "không tiếp nhận cũng không trả kết quả" in msg
    r = ok(cli("--json", "rate", "--dossier", code, "--level", "2", "--counter", "3"))
    assert (r["subject"], r["dossier"], r["officer"], r["counter"]) == (
        "dossier",
        code,
        "canbo1",
        3,
    )
    assert "đã được đánh giá" in refused(cli("rate", "--dossier", code, "--level", "2"), itest)

    online = intake(receive_channel="online")
    assert "chưa được tiếp nhận" in refused(cli("rate", "--dossier", online, "--level", "1"), itest)
    for action in ("result-ready", "return"):
        clock.advance(minutes=5)
        ok(cli("--json", "dossier", online, action, "--by", "canbo2"))
    r = ok(cli("--json", "rate", "--dossier", online, "--level", "1"))
    assert (r["officer"], r["level_key"]) == ("canbo2", "khong_hai_long")


def test_counts_for_the_report_and_the_day_close(cli, ctx, clock, db_path, write_json, itest):
    for user, level in (("canbo1", 3), ("canbo1", 2), ("canbo2", 1)):
        number = served_ticket(ctx, clock, user)
        ratings.record(ctx, level, ticket_number=number, source="keypad")
    res = cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo2")
    code = ok(res)[0]["code"]
    ratings.record(ctx, 3, dossier_code=code, source="screen")
    with ctx.uow.read() as s:
        unit_id = local_unit(s).id
        ids = dict(rows(db_path, "SELECT username, id FROM users"))
        assert ratings.counts_for_range(s, unit_id, PINNED_DAY, PINNED_DAY) == {
            "rat_hai_long": 2,
            "hai_long": 1,
            "khong_hai_long": 1,
        }
        assert ratings.counts_by_officer(s, unit_id, PINNED_DAY) == {
            ids["canbo1"]: {"rat_hai_long": 1, "hai_long": 1},
            ids["canbo2"]: {"khong_hai_long": 1, "rat_hai_long": 1},
        }
        day_before = PINNED_DAY.replace(day=1)
        assert ratings.counts_for_range(s, unit_id, day_before, day_before) == {}
    rep = ok(cli("--json", "report", "--from", "2026-12-01", "--to", "2026-12-02"))
    assert rep["totals"]["ratings"] == {"rat_hai_long": 2, "hai_long": 1, "khong_hai_long": 1}
    assert list(rep["totals"]["ratings"]) == ["rat_hai_long", "hai_long", "khong_hai_long"]
    (line,) = [r for r in rep["by_procedure"] if r["procedure"] == itest.PROC_3_DAYS]
    assert line["ratings"] == {"rat_hai_long": 1, "hai_long": 0, "khong_hai_long": 0}
    # An earlier period has none: the shape stays, zeros.
    rep = ok(cli("--json", "report", "--from", "2026-11-01", "--to", "2026-11-30"))
    assert rep["totals"]["ratings"] == {"rat_hai_long": 0, "hai_long": 0, "khong_hai_long": 0}
    out = db_path.parent / "r.csv"
    ok_csv = cli("report", "--from", "2026-12-02", "--to", "2026-12-02", "-o", out)
    assert ok_csv.rc == 0, ok_csv.err
    first = next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert (first["danh_gia_rat_hai_long"], first["danh_gia_khong_hai_long"]) == ("2", "1")
    pdf = db_path.parent / "r.pdf"
    assert cli("report", "--from", "2026-12-02", "--to", "2026-12-02", "-o", pdf).rc == 0
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Đánh giá của người dân" in text and "Hài lòng trở lên" in text and "75,0 %" in text
    human = cli("report", "--from", "2026-12-02", "--to", "2026-12-02").out
    assert "Đánh giá của người dân: Rất hài lòng 2, Hài lòng 1, Không hài lòng 1" in human


def test_a_closed_day_takes_no_rating(cli, ctx, clock, db_path, itest) -> None:
    number = served_ticket(ctx, clock)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        unit_id, user_id = conn.execute(
            "SELECT unit_id, id FROM users WHERE username = 'giamsat'"
        ).fetchone()
        conn.execute(
            "INSERT INTO day_closes (unit_id, day, closed_by, closed_at) "
            "VALUES (?, ?, ?, '2026-12-02 10:00:00.000000')",
            (unit_id, PINNED_DAY.isoformat(), user_id),
        )
    refused(cli("rate", "--ticket", number, "--level", "2"), itest)
    assert rows(db_path, "SELECT count(*) FROM ratings") == [(0,)]


def test_two_screens_rating_one_ticket_at_once_exactly_one_counts(
    ctx, clock, db_path, make_context
) -> None:
    number = served_ticket(ctx, clock)
    results: list[Any] = [None] * 4
    start = threading.Barrier(4)

    def run(i: int) -> None:
        c = make_context(db_path)
        c.clock = clock
        start.wait()
        try:
            results[i] = ratings.record(c, 1 + i % 3, ticket_number=number, source="screen")
        except ValidationError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, ratings.RatingInfo) for r in results) == 1
    assert {r.code for r in results if isinstance(r, ValidationError)} == {"rating_already_given"}
    assert rows(db_path, "SELECT count(*) FROM ratings") == [(1,)]
    assert rows(db_path, "SELECT count(*) FROM outbox WHERE kind = 'rating'") == [(1,)]


def test_awaiting_names_the_counters_last_unrated_ticket(ctx, clock) -> None:
    assert ratings.awaiting(ctx, 1, 30) is None
    number = served_ticket(ctx, clock)
    subject = ratings.awaiting(ctx, 1, 30)
    assert subject is not None
    assert (subject.kind, subject.label, subject.officer, subject.counter) == (
        "ticket",
        number,
        "canbo1",
        1,
    )
    assert ratings.awaiting(ctx, 2, 30) is None  # another counter's screen
    clock.advance(seconds=31)
    assert ratings.awaiting(ctx, 1, 30) is None  # too long ago
    clock.advance(seconds=-31)
    ratings.record(ctx, 2, ticket_id=subject.id, source="screen")
    assert ratings.awaiting(ctx, 1, 30) is None  # rated
