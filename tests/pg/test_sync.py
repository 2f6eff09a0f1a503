"""Sync against a real PostgreSQL: counters on SQLite files push their outbox, pull the
reference data; links fail before and after commit, batches repeat and reorder, two
counters push at once, a backend is terminated mid-batch. After each: every event exactly
once centrally, codes unique, counts equal (sync_support.assert_in_step)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_support import NINE, FaultyTransport, assert_in_step, local_counts, take_dossiers

from counter_app.services.setup import init_database
from counter_app.sync import central
from counter_app.sync.client import PgTransport, Syncer, local_status

A, B = "000.20.25.H01", "000.20.25.H02"


@pytest.fixture
def central_url(pg_url: str) -> str:
    central.init_central(pg_url)
    return pg_url


@pytest.fixture
def unit_urls(central_url: str) -> dict[str, str]:
    return {
        a: central.add_unit(central_url, central.UnitSpec(a, f"UBND XÃ {a[-3:]}"))["url"]
        for a in (A, B)
    }


@pytest.fixture
def counter(tmp_path: Path, make_context: Callable[..., Any]) -> Callable[..., Any]:
    """counter(agency, name="c1", now=NINE) -> a demo counter on its own SQLite file."""

    def make(agency: str = A, name: str = "c1", now: Any = NINE) -> Any:
        ctx = make_context(tmp_path / f"{name}.db", now=now)
        init_database(ctx, demo=True, agency=agency)
        return ctx

    return make


@pytest.fixture
def transports() -> Iterator[Callable[[str], PgTransport]]:
    made: list[PgTransport] = []

    def make(url: str) -> PgTransport:
        t = PgTransport(url, sslmode="disable")
        made.append(t)
        return t

    yield make
    for t in made:
        t.close()


def test_a_counter_pushes_everything_once(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 30, per_txn=3)
    report = Syncer(ctx, transports(unit_urls[A])).run_once()
    assert report.unit == A and report.waiting == 0
    assert report.pushed == local_counts(ctx)["top_seq"]
    assert_in_step(ctx, central_url, A)
    st = local_status(ctx)
    assert st.waiting == 0 and st.rejected == 0 and st.last_ok_at is not None
    # A second round has nothing to send and changes nothing.
    again = Syncer(ctx, transports(unit_urls[A])).run_once()
    assert again.pushed == 0 and again.batches == 0
    assert_in_step(ctx, central_url, A)


def test_link_drops_before_and_after_commit(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    ctx = counter(A)
    take_dossiers(ctx, 40)
    ft = FaultyTransport(transports(unit_urls[A]), plan=["ok", "drop_before", "drop_after"])
    syncer = Syncer(ctx, ft, batch=20)
    for _ in range(2):
        with pytest.raises(Exception) as exc:
            syncer.run_once()
        assert exc.value.code == "central_unreachable"  # type: ignore[attr-defined]
    assert local_status(ctx).waiting > 0
    syncer.run_once()
    assert_in_step(ctx, central_url, A)
