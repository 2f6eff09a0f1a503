"""Queue, intake and due dates at three pinned moments of one working day, and across midnight.

The moments (pinned_clock.MOMENTS) on Wednesday 02/12/2026: 03:00 (before the demo services
open at 07:00), 16:59 (open; after the 15:00 intake cut-off) and 23:59:30 (closed; the
clock then crosses midnight). The service layer reads the test clock through ctx.clock;
the command line reads the same instant through COUNTER_APP_NOW.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from pinned_clock import PINNED_DAY, TestClock, at

from counter_app.domain.errors import ValidationError
from counter_app.services import queue
from counter_app.services.intake import IntakeRequest, register
from counter_app.services.units import local_unit

NEXT_DAY = PINNED_DAY + timedelta(days=1)
# Per moment: are the demo services (07:00-17:30) issuing tickets, and the due date of a
# 3-working-day dossier received then (cut-off 15:00, office hours 07:30-17:00).
EXPECTED = {
    "03:00": {"open": False, "due_at": "2026-12-07T07:30:00+07:00"},  # R = Wed, time 07:30
    "16:59": {"open": True, "due_at": "2026-12-08T16:59:00+07:00"},  # R = Thu
    "23:59:30": {"open": False, "due_at": "2026-12-08T17:00:00+07:00"},  # R = Thu, at closing
}


def moment_id(clock: TestClock) -> str:
    t = clock.local().time()
    return next(k for k in EXPECTED if t.isoformat().startswith(k))


def tickets(ctx: Any) -> int:
    from sqlalchemy import func, select

    from counter_app.db.models import Ticket

    with ctx.uow.read() as s:
        return int(s.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_pinned_day_is_a_plain_working_day() -> None:
    from counter_app.domain.workdays import WorkCalendar

    cal = WorkCalendar()
    week = [PINNED_DAY + timedelta(days=i) for i in range(-6, 9)]
    assert [d for d in week if not cal.is_working_day(d)] == [d for d in week if d.weekday() >= 5]


def test_ticket_issue_follows_the_service_hours(moment: TestClock, demo_db, make_context) -> None:
    ctx = make_context(demo_db)
    ctx.clock = moment
    if EXPECTED[moment_id(moment)]["open"]:
        t = queue.issue(ctx, "HT")
        assert t.number == "1001" and t.issued_at == moment.local()
        called = queue.call_next(ctx, 1)
        assert called is not None and called.id == t.id
        assert all(s.open_now for s in queue.list_services(ctx))
    else:
        with pytest.raises(ValidationError) as err:
            queue.issue(ctx, "HT")
        assert err.value.code == "service_closed"
        assert err.value.params == {"name": "Hộ tịch", "opens": "07:00", "closes": "17:30"}
        assert tickets(ctx) == 0
        assert not any(s.open_now for s in queue.list_services(ctx))
        assert queue.call_next(ctx, 1) is None


def test_cli_ticket_issue_and_call_next(moment: TestClock, cli, demo_db, itest) -> None:
    res = cli("--json", "ticket", "issue", "--service", "HT")
    if EXPECTED[moment_id(moment)]["open"]:
        assert res.rc == 0, res.err
        assert json.loads(res.out)["number"] == "1001"
        called = cli("--json", "ticket", "call-next", "--counter", "1")
        assert called.rc == 0 and json.loads(called.out)["number"] == "1001"
    else:
        assert (res.rc, res.out) == (1, "")
        line = itest.assert_one_vietnamese_line(res.err)
        assert line == "Lỗi: Lĩnh vực Hộ tịch chỉ phát số từ 07:00 đến 17:30."
        assert json.loads(cli("--json", "ticket", "call-next", "--counter", "1").out) == {
            "number": None
        }


def test_cli_intake_code_and_due_date(moment: TestClock, cli, demo_db, itest, write_json) -> None:
    """Intake works at any hour; the code carries the day it was received."""
    res = cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    [view] = json.loads(res.out)
    assert view["code"] == itest.code_for(PINNED_DAY, 1)
    assert view["due_at"] == EXPECTED[moment_id(moment)]["due_at"]


def test_the_clock_crosses_midnight(
    clock: TestClock, cli, demo_db, itest, write_json, make_context
) -> None:
    """Day-keyed numbers start again after midnight: dossier codes and ticket numbers."""
    clock.set(at(12))
    assert json.loads(cli("--json", "ticket", "issue", "--service", "HT").out)["number"] == "1001"
    clock.set(at(23, 59, 30))

    def intake() -> Any:
        res = cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1")
        assert res.rc == 0, res.err
        return json.loads(res.out)[0]

    first = intake()
    assert first["code"] == itest.code_for(PINNED_DAY, 1)
    clock.advance(seconds=29)  # 23:59:59
    assert intake()["code"] == itest.code_for(PINNED_DAY, 2)
    # A service open around the clock (its last minute is 23:58-23:59) issues nothing now …
    ctx = make_context(demo_db)
    ctx.clock = clock
    around_the_clock = {"opens": "00:00", "closes": "23:59"}
    ht = {"code": "HT", "name": "Hộ tịch", "prefix": "1", "counters": [1, 2], **around_the_clock}
    with ctx.uow.write() as s:
        queue.set_up_services(s, local_unit(s).id, [ht])
    assert "Hộ tịch" in cli("ticket", "issue", "--service", "HT").err
    clock.advance(seconds=1)  # 00:00:00 on Thursday
    assert clock.today() == NEXT_DAY
    third = intake()
    assert third["code"] == itest.code_for(NEXT_DAY, 1)
    assert third["due_at"] == "2026-12-08T07:30:00+07:00"
    # … and after midnight numbers start again; yesterday's waiting ticket is not called.
    assert json.loads(cli("--json", "ticket", "call-next", "--counter", "1").out) == {
        "number": None
    }
    assert json.loads(cli("--json", "ticket", "issue", "--service", "HT").out)["number"] == "1001"
    assert json.loads(cli("--json", "ticket", "call-next", "--counter", "1").out)["number"] == (
        "1001"
    )
    assert [s.waiting for s in queue.list_services(ctx) if s.code == "HT"] == [0]


def test_service_layer_intake_across_midnight(moment: TestClock, demo_db, make_context) -> None:
    """register() keys the code on the local day of ctx.clock, whatever the moment."""
    ctx = make_context(demo_db)
    ctx.clock = moment
    first = register(ctx, [IntakeRequest(procedure="2.000815", name="Lý Thị Mai")], "canbo1")[0]
    assert first.code.split("-")[1] == f"{PINNED_DAY:%y%m%d}"
    moment.advance(hours=1)
    again = register(ctx, [IntakeRequest(procedure="2.000815", name="Lý Thị Mai")], "canbo1")[0]
    day = moment.today()
    seq = 2 if day == PINNED_DAY else 1
    assert again.code.endswith(f"-{day:%y%m%d}-{seq:04d}")
