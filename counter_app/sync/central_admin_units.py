"""Central's override list of 2025 communes (issue 16): `central address-units import|list`,
and the names the province report gives the applicants' communes.

The list lives in central.admin_unit_overrides (migration c0009): reference data every unit
pulls (row_version + tombstones, services/sync.py) into its admin_unit_overrides, where
services/admin_units applies it on top of the packaged list. A published file is the whole
list: a commune it no longer names is tombstoned, so the units drop its override."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from counter_app.domain.admin_overrides import Override, parse_override_file
from counter_app.domain.admin_units import Commune, default_units
from counter_app.domain.errors import ValidationError
from counter_app.inputs import read_limited
from counter_app.sync.central import _require_schema, admin_connection

FILE_MAX_BYTES = 4 * 1024 * 1024
VERSION_KEY = "admin_units_version"
UNKNOWN_NAME = "Chưa xác định"


def load_file(path: Path) -> Any:
    data = read_limited(path, FILE_MAX_BYTES)
    try:
        return json.loads(data.decode("utf-8"))
    except json.JSONDecodeError as exc:
        where = f"dòng {exc.lineno}, cột {exc.colno}"
        raise ValidationError("json_invalid", path=str(path), detail=where) from None
    except UnicodeDecodeError:
        raise ValidationError("json_invalid", path=str(path), detail="không phải UTF-8") from None


def publish(url: str, data: Any) -> dict[str, Any]:
    """Check the whole file first (nothing is written if a row is bad), then in one
    transaction: add / update the rows that changed (an unchanged row keeps its
    row_version, so the units pull nothing for it), tombstone the ones it no longer names."""
    version, rows = parse_override_file(data)
    counts = {"added": 0, "updated": 0, "unchanged": 0, "removed": 0}
    with admin_connection(url) as conn:
        _require_schema(conn)
        with conn.transaction():
            for o in rows:
                hit = conn.execute(
                    """
                    INSERT INTO central.admin_unit_overrides (code, name, province_code, retired)
                    VALUES (%s, %s, %s, %s)
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name,
                      province_code = excluded.province_code, retired = excluded.retired,
                      deleted_at = NULL
                    WHERE (admin_unit_overrides.name, admin_unit_overrides.province_code,
                           admin_unit_overrides.retired)
                          IS DISTINCT FROM (excluded.name, excluded.province_code,
                                            excluded.retired)
                       OR admin_unit_overrides.deleted_at IS NOT NULL
                    RETURNING (xmax = 0) AS inserted
                    """,
                    (o.code, o.name, o.province_code, o.retired),
                ).fetchone()
                if hit is None:
                    counts["unchanged"] += 1
                else:
                    counts["added" if hit["inserted"] else "updated"] += 1
            gone = conn.execute(
                "UPDATE central.admin_unit_overrides SET deleted_at = now() "
                "WHERE deleted_at IS NULL AND NOT (code = ANY (%s)) RETURNING code",
                ([o.code for o in rows],),
            ).fetchall()
            counts["removed"] = len(gone)
            conn.execute(
                "INSERT INTO central.config (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (VERSION_KEY, version),
            )
    return {"version": version, **counts}


def _describe(o: Override) -> dict[str, Any]:
    """A row as `list` shows it: what it does to the packaged list."""
    base = default_units()
    packaged = base.commune(o.code)
    if o.retired:
        label = packaged.label if packaged else ""
    else:
        label = Commune(o.code, o.name, base.provinces[o.province_code]).label
    return {
        **o.as_json(),
        "retired": o.retired,
        "label": label,
        "change": "retire" if o.retired else ("rename" if packaged else "add"),
    }


def list_overrides(url: str) -> dict[str, Any]:
    with admin_connection(url) as conn:
        _require_schema(conn)
        version = conn.execute(
            "SELECT value FROM central.config WHERE key = %s", (VERSION_KEY,)
        ).fetchone()
        rows = conn.execute(
            "SELECT code, name, province_code, retired FROM central.admin_unit_overrides "
            "WHERE deleted_at IS NULL ORDER BY code"
        ).fetchall()
    return {
        "version": version["value"] if version else None,
        "packaged": default_units().version,
        "units": [_describe(Override(**r)) for r in rows],
    }


def commune_names(conn: psycopg.Connection[dict[str, Any]]) -> Callable[[str | None], str]:
    """code -> "Xã Mỹ Hòa Hưng, tỉnh An Giang" for the report: the packaged list with
    central's additions and renames (a retired commune keeps its name: dossiers taken
    before it was retired still count under it); an unknown code is shown as itself and
    NULL as "Chưa xác định"."""
    base = default_units()
    named: dict[str, str] = {}
    rows = conn.execute(
        "SELECT code, name, province_code FROM central.admin_unit_overrides "
        "WHERE deleted_at IS NULL AND NOT retired"
    ).fetchall()
    for r in rows:
        province = base.provinces.get(r["province_code"])
        if province is not None:
            named[r["code"]] = Commune(r["code"], r["name"], province).label

    def name(code: str | None) -> str:
        if code is None:
            return UNKNOWN_NAME
        if code in named:
            return named[code]
        c = base.commune(code)
        return c.label if c else code

    return name
