"""Idempotent intake on an office PostgreSQL (issue 11 §5): counters on separate connections
retrying the same request ids register each dossier once and all get its code."""

from __future__ import annotations

import threading
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from counter_app.db.models import Dossier, IntakeRequestRow
from counter_app.domain.errors import ValidationError
from counter_app.services.intake import IntakeRequest, register
from counter_app.services.setup import init_database

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NINE = datetime.combine(date(2026, 11, 26), time(9), VN)


def req(i: int, **over: Any) -> IntakeRequest:
    values: dict[str, Any] = {
        "procedure": "1.004873",
        "name": f"Người Thứ {chr(65 + i % 26)}",
        "phone": "0912345678",
        "request_id": f"pg-{i}",
    }
    values.update(over)
    return IntakeRequest(**values)


def test_counters_retrying_the_same_ids_on_postgres(pg_url: str, pg_context: Any) -> None:
    first = pg_context(pg_url, now=NINE)
    init_database(first, demo=True)
    ctxs = [first, *(pg_context(pg_url, now=NINE) for _ in range(3))]
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(ctxs))

    def work(k: int) -> None:
        try:
            barrier.wait()
            results[k] = [register(ctxs[k], [req(i)], "canbo1")[0].code for i in range(15)]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(ctxs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    assert all(r == results[0] for r in results.values())
    assert len(set(results[0])) == 15
    with first.uow.read() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 15 + 6  # + the demo's
        assert s.scalar(select(func.count()).select_from(IntakeRequestRow)) == 15
    with pytest.raises(ValidationError) as refused:
        register(first, [req(3, phone="0987654321")], "canbo1")
    assert refused.value.code == "intake_request_reused"
