"""Creating the local database; seeding the demo unit, accounts, catalogue, sample dossiers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from counter_app.db.models import Unit
from counter_app.domain.codes import validate_agency_id
from counter_app.domain.errors import ValidationError
from counter_app.domain.limits import CATALOGUE_FILE_MAX_BYTES
from counter_app.inputs import read_limited
from counter_app.paths import assets_dir
from counter_app.services.auth import create_user
from counter_app.services.catalogue import import_catalogue
from counter_app.services.context import ServiceContext
from counter_app.services.intake import IntakeRequest, register
from counter_app.services.queue import set_up_services
from counter_app.services.records import append_audit
from counter_app.services.units import local_unit, set_local_unit

DEMO_AGENCY = "000.20.25.H01"
DEMO_PASSWORD = "demo"
DEMO_USERS = (
    ("giamsat", "Trần Văn Minh", "supervisor"),
    ("canbo1", "Nguyễn Thị Lan", "clerk"),
    ("canbo2", "Lê Hoàng Phúc", "clerk"),
)
# Sample applicants for the demo's earlier days (invented people, valid-looking IDs).
DEMO_APPLICANTS = (
    ("Nguyễn Văn An", "089090001234", "0912345678", "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang"),
    (
        "Trần Thị Bích Ngọc",
        "089195004321",
        "0987654321",
        "Ấp Mỹ Long, xã Mỹ Hòa Hưng, tỉnh An Giang",
    ),
    (
        "Lê Quang Đức",
        "089088012345",
        "0903111222",
        "Số 12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang",
    ),
    (
        "Phạm Thị Hồng Nhung",
        "089301000777",
        "0939888777",
        "Ấp Mỹ An, xã Mỹ Hòa Hưng, tỉnh An Giang",
    ),
    ("Huỳnh Văn Tâm", "089075006543", "0918222333", "Ấp Mỹ Thới, xã Mỹ Hòa Hưng, tỉnh An Giang"),
    ("Võ Thị Thu Hà", "089185002468", "0975123456", "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang"),
)
# Queue services: hours wider than the office's, so a demo late in the afternoon still works.
DEMO_QUEUE_SERVICES: tuple[dict[str, Any], ...] = tuple(
    {
        "code": code,
        "name": name,
        "prefix": prefix,
        "counters": counters,
        "end_number": 999,
        "opens": "07:00",
        "closes": "17:30",
    }
    for code, name, prefix, counters in (
        ("HT", "Hộ tịch", "1", [1, 2]),
        ("CT", "Chứng thực", "2", [1, 2, 3]),
        ("DD", "Đất đai", "3", [3]),
        ("KD", "Đăng ký kinh doanh", "4", [3]),
    )
)


@dataclass(frozen=True)
class InitResult:
    unit: str | None
    created_unit: bool
    catalogue: dict[str, int]


def load_catalogue_file(path: Path) -> Any:
    data = read_limited(path, CATALOGUE_FILE_MAX_BYTES)  # a regular file, at most the limit
    try:
        return json.loads(data.decode("utf-8"))
    except json.JSONDecodeError as exc:
        where = f"dòng {exc.lineno}, cột {exc.colno}"
        raise ValidationError("json_invalid", path=str(path), detail=where) from None
    except UnicodeDecodeError:
        raise ValidationError("json_invalid", path=str(path), detail="không phải UTF-8") from None


def sample_catalogue_path() -> Path:
    return assets_dir() / "catalogue" / "sample-catalogue.json"


def _create_demo_unit(ctx: ServiceContext, agency: str) -> bool:
    with ctx.uow.write() as s:
        if s.scalar(select(Unit).limit(1)) is not None:
            return False
        unit = Unit(
            agency_id=agency,
            name="UBND XÃ MỸ HÒA HƯNG",
            parent_name="UBND TỈNH AN GIANG",
            place_name="Mỹ Hòa Hưng",
            address="Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
            phone="0296 3831 000",
            commune_code="30313",  # Xã Mỹ Hòa Hưng, tỉnh An Giang in the 2025 list
        )
        s.add(unit)
        s.flush()
        set_local_unit(s, unit)
        for username, name, role in DEMO_USERS:
            create_user(s, unit.id, username, name, role, DEMO_PASSWORD)
        append_audit(s, ctx.clock(), "system", "demo_seeded", {"agency_id": agency})
    return True


def _sample_dossiers(ctx: ServiceContext) -> None:
    """A few dossiers received over the last working days, so look-up has something to find."""
    now = ctx.now()
    codes = ["1.001193", "2.000815", "1.000894", "2.000884", "1.000656", "1.004222"]
    requests = []
    for i, (name, idn, phone, addr) in enumerate(DEMO_APPLICANTS):
        when = (now - timedelta(days=1 + i // 2)).replace(hour=8 + i, minute=10 * i, second=0)
        if when.weekday() >= 5:
            when -= timedelta(days=when.weekday() - 4)
        requests.append(
            IntakeRequest(
                procedure=codes[i % len(codes)],
                name=name,
                id_number=idn,
                phone=phone,
                address=addr,
                received_at=when,
            )
        )
    for req in sorted(requests, key=lambda r: r.received_at or now):
        try:
            register(ctx, [req], "canbo1")
        except ValidationError:
            continue  # a sample code missing from a custom catalogue is not worth failing over


def init_database(ctx: ServiceContext, *, demo: bool, agency: str | None = None) -> InitResult:
    """The schema is already migrated by opening the engine; this seeds demo data when asked."""
    if agency is not None and not demo:
        raise ValidationError("unit_needs_demo")
    if not demo:
        return InitResult(None, False, {})
    agency = validate_agency_id(agency or DEMO_AGENCY)
    created = _create_demo_unit(ctx, agency)
    result = import_catalogue(ctx, load_catalogue_file(sample_catalogue_path()))
    with ctx.uow.write() as s:
        set_up_services(s, local_unit(s).id, [dict(d) for d in DEMO_QUEUE_SERVICES])
    if created:
        _sample_dossiers(ctx)
    with ctx.uow.read() as s:
        unit = s.scalar(select(Unit.agency_id).limit(1))
    return InitResult(unit, created, result.__dict__)
