"""Choosing a spooler from the printer setting, and the fakes' behaviour (no disk, no printer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.domain.errors import PrintFailed, ValidationError
from counter_app.printing.spool import FakeSpooler, FolderSpooler
from counter_app.ui.qtprint import QtSpooler, make_spooler

FALLBACK = Path("/nonexistent/fallback")


def test_default_prints_through_qt_when_the_os_has_a_default_printer() -> None:
    chosen = make_spooler("default", FALLBACK, default_printer=lambda: "HP_LaserJet")
    assert isinstance(chosen, QtSpooler) and chosen.printer is None and chosen.kind == "a4"


def test_default_without_a_default_printer_writes_to_the_fallback_folder() -> None:
    chosen = make_spooler("", FALLBACK, default_printer=lambda: "")
    assert isinstance(chosen, FolderSpooler) and chosen.directory == FALLBACK


def test_named_printer_is_the_same_qt_path_on_every_os() -> None:
    """Issue 13 item 1: no `lp`, no Windows shell "print" verb (Edge registers none)."""
    a4 = make_spooler("HP LaserJet M404", FALLBACK)
    label = make_spooler("Xprinter XP-365B", FALLBACK, kind="label")
    assert isinstance(a4, QtSpooler) and a4.printer == "HP LaserJet M404"
    assert isinstance(label, QtSpooler) and label.kind == "label"


def test_folder_setting() -> None:
    chosen = make_spooler("folder:/srv/in-an", FALLBACK)
    assert isinstance(chosen, FolderSpooler) and chosen.directory == Path("/srv/in-an")
    with pytest.raises(ValidationError):
        make_spooler("folder:", FALLBACK)


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
