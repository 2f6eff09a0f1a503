"""Issue 12 item 11: a failed output leaves no temporary file (with an applicant's personal
data) behind: the -o rename refused, the target a directory, a spooler that cannot print."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from counter_app.cli import output
from counter_app.domain.errors import CounterAppError


def _intake(cli, write_json, itest) -> str:
    res = cli("--json", "intake", write_json(itest.payload()), "--clerk", "canbo1")
    assert res.rc == 0, res.err
    return str(json.loads(res.out)[0]["code"])


def test_form_whose_rename_is_refused_leaves_nothing(
    cli, demo_db, itest, write_json, tmp_path, monkeypatch
) -> None:
    """The PDF is open in a viewer that locks it (Windows): the rename fails."""
    code = _intake(cli, write_json, itest)
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    real_replace = os.replace
    target = out_dir / "giay-tiep-nhan.pdf"

    def refused(src: str, dst: str) -> None:
        if Path(dst) != target:
            return real_replace(src, dst)
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(output.os, "replace", refused)
    res = cli("form", code, "--kind", "receipt", "-o", target)
    assert res.rc == 1 and res.out == ""
    itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))
    assert list(out_dir.iterdir()) == []


def test_a_directory_target_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    target = folder / "ket-qua.pdf"
    target.mkdir(parents=True)  # made after the command's check, before the rename
    with pytest.raises(CounterAppError):
        output.write_atomically(target, b"%PDF-1.7 Nguyen Van An 079090001234")
    assert sorted(p.name for p in folder.iterdir()) == ["ket-qua.pdf"]
    assert list(target.iterdir()) == []


def test_a_partial_write_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """filemodes.write_private (the folder spooler, previews): disk full mid-write."""
    from counter_app import filemodes

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd: int) -> None:
            self.f = real_fdopen(fd, "wb")

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()

        def write(self, data: bytes) -> None:
            self.f.write(data[:10])
            self.f.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(filemodes.os, "fdopen", lambda fd, mode: Full(fd))
    folder = tmp_path / "prints"
    folder.mkdir()
    with pytest.raises(OSError):
        filemodes.write_private(folder / "phieu.pdf", b"%PDF-1.7 Nguyen Van An 079090001234")
    assert list(folder.iterdir()) == []
