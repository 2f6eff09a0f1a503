"""Dossiers received with all their required documents digitised (issue 15, the reports).

A dossier counts when at least one of its documents was digitised and every document its
checklist marks required has a `document_digitised` event naming it (payload "code" and
"document" = the checklist line's name). The unit's report (services/report.py) and the
province's report on central (sync/central_report.py) use the same rule.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, DossierDocument, OutboxEvent, Procedure

EVENT_KIND = "document_digitised"


def digitised_by_procedure(s: Session, opens: datetime, closes: datetime) -> dict[str, int]:
    """Procedure code -> dossiers received in [opens, closes) (naive or aware UTC bounds)
    whose required documents are all digitised."""
    return digitised_by(s, opens, closes, Procedure.code)[0]


def digitised_by(
    s: Session, opens: datetime, closes: datetime, *columns: Any
) -> list[dict[Any, int]]:
    """The same count by each of `columns` (dossier or procedure columns) in one pass, e.g.
    by procedure and by the applicant's commune (issue 16): one dict per column."""
    done: dict[str, set[str]] = defaultdict(set)
    for (payload,) in s.execute(select(OutboxEvent.payload).where(OutboxEvent.kind == EVENT_KIND)):
        code, doc = payload.get("code"), payload.get("document")
        if code:
            done[str(code)].add(str(doc or ""))
    counts: list[dict[Any, int]] = [defaultdict(int) for _ in columns]
    if not done:
        return [dict(c) for c in counts]
    rows = s.execute(
        select(Dossier.id, Dossier.code, *columns)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(Dossier.received_at >= opens, Dossier.received_at < closes)
        .where(Dossier.code.in_(list(done)))
    ).all()
    required: dict[str, list[str]] = defaultdict(list)
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), 500):
        for dossier_id, name in s.execute(
            select(DossierDocument.dossier_id, DossierDocument.name).where(
                DossierDocument.dossier_id.in_(ids[i : i + 500]),
                DossierDocument.required.is_(True),
            )
        ):
            required[dossier_id].append(name)
    for dossier_id, code, *keys in rows:
        if all(name in done[code] for name in required[dossier_id]):
            for into, key in zip(counts, keys, strict=True):
                into[key] += 1
    return [dict(c) for c in counts]


def add_digitised(
    totals: dict[str, Any],
    by_sector: list[dict[str, Any]],
    by_procedure: list[dict[str, Any]],
    counts: dict[str, int],
    sector_of: dict[str, str],
) -> None:
    """`digitised` in the totals and in each sector's and procedure's row (0 when none)."""
    totals["digitised"] = sum(counts.values())
    per_sector: dict[str, int] = defaultdict(int)
    for code, n in counts.items():
        per_sector[sector_of.get(code, "")] += n
    for row in by_procedure:
        row["digitised"] = counts.get(row["procedure"], 0)
    for row in by_sector:
        row["digitised"] = per_sector.get(row["sector"], 0)
