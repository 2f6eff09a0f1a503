"""Choosing a spooler from the printer setting, and the fakes' behaviour (no disk, no printer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.domain.errors import PrintFailed, ValidationError
from counter_app.printing.spool import (
    FakeSpooler,
    FolderSpooler,
    LpSpooler,
    WindowsSpooler,
    make_spooler,
)

FALLBACK = Path("/nonexistent/fallback")


def test_default_uses_lp_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/lp")
    chosen = make_spooler("default", FALLBACK, platform="linux")
    assert isinstance(chosen, LpSpooler) and chosen.printer is None


def test_default_without_lp_writes_to_the_fallback_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    chosen = make_spooler("", FALLBACK, platform="linux")
    assert isinstance(chosen, FolderSpooler) and chosen.directory == FALLBACK


def test_default_on_windows_uses_the_windows_spooler() -> None:
    chosen = make_spooler(" default ", FALLBACK, platform="win32")
    assert isinstance(chosen, WindowsSpooler) and chosen.printer is None


def test_named_printer() -> None:
    lp = make_spooler("HP_LaserJet_M404", FALLBACK, platform="darwin")
    win = make_spooler("HP LaserJet M404", FALLBACK, platform="win32")
    assert isinstance(lp, LpSpooler) and lp.printer == "HP_LaserJet_M404"
    assert isinstance(win, WindowsSpooler) and win.printer == "HP LaserJet M404"


def test_folder_setting() -> None:
    chosen = make_spooler("folder:/srv/in-an", FALLBACK, platform="linux")
    assert isinstance(chosen, FolderSpooler) and chosen.directory == Path("/srv/in-an")
    with pytest.raises(ValidationError):
        make_spooler("folder:", FALLBACK)


def test_lp_command_line() -> None:
    args = LpSpooler("Quay_1").command("lp", 2, "Mau-01")
    assert args == ["lp", "-d", "Quay_1", "-n", "2", "-t", "Mau-01", "-"]
    assert LpSpooler(None).command("lp", 1, "") == ["lp", "-n", "1", "-"]


def test_windows_spooler_without_startfile_reports_no_spooler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr("os.startfile", raising=False)
    with pytest.raises(PrintFailed) as err:
        WindowsSpooler("HP").send(b"%PDF")
    assert err.value.code == "no_spooler"


def test_fake_spooler_fails_n_times_with_the_given_code() -> None:
    fake = FakeSpooler()
    fake.fail_next(2, code="paper_out")
    for _ in range(2):
        with pytest.raises(PrintFailed) as err:
            fake.send(b"%PDF")
        assert err.value.code == "paper_out"
    fake.send(b"%PDF", title="retry")
    assert [job.title for job in fake.jobs] == ["retry"]


@pytest.mark.parametrize("copies", [0, -1, 100])
def test_copies_out_of_range_are_refused(copies: int) -> None:
    with pytest.raises(ValidationError):
        FakeSpooler().send(b"%PDF", copies=copies)
