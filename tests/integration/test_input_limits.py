"""Issue 12 item 9: size limits on every input, each refused with one line naming the limit.

`catalogue import /dev/zero` grew the process to 9.4 GB; a dossier with 10,000 document
lines was accepted. Files are read at most limit + 1 bytes and only when regular; counts
are checked before anything is written (domain/limits.py).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from counter_app.domain import limits
from counter_app.services.setup import sample_catalogue_path


@pytest.fixture
def refused(cli, demo_db, db_snapshot, itest, tmp_path):
    """refused(*args) -> the one Vietnamese line; nothing written, quickly."""

    def check(*args: Any) -> str:
        before = db_snapshot(demo_db)
        t0 = time.monotonic()
        res = cli(*args)
        assert time.monotonic() - t0 < 20
        assert res.rc not in (0, 3), (res.rc, res.err)
        assert res.out == ""
        line = itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
        assert db_snapshot(demo_db) == before
        return line

    return check


def _intake(path: Path | str) -> tuple[str, ...]:
    return ("intake", str(path), "--clerk", "canbo1")


@pytest.mark.parametrize("command", ["intake", "catalogue"])
def test_dev_zero_is_refused_not_read(refused, command: str) -> None:
    args = _intake("/dev/zero") if command == "intake" else ("catalogue", "import", "/dev/zero")
    assert "không phải tệp thông thường" in refused(*args)


def test_a_fifo_is_refused_without_waiting_for_a_writer(refused, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert "không phải tệp thông thường" in refused(*_intake(fifo))
    assert "không phải tệp thông thường" in refused("catalogue", "import", fifo)


def test_a_directory_is_refused(refused, tmp_path: Path) -> None:
    assert "thư mục" in refused(*_intake(tmp_path))
    assert "thư mục" in refused("catalogue", "import", tmp_path)


def test_files_over_the_limit_are_refused_naming_it(refused, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (limits.INTAKE_FILE_MAX_BYTES + 1))
    assert "tối đa 4 MB" in refused(*_intake(big))
    huge = tmp_path / "huge.json"
    with huge.open("wb") as f:  # sparse: no disk used
        f.truncate(limits.CATALOGUE_FILE_MAX_BYTES + 1)
    assert "tối đa 16 MB" in refused("catalogue", "import", huge)


def test_a_dossier_with_10000_document_lines_is_refused(refused, cli, write_json, itest) -> None:
    docs = [{"name": f"Giấy tờ {i}", "kind": "copy", "count": 1} for i in range(10_000)]
    line = refused(*_intake(write_json(itest.payload(documents=docs))))
    assert f"tối đa {limits.MAX_DOCUMENT_LINES} dòng" in line
    docs = docs[: limits.MAX_DOCUMENT_LINES]  # exactly at the limit: taken
    res = cli(*_intake(write_json(itest.payload(documents=docs))))
    assert res.rc == 0, res.err


def test_too_many_dossiers_in_one_file_are_refused(refused, write_json, itest) -> None:
    batch = [itest.payload()] * (limits.MAX_DOSSIERS_PER_INTAKE + 1)
    line = refused(*_intake(write_json(batch)))
    assert str(limits.MAX_DOSSIERS_PER_INTAKE) in line


def test_catalogue_counts_are_limited(refused, write_json) -> None:
    sample = json.loads(sample_catalogue_path().read_text(encoding="utf-8"))
    proc = sample["procedures"][0]
    many = [{**proc, "code": f"X.{i}"} for i in range(limits.MAX_PROCEDURES_PER_CATALOGUE + 1)]
    line = refused("catalogue", "import", write_json({"procedures": many}))
    assert str(limits.MAX_PROCEDURES_PER_CATALOGUE) in line
    docs = [
        {"name": f"Giấy {i}", "kind": "copy", "count": 1}
        for i in range(limits.MAX_CHECKLIST_LINES + 1)
    ]
    line = refused("catalogue", "import", write_json({"procedures": [{**proc, "documents": docs}]}))
    assert str(limits.MAX_CHECKLIST_LINES) in line
