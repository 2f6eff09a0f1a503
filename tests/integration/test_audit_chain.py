"""The hash-chained audit log verifies after back-dated intake (local-time instants) on SQLite."""

from __future__ import annotations

from sqlalchemy import update

from counter_app.db.models import AuditEntry
from counter_app.services.records import verify_audit_chain


def test_demo_audit_chain_verifies_and_detects_tampering(demo_db, make_context) -> None:
    ctx = make_context(demo_db)  # the demo seeds back-dated sample dossiers: audited in +07:00
    with ctx.uow.read() as s:
        assert verify_audit_chain(s) is None
    with ctx.uow.write() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(username="someone"))
    with ctx.uow.read() as s:
        assert verify_audit_chain(s) == 2
