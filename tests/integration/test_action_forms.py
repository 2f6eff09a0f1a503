"""`form CODE --kind …` for every form of both sets, from a stored dossier and its events."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import (
    ID_PAPERS,
    VN,
    assert_one_vietnamese_line,
    at_local,
    intake_payload,
    quiet_thursday,
)
from pypdf import PdfReader
from sqlalchemy import func, select

from counter_app.db.models import Dossier, DossierEvent, User
from counter_app.domain.ids import new_id
from counter_app.domain.lifecycle import ACTION_KINDS

needs_tools = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="poppler/zbar missing"
)
ACTION_STATUS = {
    "refuse": "refused",
    "apologize": "processing",
    "stop": "stopped",
    "handover": "processing",
    "receive-back": "accepted",
    "supplement": "supplement_requested",
}


def add_event(
    make_context: Any,
    db: Path,
    code: str,
    action: str,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """A DossierEvent row as services/actions.py writes it for `action` (kind
    ACTION_KINDS[action], reason, data JSON); no outbox row. Histories no real dossier could
    have (refused, then apologised) let one dossier print every form;
    test_forms_follow_the_actions_as_taken checks the same forms after real actions."""
    kind = ACTION_KINDS[action]
    ctx = make_context(db)
    with ctx.uow.write() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == code))
        assert d is not None
        clerk = s.scalar(select(User).where(User.username == "canbo1"))
        assert clerk is not None
        last = s.scalar(select(func.max(DossierEvent.step)).where(DossierEvent.dossier_id == d.id))
        s.add(
            DossierEvent(
                id=new_id(),
                unit_id=d.unit_id,
                dossier_id=d.id,
                step=(last or 0) + 1,
                kind=kind,
                status=ACTION_STATUS[action],
                at=at,
                business_day=at.astimezone(VN).date(),
                by_user_id=clerk.id,
                reason=reason,
                data=data or {},
                recorded_at=at,
            )
        )
        d.status = ACTION_STATUS[action]


def intake(cli: Any, write_json: Any, **over: Any) -> str:
    res = cli("--json", "intake", write_json(intake_payload(**over)), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    import json

    return str(json.loads(res.out)[0]["code"])


def form(cli: Any, code: str, kind: str, out: Path) -> str:
    res = cli("form", code, "--kind", kind, "-o", out)
    assert res.rc == 0, res.err
    reader = PdfReader(out)
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def look(pdf: Path, name: str) -> list[str]:
    """Render page 1 to /tmp/forms/<name>.png (kept for a human look) and scan its barcode."""
    keep = Path("/tmp/forms")
    keep.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", pdf, keep / name],
        check=True,
    )
    hi = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "1", "-l", "1", pdf, hi])
    done = subprocess.run(["zbarimg", "--raw", "-q", f"{hi}.png"], capture_output=True)
    return done.stdout.decode().split()


@pytest.fixture
def dossier_2025(demo_db: Path, cli: Any, write_json: Any) -> str:
    return intake(cli, write_json)


@pytest.fixture
def dossier_2018(demo_db: Path, cli: Any, write_json: Any) -> str:
    return intake(cli, write_json, received_at="2025-06-03T09:15:00+07:00")


def _events(make_context: Any, db: Path, code: str, received: datetime) -> None:
    add_event(
        make_context,
        db,
        code,
        "handover",
        received + timedelta(hours=1),
        data={"to": "Phòng Văn hóa - Xã hội"},
    )
    add_event(
        make_context,
        db,
        code,
        "receive-back",
        received + timedelta(days=1),
        data={"from": "Phòng Văn hóa - Xã hội", "result": "Đã ký"},
    )
    add_event(
        make_context,
        db,
        code,
        "refuse",
        received + timedelta(hours=2),
        reason="Hồ sơ không thuộc thẩm quyền giải quyết của xã.",
    )
    add_event(
        make_context,
        db,
        code,
        "apologize",
        received + timedelta(days=2),
        reason="Cần xác minh thêm tại nơi cư trú trước đây.",
        data={
            "previous_due_at": (received + timedelta(days=3)).isoformat(),
            "due_at": (received + timedelta(days=9)).isoformat(),
        },
    )
    add_event(
        make_context,
        db,
        code,
        "stop",
        received + timedelta(days=2, hours=1),
        reason="Người yêu cầu có đơn rút hồ sơ.",
    )


@needs_tools
@pytest.mark.parametrize("form_set", ["2025", "2018"])
def test_every_form_of_both_sets(
    form_set: str, demo_db: Path, cli: Any, write_json: Any, make_context: Any, tmp_path: Path
) -> None:
    received = (
        datetime(2025, 6, 3, 9, 15, tzinfo=VN)
        if form_set == "2018"
        else datetime(2026, 12, 2, 9, 0, tzinfo=VN)
    )
    over = {"received_at": received.isoformat()} if form_set == "2018" else {}
    code = intake(cli, write_json, **over)
    _events(make_context, demo_db, code, received)
    numbers = {
        "2025": {
            "receipt": "01",
            "refusal": "03",
            "apology": "04",
            "stop-notice": "05",
            "control-sheet": "06",
        },
        "2018": {"receipt": "01", "refusal": "03", "apology": "04", "control-sheet": "05"},
    }[form_set]
    titles = {
        "refusal": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "apology": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
        if form_set == "2018"
        else "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "stop-notice": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "control-sheet": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "receipt": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    }
    for kind, number in numbers.items():
        out = tmp_path / f"{kind}-{form_set}.pdf"
        text = form(cli, code, kind, out)
        assert f"Mẫu số {number}" in text, kind
        assert titles[kind] in text, kind
        assert f"Mã hồ sơ: {code}" in text
        assert look(out, f"{kind}-{form_set}") == [code], kind
    texts = {k: form(cli, code, k, tmp_path / f"{k}.pdf") for k in numbers}
    assert "Hồ sơ không thuộc thẩm quyền giải quyết của xã." in texts["refusal"]
    assert "Cần xác minh thêm tại nơi cư trú trước đây." in texts["apology"]
    assert "Phòng Văn hóa - Xã hội" in texts["control-sheet"]
    assert "Đã ký" in texts["control-sheet"] and "Trước hạn" in texts["control-sheet"]
    if form_set == "2018":
        assert "ngày 03 tháng 6 năm 2025" in texts["receipt"]
        res = cli("form", code, "--kind", "stop-notice", "-o", tmp_path / "x.pdf")
        assert res.rc != 0 and "01/2018" in assert_one_vietnamese_line(res.err)
        assert not (tmp_path / "x.pdf").exists()
    else:
        assert "ngày 02 tháng 12 năm 2026" in texts["receipt"]
        assert "Người yêu cầu có đơn rút hồ sơ." in texts["stop-notice"]
        assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in texts["refusal"]


@pytest.mark.parametrize("kind", ["refusal", "apology", "stop-notice"])
def test_a_form_for_an_action_never_taken_is_refused(
    kind: str, dossier_2025: str, cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "x.pdf"
    res = cli("form", dossier_2025, "--kind", kind, "-o", out)
    assert res.rc != 0
    assert dossier_2025 in assert_one_vietnamese_line(res.err)
    assert not out.exists()


def test_control_sheet_before_any_handover_has_blank_rows(
    dossier_2025: str, cli: Any, tmp_path: Path
) -> None:
    text = form(cli, dossier_2025, "control-sheet", tmp_path / "c.pdf")
    assert "Quá trình giao, nhận hồ sơ" in text and "Bên nhận" in text


def test_no_receipt_for_a_dossier_waiting_for_documents(
    demo_db: Path, cli: Any, write_json: Any, tmp_path: Path
) -> None:
    code = intake(cli, write_json, documents=[])
    res = cli("form", code, "--kind", "receipt", "-o", tmp_path / "r.pdf")
    assert res.rc != 0 and "--kind supplement" in assert_one_vietnamese_line(res.err)
    text = form(cli, code, "supplement", tmp_path / "s.pdf")
    reason = text.index("Lý do:")
    assert reason < text.index("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm")


def test_later_supplement_request_prints_its_reason_and_documents(
    dossier_2025: str, demo_db: Path, cli: Any, make_context: Any, tmp_path: Path
) -> None:
    add_event(
        make_context,
        demo_db,
        dossier_2025,
        "supplement",
        datetime(2026, 12, 2, 10, 0, tzinfo=VN),
        reason="Bản sao mờ, không đọc được.",
        data={"documents": ["Bản sao Giấy khai sinh"], "stage": "processing"},
    )
    text = form(cli, dossier_2025, "supplement", tmp_path / "s.pdf")
    assert "Lý do: Bản sao mờ, không đọc được." in text
    assert "Bản sao Giấy khai sinh" in text


def test_complete_dossier_gets_no_empty_supplement(
    dossier_2025: str, cli: Any, tmp_path: Path
) -> None:
    res = cli("form", dossier_2025, "--kind", "supplement", "-o", tmp_path / "s.pdf")
    assert res.rc != 0 and "không thiếu" in assert_one_vietnamese_line(res.err)


def test_quiet_helpers_still_importable() -> None:
    assert isinstance(quiet_thursday(), date) and at_local(date(2026, 1, 2))


def test_presented_id_papers_are_a_line_not_a_table_row(
    dossier_2025: str, cli: Any, tmp_path: Path
) -> None:
    # sample catalogue: the civil-status ID papers are presented (Decree 123/2015, art. 2)
    text = form(cli, dossier_2025, "receipt", tmp_path / "r.pdf")
    assert f"Giấy tờ xuất trình: {ID_PAPERS}" in text
    assert "2 Giấy tờ tùy thân" not in text  # not row 2 of the submitted documents
    assert "Phí, lệ phí: 3.000 đồng" in text


def test_fee_per_page_is_printed_as_a_rate(
    demo_db: Path, cli: Any, write_json: Any, tmp_path: Path
) -> None:
    code = intake(cli, write_json, procedure="2.000815", documents=None)
    text = form(cli, code, "receipt", tmp_path / "r.pdf")
    assert "Phí, lệ phí: 2.000 đ/trang" in text
    assert "Thời gian giải quyết hồ sơ theo quy định: trong ngày" in text


def test_forms_follow_the_actions_as_taken(
    dossier_2025: str, cli: Any, write_json: Any, tmp_path: Path
) -> None:
    """The contract between services/actions.py and the forms: the same dossier taken through
    real `dossier` actions prints its control sheet and apology; others their refusal/stop."""

    def act(code: str, *argv: str) -> None:
        res = cli("dossier", code, *argv, "--by", "canbo1")
        assert res.rc == 0, res.err

    code = dossier_2025
    act(code, "handover", "--to", "Phòng Văn hóa - Xã hội")
    act(code, "receive-back", "--result", "Đã ký")
    act(code, "apologize", "--reason", "Cần xác minh thêm.", "--new-due", "2026-12-18")
    sheet = form(cli, code, "control-sheet", tmp_path / "c.pdf")
    assert "Phòng Văn hóa - Xã hội" in sheet and "Đã ký" in sheet
    apology = form(cli, code, "apology", tmp_path / "a.pdf")
    assert "Cần xác minh thêm." in apology and "ngày 18 tháng 12 năm 2026" in apology

    refused = intake(cli, write_json)
    act(refused, "refuse", "--reason", "Không thuộc thẩm quyền của xã.")
    assert "Không thuộc thẩm quyền của xã." in form(cli, refused, "refusal", tmp_path / "r.pdf")
    stopped = intake(cli, write_json)
    act(stopped, "stop", "--reason", "Người yêu cầu rút hồ sơ.")
    assert "Người yêu cầu rút hồ sơ." in form(cli, stopped, "stop-notice", tmp_path / "s.pdf")
    later = intake(cli, write_json)
    act(later, "supplement", "--reason", "Bản sao mờ.", "--document", "Bản sao Giấy khai sinh")
    text = form(cli, later, "supplement", tmp_path / "m.pdf")
    assert "Lý do: Bản sao mờ." in text and "Bản sao Giấy khai sinh" in text


def test_unit_set_names_the_receiving_unit_and_the_result_place_on_the_receipt(
    dossier_2025: str, cli: Any, tmp_path: Path
) -> None:
    """`unit set`: the unit's names on the forms are settings, not constants (DOMAIN.md §3)."""
    res = cli(
        "--json",
        "unit",
        "set",
        "--receiving-name",
        "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng (cơ sở 2)",
        "--result-place",
        "Quầy số 3, Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng",
    )
    assert res.rc == 0, res.err
    assert json.loads(res.out)["result_place"].startswith("Quầy số 3")
    text = form(cli, dossier_2025, "receipt", tmp_path / "r.pdf")
    assert "(cơ sở 2)" in text and "Quầy số 3" in text
    # Empty goes back to the default derived from the unit's name.
    assert cli("unit", "set", "--receiving-name", "", "--result-place", "").rc == 0
    text = form(cli, dossier_2025, "receipt", tmp_path / "r2.pdf")
    assert "(cơ sở 2)" not in text and "Quầy số 3" not in text
    res = cli("unit", "set")
    assert res.rc != 0 and len(res.err.strip().splitlines()) == 1
