"""The certification books (sổ chứng thực, DOMAIN.md §7): numbered at intake for the sample
catalogue's copy (SCT/BS) and signature (SCT/CK) procedures, cited on Mẫu 01 and by `show`,
printed by `register --book`; nothing typed twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_one_vietnamese_line, intake_payload
from pypdf import PdfReader

from counter_app.domain.catalogue import validate_procedure

COPY, SIGNATURE = "2.000815", "2.000884"


def text_of(pdf: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)


def intake(cli: Any, write_json: Any, items: list[dict[str, Any]]) -> list[str]:
    res = cli("--json", "intake", write_json(items), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    return [str(x["code"]) for x in json.loads(res.out)]


def certification(cli: Any, code: str) -> dict[str, Any] | None:
    res = cli("--json", "show", code)
    assert res.rc == 0, res.err
    return json.loads(res.out)["certification"]  # type: ignore[no-any-return]


def test_certifications_are_numbered_cited_and_printed(
    demo_db: Path, cli: Any, write_json: Any, tmp_path: Path
) -> None:
    copy_docs = [
        {"name": "Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", "kind": "original"},
        {"name": "Bản sao cần chứng thực", "kind": "copy", "count": 3},
    ]
    codes = intake(
        cli,
        write_json,
        [
            intake_payload(procedure=COPY, documents=copy_docs),
            intake_payload(procedure=SIGNATURE, documents=None),
            intake_payload(procedure=COPY, documents=copy_docs),
            intake_payload(),  # not a certification: no number
        ],
    )
    first, sig, second, plain = (certification(cli, c) for c in codes)
    assert plain is None
    assert first and second and sig
    assert first["book"] == second["book"] == "01/2026-SCT/BS"
    assert second["number"] == first["number"] + 1  # gap-free, its own numbering
    assert sig["book"] == "01/2026-SCT/CK"

    receipt = tmp_path / "r.pdf"
    assert cli("form", codes[2], "--kind", "receipt", "-o", receipt).rc == 0
    line = f"Số chứng thực: {second['number']}, Quyển số 01/2026-SCT/BS"
    assert line in text_of(receipt)
    assert line in cli("show", codes[2]).out

    out = tmp_path / "bs.pdf"
    res = cli(
        "register", "--book", "SCT/BS", "--from", "2026-12-01", "--to", "2026-12-31", "-o", out
    )
    assert res.rc == 0, res.err
    text = text_of(out)
    assert "SỔ CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH" in text and "Quyển số: 01/2026-SCT/BS" in text
    for heading in ("Số chứng thực", "Họ tên người yêu cầu chứng thực", "Số bản sao đã được"):
        assert heading in text
    assert "Tên của bản chính giấy tờ" in text and "người ký chứng thực" in text
    assert "Bản chính giấy tờ, văn bản làm cơ sở" in text  # the original's name, from intake
    assert f"{second['number']} 02/12/2026 Nguyễn Văn An" in text
    assert codes[0] in text and codes[2] in text and codes[1] not in text and codes[3] not in text
    assert "Trang 1/1" in text

    ck = tmp_path / "ck.pdf"
    assert (
        cli("register", "--book", "CK", "--from", "2026-12-02", "--to", "2026-12-02", "-o", ck).rc
        == 0
    )
    text = text_of(ck)
    assert "SỔ CHỨNG THỰC CHỮ KÝ" in text and "01/2026-SCT/CK" in text and codes[1] in text


@pytest.mark.parametrize(
    ("book", "start", "end"),
    [("SCT/XX", "2026-12-01", "2026-12-31"), ("SCT/BS", "2025-12-01", "2026-01-31")],
)
def test_bad_book_options_are_one_line(
    demo_db: Path, cli: Any, tmp_path: Path, book: str, start: str, end: str
) -> None:
    out = tmp_path / "x.pdf"
    res = cli("register", "--book", book, "--from", start, "--to", end, "-o", out)
    assert res.rc == 1
    assert_one_vietnamese_line(res.err, strip=(book,))
    assert not out.exists()


def test_the_catalogue_field_is_optional_and_checked() -> None:
    base = {"code": "9.1", "name": "X", "sector": "Chứng thực", "level": "commune"}
    base |= {"processing_days": 0, "fee": 0}
    assert validate_procedure(base, 0)["certification_book"] is None
    assert validate_procedure({**base, "certification_book": "CK"}, 0)["certification_book"] == "CK"
    with pytest.raises(Exception, match="catalogue_field_invalid"):
        validate_procedure({**base, "certification_book": "HĐ"}, 0)
