"""The PyInstaller one-folder build (issue 13 item 4), built from packaging/counter_app.spec
into a temporary folder and run as a counter PC would: its version, a new demo database, an
intake, Mẫu 01 and the folder label as PDFs (read back with pdftotext, the codes decoded with
zbarimg), and the command line's exit codes. Slow: a build takes one to two minutes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pinned_clock import NOW_ENV, PINNED_DAY

import counter_app

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "counter_app.spec"
EXE_NAME = "counter-app.exe" if sys.platform == "win32" else "counter-app"
NOW = f"{PINNED_DAY.isoformat()}T09:00:00+07:00"
# Qt modules the spec leaves out; none of their libraries may be in the folder.
LEFT_OUT = ("Qt6Quick", "Qt6Qml", "Qt6WebEngine", "Qt63D", "Qt6Multimedia", "Qt6Designer")

needs_tools = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="poppler-utils / zbar-tools missing",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The built folder (never inside the repository)."""
    out = tmp_path_factory.mktemp("pyinstaller")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(SPEC),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "work"),
        ],
        cwd=ROOT,
        check=True,
        timeout=3600,
    )
    folder = out / "dist" / "counter-app"
    assert (folder / EXE_NAME).is_file()
    yield folder


@pytest.fixture
def run(built: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_APP_")}
    env.update(
        {
            "COUNTER_APP_DATA_DIR": str(tmp_path / "data"),
            "COUNTER_APP_CONFIG": str(tmp_path / "no-config.toml"),
            NOW_ENV: NOW,
            "PYTHONIOENCODING": "utf-8",
        }
    )

    def invoke(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(built / EXE_NAME), *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=tmp_path,
            timeout=300,
            check=False,
        )

    return invoke


def folder_size(folder: Path) -> int:
    """Bytes in the folder's files (the links PyInstaller makes on Linux counted once)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def test_build_holds_what_the_app_reads_and_not_the_unused_qt(built: Path) -> None:
    inside = built / "_internal"
    pkg = inside / "counter_app"
    assert (pkg / "_assets" / "fonts" / "LiberationSerif-Regular.ttf").is_file()
    assert (pkg / "_assets" / "catalogue" / "sample-catalogue.json").is_file()
    assert (pkg / "db" / "migrations" / "env.py").is_file()
    assert sorted(p.name for p in (pkg / "db" / "migrations" / "versions").glob("0001_*.py"))
    assert (pkg / "sync" / "central_migrations" / "env.py").is_file()
    names = [p.name for p in built.rglob("*")]
    for left_out in LEFT_OUT:
        assert not [n for n in names if left_out in n], left_out
    assert not [p for p in built.rglob("qml") if p.is_dir()]
    size = folder_size(built)
    print(f"build folder: {size / 1_048_576:.1f} MB")  # README "Cài đặt": the measured size
    assert size < 400 * 1_048_576


def test_version(run) -> None:  # type: ignore[no-untyped-def]
    done = run("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"counter-app {counter_app.__version__}"


def intake_json() -> str:
    return json.dumps(
        {
            "procedure": "1.004873",
            "applicant": {
                "name": "Nguyễn Văn An",
                "id_number": "079090001234",
                "phone": "0912345678",
                "address": "Số 12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang",
                "email": None,
            },
            "documents": [
                {
                    "name": "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                    "kind": "original",
                    "count": 1,
                },
                {
                    "name": "Giấy tờ tùy thân của người yêu cầu (thẻ Căn cước, Căn cước công dân"
                    " hoặc Hộ chiếu)",
                    "kind": "copy",
                    "count": 2,
                },
            ],
            "sets": 1,
            "receive_channel": "counter",
            "return_channel": "counter",
            "return_address": None,
        },
        ensure_ascii=False,
    )


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def decode(path: Path, dpi: float) -> list[str]:
    prefix = path.with_suffix("")
    page_one = ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", *page_one, str(path), str(prefix)], check=True
    )
    done = subprocess.run(
        ["zbarimg", "--raw", "-q", str(prefix.with_suffix(".png"))], capture_output=True
    )
    return done.stdout.decode().split()


@needs_tools
def test_init_intake_form_and_label_from_the_built_program(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "counter.db")
    done = run("--db", db, "init", "--demo")
    assert done.returncode == 0, done.stderr
    done = run("--db", db, "--json", "intake", "-", "--clerk", "canbo1", stdin=intake_json())
    assert done.returncode == 0, done.stderr
    code = json.loads(done.stdout)[0]["code"]

    form = tmp_path / "mau01.pdf"
    done = run("--db", db, "form", code, "--kind", "receipt", "-o", str(form))
    assert done.returncode == 0, done.stderr
    text = pdf_text(form)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {code}" in text
    assert "Nguyễn Văn An" in text
    assert decode(form, 200) == [code]

    label = tmp_path / "label.pdf"
    done = run("--db", db, "label", code, "-o", str(label))
    assert done.returncode == 0, done.stderr
    assert "Hẹn trả: 07/12/2026" in pdf_text(label)
    assert decode(label, 406.4) == [code]


def test_exit_codes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "counter.db")
    assert run("--db", db, "init", "--demo").returncode == 0
    refused = run("--db", db, "show", "000.20.25.H01-261202-9999")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Lỗi: ")
    usage = run("no-such-command")
    assert usage.returncode == 2
    assert usage.stderr.startswith("Lỗi cú pháp lệnh: ")
    assert "Traceback" not in refused.stderr + usage.stderr


def test_build_holds_the_2025_units_and_not_their_source_packages(built: Path) -> None:
    """Issue 16: the app loads the generated asset (domain/admin_units.asset_path looks in
    <package>/_assets like paths.assets_dir); the two packages it was built from stay out."""
    pkg = built / "_internal" / "counter_app"
    asset = pkg / "_assets" / "admin_units" / "units-2025.json"
    assert asset.is_file()
    assert json.loads(asset.read_text(encoding="utf-8"))["counts"]["communes"] == 3321
    assert not [p for p in built.rglob("vietnam_*")]
