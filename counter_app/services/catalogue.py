"""The procedure catalogue: import (versioned), list, and search with the most used on top."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier, Procedure
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.domain.model import DOCUMENT_KINDS, FEE_UNITS, ProcedureInfo
from counter_app.domain.text import clean_text, fold, vi_sort_key
from counter_app.domain.workdays import TIME_UNITS
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit

LEVELS = ("commune", "province")
FIELDS = ("name", "sector", "level", "processing_days", "fee", "fee_unit", "time_unit", "documents")


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


def _int_field(p: dict[str, Any], key: str, where: str, lo: int, hi: int) -> int:
    v = p.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ValidationError("catalogue_field_invalid", where=where, field=key)
    return v


def _document(d: Any, where: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise ValidationError("catalogue_field_invalid", where=where, field="documents")
    kind = d.get("kind", "original")
    if kind not in DOCUMENT_KINDS:
        raise ValidationError("catalogue_field_invalid", where=where, field="documents.kind")
    count = d.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 99:
        raise ValidationError("catalogue_field_invalid", where=where, field="documents.count")
    try:
        name = clean_text(d.get("name"), "documents.name", max_len=300)
    except ValidationError:
        raise ValidationError(
            "catalogue_field_invalid", where=where, field="documents.name"
        ) from None
    out = {"name": name, "kind": kind, "count": count, "required": bool(d.get("required", True))}
    presented = d.get("presented", False)
    if not isinstance(presented, bool):
        raise ValidationError("catalogue_field_invalid", where=where, field="documents.presented")
    if presented:  # kept only when set, so entries imported before the flag stay unchanged
        out["presented"] = True
    return out


def validate_procedure(p: Any, index: int) -> dict[str, Any]:
    where = f"procedures[{index}]"
    if not isinstance(p, dict):
        raise ValidationError("catalogue_field_invalid", where=where, field="(object)")
    out: dict[str, Any] = {}
    for key, max_len in (("code", 40), ("name", 300), ("sector", 100)):
        try:
            out[key] = clean_text(p.get(key), key, max_len=max_len)
        except ValidationError:
            raise ValidationError("catalogue_field_invalid", where=where, field=key) from None
    if not out["code"].isascii() or " " in out["code"]:
        raise ValidationError("catalogue_field_invalid", where=where, field="code")
    if p.get("level") not in LEVELS:
        raise ValidationError("catalogue_field_invalid", where=where, field="level")
    out["level"] = p["level"]
    out["processing_days"] = _int_field(p, "processing_days", where, 0, 365)
    out["fee"] = _int_field(p, "fee", where, 0, 1_000_000_000)
    # optional (DESIGN.md §4 is a contract: older files and central rows omit them)
    for key, allowed in (("fee_unit", FEE_UNITS), ("time_unit", TIME_UNITS)):
        value = p.get(key, allowed[0])
        if value not in allowed:
            raise ValidationError("catalogue_field_invalid", where=where, field=key)
        out[key] = value
    docs = p.get("documents", [])
    if not isinstance(docs, list):
        raise ValidationError("catalogue_field_invalid", where=where, field="documents")
    out["documents"] = [_document(d, where) for d in docs]
    return out


def parse_catalogue(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise ValidationError("catalogue_format")
    procs = [validate_procedure(p, i) for i, p in enumerate(data["procedures"])]
    seen: set[str] = set()
    for p in procs:
        if p["code"] in seen:
            raise ValidationError("catalogue_duplicate_code", code=p["code"])
        seen.add(p["code"])
    return procs


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


def to_info(p: Procedure) -> ProcedureInfo:
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
