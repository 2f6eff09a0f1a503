"""central: project_range looks for clashes and rejected dossiers only when some were not stored

Revision ID: c0011
Revises: c0010
Create Date: 2026-12-03

Issue 17 (sync push ≥ 10,000 dossiers/s on loopback). After inserting a range's dossiers,
project_range looked up every dossier event of the range twice more: once for a code held by
another dossier (code_clashes), once for an event that did not become its dossier
(rejections: foreign_code, code_clash, dossier_id_taken). Both find nothing in an ordinary
push, yet they were ~0.4 s of a 50,000-dossier one. Now it counts the range's dossier events
and the rows the INSERT stored; when every one of them became its dossier, neither lookup can
find anything (the dossier with that event's id holds that event, and the code is unique, so
the only dossier with its code is its own) and both are skipped. Otherwise (a replay of a
range already projected, a foreign or clashing code, an id taken) both run as before.
The function is c0009's with those lines added (its text is taken from c0009 and patched
below, each patch checked to apply exactly once; nothing else changes).
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "c0011"
down_revision = "c0010"
branch_labels = None
depends_on = None

_DECLARE = (
    "DECLARE\n  v_prefix text := p_unit || '-';\nBEGIN\n",
    "DECLARE\n  v_prefix text := p_unit || '-';\n  v_stored bigint;\n  v_events bigint;\nBEGIN\n",
)
_AFTER_INSERT = (
    "  ORDER BY e.seq\n  ON CONFLICT DO NOTHING;\n\n"
    "  -- A dossier event that did not become the dossier: its code (or id) is someone else's.\n",
    "  ORDER BY e.seq\n  ON CONFLICT DO NOTHING;\n"
    "  GET DIAGNOSTICS v_stored = ROW_COUNT;\n"
    "  SELECT count(*) INTO v_events FROM central.events e\n"
    "  WHERE e.unit_id = p_unit AND e.source_id = p_source AND e.seq > lo AND e.seq <= hi\n"
    "    AND e.kind = 'dossier';\n\n"
    "  -- Every dossier event became its dossier: no clash and nothing to reject (below).\n"
    "  IF v_stored < v_events THEN\n"
    "  -- A dossier event that did not become the dossier: its code (or id) is someone else's.\n",
)
_BEFORE_STATUS = (
    "x.event_id = e.event_id)\n  ON CONFLICT DO NOTHING;\n\n  -- Status: the last event",
    "x.event_id = e.event_id)\n  ON CONFLICT DO NOTHING;\n  END IF;\n\n  -- Status: the last event",
)


def project_range_sql() -> str:
    """c0009's project_range, the clash and rejection lookups only when a dossier event of
    the range was not stored."""
    c0009 = importlib.import_module(
        "counter_app.sync.central_migrations.versions.c0009_admin_units"
    )
    sql: str = c0009.project_range_sql()
    for old, new in (_DECLARE, _AFTER_INSERT, _BEFORE_STATUS):
        if sql.count(old) != 1:
            raise RuntimeError(f"c0011: c0009's project_range changed near {old.strip()!r}")
        sql = sql.replace(old, new)
    return sql


def upgrade() -> None:
    # Straight to the driver, no parameters: the body holds plpgsql `%` and `:`.
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    dbapi.cursor().execute(project_range_sql())


def downgrade() -> None:
    raise NotImplementedError("the central schema is never downgraded")
