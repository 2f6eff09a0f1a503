"""Look-up by a short code (issue 14 item 12): the code without the unit's part
("261202-0001") and a bare sequence number ("0001", "1") meaning today's, by the pinned clock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pinned_clock import TestClock, at

from counter_app.app import build_context
from counter_app.services import lookup
from counter_app.services.context import ServiceContext
from counter_app.services.intake import IntakeRequest, register
from counter_app.services.setup import init_database


@pytest.fixture
def ctx(tmp_path: Path, clock: TestClock) -> ServiceContext:
    c = build_context(db=str(tmp_path / "short.db"))
    c.clock = clock
    init_database(c, demo=True)
    return c


def _today_first(ctx: ServiceContext) -> str:
    rows = lookup.received_on_day(ctx)
    return min(rows, key=lambda r: r.code).code


def test_unit_less_code_finds_the_dossier(ctx: ServiceContext) -> None:
    register(ctx, [IntakeRequest(procedure="2.000815", name="Trần Văn Mới")], "canbo1")
    code = _today_first(ctx)
    short = "-".join(code.split("-")[-2:])  # 261202-0001
    assert [r.code for r in lookup.search(ctx, short)] == [code]
    assert [r.code for r in lookup.search(ctx, f" {short.lower()} ")] == [code]


def test_bare_sequence_means_today(ctx: ServiceContext, clock: TestClock) -> None:
    register(ctx, [IntakeRequest(procedure="2.000815", name="Trần Văn Mới")], "canbo1")
    code = _today_first(ctx)
    seq = code.rsplit("-", 1)[1]
    assert [r.code for r in lookup.search(ctx, seq)] == [code]
    assert [r.code for r in lookup.search(ctx, str(int(seq)))] == [code]
    # Tomorrow "0001" is tomorrow's number 1: not today's dossier.
    clock.set(at(9, day=clock().date().replace(day=3)))
    assert code not in [r.code for r in lookup.search(ctx, seq)]


def test_show_takes_a_short_code_on_the_command_line(cli, demo_db, clock: TestClock) -> None:
    res = cli("--json", "show", "261202-0001")
    assert res.rc == 1  # nothing received today yet: refused, in one Vietnamese line
    ctx = build_context(db=str(demo_db))
    ctx.clock = clock
    register(ctx, [IntakeRequest(procedure="2.000815", name="Trần Văn Mới")], "canbo1")
    code = _today_first(ctx)
    ctx.uow.engine.dispose()
    for short in ("-".join(code.split("-")[-2:]), code.rsplit("-", 1)[1], "1"):
        res = cli("--json", "show", short)
        assert res.rc == 0, res.err
        assert json.loads(res.out)["code"] == code
