"""How a catalogue marks a document optional ("(nếu có)"): `"required": false`, a JSON
boolean. F3 ticks the required ones only (issue 14 item 2), so a text "false", which Python
reads as true, is refused at import instead of making the document required."""

from __future__ import annotations

import pytest

from counter_app.domain.catalogue import validate_procedure
from counter_app.domain.errors import ValidationError

BASE = {
    "code": "9.1",
    "name": "X",
    "sector": "Hộ tịch",
    "level": "commune",
    "processing_days": 1,
    "fee": 0,
}


def docs(*items: dict[str, object]) -> dict[str, object]:
    return {**BASE, "documents": list(items)}


def test_required_is_true_unless_the_catalogue_says_false() -> None:
    p = validate_procedure(docs({"name": "Tờ khai"}, {"name": "Ủy quyền", "required": False}), 0)
    assert [d["required"] for d in p["documents"]] == [True, False]


@pytest.mark.parametrize("value", ["false", "no", 0, 1, None])
def test_required_that_is_not_a_boolean_is_refused(value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_procedure(docs({"name": "Ủy quyền", "required": value}), 0)
    assert exc.value.code == "catalogue_field_invalid"
    assert exc.value.params["field"] == "documents.required"
