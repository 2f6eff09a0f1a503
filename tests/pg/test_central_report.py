"""`central report`: the province's figures, computed on central from what the units pushed,
equal the sum of the units' own reports over the same days (DESIGN.md §4)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select
from sync_support import NINE, take_dossiers
from sync_support import UNIT_A as A
from sync_support import UNIT_B as B

from counter_app.app import run_cli
from counter_app.db.models import Dossier
from counter_app.domain.report import COUNT_KEYS
from counter_app.services.actions import act
from counter_app.services.report import unit_report
from counter_app.services.sync import Syncer
from counter_app.sync.central_report import province_report

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def codes(ctx: Any) -> list[str]:
    with ctx.uow.read() as s:
        return list(
            s.scalars(
                select(Dossier.code).where(Dossier.status == "accepted").order_by(Dossier.code)
            )
        )


def test_the_province_is_the_sum_of_its_units(
    central_url: str,
    unit_urls: dict[str, str],
    counter: Any,
    transports: Any,
    capsys: Any,
    tmp_path: Path,
) -> None:
    a, b = counter(A), counter(B, name="c2")
    take_dossiers(a, 5)
    take_dossiers(b, 4, start=10)
    ca, cb = codes(a), codes(b)
    later = NINE + timedelta(minutes=1)
    act(a, ca[0], "result-ready", "canbo1", at=later)
    act(a, ca[0], "return", "canbo1", at=later, tracking="EE123456789VN")
    act(a, ca[1], "refuse", "canbo1", at=later, reason="Không đủ điều kiện")
    act(a, ca[2], "withdraw", "canbo1", at=later)
    act(
        b,
        cb[0],
        "apologize",
        "canbo1",
        at=later,
        reason="Chờ xác minh",
        new_due=NINE.date() + timedelta(days=14),
    )
    act(b, cb[1], "result-ready", "canbo1", at=later)
    for ctx, unit in ((a, A), (b, B)):
        assert Syncer(ctx, transports(unit_urls[unit])).run_once().waiting == 0

    local = {A: unit_report(a, *NOV).as_json(), B: unit_report(b, *NOV).as_json()}
    province = province_report(central_url, *NOV)
    by_unit = {r["unit"]: r for r in province["by_unit"]}
    for unit in (A, B):
        assert {k: by_unit[unit][k] for k in COUNT_KEYS} == {
            k: local[unit]["totals"][k] for k in COUNT_KEYS
        }
    assert {k: province["totals"][k] for k in COUNT_KEYS} == {
        k: local[A]["totals"][k] + local[B]["totals"][k] for k in COUNT_KEYS
    }
    t = province["totals"]
    assert t["received"] > 0 and t["resolved"] == 2 and t["refused"] == 1
    assert t["returned_postal"] == 1 and t["withdrawn"] == 1
    # per procedure the sums hold too (central's catalogue may name them differently)
    for row in province["by_procedure"]:
        mine = [
            r
            for u in (A, B)
            for r in local[u]["by_procedure"]
            if r["procedure"] == row["procedure"]
        ]
        assert row["received"] == sum(r["received"] for r in mine)

    # the command line: the same JSON, and a PDF
    capsys.readouterr()
    assert (
        run_cli(
            [
                "central",
                "report",
                "--url",
                central_url,
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == province
    out = tmp_path / "tinh.pdf"
    argv = ["central", "report", "--url", central_url, "--from", "2026-11-01", "--to", "2026-11-30"]
    assert run_cli([*argv, "-o", str(out)]) == 0
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "TOÀN TỈNH" in text and "Theo đơn vị" in text and A in text and B in text
