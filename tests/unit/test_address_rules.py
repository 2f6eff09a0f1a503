"""Issue 16 (store): reading the 2025 commune at the end of an address (services/addresses):
written as a 2025 commune, never an old city or district of the same name."""

from __future__ import annotations

import pytest

from counter_app.domain.admin_units import default_units
from counter_app.domain.errors import ValidationError
from counter_app.services import addresses


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Tổ 1, Phường Long Xuyên, tỉnh An Giang", "30307"),
        ("Tổ 1, P. Long Xuyên, An Giang", "30307"),
        ("Tổ 1, phuong long xuyen, an giang", "30307"),
        ("Tổ 1, Long Xuyên, An Giang", "30307"),  # no type word: the 2025 ward
        ("Ấp Mỹ Hòa, X. Mỹ Hòa Hưng, An Giang", "30313"),
        # an old card address: a former city / district / town names no 2025 unit
        ("Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang", None),
        ("Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, TP. Long Xuyên, An Giang", None),
        ("Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, TP Long Xuyên, An Giang", None),
        ("Ấp Mỹ Hòa, gần chợ", None),
        ("", None),
    ],
)
def test_recognise(text: str, code: str | None) -> None:
    _, found = default_units().recognise(text)
    assert (found.code if found else None) == code


def test_resolve_rules() -> None:
    units = default_units()
    assert addresses.resolve(units, "Ấp Mỹ Hòa", "30313") == (
        "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang",
        "30313",
    )
    assert addresses.resolve(units, "Ấp 1, xã Mỹ Hòa Hưng, An Giang", "30313")[0] == (
        "Ấp 1, xã Mỹ Hòa Hưng, An Giang"
    )
    assert addresses.resolve(units, "Ấp 1", None) == ("Ấp 1", None)
    with pytest.raises(ValidationError) as e:
        addresses.resolve(units, "Ấp 1", "99999")
    assert e.value.field_errors == {"applicant.commune_code": "commune_unknown"}
    with pytest.raises(ValidationError) as e:
        addresses.resolve(units, "Tổ 1, Phường Long Xuyên, An Giang", "30313")
    assert e.value.code == "commune_mismatch"
    with pytest.raises(ValidationError) as e:  # the label would pass the column's 300
        addresses.resolve(units, "x" * 290, "30313")
    assert e.value.field_errors == {"applicant.address": "too_long"}
