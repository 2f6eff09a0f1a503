"""Catalogue rules: a procedure or a whole catalogue file checked and normalised (no database)."""

from __future__ import annotations

from typing import Any

from counter_app.domain.errors import ValidationError
from counter_app.domain.limits import MAX_CHECKLIST_LINES, MAX_PROCEDURES_PER_CATALOGUE
from counter_app.domain.model import CERTIFICATION_BOOKS, DOCUMENT_KINDS, FEE_UNITS
from counter_app.domain.text import clean_text
from counter_app.domain.workdays import TIME_UNITS

LEVELS = ("commune", "province")


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
    # The optional "(nếu có)" documents are `"required": false`; F3 ticks only the required
    # ones, so a text "false" (truthy) must not quietly make a document required.
    required = d.get("required", True)
    if not isinstance(required, bool):
        raise ValidationError("catalogue_field_invalid", where=where, field="documents.required")
    out = {"name": name, "kind": kind, "count": count, "required": required}
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
    book = p.get("certification_book")  # optional: the sổ chứng thực its dossiers enter
    if book is not None and book not in CERTIFICATION_BOOKS:
        raise ValidationError("catalogue_field_invalid", where=where, field="certification_book")
    out["certification_book"] = book
    docs = p.get("documents", [])
    if not isinstance(docs, list):
        raise ValidationError("catalogue_field_invalid", where=where, field="documents")
    if len(docs) > MAX_CHECKLIST_LINES:
        raise ValidationError(
            "catalogue_too_many_documents",
            number=index + 1,
            count=len(docs),
            limit=MAX_CHECKLIST_LINES,
        )
    out["documents"] = [_document(d, where) for d in docs]
    return out


def parse_catalogue(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise ValidationError("catalogue_format")
    if len(data["procedures"]) > MAX_PROCEDURES_PER_CATALOGUE:
        raise ValidationError(
            "catalogue_too_many",
            count=len(data["procedures"]),
            limit=MAX_PROCEDURES_PER_CATALOGUE,
        )
    procs = [validate_procedure(p, i) for i, p in enumerate(data["procedures"])]
    seen: set[str] = set()
    for p in procs:
        if p["code"] in seen:
            raise ValidationError("catalogue_duplicate_code", code=p["code"])
        seen.add(p["code"])
    return procs
