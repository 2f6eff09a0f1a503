"""The digitised documents' store on real files (issue 15 items 2, 3): archive PDFs from
page images, phone photos and PDFs; `attach`, `files`, `file get`, `file verify`; bad input
(not a document, encrypted or broken PDF, 200 MB, a changed blob), each refused whole."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from page_images import text_page
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from counter_app.domain.errors import ValidationError
from counter_app.services import archive, files

TOKHAI = "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    return json.loads(res.out)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(autouse=True)
def _no_ocr_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    # OCR takes seconds a page: on only in the tests that check it.
    monkeypatch.setenv("COUNTER_APP_OCR", "false")


@pytest.fixture
def code(demo_db: Path, cli: Any, write_json: Any, itest: Any) -> str:
    return str(
        ok(cli("intake", write_json(itest.payload()), "--clerk", "canbo1", "--json"))[0]["code"]
    )


@pytest.fixture
def ctx(demo_db: Path, make_context: Any, clock: Any) -> Any:
    c = make_context(demo_db)
    c.clock = clock
    c.settings = replace(c.settings, ocr=False)
    return c


def pdf_bytes(pages: int = 2) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    for i in range(pages):
        c.drawString(72, 720, f"Trang {i + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def state(db: Path) -> tuple[Any, ...]:
    return (
        rows(db, "SELECT count(*) FROM stored_files"),
        rows(db, "SELECT count(*) FROM dossier_files"),
        rows(db, "SELECT count(*) FROM outbox"),
    )


def test_attach_makes_one_archive_pdf_from_pages_and_a_pdf_with_its_event(
    cli, code, demo_db, tmp_path
) -> None:
    p1 = write(tmp_path / "p1.png", text_page(seed=1))
    p2 = write(tmp_path / "p2.jpg", text_page(fmt="JPEG", seed=2))
    given = write(tmp_path / "given.pdf", pdf_bytes(2))
    got = ok(cli("attach", code, "--document", TOKHAI, p1, p2, given, "--json"))
    assert got["pages"] == 4 and got["ocr"] is False
    assert got["name"] == f"{code}_01_to-khai-cap-giay-xac-nhan-tinh-trang-hon-nhan.pdf"
    assert set(got) == {"code", "document", "sha256", "size", "pages", "ocr", "name"}
    blob = demo_db.parent / "files" / got["sha256"][:2] / f"{got['sha256']}.pdf"
    data = blob.read_bytes()
    assert hashlib.sha256(data).hexdigest() == got["sha256"] and len(data) == got["size"]
    assert len(PdfReader(io.BytesIO(data)).pages) == 4
    assert (blob.parent.parent.stat().st_mode & 0o777) == 0o700
    [(payload,)] = rows(demo_db, "SELECT payload FROM outbox WHERE kind = 'document_digitised'")
    assert json.loads(payload) == {
        k: got[k] for k in ("code", "document", "sha256", "size", "pages", "name")
    }
    listed = ok(cli("files", code, "--json"))["files"]
    assert [f["name"] for f in listed] == [got["name"]] and listed[0]["source"] == "file"
    out = tmp_path / "out.pdf"
    ok(cli("file", "get", code, got["name"], "-o", out, "--json"))
    assert out.read_bytes() == data


def test_text_pages_are_bilevel_and_within_the_budget(ctx) -> None:
    made = archive.build_archive_pdf([text_page(seed=i) for i in range(3)], ocr=False)
    assert made.pages == 3 and not made.ocr
    assert len(made.pdf) / 3 <= 60 * 1024
    assert b"/CCITTFaxDecode" in made.pdf  # bilevel G4, not a grey JPEG


def test_a_phone_photo_is_turned_upright_and_scaled_to_a4_at_200_dpi(tmp_path) -> None:
    # a landscape 4000x3000 JPEG whose EXIF says "rotate 90° clockwise" (orientation 6)
    im = Image.new("L", (4000, 3000), 255)
    im.paste(0, (0, 0, 4000, 300))  # a black band along the top of the stored image
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes())
    page = archive.prepare_page(buf.getvalue())
    assert page.height > page.width  # portrait once upright
    assert max(page.size) == archive.MAX_LONG_SIDE
    made = archive.build_archive_pdf([buf.getvalue()], ocr=False)
    box = PdfReader(io.BytesIO(made.pdf)).pages[0].mediabox
    assert float(box.height) == pytest.approx(297 / 25.4 * 72, rel=0.02)  # A4 tall


def test_the_clerks_rotation_turns_the_page() -> None:
    wide = io.BytesIO()
    Image.new("L", (300, 200), 255).save(wide, "PNG")
    assert archive.prepare_page(wide.getvalue(), 90).size == (200, 300)
    with pytest.raises(ValidationError) as e:
        archive.prepare_page(wide.getvalue(), 45)
    assert e.value.code == "file_bad_rotation"


def test_same_bytes_are_stored_once(ctx, code, demo_db, tmp_path) -> None:
    page = text_page()
    a = files.attach(ctx, code, TOKHAI, [page])
    b = files.attach(ctx, code, TOKHAI, [page])
    assert a.sha256 == b.sha256 and a.name != b.name  # the second named -2
    assert b.name.endswith("-2.pdf")
    assert rows(demo_db, "SELECT count(*) FROM stored_files") == [(1,)]
    assert rows(demo_db, "SELECT count(*) FROM dossier_files") == [(2,)]
    assert len(list((demo_db.parent / "files").rglob("*.pdf"))) == 1


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("text.pdf", lambda: b"Day la van ban thuong, khong phai PDF\n" * 10, "không phải ảnh"),
        ("broken.pdf", lambda: pdf_bytes(1)[:300], "bị hỏng"),
        ("broken.png", lambda: text_page()[:500], "hỏng"),
    ],
)
def test_what_is_not_a_document_is_refused_and_nothing_stored(
    cli, code, demo_db, tmp_path, itest, name, make, words
) -> None:
    before = state(demo_db)
    good = write(tmp_path / "good.png", text_page())
    bad = write(tmp_path / name, make())
    res = cli("attach", code, "--document", TOKHAI, good, bad)
    assert res.rc == 1 and res.out == ""
    assert words in itest.assert_one_vietnamese_line(res.err)
    assert state(demo_db) == before
    assert not list((demo_db.parent / "files").rglob("*.pdf"))


def test_an_encrypted_pdf_is_refused(cli, code, demo_db, tmp_path, itest) -> None:
    w = PdfWriter()
    w.append(PdfReader(io.BytesIO(pdf_bytes(1))))
    w.encrypt(user_password="bimat", owner_password="bimat")
    out = io.BytesIO()
    w.write(out)
    before = state(demo_db)
    res = cli("attach", code, "--document", TOKHAI, write(tmp_path / "secret.pdf", out.getvalue()))
    assert res.rc == 1
    assert "mật khẩu" in itest.assert_one_vietnamese_line(res.err)
    assert state(demo_db) == before


def test_a_200_mb_file_is_refused_without_reading_it(cli, code, demo_db, tmp_path, itest) -> None:
    big = tmp_path / "huge.pdf"
    with big.open("wb") as f:  # sparse: 200 MB on paper, a few bytes on disk
        f.write(b"%PDF-1.4\n")
        f.seek(200 * 1024 * 1024)
        f.write(b"%%EOF\n")
    before = state(demo_db)
    res = cli("attach", code, "--document", TOKHAI, big)
    assert res.rc == 1
    line = itest.assert_one_vietnamese_line(res.err)
    assert "quá lớn" in line and "200 MB" in line and "50 MB" in line
    assert state(demo_db) == before


def test_an_unknown_document_or_dossier_is_refused_before_any_work(
    cli, code, demo_db, tmp_path, itest
) -> None:
    page = write(tmp_path / "p.png", text_page())
    res = cli("attach", code, "--document", "Giấy không có", page)
    assert res.rc == 1 and "không có giấy tờ" in itest.assert_one_vietnamese_line(res.err)
    res = cli("attach", "XX-000", "--document", TOKHAI, page)
    assert res.rc == 1
    assert not list((demo_db.parent / "files").rglob("*.pdf"))


def test_a_blob_changed_on_disk_is_found_by_verify_and_refused_on_read(
    cli, code, demo_db, tmp_path, itest
) -> None:
    got = ok(
        cli("attach", code, "--document", TOKHAI, write(tmp_path / "p.png", text_page()), "--json")
    )
    assert ok(cli("file", "verify", "--json")) == {"files": 1, "ok": 1, "bad": []}
    blob = demo_db.parent / "files" / got["sha256"][:2] / f"{got['sha256']}.pdf"
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    res = cli("file", "verify", "--json")
    assert res.rc == 1
    assert json.loads(res.out)["bad"] == [{"sha256": got["sha256"], "status": "mismatch"}]
    assert "khôi phục" in itest.assert_one_vietnamese_line(res.err)
    res = cli("file", "get", code, got["name"], "-o", tmp_path / "x.pdf")
    assert res.rc == 1 and "mã băm không khớp" in itest.assert_one_vietnamese_line(res.err)
    assert not (tmp_path / "x.pdf").exists()
    blob.unlink()
    res = cli("file", "verify")
    assert res.rc == 1 and "không còn trên ổ đĩa" in res.out


def test_file_get_never_overwrites_the_database(cli, code, demo_db, tmp_path, itest) -> None:
    got = ok(
        cli("attach", code, "--document", TOKHAI, write(tmp_path / "p.png", text_page()), "--json")
    )
    before = demo_db.read_bytes()
    res = cli("file", "get", code, got["name"], "-o", demo_db.with_suffix(".pdf"))
    assert res.rc == 0
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(before)  # a SQLite file named .pdf
    res = cli("file", "get", code, got["name"], "-o", copy)
    assert res.rc == 1 and copy.read_bytes() == before


def test_a_full_disk_is_a_storage_fault_and_nothing_is_referenced(
    ctx, code, demo_db, monkeypatch
) -> None:
    import errno
    import os

    from counter_app.domain.errors import StorageFault

    def full(*_a: Any, **_k: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    before = state(demo_db)
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageFault) as e:
        files.attach(ctx, code, TOKHAI, [text_page()])
    assert e.value.code == "disk_full"
    assert state(demo_db) == before
    assert not [p for p in (demo_db.parent / "files").rglob("*") if p.is_file()]


def tesseract_vie() -> bool:
    return archive.tesseract_vie() is not None


@pytest.mark.skipif(not tesseract_vie(), reason="tesseract with Vietnamese data not installed")
def test_ocr_gives_the_pdf_a_vietnamese_text_layer(ctx, code) -> None:
    made = archive.build_archive_pdf([text_page(lines=8)], ocr=None)
    assert made.ocr
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=made.pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "Hạnh phúc" in text and "KHAI SINH" in text
    assert len(made.pdf) <= 60 * 1024


def test_ocr_off_by_setting_or_missing_tesseract_gives_no_text_layer(ctx, monkeypatch) -> None:
    made = archive.build_archive_pdf([text_page(lines=4)], ocr=False)
    assert not made.ocr
    monkeypatch.setattr(archive, "tesseract_vie", lambda: None)
    made = archive.build_archive_pdf([text_page(lines=4)], ocr=None)
    assert not made.ocr and made.pages == 1


def test_intake_json_files_are_stored_with_the_dossier(
    cli, demo_db, tmp_path, write_json, itest
) -> None:
    payload = itest.payload()
    payload["documents"][1]["files"] = [
        str(write(tmp_path / "cccd-1.png", text_page(seed=3))),
        str(write(tmp_path / "cccd-2.jpg", text_page(fmt="JPEG", seed=4))),
    ]
    [got] = ok(cli("intake", write_json(payload), "--clerk", "canbo1", "--json"))
    [f] = ok(cli("files", got["code"], "--json"))["files"]
    assert f["pages"] == 2 and f["name"].startswith(f"{got['code']}_02_giay-to-tuy-than")
    kinds = [k for (k,) in rows(demo_db, "SELECT kind FROM outbox ORDER BY seq")]
    assert kinds[-3:] == ["dossier", "dossier_event", "document_digitised"]  # dossier first


def test_intake_with_a_bad_file_saves_no_dossier(cli, demo_db, tmp_path, write_json, itest) -> None:
    payload = itest.payload()
    payload["documents"][0]["files"] = [str(write(tmp_path / "x.pdf", b"not a pdf at all"))]
    before = rows(demo_db, "SELECT count(*) FROM dossiers"), state(demo_db)
    res = cli("intake", write_json(payload), "--clerk", "canbo1")
    assert res.rc == 1 and "x.pdf" in itest.assert_one_vietnamese_line(res.err)
    assert (rows(demo_db, "SELECT count(*) FROM dossiers"), state(demo_db)) == before


def test_register_with_scans_stores_pages_in_the_dossiers_transaction(ctx, demo_db) -> None:
    from counter_app.services import intake

    req = intake.IntakeRequest(
        procedure="1.004873",
        name="Trần Thị Mai",
        scans={0: [text_page(seed=5), text_page(seed=6)]},
    )
    [v] = intake.register(ctx, [req], "canbo1")
    [f] = files.dossier_files(ctx, v.code)
    assert f.source == "scan" and f.pages == 2 and f.name.startswith(f"{v.code}_01_")
    bad = intake.IntakeRequest(procedure="1.004873", name="Lê Văn Cường", scans={9: [text_page()]})
    count = rows(demo_db, "SELECT count(*) FROM dossiers")
    with pytest.raises(ValidationError) as e:
        intake.register(ctx, [bad], "canbo1")
    assert e.value.code == "intake_scan_document_unknown"
    assert rows(demo_db, "SELECT count(*) FROM dossiers") == count


def test_receipt_and_show_mark_the_digitised_document(cli, code, tmp_path) -> None:
    got = ok(
        cli("attach", code, "--document", TOKHAI, write(tmp_path / "p.png", text_page()), "--json")
    )
    out = tmp_path / "receipt.pdf"
    ok(cli("form", code, "--kind", "receipt", "-o", out, "--json"))
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    flat = " ".join(text.replace("\xa0", " ").split())
    # Liên 1 and Liên 2, the tờ khai's line only, the mark whole (never "(đã số" / "hóa)")
    assert flat.count("tình trạng hôn nhân (đã số hóa)") == 2
    assert flat.count("(đã số hóa)") == 2
    shown = ok(cli("show", code, "--json"))
    assert [d["digitised"] for d in shown["documents"]][:2] == [True, False]
    [f] = shown["files"]
    assert (f["name"], f["pages"], f["sha256"]) == (got["name"], 1, got["sha256"])
    human = cli("show", code).out
    assert f"{got['name']} · 1 trang" in human and got["sha256"][:12] in human


def test_backup_carries_the_files_and_restore_puts_them_back_checked(
    cli, code, demo_db, tmp_path
) -> None:
    import shutil

    got = ok(
        cli("attach", code, "--document", TOKHAI, write(tmp_path / "p.png", text_page()), "--json")
    )
    made = ok(cli("backup", "-o", tmp_path / "b.db", "--json"))
    assert (made["files"], made["file_bytes"], made["files_bad"]) == (1, got["size"], [])
    shutil.rmtree(demo_db.parent / "files")  # the disk's files lost
    res = cli("file", "verify")
    assert res.rc == 1
    ok(cli("restore", tmp_path / "b.db", "--json"))
    assert ok(cli("file", "verify", "--json")) == {"files": 1, "ok": 1, "bad": []}
    out = tmp_path / "back.pdf"
    ok(cli("file", "get", code, got["name"], "-o", out, "--json"))
    assert hashlib.sha256(out.read_bytes()).hexdigest() == got["sha256"]
    # the live database does not keep a second copy of the files
    assert rows(demo_db, "SELECT name FROM sqlite_master WHERE name = 'backup_files'") == []


def test_a_backup_whose_file_was_tampered_with_is_refused_whole(
    cli, code, demo_db, tmp_path, itest
) -> None:
    ok(cli("attach", code, "--document", TOKHAI, write(tmp_path / "p.png", text_page()), "--json"))
    ok(cli("backup", "-o", tmp_path / "b.db", "--json"))
    with closing(sqlite3.connect(tmp_path / "b.db")) as conn:
        conn.execute("UPDATE backup_files SET data = X'255044462D00'")
        conn.commit()
    before = state(demo_db), rows(demo_db, "SELECT key, value FROM app_meta ORDER BY key")
    res = cli("restore", tmp_path / "b.db")
    assert res.rc == 1 and "bị hỏng" in itest.assert_one_vietnamese_line(res.err)
    # the live database untouched (no restore pending), its files as they were
    assert (state(demo_db), rows(demo_db, "SELECT key, value FROM app_meta ORDER BY key")) == before
    assert ok(cli("file", "verify", "--json"))["bad"] == []
