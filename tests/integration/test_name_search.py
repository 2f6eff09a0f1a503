"""Name look-up: accent-insensitive, every word a prefix, newest first, at most 50 — checked
against a brute-force reference on a real SQLite file; and the 0002 migration's backfill."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import event, select

from counter_app.db.engine import _alembic_config, create_db_engine
from counter_app.db.models import Dossier
from counter_app.domain.text import fold
from counter_app.services import lookup
from counter_app.services.intake import IntakeRequest, register
from counter_app.services.setup import init_database

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ"]
MIDDLE = ["Văn", "Thị", "Thị Ánh", "Hoàng", "Ngọc"]
GIVEN = ["Lan", "Tuyết", "Tuyền", "Tuấn", "An", "Ánh", "Bình", "Hà", "Hải", "Hạnh"]


@pytest.fixture(scope="module")
def populated(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[object, list[tuple[str, str, datetime]]]:
    from counter_app.app import build_context

    db = tmp_path_factory.mktemp("names") / "names.db"
    ctx = build_context(db=str(db))
    start = datetime(2026, 11, 27, 7, 30, tzinfo=VN)
    ctx.clock = lambda: start + timedelta(days=400)
    init_database(ctx, demo=True)
    rng = random.Random(7)
    requests = []
    for i in range(320):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        at = start - timedelta(days=i // 8, minutes=7 * (i % 8))
        requests.append(IntakeRequest(procedure="2.000815", name=name, received_at=at))
    register(ctx, requests, "canbo1")
    with ctx.uow.read() as s:  # everyone, the demo's own sample applicants included
        rows = s.execute(select(Dossier.code, Dossier.applicant_name, Dossier.received_at)).all()
    return ctx, [(r[0], r[1], r[2]) for r in rows]


def reference(people: list[tuple[str, str, datetime]], query: str) -> list[str]:
    """Brute force: the last word is a prefix; an earlier word is a whole word when some
    name has it as a whole word, else a prefix too (it was abbreviated)."""
    words = fold(query).split()
    vocabulary = {part for _, name, _ in people for part in fold(name).split()}

    def matches(name: str) -> bool:
        parts = fold(name).split()
        for i, w in enumerate(words):
            whole = w in vocabulary and i < len(words) - 1
            if not any(p == w if whole else p.startswith(w) for p in parts):
                return False
        return True

    hits = [(at, code) for code, name, at in people if matches(name)]
    return [code for _, code in sorted(hits, reverse=True)[:50]]


QUERIES = [
    "lan",
    "nguyen thi lan",
    "NGUYỄN THỊ LAN",
    "tuy",
    "tuyet",
    "t",
    "thi anh",
    "vo ng",
    "ha",
    "hai",
    "tran van binh",
    "le hoang an",
    "an",
    "zzz",
    "nguyen zz",
    "ng thi anh t",
    "nguyen thi t",
    "th",
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_matches_the_brute_force_reference(populated, query: str) -> None:
    ctx, people = populated
    assert [s.code for s in lookup.search(ctx, query)] == reference(people, query)


@pytest.mark.parametrize("query", QUERIES)
def test_walks_in_growing_windows_find_the_same(
    populated, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows of the newest receipts (lookup._in_windows) from the first row on: a window
    short of a full page grows until one is full or it covers everything."""
    ctx, people = populated
    monkeypatch.setattr(lookup, "WINDOW_ROWS", 1)
    monkeypatch.setattr(lookup, "WINDOW_GROWTH", 2)
    walks: list[str] = []

    def hook(conn, cursor, statement, parameters, context, executemany) -> None:
        if "dossier_name_tokens" in statement:
            walks.append(statement)

    event.listen(ctx.uow.engine, "before_cursor_execute", hook)
    try:
        found = [s.code for s in lookup.search(ctx, query)]
    finally:
        event.remove(ctx.uow.engine, "before_cursor_execute", hook)
    assert found == reference(people, query)
    if query == "ng thi anh t":
        assert len(walks) > 1  # the first windows held fewer than a page


def test_results_are_newest_first_and_capped(populated) -> None:
    ctx, _ = populated
    rows = lookup.search(ctx, "nguyen")
    assert len(rows) == 50
    assert [r.received_at for r in rows] == sorted((r.received_at for r in rows), reverse=True)


def test_migration_0002_backfills_receipt_times_and_vocabulary(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    engine = create_db_engine(f"sqlite:///{db}")
    command.upgrade(_alembic_config(engine), "0001")
    engine.dispose()
    con = sqlite3.connect(db)
    con.executescript(
        """
        INSERT INTO units (id, agency_id, name, parent_name, place_name, address, phone, cutoff,
            office_open, office_close, seq_start, seq_end)
            VALUES ('u', '000.00.20.H01', 'UBND', 'UBND TỈNH', 'Xã', '', '', '15:00', '07:30',
            '17:00', 1, 99999);
        INSERT INTO users (id, unit_id, username, full_name, role, password_hash,
            failed_attempts, active) VALUES ('c', 'u', 'c', 'C', 'clerk', 'x', 0, 1);
        INSERT INTO procedures (id, code, version, is_current, name, name_folded, sector, level,
            processing_days, fee, documents, imported_at) VALUES ('p', '1.1', 1, 1, 'P', 'p',
            'S', 'commune', 1, 0, '[]', '2026-01-01 00:00:00');
        """
    )
    for i, name in enumerate(["nguyen thi lan", "nguyen van an"]):
        con.execute(
            "INSERT INTO dossiers (id, unit_id, code, code_day, code_seq, procedure_id, "
            "applicant_name, applicant_id_number, applicant_phone, applicant_address, "
            "applicant_email, sets, receive_channel, return_channel, return_address, fee, "
            "received_at, effective_day, due_at, status, received_by, register_book, "
            "register_no, form_set) VALUES (?, 'u', ?, '2026-11-27', ?, 'p', ?, '', '', '', '',"
            " 1, 'counter', 'counter', '', 0, ?, '2026-11-27', '2026-11-30 10:00:00', "
            "'accepted', 'c', '01/2026', ?, '2025')",
            (
                f"d{i}",
                f"000.00.20.H01-261127-000{i + 1}",
                i + 1,
                name,
                f"2026-11-27 0{i + 1}:00:00",
                i + 1,
            ),
        )
        con.executemany(
            "INSERT INTO dossier_name_tokens (token, dossier_id) VALUES (?, ?)",
            [(w, f"d{i}") for w in name.split()],
        )
    con.commit()
    con.close()
    engine = create_db_engine(f"sqlite:///{db}")
    command.upgrade(_alembic_config(engine), "head")
    engine.dispose()
    con = sqlite3.connect(db)
    at = con.execute(
        "SELECT received_at FROM dossier_name_tokens WHERE dossier_id = 'd1' AND token = 'an'"
    ).fetchone()[0]
    assert str(at).startswith("2026-11-27 02:00:00")
    keys = {
        r[0] for r in con.execute("SELECT token FROM dossier_name_tokens WHERE dossier_id = 'd0'")
    }
    assert keys == {"nguyen", "thi", "lan", "nguyen thi", "lan nguyen", "lan thi"}
    words = dict(con.execute("SELECT token, dossiers FROM name_words"))
    assert words["nguyen"] == 2 and words["an"] == 1 and words["an nguyen"] == 1
    assert len(words) == 5 + 6  # five words, six pairs
    con.close()
