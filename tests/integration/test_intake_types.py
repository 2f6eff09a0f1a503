"""Issue 12 item 10: JSON types in the intake file are checked strictly.

`"received": "false"` is a string, not false: it must not mark a document received. Every
field of a wrong JSON type is refused with one line naming the field; nothing is written.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from counter_app.domain.errors import ValidationError
from counter_app.messages import describe
from counter_app.services.intake import parse_intake


@pytest.fixture
def refused_intake(cli, demo_db, db_snapshot, itest, write_json, tmp_path):
    """refused_intake(obj) -> the one Vietnamese line; the database is left as it was."""

    def check(obj: Any) -> str:
        before = db_snapshot(demo_db)
        res = cli("intake", write_json(obj), "--clerk", "canbo1")
        assert res.rc not in (0, 3), (res.rc, res.err)
        assert res.out == ""
        line = itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
        assert db_snapshot(demo_db) == before
        return line

    return check


def _payload(itest, path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(itest.payload())
    *head, last = path.split(".")
    node: Any = data
    for part in head:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return data


def test_received_as_the_string_false_is_refused(refused_intake, itest) -> None:
    line = refused_intake(_payload(itest, "documents.0.received", "false"))
    assert "dòng 1" in line and "received" in line and "true hoặc false" in line


CASES = [
    ("procedure", 1004873, "Thủ tục"),
    ("applicant", ["Nguyễn Văn An"], "Người nộp"),
    ("applicant.name", 5, "Họ tên"),
    ("applicant.id_number", 79090001234, "CCCD"),
    ("applicant.phone", 912345678, "Điện thoại"),
    ("applicant.email", ["a@b.vn"], "Email"),
    ("applicant.address", {"street": "x"}, "Địa chỉ"),
    ("documents", {"name": "Tờ khai"}, "Thành phần hồ sơ"),
    ("documents.0", "Tờ khai", "dòng 1"),
    ("documents.0.name", 7, "dòng 1"),
    ("documents.0.kind", 1, "dòng 1"),
    ("documents.0.count", "1", "dòng 1"),
    ("documents.0.count", True, "dòng 1"),
    ("documents.1.received", 1, "dòng 2"),
    ("documents.1.required", "no", "dòng 2"),
    ("sets", "2", "Số bộ"),
    ("sets", True, "Số bộ"),
    ("receive_channel", 1, "Nhận qua"),
    ("return_channel", False, "Trả qua"),
    ("return_address", 12, "Địa chỉ nhận kết quả"),
    ("received_at", 20261201, "Thời gian tiếp nhận"),
    ("ticket_id", 5, "ticket_id"),
    ("request_id", 5, "request_id"),
]


@pytest.mark.parametrize(("path", "value", "label"), CASES)
def test_a_wrong_type_names_the_field(itest, path: str, value: Any, label: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_intake(_payload(itest, path, value))
    fields = err.value.field_errors
    key = path.replace(".0", "[0]").replace(".1", "[1]")
    assert any(f == key or f.startswith(key + ".") for f in fields), fields
    assert label in describe(err.value)


def test_wrong_types_through_the_command_line_write_nothing(refused_intake, itest) -> None:
    data = _payload(itest, "documents.1.received", "false")
    data["sets"] = "1"
    line = refused_intake(data)
    assert "Số bộ" in line and "dòng 2" in line


def test_the_right_types_still_pass(itest) -> None:
    data = _payload(itest, "documents.1.received", False)
    data["documents"][0]["required"] = True
    data["ticket_id"] = None
    req = parse_intake(data)
    assert req.documents is not None
    assert [d.received for d in req.documents] == [True, False]
