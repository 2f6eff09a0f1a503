"""The unit's own place from the 2025 list (issue 16 §4), through the command line on real
SQLite files: `unit set --commune` by code or by name (accents optional), ambiguous and
unknown names refused with the candidates, the names the forms print derived from it, and
the receipt's header read back from the real PDF with pdftotext."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import DEMO_AGENCY, assert_one_vietnamese_line, intake_payload

AGENCY = "000.31.07.H12"
SHOTS = Path(os.environ["COUNTER_APP_SHOTS"]) if os.environ.get("COUNTER_APP_SHOTS") else None
pdf_tools = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="poppler-utils missing"
)


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    return json.loads(res.out)


def refused(res: Any) -> str:
    assert res.rc == 1, res
    assert res.out == ""
    return assert_one_vietnamese_line(res.err)


def test_set_by_code_derives_every_name_the_forms_print(cli) -> None:
    data = ok(cli("--json", "unit", "set", "--agency", AGENCY, "--commune", "30313"))
    assert data["created"] is True
    assert data["commune_code"] == "30313"
    assert data["commune"] == {"code": "30313", "label": "Xã Mỹ Hòa Hưng, tỉnh An Giang"}
    assert data["name"] == "UBND XÃ MỸ HÒA HƯNG"
    assert data["parent_name"] == "UBND TỈNH AN GIANG"
    assert data["place_name"] == "Mỹ Hòa Hưng"
    assert data["receiving_name"] == "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng"
    assert data["address"] == "Xã Mỹ Hòa Hưng, tỉnh An Giang"
    shown = ok(cli("--json", "unit", "show"))
    assert shown["commune"] == {"code": "30313", "label": "Xã Mỹ Hòa Hưng, tỉnh An Giang"}
    assert shown["province"] == {"code": "91", "name": "Tỉnh An Giang"}
    text = cli("unit", "show").out
    assert "Đơn vị hành chính: Xã Mỹ Hòa Hưng, tỉnh An Giang (mã 30313)" in text


def test_set_by_name_without_accents_with_the_street_part(cli) -> None:
    ok(cli("--json", "unit", "set", "--agency", AGENCY, "--name", "UBND XÃ CŨ"))
    data = ok(
        cli("--json", "unit", "set", "--commune", "phu quoc", "--address-street", "Số 1 Lê Lợi")
    )
    assert data["commune_code"] == "31078"
    assert data["name"] == "UBND ĐẶC KHU PHÚ QUỐC"
    assert data["receiving_name"] == "Trung tâm Phục vụ hành chính công đặc khu Phú Quốc"
    assert data["place_name"] == "Phú Quốc"
    assert data["address"] == "Số 1 Lê Lợi, Đặc khu Phú Quốc, tỉnh An Giang"
    # the street alone later keeps the commune
    data = ok(cli("--json", "unit", "set", "--address-street", "Số 9 Nguyễn Trung Trực"))
    assert data["address"] == "Số 9 Nguyễn Trung Trực, Đặc khu Phú Quốc, tỉnh An Giang"
    assert data["commune_code"] == "31078"


def test_a_name_given_in_the_same_command_wins_over_the_derived_one(cli) -> None:
    data = ok(
        cli(
            "--json",
            "unit",
            "set",
            "--agency",
            AGENCY,
            "--commune",
            "Phường Long Xuyên, tỉnh An Giang",
            "--receiving-name",
            "Bộ phận Một cửa phường Long Xuyên",
            "--address",
            "Số 10 Lê Lợi, phường Long Xuyên, tỉnh An Giang",
        )
    )
    assert data["commune_code"] == "30307"
    assert data["name"] == "UBND PHƯỜNG LONG XUYÊN"
    assert data["receiving_name"] == "Bộ phận Một cửa phường Long Xuyên"
    assert data["address"] == "Số 10 Lê Lợi, phường Long Xuyên, tỉnh An Giang"


def test_an_ambiguous_name_lists_the_candidates_with_their_codes(cli, db_path: Path) -> None:
    msg = refused(cli("unit", "set", "--agency", AGENCY, "--commune", "son ha"))
    assert "21289 Xã Sơn Hà, tỉnh Quảng Ngãi" in msg
    assert "21292 Xã Sơn Hạ, tỉnh Quảng Ngãi" in msg
    assert "mã 5 chữ số" in msg
    assert cli("--json", "unit", "show").out.strip() == "null"  # nothing was created
    # a short name listing many: at most 8, and how many more
    msg = refused(cli("unit", "set", "--agency", AGENCY, "--commune", "an"))
    assert msg.count(";") == 7
    assert "nơi khác" in msg


def test_unknown_commune_or_province_is_refused_and_changes_nothing(cli) -> None:
    ok(cli("--json", "unit", "set", "--agency", AGENCY, "--commune", "30313"))
    msg = refused(cli("unit", "set", "--commune", "khong co xa nay"))
    assert "khong co xa nay" in msg and "danh mục" in msg
    refused(cli("unit", "set", "--commune", "99999"))
    msg = refused(cli("unit", "set", "--province", "sao hoa"))
    assert "tỉnh" in msg
    shown = ok(cli("--json", "unit", "show"))
    assert shown["commune_code"] == "30313"
    assert shown["name"] == "UBND XÃ MỸ HÒA HƯNG"
    res = cli("unit", "set", "--commune", "30313", "--province", "91")
    assert res.rc == 2


def test_street_without_a_place_is_refused(cli) -> None:
    ok(cli("--json", "unit", "set", "--agency", AGENCY, "--name", "UBND XÃ AN BÌNH"))
    msg = refused(cli("unit", "set", "--address-street", "Ấp An Hòa"))
    assert "--commune" in msg


def test_a_province_centre(cli) -> None:
    data = ok(cli("--json", "unit", "set", "--agency", AGENCY, "--province", "an giang"))
    assert data["commune_code"] == ""
    assert data["commune"] is None
    assert data["province"] == {"code": "91", "name": "Tỉnh An Giang"}
    assert data["name"] == "UBND TỈNH AN GIANG"
    assert data["parent_name"] == ""
    assert data["place_name"] == "An Giang"
    assert data["receiving_name"] == "Trung tâm Phục vụ hành chính công tỉnh An Giang"
    data = ok(cli("--json", "unit", "set", "--address-street", "Số 1 Lê Lợi"))
    assert data["address"] == "Số 1 Lê Lợi, tỉnh An Giang"


def test_the_demo_unit_is_a_real_commune(cli, demo_db: Path) -> None:
    shown = ok(cli("--json", "unit", "show"))
    assert shown["agency_id"] == DEMO_AGENCY
    assert shown["commune"] == {"code": "30313", "label": "Xã Mỹ Hòa Hưng, tỉnh An Giang"}


def test_home_units_for_the_intake_completion(make_context, cli, db_path: Path) -> None:
    from counter_app.services.intake import intake_setup
    from counter_app.services.unit_place import home_units

    ok(cli("--json", "unit", "set", "--agency", AGENCY, "--commune", "30313"))
    ctx = make_context(db_path)
    assert home_units(ctx) == ("30313", "91")
    assert intake_setup(ctx).unit.commune_code == "30313"
    ok(cli("--json", "unit", "set", "--province", "91"))
    assert home_units(ctx) == (None, "91")


# --- the receipt's header, read back from the PDF ---------------------------------------------


def _text(pdf: Path, x: int, y: int, w: int, h: int) -> str:
    """The words of page 1 inside a box (points from the top left), on one line."""
    box = ("-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h))
    out = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", *box, str(pdf), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return " ".join(out.split())


def _receipt(cli, tmp_path: Path, name: str) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake_payload(), ensure_ascii=False), encoding="utf-8")
    res = cli("--json", "intake", path, "--clerk", "canbo1")
    assert res.rc == 0, res.err
    code = json.loads(res.out)[0]["code"]
    pdf = tmp_path / f"{name}.pdf"
    res = cli("form", code, "--kind", "receipt", "-o", pdf)
    assert res.rc == 0, res.err
    if SHOTS is not None:  # a look at it: COUNTER_APP_SHOTS=/some/folder
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, SHOTS / name], check=True
        )
    return pdf


@pdf_tools
@pytest.mark.parametrize(
    ("commune", "ubnd", "centre", "place", "in_text"),
    [
        (
            "my hoa hung",
            "UBND XÃ MỸ HÒA HƯNG",
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ MỸ HÒA HƯNG",
            "Mỹ Hòa Hưng",
            "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng",
        ),
        (
            "30307",
            "UBND PHƯỜNG LONG XUYÊN",
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG LONG XUYÊN",
            "Long Xuyên",
            "Trung tâm Phục vụ hành chính công phường Long Xuyên",
        ),
        (
            "dac khu phu quoc",
            "UBND ĐẶC KHU PHÚ QUỐC",
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG ĐẶC KHU PHÚ QUỐC",
            "Phú Quốc",
            "Trung tâm Phục vụ hành chính công đặc khu Phú Quốc",
        ),
    ],
)
def test_receipt_header_of_a_unit_set_up_from_the_list(
    cli, demo_db: Path, tmp_path: Path, commune, ubnd, centre, place, in_text
) -> None:
    ok(cli("--json", "unit", "set", "--commune", commune))
    pdf = _receipt(cli, tmp_path, f"receipt-{place}")
    # the header's left column (20–92 mm): the UBND above the centre, both upper case
    left = _text(pdf, 50, 0, 215, 150)
    assert left.startswith(f"{ubnd} {centre}"), left
    # its right column: the place and date line
    right = _text(pdf, 262, 0, 330, 120)
    assert f"{place}, ngày " in right, right
    body = _text(pdf, 0, 0, 600, 842)
    # the receiving unit as running text ("xã", "phường", "đặc khu" lower case)
    assert f"Cơ quan tiếp nhận: {in_text}" in body
    # item 6, where the result is collected
    assert in_text in body.split("6. ")[-1]
    assert "UBND TỈNH AN GIANG" not in body  # the 2025 set: no province line above
