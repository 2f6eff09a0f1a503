"""Opening a dossier by code reads plain rows (services/views.read_view): the same view the
save and the actions build from ORM objects, names as they are now (a clerk renamed by
another process), and each dossier's own procedure version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pinned_clock import TestClock
from sqlalchemy import event, update

from counter_app.app import build_context
from counter_app.db.models import User
from counter_app.services import lookup
from counter_app.services.actions import act
from counter_app.services.catalogue import import_catalogue
from counter_app.services.context import ServiceContext
from counter_app.services.intake import DocumentIn, IntakeRequest, register
from counter_app.services.setup import (
    DEMO_APPLICANTS,
    init_database,
    load_catalogue_file,
    sample_catalogue_path,
)


@pytest.fixture
def db(tmp_path: Path, clock: TestClock) -> Path:
    path = tmp_path / "views.db"
    ctx = build_context(db=str(path))
    ctx.clock = clock
    init_database(ctx, demo=True)
    ctx.uow.engine.dispose()
    return path


def _context(db: Path, clock: TestClock) -> ServiceContext:
    ctx = build_context(db=str(db))
    ctx.clock = clock
    return ctx


def _requests() -> list[IntakeRequest]:
    """Applicants with addresses (a commune found in the text), a procedure with a document
    only presented, one with documents chosen by hand (one missing)."""
    out = [
        IntakeRequest(procedure="1.001193", name=n, id_number=i, phone=p, address=a)
        for n, i, p, a in DEMO_APPLICANTS
    ]
    docs = (
        DocumentIn("Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", "original", 1),
        DocumentIn("Bản sao cần chứng thực", "copy", 3, received=False),
    )
    out.append(IntakeRequest(procedure="2.000815", name="Lê Văn Sáu", documents=docs))
    return out


def test_the_view_read_by_code_is_the_view_the_save_built(db: Path, clock: TestClock) -> None:
    ctx = _context(db, clock)
    saved = register(ctx, _requests(), "canbo1")
    assert any(v.applicant.commune is not None for v in saved)
    assert any(d.presented for v in saved for d in v.documents)
    assert any(not d.received for v in saved for d in v.documents)
    for view in saved:
        assert lookup.get_dossier(ctx, view.code) == view
        assert lookup.get_dossier(ctx, view.code.lower()) == view


def test_the_view_after_an_action_is_the_view_read_by_code(db: Path, clock: TestClock) -> None:
    ctx = _context(db, clock)
    code = register(ctx, _requests()[:1], "canbo1")[0].code
    clock.advance(minutes=5)
    after = act(ctx, code, "handover", "canbo1", to="Phòng Tư pháp")
    assert len(after.events) == 2
    assert lookup.get_dossier(ctx, code) == after


def test_a_clerk_renamed_by_another_process_shows_at_once(db: Path, clock: TestClock) -> None:
    ctx = _context(db, clock)
    code = register(ctx, _requests()[:1], "canbo1")[0].code
    before = lookup.get_dossier(ctx, code)
    assert before.received_by and before.events[0].by == before.received_by
    other = _context(db, clock)  # another process: its own engine and connections
    with other.uow.write() as s:
        s.execute(update(User).where(User.username == "canbo1").values(full_name="Võ Thị Mới"))
    other.uow.engine.dispose()
    after = lookup.get_dossier(ctx, code)
    assert after.received_by == "Võ Thị Mới"
    assert [e.by for e in after.events] == ["Võ Thị Mới"]


def test_each_dossier_shows_its_own_procedure_version(
    db: Path, clock: TestClock, tmp_path: Path
) -> None:
    ctx = _context(db, clock)
    old = register(ctx, _requests()[-1:], "canbo1")[0]
    assert lookup.get_dossier(ctx, old.code).procedure.version == 1  # read (and kept) once
    catalogue = load_catalogue_file(sample_catalogue_path())
    entry = next(p for p in catalogue["procedures"] if p["code"] == "2.000815")
    entry = {**entry, "name": "Chứng thực bản sao (bản mới)", "fee": 3000}
    path = tmp_path / "v2.json"
    path.write_text(json.dumps({"procedures": [entry]}, ensure_ascii=False), encoding="utf-8")
    other = _context(db, clock)
    import_catalogue(other, load_catalogue_file(path))
    other.uow.engine.dispose()
    new = register(ctx, _requests()[-1:], "canbo1")[0]
    assert (new.procedure.version, new.procedure.name) == (2, "Chứng thực bản sao (bản mới)")
    assert lookup.get_dossier(ctx, new.code) == new
    kept = lookup.get_dossier(ctx, old.code)
    assert (kept.procedure.version, kept.procedure.fee) == (1, 2000)
    assert kept == old


def test_opening_a_dossier_is_a_few_plain_selects(db: Path, clock: TestClock) -> None:
    """The dossier (with its unit, its clerk's name and how many digitised files it has), its
    documents and its history with names: 3 selects; the files only when it has some, the
    procedure version only the first time it is seen. They run on the driver's cursor
    (db/driver_reads), so they are counted by sqlite3's own trace."""
    ctx = _context(db, clock)
    views = register(ctx, _requests()[:2], "canbo1")
    ctx.uow.engine.dispose()
    seen: list[str] = []

    def trace(dbapi_conn, _record) -> None:
        dbapi_conn.set_trace_callback(seen.append)

    event.listen(ctx.uow.engine, "connect", trace)
    lookup.get_dossier(ctx, views[0].code)
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    first = len(selects)
    seen.clear()
    lookup.get_dossier(ctx, views[1].code)  # same procedure version: not read again
    assert [s.split()[0].upper() for s in seen] == [
        "BEGIN",
        "SELECT",
        "SELECT",
        "SELECT",
        "ROLLBACK",
    ]
    assert first <= 4


def test_a_commune_renamed_by_central_shows_in_the_view_read_by_code(
    db: Path, clock: TestClock
) -> None:
    """The view reads the override list's stamp with the dossier (no session to keep the
    list in): a rename pulled from central shows at once, and so does a second one."""
    from datetime import timedelta

    from counter_app.db.models import AdminUnitOverride

    ctx = _context(db, clock)
    saved = register(ctx, _requests()[:1], "canbo1")[0]
    commune = saved.applicant.commune
    assert commune is not None
    assert lookup.get_dossier(ctx, saved.code).applicant.commune == commune
    other = _context(db, clock)  # the pull, as another process would write it
    with other.uow.write() as s:
        s.add(
            AdminUnitOverride(
                code=commune.code,
                name="Xã Mỹ Hòa Hưng Mới",
                province_code=commune.province.code,
                updated_at=clock(),
            )
        )
    assert lookup.get_dossier(ctx, saved.code).applicant.commune.name == "Xã Mỹ Hòa Hưng Mới"
    with other.uow.write() as s:
        row = s.get(AdminUnitOverride, commune.code)
        assert row is not None
        row.name, row.updated_at = "Xã Hòa Hưng", clock() + timedelta(seconds=1)
    assert lookup.get_dossier(ctx, saved.code).applicant.commune.name == "Xã Hòa Hưng"
