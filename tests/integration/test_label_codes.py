"""The folder label's code decodes however the page is rasterised (issue 14 item 14).

The old label's Code 128 had a 1-dot module (0.125 mm): it decoded at 203/406/600 dpi only,
never at 300 dpi nor on an A4 laser. Now a QR (default) or a Code 128 where it fits at 2 dots
or more; each label size rendered to PDF, rasterised by poppler at 203, 300 and 600 dpi
(and 150, an A4 laser's draft mode), decoded by zbar. zbar reads QR but not Data Matrix,
which is one reason the 2D code is a QR.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from counter_app.config import load_settings
from counter_app.domain.errors import ValidationError
from counter_app.domain.model import Applicant, DossierView, ProcedureInfo, UnitInfo
from counter_app.messages import describe
from counter_app.printing.label_spec import SIZES, LabelSpec, label_spec
from counter_app.printing.labels import label_layout, render_label

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="poppler/zbar missing"
)

ICT = timezone(timedelta(hours=7))
CODES = ("000.00.25.H01-261128-0007", "H15.50.05.13-261008-10975")
# Where each symbology fits at ≥ 2 dots per module (Code 128 of a usual code needs 77 mm).
FITS = [(size, "qr") for size in SIZES] + [("100x50", "code128")]


def make_dossier(code: str = CODES[0]) -> DossierView:
    at = datetime(2026, 11, 28, 9, 15, tzinfo=ICT)
    return DossierView(
        id="d",
        code=code,
        unit=UnitInfo("u", code.split("-")[0], "UBND XÃ MỸ HÒA HƯNG", "UBND TỈNH AN GIANG", "MHH"),
        procedure=ProcedureInfo("1.001193", "Đăng ký khai sinh", "Hộ tịch", "xã", 3, 8000),
        applicant=Applicant("Nguyễn Thị Ánh Tuyết"),
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


def zbar(png: Path) -> list[str]:
    done = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, check=False)
    return done.stdout.decode().split()


def decode_pdf(pdf: bytes, tmp_path: Path, dpi: float) -> list[str]:
    src = tmp_path / "label.pdf"
    src.write_bytes(pdf)
    prefix = tmp_path / f"label-{round(dpi * 10)}"  # no "." in the name: pdftoppm adds ".png"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(src), str(prefix)], check=True
    )
    return zbar(tmp_path / f"{prefix.name}.png")


@pytest.mark.parametrize("dpi", [203.2, 300, 150, 600])
def test_default_label_decodes_at_any_resolution(tmp_path: Path, dpi: float) -> None:
    """The default label (50×30 mm) read back at 300 dpi gave nothing with the 1-dot Code 128."""
    assert decode_pdf(render_label(make_dossier(), "pdf"), tmp_path, dpi) == [CODES[0]]


@pytest.mark.parametrize("dpi", [203.2, 300, 600])
@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(("size", "symbology"), FITS)
def test_each_size_and_symbology_decodes(
    tmp_path: Path, size: str, symbology: str, code: str, dpi: float
) -> None:
    spec = label_spec(size, symbology)
    pdf = render_label(make_dossier(code), "pdf", spec)
    assert decode_pdf(pdf, tmp_path, dpi) == [code]


@pytest.mark.parametrize(("size", "symbology"), FITS)
def test_png_at_printer_dots_decodes_and_modules_are_at_least_two_dots(
    tmp_path: Path, size: str, symbology: str
) -> None:
    spec = LabelSpec(size, symbology)
    png = tmp_path / "label.png"
    png.write_bytes(render_label(make_dossier(), "png", spec))
    assert zbar(png) == [CODES[0]]
    lay = label_layout(make_dossier(), spec)
    assert lay.module >= 2
    assert all(w % lay.module == 0 and h % lay.module == 0 for _, _, w, h in lay.rects)


def test_the_default_is_a_qr_on_50_by_30() -> None:
    lay = label_layout(make_dossier())
    assert (lay.spec.size, lay.spec.symbology) == ("50x30", "qr")
    assert lay.module == 3  # 0.375 mm: 25 modules are 9.4 mm
    assert lay.code_box[2] == lay.code_box[3] == 25 * 3


@pytest.mark.parametrize("size", ["50x30", "60x40"])
def test_code128_on_narrow_stock_is_refused_with_a_clear_message(size: str) -> None:
    with pytest.raises(ValidationError) as err:
        label_spec(size, "code128")
    assert err.value.code == "label_code128_too_narrow"
    text = describe(err.value)
    assert "Code 128" in text and "77 mm" in text and "qr" in text


@pytest.mark.parametrize(
    ("env", "code"),
    [
        ({"COUNTER_APP_LABEL_SYMBOLOGY": "code128"}, "label_code128_too_narrow"),
        ({"COUNTER_APP_LABEL_SYMBOLOGY": "datamatrix"}, "label_symbology_invalid"),
        ({"COUNTER_APP_LABEL_SIZE": "40x20"}, "label_size_invalid"),
    ],
)
def test_settings_refuse_an_impossible_label_at_start(
    tmp_path: Path, env: dict[str, str], code: str
) -> None:
    with pytest.raises(ValidationError) as err:
        load_settings(tmp_path / "none.toml", env)
    assert err.value.code == code


def test_settings_take_code128_on_wide_stock(tmp_path: Path) -> None:
    env = {"COUNTER_APP_LABEL_SIZE": "100x50", "COUNTER_APP_LABEL_SYMBOLOGY": "code128"}
    s = load_settings(tmp_path / "none.toml", env)
    assert (s.label_size, s.label_symbology) == ("100x50", "code128")


def test_a_code_too_long_for_code128_even_on_wide_stock_is_refused() -> None:
    long_code = "0000.0000.0000.0000.0000.0000-261008-10975"
    with pytest.raises(ValidationError) as err:
        render_label(make_dossier(long_code), "pdf", label_spec("100x50", "code128"))
    assert err.value.code == "label_code_too_long"
    assert "100×50" in describe(err.value)
    # the QR holds it on the smallest stock
    assert len(render_label(make_dossier(long_code), "pdf", LabelSpec())) > 0


def test_scanned_label_opens_the_dossier(
    cli: Any, demo_db: Path, write_json: Any, itest: Any, tmp_path: Path
) -> None:
    """The CLI's label, printed and scanned at 300 dpi, gives the text the scan dispatcher and
    the look-up take: `show` finds the dossier by it."""
    import json

    from counter_app.ui.scan import ScanDispatcher

    res = cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    code = json.loads(res.out)[0]["code"]
    out = tmp_path / "nhan.pdf"
    res = cli("--json", "label", code, "-o", out)
    assert res.rc == 0, res.err
    assert json.loads(res.out)["symbology"] == "qr" and json.loads(res.out)["size"] == "50x30"
    [scanned] = decode_pdf(out.read_bytes(), tmp_path, 300)

    seen: list[str] = []
    dispatcher = ScanDispatcher()
    dispatcher.code_scanned.connect(seen.append)
    dispatcher.handle_text(scanned + "\r")  # as a serial scanner sends it
    assert seen == [code]
    shown = cli("--json", "show", seen[0])
    assert shown.rc == 0 and json.loads(shown.out)["code"] == code


def test_cli_label_options(cli: Any, demo_db: Path, write_json: Any, itest: Any, tmp_path: Path):
    import json

    res = cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1")
    code = json.loads(res.out)[0]["code"]
    out = tmp_path / "nhan.pdf"
    refused = cli("label", code, "-o", out, "--symbology", "code128")
    assert refused.rc == 1 and "Code 128" in refused.err and not out.exists()
    res = cli("--json", "label", code, "-o", out, "--size", "100x50", "--symbology", "code128")
    assert res.rc == 0, res.err
    data = json.loads(res.out)
    assert (data["size"], data["symbology"]) == ("100x50", "code128")
    assert decode_pdf(out.read_bytes(), tmp_path, 300) == [code]
    human = cli("label", code, "-o", out)
    assert "50×30 mm, mã QR" in human.out
