"""Reference data central → unit: catalogue, calendar overrides, accounts and the unit
itself arrive in pages; each page and its cursor in one local transaction; tombstones
remove; a writer that commits late is never skipped."""

from __future__ import annotations

import copy
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sync_support import UNIT_A as A
from sync_support import FaultyTransport, assert_in_step, request

from counter_app.db.models import CalendarOverride, Procedure
from counter_app.domain.errors import AuthError
from counter_app.services.auth import login
from counter_app.services.setup import init_database, load_catalogue_file, sample_catalogue_path
from counter_app.services.sync import Syncer
from counter_app.sync import central
from counter_app.sync.transport import Offline


def _catalogue(fee_bump: int = 0, extra: bool = False) -> dict[str, Any]:
    data = copy.deepcopy(load_catalogue_file(sample_catalogue_path()))
    data["procedures"][0]["fee"] += fee_bump
    if extra:
        data["procedures"].append(
            {
                "code": "9.000001",
                "name": "Thủ tục thử nghiệm của tỉnh",
                "sector": "Thử nghiệm",
                "level": "commune",
                "processing_days": 5,
                "fee": 0,
                "documents": [{"name": "Đơn đề nghị", "kind": "original", "count": 1}],
            }
        )
    return data


def _current(ctx: Any, code: str) -> Procedure | None:
    with ctx.uow.read() as s:
        return s.scalar(select(Procedure).where(Procedure.code == code, Procedure.is_current))


def test_catalogue_calendar_and_accounts_arrive(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    first = _catalogue()["procedures"][0]["code"]
    central.import_catalogue(central_url, _catalogue(fee_bump=5000, extra=True))
    central.set_calendar(central_url, date(2026, 12, 24), "off", "Nghỉ bù")
    central.set_user(central_url, A, "an.nv", "Nguyễn Văn An", "clerk", "mat-khau-1")
    report = Syncer(ctx, transports(unit_urls[A])).run_once()
    assert report.pulled["procedures"] == 2  # the changed fee (a new version) and the new one
    assert report.pulled["calendar_overrides"] == 1 and report.pulled["users"] == 1
    proc = _current(ctx, first)
    assert (
        proc is not None
        and proc.version == 2
        and proc.fee == _catalogue()["procedures"][0]["fee"] + 5000
    )
    assert _current(ctx, "9.000001") is not None
    with ctx.uow.read() as s:
        off = s.get(CalendarOverride, date(2026, 12, 24))
        assert off is not None and not off.is_workday and off.note == "Nghỉ bù"
    assert login(ctx, "an.nv", "mat-khau-1").role == "clerk"
    # Nothing new: nothing applied; a password change and tombstones do apply.
    assert sum(Syncer(ctx, transports(unit_urls[A])).run_once().pulled.values()) == 0
    central.set_calendar(central_url, date(2026, 12, 24), "none")
    central.remove_user(central_url, "an.nv")
    Syncer(ctx, transports(unit_urls[A])).run_once()
    with ctx.uow.read() as s:
        assert s.get(CalendarOverride, date(2026, 12, 24)) is None
    with pytest.raises(AuthError):
        login(ctx, "an.nv", "mat-khau-1")


def test_pages_survive_a_cut_link(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    for i in range(23):
        central.set_calendar(central_url, date(2027, 1, 1 + i), "off", f"ngày {i}")
    calls = {"n": 0}
    inner = transports(unit_urls[A])

    class CutOnThirdPage(FaultyTransport):
        def fetch(self, table: str, after: int, limit: int) -> list[dict[str, Any]]:
            if table == "calendar_overrides":
                calls["n"] += 1
                if calls["n"] == 3:
                    raise Offline("central_unreachable", url="test", detail="cut mid-pull")
            return self.inner.fetch(table, after, limit)

    syncer = Syncer(ctx, CutOnThirdPage(inner), page_rows=5)
    with pytest.raises(Offline):
        syncer.run_once()
    with ctx.uow.read() as s:  # two whole pages kept, with their cursor
        assert len(s.scalars(select(CalendarOverride)).all()) == 10
    report = syncer.run_once()
    assert report.pulled["calendar_overrides"] == 13
    with ctx.uow.read() as s:
        assert len(s.scalars(select(CalendarOverride)).all()) == 23


def test_a_reference_writer_that_commits_late_is_not_skipped(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    admin = central_url.replace("+psycopg", "")
    slow = psycopg.connect(admin)
    # The slow writer draws its row_version and holds its transaction open...
    slow.execute(
        "INSERT INTO central.calendar_overrides (day, is_workday, note) "
        "VALUES ('2027-02-01', false, 'chậm')"
    )
    # ...a quick writer comes later; it must wait, not take a version and commit first.
    done = threading.Event()

    def quick() -> None:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(
                "INSERT INTO central.calendar_overrides (day, is_workday, note) "
                "VALUES ('2027-02-02', false, 'nhanh')"
            )
        done.set()

    th = threading.Thread(target=quick)
    th.start()
    time.sleep(0.3)
    Syncer(ctx, transports(unit_urls[A])).run_once()  # a pull in between sees neither
    with ctx.uow.read() as s:
        assert not s.scalars(select(CalendarOverride)).all()
    slow.commit()
    slow.close()
    th.join(10)
    assert done.is_set()
    Syncer(ctx, transports(unit_urls[A])).run_once()
    with ctx.uow.read() as s:
        days = {r.day for r in s.scalars(select(CalendarOverride))}
    assert {date(2027, 2, 1), date(2027, 2, 2)} <= days


def test_a_fresh_database_is_set_up_from_central(
    central_url: str,
    unit_urls: dict[str, str],
    make_context: Any,
    tmp_path: Path,
    transports: Any,
) -> None:
    central.import_catalogue(central_url, _catalogue())
    central.set_user(central_url, A, "an.nv", "Nguyễn Văn An", "clerk", "mat-khau-1")
    ctx = make_context(tmp_path / "fresh.db")
    init_database(ctx, demo=False)
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert login(ctx, "an.nv", "mat-khau-1").username == "an.nv"

    from counter_app.services.intake import register

    views = register(ctx, [request(i) for i in range(3)], "an.nv")
    assert all(v.code.startswith(A + "-") for v in views)
    Syncer(ctx, transports(unit_urls[A])).run_once()
    assert_in_step(ctx, central_url, A)
