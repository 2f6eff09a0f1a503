"""One save's round trips (issue 17, register within 8x a bare insert): counted with
SQLAlchemy's cursor hook, so a change that adds per-row or per-save statements fails here.
The rows written stay the same (every document line, name token, event, outbox entry)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

from cli_helpers import intake_payload, with_applicant
from sqlalchemy import event
from sqlalchemy.engine.default import CACHE_HIT

from counter_app.services.intake import parse_intake, register

# What issue 17 reached (29, then 25 before): BEGIN, one read of the clerk, the unit and
# every guard (closed day, clock guard, restore keys, outbox top, calendar and commune-list
# keys), the procedure, the code + register (+ certification) numbers in one upsert, the
# dossier, its documents, name tokens and vocabulary (one executemany each), its first
# event, one outbox number bump and the two outbox rows in one executemany. No UPDATE of
# the status, no dossier_files read for a fresh dossier, no re-read for the view.
MAX_STATEMENTS = 11
# Each further dossier of the same batch (the per-transaction reads are not repeated).
MAX_MORE = 9


def _count(ctx: Any, fn: Any) -> list[tuple[str, bool]]:
    seen: list[tuple[str, bool]] = []

    def hook(conn, cursor, statement, params, context, executemany):
        words = statement.split()
        table = {"INSERT": 2, "UPDATE": 1, "DELETE": 2}.get(words[0])
        seen.append((f"{words[0]} {words[table]}" if table else words[0], executemany))

    event.listen(ctx.uow.engine, "before_cursor_execute", hook)
    try:
        fn()
    finally:
        event.remove(ctx.uow.engine, "before_cursor_execute", hook)
    return seen


def test_one_save_stays_within_its_statements(demo_db, make_context, clock):
    ctx = make_context(demo_db)
    ctx.clock = clock
    today = ctx.now().date()
    register(ctx, [parse_intake(intake_payload(), today)], "canbo1")  # warm: caches filled
    req = parse_intake(with_applicant(name="Trần Thị Bích Ngọc Hân"), today)
    seen = _count(ctx, lambda: register(ctx, [req], "canbo1"))
    assert len(seen) <= MAX_STATEMENTS, seen
    # the child rows go in one statement each, whatever their number
    for table in ("dossier_documents", "dossier_name_tokens", "name_words", "outbox"):
        assert [x for x in seen if x[0] == f"INSERT {table}"] == [(f"INSERT {table}", True)]
    assert not [x for x in seen if x[0].startswith("UPDATE")]


def test_a_batch_adds_no_statement_per_document_or_name_word(demo_db, make_context, clock):
    ctx = make_context(demo_db)
    ctx.clock = clock
    today = ctx.now().date()
    register(ctx, [parse_intake(intake_payload(), today)], "canbo1")
    names = ("Lê Văn Tám", "Phạm Thị Thu Hà", "Nguyễn Ngọc Minh Khôi")
    reqs = [parse_intake(with_applicant(name=n), today) for n in names]
    seen = _count(ctx, lambda: register(ctx, reqs, "canbo1"))
    # the per-transaction read (clerk, unit, guards) once
    assert len(seen) <= MAX_STATEMENTS + 2 * MAX_MORE, seen


def test_the_saved_rows_are_all_there(demo_db, make_context, clock):
    ctx = make_context(demo_db)
    ctx.clock = clock
    today = ctx.now().date()
    [v] = register(ctx, [parse_intake(intake_payload(), today)], "canbo1")
    with closing(sqlite3.connect(demo_db)) as conn:
        status, did = conn.execute(
            "SELECT status, id FROM dossiers WHERE code = ?", (v.code,)
        ).fetchone()
        docs = conn.execute(
            "SELECT count(*) FROM dossier_documents WHERE dossier_id = ?", (did,)
        ).fetchone()[0]
        tokens = conn.execute(
            "SELECT count(*) FROM dossier_name_tokens WHERE dossier_id = ?", (did,)
        ).fetchone()[0]
        kinds = [r[0] for r in conn.execute("SELECT kind FROM outbox ORDER BY seq DESC LIMIT 2")][
            ::-1
        ]
        seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert status == v.status == "accepted"
    assert docs == len(v.documents) and tokens >= 3
    assert kinds == ["dossier", "dossier_event"]  # central learns of the dossier first
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free


def test_a_warm_save_compiles_no_statement(demo_db, make_context, clock):
    """Every statement of a second save comes from SQLAlchemy's compiled cache: the numbers'
    multi-row upsert had no cache key and was compiled again at every save."""
    ctx = make_context(demo_db)
    ctx.clock = clock
    today = ctx.now().date()
    register(ctx, [parse_intake(intake_payload(), today)], "canbo1")  # warm: caches filled
    req = parse_intake(with_applicant(name="Trần Thị Bích Ngọc Hân"), today)
    misses: list[str] = []

    def hook(conn, cursor, statement, params, context, executemany):
        hit = getattr(context, "cache_hit", None)
        if context.compiled is not None and hit is not CACHE_HIT:
            misses.append(f"{statement[:60]} ({hit})")

    event.listen(ctx.uow.engine, "before_cursor_execute", hook)
    try:
        register(ctx, [req], "canbo1")
    finally:
        event.remove(ctx.uow.engine, "before_cursor_execute", hook)
    assert misses == []
