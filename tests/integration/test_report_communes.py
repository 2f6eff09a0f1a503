"""Issue 16 (store): the periodic report by the applicant's 2025 commune — JSON rows with the
sector rows' counters, the unverified row, the CSV block, the PDF section (pdftotext)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from cli_helpers import at_local, with_applicant

OCT = ("--from", "2026-10-01", "--to", "2026-10-31")
MON = date(2026, 10, 12)
ADDRESSES = [
    "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang",  # 30313
    "Ấp Mỹ Thới, xã Mỹ Hòa Hưng, An Giang",  # 30313
    "Tổ 1, Phường Long Xuyên, tỉnh An Giang",  # 30307
    "Ấp Mỹ Hòa, gần chợ",  # unverified
    "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang",  # old text: unverified
]


def ok(res: Any) -> Any:
    assert res.rc == 0, res.err
    return json.loads(res.out)


def _take(cli, write_json, address: str) -> str:
    body = with_applicant(address=address) | {"received_at": at_local(MON)}
    return ok(cli("--json", "intake", write_json(body), "--clerk", "canbo1"))[0]["code"]


def _month(cli, write_json) -> list[str]:
    codes = [_take(cli, write_json, a) for a in ADDRESSES]
    res = cli("dossier", codes[0], "result-ready", "--by", "canbo1", "--at", at_local(MON, 15))
    assert res.rc == 0, res.err
    return codes


def test_rows_by_commune_in_json(demo_db, cli, write_json) -> None:
    _month(cli, write_json)
    data = ok(cli("--json", "report", *OCT))
    rows = data["by_commune"]
    assert [(r["code"], r["name"], r["received"]) for r in rows] == [
        ("30313", "Xã Mỹ Hòa Hưng, tỉnh An Giang", 2),  # by received, then name
        ("30307", "Phường Long Xuyên, tỉnh An Giang", 1),
        (None, "Chưa xác định", 2),  # the unverified last
    ]
    # the sector rows' counters, the same keys
    (sector,) = data["by_sector"]
    for r in rows:
        assert set(r) - {"code", "name"} == set(sector) - {"sector"}
    assert rows[0]["resolved"] == 1 and rows[0]["in_progress"] == 1
    assert sum(r["received"] for r in rows) == data["totals"]["received"] == 5


def test_csv_and_pdf_have_the_commune_block(demo_db, cli, write_json, tmp_path: Path) -> None:
    _month(cli, write_json)
    out = tmp_path / "r.csv"
    assert cli("report", *OCT, "-o", out).rc == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    block = [(r["ma"], r["ten"], r["received"]) for r in rows if r["pham_vi"] == "xa_phuong"]
    assert block == [
        ("30313", "Xã Mỹ Hòa Hưng, tỉnh An Giang", "2"),
        ("30307", "Phường Long Xuyên, tỉnh An Giang", "1"),
        ("", "Chưa xác định", "2"),
    ]
    pdf = tmp_path / "r.pdf"
    assert cli("report", *OCT, "-o", pdf).rc == 0
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Theo xã/phường của người nộp" in text
    for name in ("Xã Mỹ Hòa Hưng, tỉnh An Giang", "Phường Long Xuyên, tỉnh An Giang"):
        assert name in " ".join(text.split())
    assert "Chưa xác định" in text


def test_digitised_and_ratings_counted_by_commune(demo_db, cli, write_json, tmp_path) -> None:
    from page_images import text_page

    codes = _month(cli, write_json)
    first = codes[0]  # Xã Mỹ Hòa Hưng: every required document digitised
    required = [d["name"] for d in ok(cli("--json", "show", first))["documents"] if d["required"]]
    for i, name in enumerate(required):
        page = tmp_path / f"p{i}.png"
        page.write_bytes(text_page(seed=i))
        res = cli("attach", first, "--document", name, page, "--no-ocr", "--json")
        assert res.rc == 0, res.err
    rows = {r["code"]: r for r in ok(cli("--json", "report", *OCT))["by_commune"]}
    assert rows["30313"]["digitised"] == 1
    assert rows["30307"]["digitised"] == 0 and rows[None]["digitised"] == 0
    assert set(rows["30313"]["ratings"]) == {"rat_hai_long", "hai_long", "khong_hai_long"}
    res = cli("rate", "--dossier", first, "--level", "3")
    assert res.rc == 0, res.err
    wide = ok(cli("--json", "report", "--from", "2026-10-01", "--to", "2026-12-02"))
    rows = {r["code"]: r for r in wide["by_commune"]}
    assert rows["30313"]["ratings"]["rat_hai_long"] == 1
    assert sum(rows["30307"]["ratings"].values()) == 0
