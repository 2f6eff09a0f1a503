"""A dossier to print in the print-path tests (the one tests/integration/test_printing.py
uses), importable by name from tests/cups and tests/integration (tests/ is on sys.path)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from counter_app.domain.model import Applicant, DocumentLine, DossierView, ProcedureInfo, UnitInfo

ICT = timezone(timedelta(hours=7))
CODE = "000.00.25.H01-261128-0007"
NAME = "Nguyễn Thị Ánh Tuyết"
PROCEDURE = (
    "Đăng ký khai sinh kết hợp đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
)
ADDRESS = "Số 12, đường Nguyễn Huệ, tổ 7, ấp Mỹ Thạnh, xã Mỹ Hòa Hưng, tỉnh An Giang"


def sample_dossier() -> DossierView:
    """The Mẫu 01 sample of tests/integration/test_printing.py (one document missing)."""
    unit = UnitInfo(
        unit_id="u-myhoahung",
        agency_id="000.00.25.H01",
        name="UBND XÃ MỸ HÒA HƯNG",
        parent_name="UBND TỈNH AN GIANG",
        place_name="Mỹ Hòa Hưng",
        address="Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
        phone="0296 3831 234",
    )
    procedure = ProcedureInfo(
        code="1.001193.000.00.00.H01",
        name=PROCEDURE,
        sector="Hộ tịch",
        level="commune",
        processing_days=3,
        fee=8000,
    )
    applicant = Applicant(
        name=NAME,
        id_number="089185001234",
        phone="0918 123 456",
        address=ADDRESS,
        email="anhtuyet.nguyen@example.vn",
    )
    documents = (
        DocumentLine("Tờ khai đăng ký khai sinh (theo mẫu)", "original", 1),
        DocumentLine("Giấy chứng sinh do cơ sở y tế cấp", "original", 1),
        DocumentLine("Căn cước công dân của cha hoặc mẹ", "certified_copy", 1),
        DocumentLine("Giấy chứng nhận kết hôn của cha mẹ", "copy", 1, received=False),
    )
    return DossierView(
        id="0193f7a2-0000-7000-8000-000000000007",
        code=CODE,
        unit=unit,
        procedure=procedure,
        applicant=applicant,
        documents=documents,
        sets=1,
        receive_channel="counter",
        return_channel="counter",
        return_address="",
        received_at=datetime(2026, 11, 28, 9, 15, tzinfo=ICT),
        due_at=datetime(2026, 12, 3, 9, 15, tzinfo=ICT),
        status="accepted",
        received_by="Trần Văn Hậu",
        register_book="01/2026",
        register_no=1234,
        form_set="2025",
    )
