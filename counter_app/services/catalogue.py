"""The procedure catalogue: import (versioned), list, and search with the most used on top."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, Procedure
from counter_app.domain.catalogue import parse_catalogue
from counter_app.domain.errors import NotFound
from counter_app.domain.model import ProcedureInfo
from counter_app.domain.text import fold, vi_sort_key
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit

FIELDS = (
    "name",
    "sector",
    "level",
    "processing_days",
    "fee",
    "fee_unit",
    "time_unit",
    "certification_book",
    "documents",
)


@dataclass(frozen=True)
class CatalogueEntry:
    procedure: ProcedureInfo
    documents: tuple[dict[str, Any], ...]
    uses: int = 0


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


def apply_procedure(s: Session, p: dict[str, Any], now: Any) -> str:
    """Add `p` as the current version of its code unless it is unchanged; returns what it did."""
    current = s.scalar(select(Procedure).where(Procedure.code == p["code"], Procedure.is_current))
    if current is not None and all(getattr(current, k) == p[k] for k in FIELDS):
        return "unchanged"
    version = 1
    if current is not None:
        current.is_current = False
        version = current.version + 1
    s.add(
        Procedure(
            **p, version=version, is_current=True, name_folded=fold(p["name"]), imported_at=now
        )
    )
    return "updated" if current is not None else "added"


def import_catalogue(ctx: ServiceContext, data: Any, username: str = "system") -> ImportResult:
    """All or nothing: a bad entry anywhere refuses the whole file."""
    procs = parse_catalogue(data)
    now = ctx.clock()
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    with ctx.uow.write() as s:
        for p in procs:
            counts[apply_procedure(s, p, now)] += 1
        append_audit(s, now, username, "catalogue_import", dict(counts))
    return ImportResult(**counts)


def to_info(p: Procedure | Row[Any]) -> ProcedureInfo:
    """A procedure version as the domain sees it (from its ORM object or a plain row)."""
    return ProcedureInfo(
        p.code,
        p.name,
        p.sector,
        p.level,
        p.processing_days,
        p.fee,
        p.version,
        fee_unit=p.fee_unit,
        time_unit=p.time_unit,
        certification_book=p.certification_book or "",
    )


def list_catalogue(ctx: ServiceContext, *, days: int = 90) -> list[CatalogueEntry]:
    """Current procedures, most used in the last `days` first, then by Vietnamese collation."""
    since = ctx.clock() - timedelta(days=days)
    with ctx.uow.read() as s:
        uses = dict(
            s.execute(
                select(Procedure.code, func.count(Dossier.id))
                .join(Dossier, Dossier.procedure_id == Procedure.id)
                .where(Dossier.received_at >= since)
                .group_by(Procedure.code)
            ).all()
        )
        procs = s.scalars(select(Procedure).where(Procedure.is_current)).all()
        entries = [
            CatalogueEntry(to_info(p), tuple(p.documents), uses.get(p.code, 0)) for p in procs
        ]
    entries.sort(key=lambda e: (-e.uses, vi_sort_key(e.procedure.name)))
    return entries


def search_catalogue(entries: list[CatalogueEntry], query: str) -> list[CatalogueEntry]:
    """Accent-insensitive: every folded word of the query must start a word of name or code."""
    q = fold(query)
    if not q:
        return list(entries)
    words = q.split()
    out = []
    for e in entries:
        hay = fold(e.procedure.name) + " " + e.procedure.code + " " + fold(e.procedure.sector)
        if all(w in hay for w in words):
            out.append(e)
    return out


def current_procedure(s: Session, code: str) -> Procedure:
    p = s.scalar(select(Procedure).where(Procedure.code == code.strip(), Procedure.is_current))
    if p is None:
        raise NotFound("procedure_unknown", code=code)
    return p
