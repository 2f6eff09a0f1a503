"""A scanned card's dates are checked against the app's day (ctx clock), not the PC's: a
counter whose clock is pinned (tests, a PC with a wrong date corrected by central) must not
refuse a card the app's day finds valid, nor accept one it finds in the future."""

from __future__ import annotations

from datetime import date

from counter_app.ui.scan import ScanDispatcher

# Born 01/01/2038 (century digit 2: a man born 2000-2099), card issued 01/02/2040.
CARD_2038 = "089238012345||Nguyễn Văn Bé|01012038|Nam|Ấp Mỹ Hòa, xã Mỹ Hòa Hưng|01022040"


def scanned(today: date) -> tuple[list[object], list[str]]:
    scan = ScanDispatcher()
    scan.today = lambda: today
    got: list[object] = []
    failed: list[str] = []
    scan.cccd_scanned.connect(got.append)
    scan.scan_failed.connect(failed.append)
    scan.handle_text(CARD_2038)
    return got, failed


def test_a_card_valid_on_the_apps_day_is_read(qapp) -> None:
    got, failed = scanned(date(2041, 6, 1))
    assert failed == [] and len(got) == 1 and got[0].id_number == "089238012345"


def test_a_card_from_the_apps_future_is_refused(qapp) -> None:
    got, failed = scanned(date(2030, 6, 1))
    assert got == [] and failed == ["cccd_qr_invalid"]
