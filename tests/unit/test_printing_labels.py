"""Folder label layout: modules in whole printer dots (2 or more), quiet zones, text, formats."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from counter_app.domain.errors import ValidationError
from counter_app.domain.model import Applicant, DossierView, ProcedureInfo, UnitInfo
from counter_app.printing import fonts
from counter_app.printing.label_spec import LabelSpec
from counter_app.printing.labels import (
    DOTS_PER_MM,
    HEIGHT,
    QR_QUIET_MODULES,
    QUIET_MODULES,
    WIDTH,
    label_layout,
    qr_matrix,
    render_label,
)

ICT = timezone(timedelta(hours=7))


def make_dossier(
    code: str = "000.00.25.H01-261128-0007", name: str = "Nguyễn Thị Ánh Tuyết"
) -> DossierView:
    at = datetime(2026, 11, 28, 9, 15, tzinfo=ICT)
    return DossierView(
        id="d",
        code=code,
        unit=UnitInfo(
            "u", "000.00.25.H01", "UBND XÃ MỸ HÒA HƯNG", "UBND TỈNH AN GIANG", "Mỹ Hòa Hưng"
        ),
        procedure=ProcedureInfo(
            "1.001193.000.00.00.H01", "Đăng ký khai sinh", "Hộ tịch", "xã", 3, 8000
        ),
        applicant=Applicant(name),
        documents=(),
        sets=1,
        receive_channel="counter",
        return_channel="counter",
        return_address="",
        received_at=at,
        due_at=at + timedelta(days=5),
        status="accepted",
        received_by="Trần Văn Hậu",
        register_book="01/2026",
        register_no=7,
        form_set="2025",
    )


def code128(size: str = "100x50") -> LabelSpec:
    return LabelSpec(size, "code128")


def test_long_code128_uses_two_dot_modules_with_quiet_zones() -> None:
    lay = label_layout(make_dossier(), code128())
    left = lay.rects[0][0]
    right = lay.width - (lay.rects[-1][0] + lay.rects[-1][2])

    assert lay.module == 2  # 0.25 mm: never the 1-dot module that 300 dpi could not read
    assert min(left, right) >= QUIET_MODULES * lay.module
    assert abs(left - right) <= 1
    assert all(y + h < lay.height - 16 * DOTS_PER_MM for _, y, _, h in lay.rects)


def test_short_code128_gets_wider_modules() -> None:
    lay = label_layout(make_dossier(code="H15-261008-0975"), code128())
    assert lay.module == 3
    assert all((x - lay.rects[0][0]) % lay.module == 0 for x, _, _, _ in lay.rects)
    assert all(w % lay.module == 0 for _, _, w, _ in lay.rects)


def test_code128_never_prints_one_dot_modules_on_50_mm() -> None:
    with pytest.raises(ValidationError) as err:
        label_layout(make_dossier(), code128("50x30"))
    assert err.value.code == "label_code_too_long"


def test_bars_sum_to_code128_modules() -> None:
    lay = label_layout(make_dossier(), code128())
    modules = (lay.rects[-1][0] + lay.rects[-1][2] - lay.rects[0][0]) // lay.module
    assert modules == 288  # 24 symbols of 11 modules (start, 22 data incl. set changes, check) + 13


def test_qr_is_square_whole_dots_with_quiet_zone_above_the_text() -> None:
    lay = label_layout(make_dossier())
    x, y, w, h = lay.code_box
    n = len(qr_matrix(make_dossier().code))

    assert lay.spec == LabelSpec("50x30", "qr")
    assert w == h == n * lay.module and lay.module == 3
    assert min(x, y) >= QR_QUIET_MODULES * lay.module
    quiet_below = lay.lines[0].baseline_mm * DOTS_PER_MM - 3 * DOTS_PER_MM - (y + h)
    assert quiet_below >= QR_QUIET_MODULES * lay.module  # the code line's caps stay clear
    assert all(
        x <= rx and rx + rw <= x + w and y <= ry and ry + rh <= y + h
        for rx, ry, rw, rh in lay.rects
    )


def test_long_name_is_cut_to_the_label_width() -> None:
    lay = label_layout(make_dossier(name="Nguyễn Thị Ánh Tuyết " * 10))
    name = lay.lines[1]

    assert name.text.endswith("…")
    assert fonts.string_width(name.text, name.face, name.size) <= 46 / 25.4 * 72


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        render_label(make_dossier(), "jpeg")
    assert err.value.code == "label_format_invalid"


def test_non_ascii_code_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        label_layout(make_dossier(code="HỒ-SƠ-1"))
    assert err.value.code == "code_invalid"


def test_formats_start_with_their_magic() -> None:
    d = make_dossier()
    assert render_label(d, "pdf").startswith(b"%PDF-")
    assert render_label(d, "png").startswith(b"\x89PNG\r\n\x1a\n")
    assert render_label(d, "svg").startswith(b"<?xml")


def test_dot_pitch_is_203_dpi() -> None:
    assert DOTS_PER_MM == 8 and (WIDTH, HEIGHT) == (400, 240)
