"""Issue 13 item 1: what stops a print before it is sent. Windows' spooler flags (Qt folds
every flag, toner low included, into "Error", which must not stop a receipt) and the CUPS
queue state, both behind printer_problem."""

from __future__ import annotations

import pytest

from counter_app.ui import qtprint


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        (0, ""),
        (0x00020000, ""),  # TONER_LOW: it still prints
        (0x00000400 | 0x00004000, ""),  # PRINTING | PROCESSING
        (0x00000010, "media-empty"),  # PAPER_OUT
        (0x00000010 | 0x00000002, "media-empty"),  # the most telling reason first
        (0x00000001, "paused"),
        (0x00000080 | 0x00020000, "offline"),
        (0x00001000, "offline"),  # NOT_AVAILABLE
        (0x00000008, "jam"),
        (0x00400000, "door-open"),
        (0x00000002, "error"),
    ],
)
def test_windows_status_flags(status: int, problem: str) -> None:
    assert qtprint.windows_status_problem(status) == problem


def test_on_windows_the_spooler_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qtprint, "_windows_status", lambda name: 0x10)
    monkeypatch.setattr(qtprint, "cups_problem", lambda name: pytest.fail("not CUPS"))
    assert qtprint.printer_problem("HP LaserJet", platform="win32") == "media-empty"


def test_a_windows_that_cannot_say_lets_the_print_go(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuses(name: str) -> int:
        raise OSError("winspool.drv")

    monkeypatch.setattr(qtprint, "_windows_status", refuses)
    assert qtprint.printer_problem("HP LaserJet", platform="win32") == ""


def test_elsewhere_cups_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qtprint, "cups_problem", lambda name: "rejecting")
    assert qtprint.printer_problem("Quay_1", platform="linux") == "rejecting"
