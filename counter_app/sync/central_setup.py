"""A unit's counters and queue services set on central (`central counter`, `central service`);
they reach the unit by the reference pull (services/sync.py), as its users do. The same
checks as the counter's own `counter add` / `service add` (services/unit_setup.py)."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from counter_app.domain.codes import validate_agency_id
from counter_app.domain.errors import NotFound, ValidationError
from counter_app.domain.queue import clean_service
from counter_app.domain.setup_rules import check_hours, clock_time
from counter_app.domain.text import clean_text
from counter_app.sync.central import _require_schema, admin_connection

Conn = psycopg.Connection[dict[str, Any]]


def _unit(conn: Conn, unit: str) -> str:
    agency = validate_agency_id(unit)
    row = conn.execute(
        "SELECT 1 FROM central.units WHERE agency_id = %s AND deleted_at IS NULL", (agency,)
    ).fetchone()
    if row is None:
        raise NotFound("central_unit_unknown", unit=agency)
    return agency


def set_counter(
    url: str, unit: str, number: int, name: str = "", *, remove: bool = False
) -> dict[str, Any]:
    """Create, rename or (remove=True) withdraw a unit's counter."""
    if number < 1 or number > 999:
        raise ValidationError("counter_number_invalid", value=number)
    name = clean_text(name, "counter.name", max_len=100, required=False)
    with admin_connection(url) as conn:
        _require_schema(conn)
        with conn.transaction():
            agency = _unit(conn, unit)
            if remove:
                used = [
                    r["code"]
                    for r in conn.execute(
                        "SELECT code FROM central.queue_services WHERE unit_id = %s "
                        "AND deleted_at IS NULL AND (data->>'active')::boolean "
                        "AND data->'counters' @> to_jsonb(%s::int) ORDER BY code",
                        (agency, number),
                    )
                ]
                if used:
                    raise ValidationError(
                        "counter_in_use", counter=number, services=", ".join(used)
                    )
                row = conn.execute(
                    "UPDATE central.service_counters SET deleted_at = now() "
                    "WHERE unit_id = %s AND number = %s AND deleted_at IS NULL RETURNING name",
                    (agency, number),
                ).fetchone()
                if row is None:
                    raise NotFound("counter_unknown", counter=number)
            else:
                conn.execute(
                    """
                    INSERT INTO central.service_counters (unit_id, number, name)
                    VALUES (%s, %s, %s)
                    ON CONFLICT (unit_id, number) DO UPDATE SET
                      name = CASE WHEN excluded.name = '' THEN service_counters.name
                                  ELSE excluded.name END,
                      deleted_at = NULL
                    """,
                    (agency, number, name),
                )
    return {"unit": agency, "number": number, "name": name, "active": not remove}


def set_service(url: str, unit: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Create or replace a unit's queue service (keys as services.queue.set_up_services);
    `active: False` stops it at the unit. Its counters must be the unit's on central."""
    code = str(raw.get("code", "")).strip().upper()
    try:
        opens = clock_time(str(raw.get("opens", "07:30")), f"Lĩnh vực {code}: giờ bắt đầu phát số")
        closes = clock_time(str(raw.get("closes", "17:00")), f"Lĩnh vực {code}: giờ ngừng phát số")
        check_hours(opens, closes)
    except ValidationError as exc:
        exc.params["service"] = code
        raise
    with admin_connection(url) as conn:
        _require_schema(conn)
        with conn.transaction():
            agency = _unit(conn, unit)
            others = {
                r["code"]: r["data"]
                for r in conn.execute(
                    "SELECT code, data FROM central.queue_services "
                    "WHERE unit_id = %s AND deleted_at IS NULL",
                    (agency,),
                )
            }
            position = int(others.get(code, {}).get("position", len(others)))
            values = clean_service({**raw, "opens": opens, "closes": closes}, position)
            known = {
                r["number"]
                for r in conn.execute(
                    "SELECT number FROM central.service_counters "
                    "WHERE unit_id = %s AND deleted_at IS NULL",
                    (agency,),
                )
            }
            for n in values["counters"]:
                if n not in known:
                    raise ValidationError("central_counter_unknown", counter=n, unit=agency)
            if values["active"]:
                for other, data in sorted(others.items()):
                    if (
                        other != code
                        and data.get("active")
                        and data.get("prefix") == values["prefix"]
                    ):
                        raise ValidationError(
                            "service_prefix_taken", prefix=values["prefix"], other=other
                        )
            data = {k: v for k, v in values.items() if k != "code"}
            conn.execute(
                """
                INSERT INTO central.queue_services (unit_id, code, data)
                VALUES (%s, %s, %s::jsonb)
                ON CONFLICT (unit_id, code) DO UPDATE SET data = excluded.data, deleted_at = NULL
                WHERE queue_services.data IS DISTINCT FROM excluded.data
                   OR queue_services.deleted_at IS NOT NULL
                """,
                (agency, values["code"], json.dumps(data, ensure_ascii=False)),
            )
    return {"unit": agency, **values}
