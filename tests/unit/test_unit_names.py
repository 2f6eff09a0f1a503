"""The receiving unit's names derived from its 2025 commune or province (issue 16 §4), the
derived receiving name of a unit named by hand, and the header's line breaks."""

from __future__ import annotations

import pytest

from counter_app.domain.admin_units import default_units
from counter_app.domain.errors import ValidationError
from counter_app.domain.model import UnitInfo
from counter_app.domain.unit_names import commune_names, province_names
from counter_app.printing.layout import NBSP, keep_together
from counter_app.printing.wording import receiving_name
from counter_app.services.unit_place import resolve_commune, resolve_province

UNITS = default_units()


@pytest.mark.parametrize(
    ("code", "name", "parent", "place", "centre"),
    [
        (
            "30313",
            "UBND XÃ MỸ HÒA HƯNG",
            "UBND TỈNH AN GIANG",
            "Mỹ Hòa Hưng",
            "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng",
        ),
        (
            "30307",
            "UBND PHƯỜNG LONG XUYÊN",
            "UBND TỈNH AN GIANG",
            "Long Xuyên",
            "Trung tâm Phục vụ hành chính công phường Long Xuyên",
        ),
        (
            "31078",
            "UBND ĐẶC KHU PHÚ QUỐC",
            "UBND TỈNH AN GIANG",
            "Phú Quốc",
            "Trung tâm Phục vụ hành chính công đặc khu Phú Quốc",
        ),
    ],
)
def test_commune_names(code: str, name: str, parent: str, place: str, centre: str) -> None:
    commune = UNITS.communes[code]
    names = commune_names(commune, "Ấp Mỹ Hòa, ")
    assert (names.name, names.parent_name, names.place_name) == (name, parent, place)
    assert names.receiving_name == centre
    assert names.address == f"Ấp Mỹ Hòa, {commune.label}"
    assert commune_names(commune).address == commune.label


def test_a_city_province_and_its_wards() -> None:
    hanoi = UNITS.find_province("ha noi")
    assert hanoi is not None
    names = province_names(hanoi)
    assert names.name == "UBND THÀNH PHỐ HÀ NỘI"
    assert names.parent_name == ""
    assert names.place_name == "Hà Nội"
    assert names.receiving_name == "Trung tâm Phục vụ hành chính công thành phố Hà Nội"
    assert province_names(hanoi, "Số 1 Tràng Tiền").address == "Số 1 Tràng Tiền, thành phố Hà Nội"
    ward = resolve_commune(UNITS, "hoan kiem")
    assert commune_names(ward).parent_name == "UBND THÀNH PHỐ HÀ NỘI"


def test_resolve_by_code_label_and_name() -> None:
    assert resolve_commune(UNITS, "30313").name == "Xã Mỹ Hòa Hưng"
    assert resolve_commune(UNITS, "Xã Mỹ Hòa Hưng, tỉnh An Giang").code == "30313"
    assert resolve_commune(UNITS, "  my  hoa hung ").code == "30313"
    assert resolve_province(UNITS, "91").short == "An Giang"
    assert resolve_province(UNITS, "Tỉnh An Giang").code == "91"
    with pytest.raises(ValidationError) as err:
        resolve_commune(UNITS, "son ha")
    assert err.value.code == "unit_commune_ambiguous"
    assert "21289 Xã Sơn Hà, tỉnh Quảng Ngãi" in err.value.params["candidates"]
    for bad in ("", "1234567", "00000", "xyz khong co"):
        with pytest.raises(ValidationError) as err:
            resolve_commune(UNITS, bad)
        assert err.value.code == "unit_commune_unknown"


def test_receiving_name_derived_from_a_two_word_unit_type() -> None:
    unit = UnitInfo("u", "000.00.25.H01", "UBND ĐẶC KHU PHÚ QUỐC", "UBND TỈNH AN GIANG", "")
    assert receiving_name(unit) == "Trung tâm Phục vụ hành chính công đặc khu Phú Quốc"
    town = UnitInfo("u", "000.00.25.H01", "UBND THỊ TRẤN NÚI SAM", "", "")
    assert receiving_name(town) == "Trung tâm Phục vụ hành chính công thị trấn Núi Sam"


def test_the_header_breaks_the_centre_where_a_reader_does() -> None:
    centre = "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG ĐẶC KHU PHÚ QUỐC"
    kept = keep_together(centre)
    assert kept.split(" ") == [
        "TRUNG",
        "TÂM",
        "PHỤC",
        "VỤ",
        f"HÀNH{NBSP}CHÍNH{NBSP}CÔNG",
        f"ĐẶC{NBSP}KHU{NBSP}PHÚ{NBSP}QUỐC",
    ]
    assert keep_together("BỘ PHẬN MỘT CỬA") == "BỘ PHẬN MỘT CỬA"
