"""The queue service on real SQLite files: numbers, calling order, actions, estimates, records."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from counter_app.db.models import Dossier
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.services import queue
from counter_app.services.units import local_unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 26)  # a Thursday


def at(hh: int, mm: int = 0, ss: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), VN)


def set_clock(ctx: Any, moment: datetime) -> None:
    fixed = moment.astimezone(UTC)
    ctx.clock = lambda: fixed


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database per module (unit, users, catalogue, the four demo services)."""
    from counter_app.app import build_context
    from counter_app.services.setup import init_database

    path = tmp_path_factory.mktemp("queue-template") / "template.db"
    ctx = build_context(db=str(path))
    set_clock(ctx, at(9))  # the demo's sample dossiers are dated from DAY, not the wall clock
    init_database(ctx, demo=True)
    ctx.uow.engine.dispose()
    return path


@pytest.fixture
def qdb(template_db: Path, tmp_path: Path, data_dir: Path) -> Path:
    path = tmp_path / "queue.db"
    with closing(sqlite3.connect(template_db)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
    return path


@pytest.fixture
def qctx(qdb: Path, make_context: Callable[..., Any]) -> Any:
    return make_context(qdb, now=at(9))


def configure(ctx: Any, services: list[dict[str, Any]]) -> None:
    with ctx.uow.write() as s:
        queue.set_up_services(s, local_unit(s).id, services)


def call_all(ctx: Any, counter: int) -> list[str]:
    out = []
    while (t := queue.call_next(ctx, counter)) is not None:
        out.append(t.number)
    return out


# --- numbers --------------------------------------------------------------------------------


def test_numbers_are_per_service_gap_free_with_the_prefix(qctx: Any, qdb: Path) -> None:
    assert [queue.issue(qctx, "HT").number for _ in range(3)] == ["1001", "1002", "1003"]
    assert queue.issue(qctx, "CT").number == "2001"
    assert queue.issue(qctx, "ct").number == "2002"  # codes are not case-sensitive
    assert queue.issue(qctx, "DD", "elderly").number == "3001"
    counters = rows(qdb, "SELECT kind, period, last FROM sequence_counters WHERE kind LIKE 't%'")
    assert sorted(counters) == [
        ("ticket:CT", "2026-11-26", 2),
        ("ticket:DD", "2026-11-26", 1),
        ("ticket:HT", "2026-11-26", 3),
    ]
    t = queue.issue(qctx, "HT")
    assert (t.status, t.calls, t.counter, t.called_at, t.service_name) == (
        "waiting",
        0,
        None,
        None,
        "Hộ tịch",
    )
    assert t.issued_at == at(9) and t.issued_at.utcoffset() == timedelta(hours=7)


def test_numbers_restart_each_local_day(qctx: Any, qdb: Path) -> None:
    configure(
        qctx,
        [
            {
                "code": "NT",
                "name": "Trực",
                "prefix": "5",
                "counters": [4],
                "opens": "00:00",
                "closes": "23:59",
            }
        ],
    )
    # 23:58 and 00:01 in Vietnam are the same UTC date (16:58 and 17:01 UTC): the local day
    # decides.
    set_clock(qctx, at(23, 58))
    assert [queue.issue(qctx, "NT").number for _ in range(2)] == ["5001", "5002"]
    set_clock(qctx, at(0, 1, day=DAY + timedelta(days=1)))
    assert at(0, 1, day=DAY + timedelta(days=1)).astimezone(UTC).date() == DAY
    assert queue.issue(qctx, "NT").number == "5001"
    days = rows(qdb, "SELECT day, number FROM tickets ORDER BY issued_at")
    assert days == [("2026-11-26", 1), ("2026-11-26", 2), ("2026-11-27", 1)]
    # yesterday's waiting ticket is not called today
    assert call_all(qctx, 4) == ["5001"]


def test_numbers_run_out_at_the_end_of_the_range(qctx: Any, qdb: Path, db_snapshot: Any) -> None:
    configure(
        qctx,
        [
            {
                "code": "EX",
                "name": "Thử",
                "prefix": "9",
                "counters": [5],
                "start_number": 7,
                "end_number": 8,
            }
        ],
    )
    assert [queue.issue(qctx, "EX").number for _ in range(2)] == ["9007", "9008"]
    before = db_snapshot(qdb)
    with pytest.raises(ValidationError) as exc:
        queue.issue(qctx, "EX")
    assert exc.value.code == "service_numbers_exhausted"
    assert db_snapshot(qdb) == before  # the bump was rolled back: no gap, no half ticket
    assert queue.issue(qctx, "HT").number == "1001"  # other services are unaffected


@pytest.mark.parametrize(
    ("moment", "ok"),
    [(at(6, 59, 59), False), (at(7), True), (at(17, 29, 59), True), (at(17, 30), False)],
)
def test_tickets_only_within_the_service_hours(
    qctx: Any, qdb: Path, db_snapshot: Any, moment: datetime, ok: bool
) -> None:
    set_clock(qctx, moment)
    if ok:
        assert queue.issue(qctx, "HT").number == "1001"
        return
    before = db_snapshot(qdb)
    with pytest.raises(ValidationError) as exc:
        queue.issue(qctx, "HT")
    assert exc.value.code == "service_closed"
    assert exc.value.params == {"name": "Hộ tịch", "opens": "07:00", "closes": "17:30"}
    assert db_snapshot(qdb) == before


def test_unknown_inactive_service_and_priority_are_refused(
    qctx: Any, qdb: Path, db_snapshot: Any
) -> None:
    configure(
        qctx,
        [
            {
                "code": "KD",
                "name": "Đăng ký kinh doanh",
                "prefix": "4",
                "counters": [3],
                "active": False,
            }
        ],
    )
    before = db_snapshot(qdb)
    for code in ("XX", "KD", ""):
        with pytest.raises(NotFound) as nf:
            queue.issue(qctx, code)
        assert nf.value.code == "service_unknown"
    with pytest.raises(ValidationError) as ve:
        queue.issue(qctx, "HT", "vip")
    assert ve.value.code == "priority_unknown"
    assert db_snapshot(qdb) == before
    assert "KD" not in {s.code for s in queue.list_services(qctx)}


# --- calling order --------------------------------------------------------------------------


def test_fifo_within_a_priority_and_priority_first(qctx: Any) -> None:
    plan = [
        ("a", ""),
        ("b", ""),
        ("c", "child"),
        ("d", "elderly"),  # same weight as child, later: after c
        ("e", ""),
        ("f", "pregnant"),
        ("g", "disabled"),
        ("h", ""),
    ]
    label = {}
    for i, (name, prio) in enumerate(plan):
        set_clock(qctx, at(9, i))
        label[queue.issue(qctx, "HT", prio).number] = name
    set_clock(qctx, at(10))
    called = [label[n] for n in call_all(qctx, 1)]
    assert called == ["c", "d", "f", "g", "a", "b", "e", "h"]


def test_fifo_pins_arrival_order_not_number_order(qctx: Any) -> None:
    """Equal priority, different arrival: the earlier one first, even across classes."""
    set_clock(qctx, at(9, 0))
    first_child = queue.issue(qctx, "HT", "child").number
    set_clock(qctx, at(9, 1))
    later_elderly = queue.issue(qctx, "HT", "elderly").number
    set_clock(qctx, at(9, 2))
    normal = queue.issue(qctx, "HT").number
    set_clock(qctx, at(9, 3))
    assert call_all(qctx, 2) == [first_child, later_elderly, normal]


def test_same_instant_falls_back_to_the_number(qctx: Any) -> None:
    numbers = [queue.issue(qctx, "CT").number for _ in range(5)]  # one fixed clock
    assert call_all(qctx, 3) == numbers


def test_a_counter_calls_only_its_services_in_arrival_order(qctx: Any) -> None:
    for i, code in enumerate(["HT", "DD", "CT", "KD", "HT"]):
        set_clock(qctx, at(9, i))
        queue.issue(qctx, code)
    set_clock(qctx, at(9, 30))
    assert call_all(qctx, 3) == ["3001", "2001", "4001"]  # counter 3: CT, DD, KD
    assert call_all(qctx, 1) == ["1001", "1002"]
    with pytest.raises(ValidationError) as exc:
        queue.call_next(qctx, 9)
    assert exc.value.code == "counter_serves_nothing"


# --- actions --------------------------------------------------------------------------------


def test_call_next_finishes_the_current_ticket(qctx: Any, qdb: Path) -> None:
    queue.issue(qctx, "HT")
    set_clock(qctx, at(9, 1))
    queue.issue(qctx, "HT")
    set_clock(qctx, at(9, 7, 30))
    first = queue.call_next(qctx, 1)
    assert first is not None
    assert (first.number, first.status, first.counter, first.calls) == ("1001", "called", 1, 1)
    assert first.waited_s == 450 and first.called_at == at(9, 7, 30)
    assert queue.current(qctx, 1) == first
    assert queue.current(qctx, 2) is None
    set_clock(qctx, at(9, 12))
    second = queue.call_next(qctx, 1)
    assert second is not None and second.number == "1002" and second.waited_s == 660
    status = dict(rows(qdb, "SELECT display, status FROM tickets"))
    assert status == {"1001": "done", "1002": "called"}
    set_clock(qctx, at(9, 20))
    assert queue.call_next(qctx, 1) is None  # nobody waits, but 1002 is finished
    assert queue.current(qctx, 1) is None
    finished = rows(qdb, "SELECT finished_at FROM tickets WHERE display = '1002'")
    assert finished == [("2026-11-26 02:20:00.000000",)]  # stored in UTC


def test_recall_skip_hold_finish(qctx: Any, qdb: Path) -> None:
    for i in range(4):
        set_clock(qctx, at(9, i))
        queue.issue(qctx, "HT")
    set_clock(qctx, at(9, 10))
    queue.call_next(qctx, 1)
    r = queue.recall(qctx, 1)
    assert (r.number, r.status, r.calls, r.counter) == ("1001", "called", 2, 1)
    assert queue.recall(qctx, 1).calls == 3
    s = queue.skip(qctx, 1)
    assert (s.number, s.status) == ("1001", "no_show")
    assert queue.current(qctx, 1) is None
    queue.call_next(qctx, 1)
    h = queue.hold(qctx, 1)
    assert (h.number, h.status) == ("1002", "held")
    queue.call_next(qctx, 1)
    f = queue.finish(qctx, 1)
    assert (f.number, f.status) == ("1003", "done")
    # the held ticket is not called again; the queue goes on
    assert call_all(qctx, 2) == ["1004"]
    assert dict(rows(qdb, "SELECT display, status FROM tickets")) == {
        "1001": "no_show",
        "1002": "held",
        "1003": "done",
        "1004": "done",  # call_all's last call_next found nobody and finished it
    }
    for action in (queue.recall, queue.skip, queue.hold, queue.finish):
        with pytest.raises(ValidationError) as exc:
            action(qctx, 1)
        assert exc.value.code == "counter_has_no_ticket"
        assert exc.value.params == {"counter": 1}
        with pytest.raises(ValidationError) as exc:
            action(qctx, 9)
        assert exc.value.code == "counter_serves_nothing"


def test_recent_calls_newest_first_with_recalls(qctx: Any) -> None:
    queue.issue(qctx, "HT")
    queue.issue(qctx, "DD")
    set_clock(qctx, at(9, 5))
    queue.call_next(qctx, 1)
    set_clock(qctx, at(9, 6))
    queue.call_next(qctx, 3)
    set_clock(qctx, at(9, 7))
    queue.recall(qctx, 1)
    calls = queue.recent_calls(qctx)
    assert calls == [
        queue.CallInfo("1001", "Hộ tịch", 1, at(9, 7), True),
        queue.CallInfo("3001", "Đất đai", 3, at(9, 6), False),
        queue.CallInfo("1001", "Hộ tịch", 1, at(9, 5), False),
    ]
    assert queue.recent_calls(qctx, limit=1) == calls[:1]
    set_clock(qctx, at(9, 0, day=DAY + timedelta(days=1)))
    assert queue.recent_calls(qctx) == []  # today's only


def test_transfer_to_a_service_keeps_number_and_place(qctx: Any, qdb: Path) -> None:
    queue.issue(qctx, "HT")  # 1001 at 9:00 (number 1, like CT's 2001 below)
    set_clock(qctx, at(9, 5))
    queue.issue(qctx, "CT")
    set_clock(qctx, at(9, 6))
    assert queue.call_next(qctx, 2).number == "1001"  # type: ignore[union-attr]
    set_clock(qctx, at(9, 7))
    queue.issue(qctx, "CT", "elderly")
    set_clock(qctx, at(9, 10))
    moved = queue.transfer(qctx, 2, to_service="CT")
    assert (moved.number, moved.service_code, moved.status, moved.counter) == (
        "1001",
        "CT",
        "waiting",
        None,
    )
    waiting = {s.code: (s.waiting, s.waiting_priority) for s in queue.list_services(qctx)}
    assert waiting["HT"] == (0, 0) and waiting["CT"] == (3, 1)
    # counter 3 serves CT only of these: priority first, then 1001 by its original arrival
    set_clock(qctx, at(9, 20))
    first = queue.call_next(qctx, 3)
    assert first is not None and first.number == "2002"
    again = queue.call_next(qctx, 3)
    assert again is not None
    assert (again.number, again.service_code, again.service_name) == ("1001", "CT", "Chứng thực")
    assert again.waited_s == 20 * 60  # measured from the original issue time
    assert queue.current(qctx, 3) == again
    assert call_all(qctx, 3) == ["2001"]
    assert rows(qdb, "SELECT number, display FROM tickets WHERE display = '1001'") == [(1, "1001")]


def test_transfer_to_a_counter(qctx: Any) -> None:
    queue.issue(qctx, "HT")  # 1001
    set_clock(qctx, at(9, 5))
    queue.issue(qctx, "CT")  # 2001
    set_clock(qctx, at(9, 6))
    queue.issue(qctx, "HT")  # 1002
    set_clock(qctx, at(9, 10))
    assert queue.call_next(qctx, 1).number == "1001"  # type: ignore[union-attr]
    moved = queue.transfer(qctx, 1, to_counter=3)  # counter 3 does not serve HT
    assert (moved.status, moved.service_code) == ("waiting", "HT")
    assert queue.current(qctx, 1) is None
    assert call_all(qctx, 2) == ["2001", "1002"]  # counter 2 never takes it
    assert call_all(qctx, 3) == ["1001"]


def test_transfer_refusals_change_nothing(qctx: Any, qdb: Path, db_snapshot: Any) -> None:
    queue.issue(qctx, "HT")
    queue.call_next(qctx, 1)
    before = db_snapshot(qdb)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "transfer_target_required"),
        ({"to_service": "CT", "to_counter": 3}, "transfer_target_required"),
        ({"to_service": "XX"}, "service_unknown"),
        ({"to_counter": 9}, "counter_serves_nothing"),
    ]
    for kwargs, code in cases:
        with pytest.raises((ValidationError, NotFound)) as exc:
            queue.transfer(qctx, 1, **kwargs)
        assert exc.value.code == code, kwargs
    with pytest.raises(ValidationError) as ve:
        queue.transfer(qctx, 2, to_service="CT")
    assert ve.value.code == "counter_has_no_ticket"
    assert db_snapshot(qdb) == before


# --- estimates ------------------------------------------------------------------------------


def test_estimates_use_counters_and_todays_service_time(qctx: Any) -> None:
    # HT has two counters; before any ticket is done the service time is 5 minutes
    got = [(t.ahead, t.estimated_wait_min) for t in (queue.issue(qctx, "HT") for _ in range(4))]
    assert got == [(0, 0), (1, 3), (2, 5), (3, 8)]
    # DD has one counter: "trước bạn 3 người · dự kiến 15 phút"
    for _ in range(3):
        queue.issue(qctx, "DD")
    t = queue.issue(qctx, "DD")
    assert (t.ahead, t.estimated_wait_min) == (3, 15)
    # today's service times at HT: 2 and 4 minutes -> 3 on average
    set_clock(qctx, at(9, 10))
    queue.call_next(qctx, 1)
    queue.call_next(qctx, 2)
    set_clock(qctx, at(9, 12))
    queue.finish(qctx, 1)
    set_clock(qctx, at(9, 14))
    queue.finish(qctx, 2)
    t = queue.issue(qctx, "HT")  # 1003, 1004 wait
    assert (t.ahead, t.estimated_wait_min) == (2, 3)
    # a priority ticket goes before the normal ones
    p = queue.issue(qctx, "HT", "pregnant")
    assert (p.ahead, p.estimated_wait_min) == (0, 0)
    p2 = queue.issue(qctx, "HT", "elderly")
    assert (p2.ahead, p2.estimated_wait_min) == (1, 2)  # 1/2 × 3 = 1.5 -> 2


# --- records --------------------------------------------------------------------------------


def test_every_action_writes_an_event_and_an_outbox_row(qctx: Any, qdb: Path) -> None:
    def outbox() -> list[tuple[str, str]]:
        return rows(
            qdb,
            "SELECT kind, json_extract(payload, '$.kind') FROM outbox "
            "WHERE kind LIKE 'ticket%' ORDER BY seq",
        )

    def events() -> list[tuple[str, str, Any]]:
        return rows(qdb, "SELECT kind, status, counter FROM ticket_events ORDER BY at, id")

    queue.issue(qctx, "HT")
    queue.issue(qctx, "HT")
    assert events() == [("issued", "waiting", None)] * 2
    assert outbox() == [("ticket", None), ("ticket_event", "issued")] * 2
    steps: list[tuple[Callable[[], Any], list[tuple[str, str, Any]]]] = [
        (lambda: queue.call_next(qctx, 1), [("called", "called", 1)]),
        (lambda: queue.recall(qctx, 1), [("recalled", "called", 1)]),
        (lambda: queue.hold(qctx, 1), [("held", "held", 1)]),
        (lambda: queue.call_next(qctx, 1), [("called", "called", 1)]),
        (lambda: queue.transfer(qctx, 1, to_service="CT"), [("transferred", "waiting", 1)]),
        (lambda: queue.call_next(qctx, 3), [("called", "called", 3)]),
        (lambda: queue.transfer(qctx, 3, to_counter=2), [("transferred", "waiting", 3)]),
        (lambda: queue.call_next(qctx, 2), [("called", "called", 2)]),
        (lambda: queue.skip(qctx, 2), [("skipped", "no_show", 2)]),
    ]
    for i, (step, new_events) in enumerate(steps):
        set_clock(qctx, at(10, i))
        seen_events, seen_outbox = len(events()), len(outbox())
        step()
        assert events()[seen_events:] == new_events, i
        assert outbox()[seen_outbox:] == [("ticket_event", e[0]) for e in new_events], i
    queue.issue(qctx, "HT")  # 1003
    queue.issue(qctx, "HT")  # 1004
    set_clock(qctx, at(11))
    queue.call_next(qctx, 1)
    set_clock(qctx, at(11, 5))
    seen_events, seen_outbox = len(events()), len(outbox())
    queue.call_next(qctx, 1)  # finishes 1003 first, then calls 1004: one transaction
    assert events()[seen_events:] == [("finished", "done", 1), ("called", "called", 1)]
    assert outbox()[seen_outbox:] == [("ticket_event", "finished"), ("ticket_event", "called")]
    payload = rows(
        qdb, "SELECT payload FROM outbox WHERE kind = 'ticket_event' ORDER BY seq DESC LIMIT 2"
    )[1][0]
    assert '"number":"1003"' in payload and '"status":"done"' in payload


def test_the_clerk_is_recorded(qctx: Any, qdb: Path) -> None:
    queue.issue(qctx, "HT")
    queue.call_next(qctx, 1, user="canbo1")
    queue.finish(qctx, 1, user="canbo2")
    who = rows(
        qdb,
        "SELECT e.kind, u.username FROM ticket_events e "
        "LEFT JOIN users u ON u.id = e.by_user_id ORDER BY e.at, e.id",
    )
    assert who == [("issued", None), ("called", "canbo1"), ("finished", "canbo2")]
    assert rows(qdb, "SELECT u.username FROM tickets t JOIN users u ON u.id = t.served_by") == [
        ("canbo1",)
    ]
    queue.issue(qctx, "HT")
    with pytest.raises(NotFound) as exc:
        queue.call_next(qctx, 1, user="nobody")
    assert exc.value.code == "user_unknown"


# --- services, links, set-up ---------------------------------------------------------------


def test_list_services_with_waiting_counts(qctx: Any) -> None:
    queue.issue(qctx, "HT")
    queue.issue(qctx, "HT", "elderly")
    queue.issue(qctx, "CT")
    listed = queue.list_services(qctx)
    hours = ("07:00", "17:30", True)  # the demo's; open at 09:00
    assert listed == [
        queue.ServiceInfo("HT", "Hộ tịch", "1", (1, 2), 2, 1, *hours),
        queue.ServiceInfo("CT", "Chứng thực", "2", (1, 2, 3), 1, 0, *hours),
        queue.ServiceInfo("DD", "Đất đai", "3", (3,), 0, 0, *hours),
        queue.ServiceInfo("KD", "Đăng ký kinh doanh", "4", (3,), 0, 0, *hours),
    ]
    set_clock(qctx, at(9, 0, day=DAY + timedelta(days=1)))
    assert all(s.waiting == 0 for s in queue.list_services(qctx))  # counts are today's
    set_clock(qctx, at(17, 30))
    assert not any(s.open_now for s in queue.list_services(qctx))  # closes is exclusive


def test_link_dossier(qctx: Any) -> None:
    t = queue.issue(qctx, "HT")
    with qctx.uow.write() as s:
        d = s.scalars(select(Dossier).limit(1)).one()
        queue.link_dossier(s, t.id, d)
        code = d.code
    with qctx.uow.read() as s:
        assert s.scalars(select(Dossier).where(Dossier.code == code)).one().ticket_id == t.id
    with pytest.raises(NotFound) as exc, qctx.uow.write() as s:
        queue.link_dossier(s, "no-such-ticket", s.scalars(select(Dossier).limit(1)).one())
    assert exc.value.code == "ticket_unknown"


def test_set_up_services_is_idempotent_and_validated(qctx: Any, qdb: Path) -> None:
    from counter_app.services.setup import DEMO_QUEUE_SERVICES

    before = rows(qdb, "SELECT * FROM queue_services ORDER BY code")
    configure(qctx, [dict(d) for d in DEMO_QUEUE_SERVICES])
    assert rows(qdb, "SELECT * FROM queue_services ORDER BY code") == before
    configure(
        qctx, [{"code": "HT", "name": "Hộ tịch – khai sinh", "prefix": "1", "counters": [2, 1, 2]}]
    )
    assert queue.list_services(qctx)[0] == queue.ServiceInfo(
        "HT", "Hộ tịch – khai sinh", "1", (1, 2), opens="07:30", closes="17:00"
    )
    bad: list[dict[str, Any]] = [
        {"code": "h t", "name": "X", "prefix": "7", "counters": [1]},
        {"code": "NEW", "name": "", "prefix": "7", "counters": [1]},
        {"code": "NEW", "name": "X", "prefix": "A", "counters": [1]},
        {"code": "NEW", "name": "X", "prefix": "7", "counters": []},
        {"code": "NEW", "name": "X", "prefix": "7", "counters": [0]},
        {"code": "NEW", "name": "X", "prefix": "7", "counters": [1], "end_number": 0},
        {"code": "NEW", "name": "X", "prefix": "7", "counters": [1], "opens": "18:00"},
        {"code": "NEW", "name": "X", "prefix": "7", "counters": [1], "closes": "25:00"},
        {"code": "NEW", "name": "X", "prefix": "1", "counters": [1]},  # HT's prefix
    ]
    for raw in bad:
        with pytest.raises(ValidationError) as exc:
            configure(qctx, [raw])
        assert exc.value.code == "service_config_invalid", raw
    assert len(queue.list_services(qctx)) == 4
