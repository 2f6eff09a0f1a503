"""`counter-app ticket …` (DESIGN.md §4): JSON shapes, Vietnamese lines, clean refusals."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pinned_clock import TestClock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 26)


def ok_json(res: Any) -> Any:
    assert res.rc == 0, res.err
    assert res.err == ""
    return json.loads(res.out)


@pytest.fixture
def tcli(cli: Any, demo_db: Path, clock: TestClock, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The in-process CLI on the test clock, frozen (09:00 on DAY until a test moves it).

    COUNTER_APP_NOW would let the clock run on by a few milliseconds between commands;
    the exact waits asserted here need it to stand still.
    """
    from counter_app import app

    clock.set(datetime.combine(DAY, time(9), VN))
    real = app.open_context

    def fixed_context(args: Any) -> Any:
        ctx = real(args)
        ctx.clock = clock
        return ctx

    monkeypatch.setattr(app, "open_context", fixed_context)
    return cli


@pytest.fixture
def refused(tcli: Any, demo_db: Path, db_snapshot: Any, itest: Any) -> Any:
    """refused(*args) -> the one Vietnamese line; the command failed and wrote nothing."""

    def check(*args: Any, rc: int = 1) -> str:
        before = db_snapshot(demo_db)
        res = tcli(*args)
        assert res.rc == rc, (res.rc, res.err)
        assert res.out == ""
        line: str = itest.assert_one_vietnamese_line(res.err)
        assert db_snapshot(demo_db) == before
        return line

    return check


def test_services_json(tcli: Any) -> None:
    assert ok_json(tcli("--json", "ticket", "services")) == [
        {"code": "HT", "name": "Hộ tịch", "prefix": "1", "counters": [1, 2]},
        {"code": "CT", "name": "Chứng thực", "prefix": "2", "counters": [1, 2, 3]},
        {"code": "DD", "name": "Đất đai", "prefix": "3", "counters": [3]},
        {"code": "KD", "name": "Đăng ký kinh doanh", "prefix": "4", "counters": [3]},
    ]
    human = tcli("ticket", "services")
    assert human.rc == 0 and "Hộ tịch" in human.out and "quầy 1, 2" in human.out


def test_issue_json_and_human(tcli: Any) -> None:
    first = ok_json(tcli("--json", "ticket", "issue", "--service", "HT"))
    assert first == {"number": "1001", "service": "HT", "ahead": 0, "estimated_wait_min": 0}
    res = tcli("--json", "ticket", "issue", "--service", "HT", "--printer", "loop://")
    second = json.loads(res.out)  # loop:// with no reader holds the data like flow control:
    assert res.rc == 0 and res.err.startswith("Cảnh báo:")  # a warning; the ticket is issued
    assert {k: second[k] for k in ("number", "service", "ahead", "estimated_wait_min")} == {
        "number": "1002",
        "service": "HT",
        "ahead": 1,
        "estimated_wait_min": 3,
    }
    assert second["printed"] is False
    prio = ok_json(tcli("--json", "ticket", "issue", "--service", "HT", "--priority", "elderly"))
    assert prio == {"number": "1003", "service": "HT", "ahead": 0, "estimated_wait_min": 0}
    for _ in range(3):
        tcli("ticket", "issue", "--service", "DD")
    res = tcli("ticket", "issue", "--service", "DD")
    assert (res.rc, res.err) == (0, "")
    assert res.out == "Số 3004 · Đất đai · trước bạn 3 người · dự kiến 15 phút\n"


def test_call_next_and_the_counter_actions(tcli: Any, clock: TestClock) -> None:
    assert ok_json(tcli("--json", "ticket", "call-next", "--counter", "1")) == {"number": None}
    tcli("ticket", "issue", "--service", "HT")
    tcli("ticket", "issue", "--service", "CT")
    clock.set(datetime.combine(DAY, time(9, 4, 30), VN))
    called = ok_json(tcli("--json", "ticket", "call-next", "--counter", "2"))
    assert called == {"number": "1001", "service": "HT", "counter": 2, "waited_s": 270}
    recalled = ok_json(tcli("--json", "ticket", "recall", "--counter", "2"))
    assert recalled == {"number": "1001", "service": "HT", "counter": 2, "status": "called"}
    done = ok_json(tcli("--json", "ticket", "finish", "--counter", "2"))
    assert done == {"number": "1001", "service": "HT", "counter": 2, "status": "done"}
    res = tcli("ticket", "call-next", "--counter", "3")
    assert res.out == "Mời số 2001 đến quầy số 3 · Chứng thực · đã chờ 4 phút\n"
    skipped = ok_json(tcli("--json", "ticket", "skip", "--counter", "3"))
    assert skipped == {"number": "2001", "service": "CT", "counter": 3, "status": "no_show"}
    res = tcli("ticket", "call-next", "--counter", "3")
    assert res.out == "Không còn ai chờ ở quầy số 3.\n"


def test_hold_and_transfer_commands(tcli: Any) -> None:
    tcli("ticket", "issue", "--service", "HT")
    tcli("ticket", "issue", "--service", "HT")
    tcli("ticket", "call-next", "--counter", "1")
    moved = ok_json(tcli("--json", "ticket", "transfer", "--counter", "1", "--to-service", "KD"))
    assert moved == {"number": "1001", "service": "KD", "counter": 1, "status": "waiting"}
    assert tcli("ticket", "call-next", "--counter", "3").out.startswith("Mời số 1001 ")
    res = tcli("ticket", "transfer", "--counter", "3", "--to-counter", "2")
    assert res.out == "Đã chuyển số 1001 sang quầy số 2\n"
    assert tcli("ticket", "call-next", "--counter", "2").out.startswith("Mời số 1001 ")
    held = ok_json(tcli("--json", "ticket", "hold", "--counter", "2"))
    assert held == {"number": "1001", "service": "KD", "counter": 2, "status": "held"}


def test_unknown_service(refused: Any) -> None:
    line = refused("ticket", "issue", "--service", "XX")
    assert "XX" in line


def test_unknown_priority(refused: Any) -> None:
    assert "ưu tiên" in refused("ticket", "issue", "--service", "HT", "--priority", "vip")


def test_outside_service_hours(refused: Any, clock: TestClock) -> None:
    clock.set(datetime.combine(DAY, time(17, 45), VN))
    line = refused("ticket", "issue", "--service", "HT")
    assert "07:00" in line and "17:30" in line


@pytest.mark.parametrize("action", ["call-next", "recall", "skip", "finish", "hold"])
def test_a_counter_serving_nothing(refused: Any, action: str) -> None:
    assert "Quầy số 9" in refused("ticket", action, "--counter", "9")


@pytest.mark.parametrize("action", ["recall", "skip", "finish", "hold"])
def test_a_counter_without_a_ticket(refused: Any, action: str) -> None:
    assert "chưa gọi số nào" in refused("ticket", action, "--counter", "1")


@pytest.mark.parametrize("value", ["abc", "0", "-1"])
def test_a_counter_that_is_not_a_number(refused: Any, value: str) -> None:
    assert "số quầy" in refused("ticket", "call-next", "--counter", value, rc=2)


def test_transfer_refusals(refused: Any, tcli: Any) -> None:
    tcli("ticket", "issue", "--service", "HT")
    tcli("ticket", "call-next", "--counter", "1")
    refused("ticket", "transfer", "--counter", "1", "--to-service", "XX")
    refused("ticket", "transfer", "--counter", "1", "--to-counter", "9")
