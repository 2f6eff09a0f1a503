"""Folder label layout: bar module in whole printer dots, quiet zones, text fitting, formats."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from counter_app.domain.errors import ValidationError
from counter_app.domain.model import Applicant, DossierView, ProcedureInfo, UnitInfo
from counter_app.printing import fonts
from counter_app.printing.labels import (
    DOTS_PER_MM,
    HEIGHT,
    QUIET_MODULES,
    WIDTH,
    label_layout,
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


def test_long_code_uses_one_dot_modules_with_quiet_zones() -> None:
    lay = label_layout(make_dossier())
    left = lay.bars[0][0]
    right = WIDTH - (lay.bars[-1][0] + lay.bars[-1][1])

    assert lay.module == 1  # 0.125 mm: 288 modules do not fit 50 mm at 2 dots
    assert min(left, right) >= QUIET_MODULES * lay.module
    assert abs(left - right) <= 1
    assert lay.bar_top + lay.bar_height < HEIGHT


def test_short_code_gets_wider_modules() -> None:
    lay = label_layout(make_dossier(code="H15-261008-0975"))
    assert lay.module in (2, 3)
    assert all((x - lay.bars[0][0]) % lay.module == 0 for x, _ in lay.bars)
    assert all(w % lay.module == 0 for _, w in lay.bars)


def test_bars_sum_to_code128_modules() -> None:
    lay = label_layout(make_dossier())
    modules = (lay.bars[-1][0] + lay.bars[-1][1] - lay.bars[0][0]) // lay.module
    assert modules == 288  # 24 symbols of 11 modules (start, 22 data incl. set changes, check) + 13


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
