"""Helpers for the sync tests: counters on real SQLite files, a central on the test server,
and transports that fail the way links and servers fail."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import create_engine, func, select

from counter_app.db.models import Dossier, DossierEvent, OutboxEvent, Ticket, TicketEvent
from counter_app.services.intake import IntakeRequest, register
from counter_app.sync import central
from counter_app.sync.transport import Offline, PgTransport, PushReply, Transport

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 26)  # a plain Thursday
NINE = datetime.combine(DAY, time(9), VN)
PROC = "1.004873"
UNIT_A, UNIT_B = "000.20.25.H01", "000.20.25.H02"
NAMES = ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Quang Đức", "Phạm Thị Hồng Nhung")


def request(i: int, at: datetime | None = None) -> IntakeRequest:
    """The i-th applicant; received now (the context's clock) unless `at` is given."""
    return IntakeRequest(
        procedure=PROC,
        name=NAMES[i % len(NAMES)],
        id_number=f"0790900{i % 100000:05d}",
        phone="0912345678",
        address="Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
        received_at=at,
    )


def take_dossiers(ctx: Any, n: int, *, start: int = 0, per_txn: int = 1) -> None:
    """Register n dossiers (per_txn per transaction) as the demo clerk."""
    i = start
    while i < start + n:
        k = min(per_txn, start + n - i)
        register(ctx, [request(j) for j in range(i, i + k)], "canbo1")
        i += k


def local_counts(ctx: Any) -> dict[str, int]:
    with ctx.uow.read() as s:
        return {
            "dossiers": s.scalar(select(func.count()).select_from(Dossier)) or 0,
            "events": s.scalar(select(func.count()).select_from(OutboxEvent)) or 0,
            "dossier_events": s.scalar(select(func.count()).select_from(DossierEvent)) or 0,
            "tickets": s.scalar(select(func.count()).select_from(Ticket)) or 0,
            "ticket_events": s.scalar(select(func.count()).select_from(TicketEvent)) or 0,
            "top_seq": s.scalar(select(func.max(OutboxEvent.seq))) or 0,
        }


def local_codes(ctx: Any) -> set[str]:
    with ctx.uow.read() as s:
        return set(s.scalars(select(Dossier.code)))


def local_event_ids(ctx: Any) -> set[str]:
    with ctx.uow.read() as s:
        return set(s.scalars(select(OutboxEvent.event_id)))


def central_counts(admin_url: str, unit: str) -> dict[str, Any]:
    with psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True) as c:

        def one(sql: str) -> Any:
            row = c.execute(sql, (unit,)).fetchone()
            assert row is not None
            return row[0]

        return {
            "dossiers": one("SELECT count(*) FROM central.dossiers WHERE unit_id = %s"),
            "events": one("SELECT count(*) FROM central.events WHERE unit_id = %s"),
            "dossier_events": one(
                "SELECT count(*) FROM central.events WHERE unit_id = %s AND kind='dossier_event'"
            ),
            "tickets": one("SELECT count(*) FROM central.tickets WHERE unit_id = %s"),
            "ticket_events": one(
                "SELECT count(*) FROM central.events WHERE unit_id = %s AND kind='ticket_event'"
            ),
            "contiguous": one(
                "SELECT coalesce(sum(contiguous_seq), 0) FROM central.sources WHERE unit_id = %s"
            ),
            "rejected": one("SELECT count(*) FROM central.rejections WHERE unit_id = %s"),
            "codes": {
                r[0]
                for r in c.execute(
                    "SELECT code FROM central.dossiers WHERE unit_id = %s", (unit,)
                ).fetchall()
            },
            "event_ids": {
                str(r[0])
                for r in c.execute(
                    "SELECT event_id FROM central.events WHERE unit_id = %s", (unit,)
                ).fetchall()
            },
        }


def assert_in_step(ctx: Any, admin_url: str, unit: str) -> None:
    """Every local event exactly once centrally; codes and counts equal; nothing pending."""
    loc = local_counts(ctx)
    cen = central_counts(admin_url, unit)
    assert cen["event_ids"] == local_event_ids(ctx)
    assert cen["events"] == loc["events"] == loc["top_seq"]
    assert cen["contiguous"] == loc["top_seq"]
    assert cen["codes"] == local_codes(ctx)
    assert cen["dossiers"] == loc["dossiers"]
    assert cen["dossier_events"] == loc["dossier_events"]
    assert cen["tickets"] == loc["tickets"]
    assert cen["ticket_events"] == loc["ticket_events"]
    assert cen["rejected"] == 0


class LinkDown(Offline):
    pass


@dataclass
class FaultyTransport:
    """Wraps a real transport; `plan` says what happens to each push call, in order:
    "ok", "drop_before" (never reaches central), "drop_after" (central commits, the reply
    is lost), "twice" (delivered twice, the second reply returned), or a callable run
    in place of the push."""

    inner: Transport
    plan: list[Any] = field(default_factory=list)
    calls: int = 0
    sent: list[str] = field(default_factory=list)

    def hello(self) -> dict[str, Any]:
        return self.inner.hello()

    def push(self, unit: str, source: str, events_json: str) -> PushReply:
        step = self.plan.pop(0) if self.plan else "ok"
        self.calls += 1
        self.sent.append(events_json)
        if step == "drop_before":
            raise LinkDown("central_unreachable", url="test", detail="link dropped before commit")
        if callable(step):
            return step(unit, source, events_json)  # type: ignore[no-any-return]
        reply = self.inner.push(unit, source, events_json)
        if step == "drop_after":
            raise LinkDown("central_unreachable", url="test", detail="reply lost after commit")
        if step == "twice":
            reply = self.inner.push(unit, source, events_json)
        return reply

    def fetch(self, table: str, after: int, limit: int) -> list[dict[str, Any]]:
        return self.inner.fetch(table, after, limit)

    def clashes(self) -> list[dict[str, Any]]:
        return self.inner.clashes()

    def resume_point(self, source: str, lo: int, hi: int) -> dict[str, Any]:
        return self.inner.resume_point(source, lo, hi)

    def source_events(self, source: str, after: int, limit: int) -> list[dict[str, Any]]:
        return self.inner.source_events(source, after, limit)

    def close(self) -> None:
        self.inner.close()


def batch_events(events_json: str) -> list[dict[str, Any]]:
    return json.loads(events_json)  # type: ignore[no-any-return]


MakeCounter = Callable[..., Any]
__all__ = ["Path", "PgTransport"]


def admin(url: str) -> psycopg.Connection[Any]:
    """The test server's superuser on `url`'s database, autocommitting."""
    return psycopg.connect(url.replace("+psycopg", ""), autocommit=True)


@contextmanager
def as_unit(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A unit's own login (its `url` from `central add-unit`), autocommitting."""
    with psycopg.connect(url, autocommit=True, sslmode="disable") as c:
        yield c


def central_at(url: str, revision: str) -> None:
    """A central schema as an older release left it: migrated up to `revision` only."""
    from alembic import command

    with admin(url) as c:
        c.execute("CREATE SCHEMA IF NOT EXISTS central")
    engine = create_engine(central.sqlalchemy_url(url))
    try:
        with engine.begin() as connection:
            cfg = central._alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()
