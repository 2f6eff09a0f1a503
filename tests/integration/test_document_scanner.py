"""The document scanner (issue 15 item 1): SANE's test backend through scanimage as the real
scanner, and the WIA adapter by its interface with a fake DeviceManager."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sane_support import sane_test_env

from counter_app.devices import wia_scanner
from counter_app.devices.document_scanner import (
    AutoSaneScanner,
    SaneScanner,
    failure_code,
    list_scanners,
)
from counter_app.domain.errors import ValidationError
from counter_app.domain.scanning import ScanInterrupted
from counter_app.messages import describe as describe_error

PNG = b"\x89PNG\r\n\x1a\n"


def test_lists_the_test_scanners(tmp_path: Path) -> None:
    found = list_scanners(env=sane_test_env(tmp_path))
    assert [s.name for s in found][:2] == ["test:0", "test:1"]
    assert "frontend-tester" in found[0].label


def test_feeder_scans_every_page_then_stops(tmp_path: Path) -> None:
    scanner = SaneScanner("test:0", env=sane_test_env(tmp_path))
    assert "Automatic Document Feeder" in scanner.sources()
    assert not scanner.has_duplex()
    pages = list(scanner.scan(dpi=50))
    # the test backend's feeder holds 10 sheets
    assert len(pages) == 10
    assert all(p.startswith(PNG) for p in pages)


def test_page_count_and_pages_arrive_one_by_one(tmp_path: Path) -> None:
    scanner = SaneScanner("test:0", env=sane_test_env(tmp_path))
    it = scanner.scan(dpi=50, pages=3)
    first = next(it)  # the first page is handed over before the scan is finished
    assert first.startswith(PNG)
    assert len([first, *it]) == 3


def test_flatbed_scans_one_page(tmp_path: Path) -> None:
    scanner = SaneScanner("test:0", env=sane_test_env(tmp_path), extra_args=())
    scanner._sources = ["Flatbed"]  # a flatbed-only scanner
    assert len(list(scanner.scan(dpi=50))) == 1


def test_no_such_scanner(tmp_path: Path) -> None:
    scanner = SaneScanner("test:9", env=sane_test_env(tmp_path))
    with pytest.raises(ValidationError) as exc:
        list(scanner.scan(dpi=50))
    assert exc.value.code == "scanner_not_found"
    assert "Không thấy máy quét test:9" in describe_error(exc.value)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("SANE_STATUS_DEVICE_BUSY", "scanner_busy"),
        ("SANE_STATUS_IO_ERROR", "scanner_lost"),
        ("SANE_STATUS_JAMMED", "scanner_jammed"),
        ("SANE_STATUS_COVER_OPEN", "scanner_cover_open"),
    ],
)
def test_faults_reported_by_the_backend(tmp_path: Path, status: str, code: str) -> None:
    # scanimage's test backend sometimes hangs at exit after printing the status (about 1
    # run in 20 with JAMMED): the watchdog ends it and the printed status is still reported
    scanner = SaneScanner(
        "test:0",
        env=sane_test_env(tmp_path),
        extra_args=("--read-return-value", status),
        page_timeout_s=5,
    )
    with pytest.raises(ScanInterrupted) as exc:
        list(scanner.scan(dpi=50))
    assert exc.value.code == code
    assert exc.value.pages_done == 0
    text = describe_error(exc.value)
    assert "test:0" in text and "{" not in text


def test_cancel_ends_the_scan_quietly(tmp_path: Path) -> None:
    # a slow scan (the backend waits between buffers) cancelled from another thread
    scanner = SaneScanner(
        "test:0",
        env=sane_test_env(tmp_path),
        extra_args=("--read-delay=yes", "--read-delay-duration", "200000"),
    )
    got: list[bytes] = []
    done = threading.Event()

    def run() -> None:
        got.extend(scanner.scan(dpi=50))
        done.set()

    t = threading.Thread(target=run)
    t.start()
    while scanner._proc is None and t.is_alive():
        threading.Event().wait(0.01)
    scanner.cancel()
    t.join(30)
    assert done.is_set()  # no exception: a cancel is not a fault
    assert len(got) < 10


def test_a_scanner_that_goes_silent_is_ended_with_a_message(tmp_path: Path) -> None:
    # 1 KB every 0.2 s of a 300 dpi page: no page within the 1 s deadline, and no status
    scanner = SaneScanner(
        "test:0",
        env=sane_test_env(tmp_path),
        extra_args=(
            "--read-limit=yes",
            "--read-limit-size",
            "1024",
            "--read-delay=yes",
            "--read-delay-duration",
            "200000",
        ),
        page_timeout_s=1,
    )
    started = time.monotonic()
    with pytest.raises(ScanInterrupted) as exc:
        list(scanner.scan(dpi=300))
    assert time.monotonic() - started < 20
    assert exc.value.code == "scan_timeout"
    assert exc.value.pages_done == 0
    assert scanner._proc is None  # the child was ended and reaped
    text = describe_error(exc.value)
    assert "không trả trang nào sau 1 giây" in text and "test:0" in text


def test_the_watchdog_does_not_count_the_consumers_time(tmp_path: Path) -> None:
    scanner = SaneScanner("test:0", env=sane_test_env(tmp_path), page_timeout_s=1, extra_args=())
    got = 0
    for _page in scanner.scan(dpi=50, pages=2):
        got += 1
        time.sleep(1.6)  # the window saving a page: the scanner is not late meanwhile
    assert got == 2


def test_auto_picks_the_first_scanner(tmp_path: Path) -> None:
    auto = AutoSaneScanner(env=sane_test_env(tmp_path))
    assert len(list(auto.scan(dpi=50, pages=2))) == 2
    assert auto.name == "test:0"


def test_failure_code_reads_the_last_status() -> None:
    assert failure_code("scanimage: sane_read: Error during device I/O\n")[0] == "scanner_lost"
    assert failure_code("scanimage: open of device x failed: Invalid argument")[0] == (
        "scanner_not_found"
    )
    assert failure_code("something odd")[0] == "scanner_failed"
    # scanimage may close with its own words after the status that ended the scan
    busy = "scanimage: sane_read: Device busy\nscanimage: trying to stop scanner\n"
    assert failure_code(busy) == ("scanner_busy", "Device busy")


def test_missing_scanimage_is_a_clear_message(tmp_path: Path) -> None:
    scanner = SaneScanner("test:0", program=None, env={"PATH": str(tmp_path)})
    scanner._program = None
    import shutil

    if shutil.which("scanimage") is None:
        with pytest.raises(ValidationError) as exc:
            list(scanner.scan())
        assert exc.value.code == "scanner_sane_missing"
    with pytest.raises(ValidationError) as exc2:
        list(SaneScanner("x", program=str(tmp_path / "nope")).scan())
    assert exc2.value.code == "scanner_failed"


# --- WIA, by its interface ------------------------------------------------------------


class Prop:
    def __init__(self, pid: int, value: Any) -> None:
        self.PropertyID = pid
        self.Value = value


class Props:
    def __init__(self, **values: Any) -> None:
        self._items = [Prop(int(k[1:]), v) for k, v in values.items()]

    @property
    def Count(self) -> int:
        return len(self._items)

    def Item(self, i: int) -> Prop:
        return self._items[i - 1]

    def get(self, pid: int) -> Any:
        return next(p.Value for p in self._items if p.PropertyID == pid)


class ComError(Exception):
    def __init__(self, hr: int) -> None:
        super().__init__(hr - (1 << 32), "WIA", None)  # comtypes gives a signed HRESULT


class FakeItem:
    def __init__(self, dev: FakeDevice) -> None:
        self.dev = dev
        self.Properties = Props(p6146=1, p6147=100, p6148=100)

    def Transfer(self, fmt: str) -> Any:
        assert fmt == wia_scanner.WIA_FORMAT_PNG
        self.dev.transfers += 1
        if self.dev.fail_at is not None and self.dev.transfers > self.dev.fail_at:
            raise ComError(self.dev.fail_hr)
        if self.dev.transfers > self.dev.sheets:
            raise ComError(wia_scanner.WIA_ERROR_PAPER_EMPTY)
        data = PNG + bytes([self.dev.transfers])

        class FileData:
            BinaryData = data

        class Image:
            pass

        img = Image()
        img.FileData = FileData  # type: ignore[attr-defined]
        return img


class FakeDevice:
    def __init__(self, caps: int, sheets: int, fail_at: int | None, fail_hr: int) -> None:
        self.Properties = Props(p3086=caps, p3088=2, p3096=0)
        self.sheets, self.fail_at, self.fail_hr = sheets, fail_at, fail_hr
        self.transfers = 0
        self.item = FakeItem(self)

    class _Items:
        def __init__(self, item: FakeItem) -> None:
            self.item = item

        def Item(self, i: int) -> FakeItem:
            return self.item

    @property
    def Items(self) -> Any:
        return self._Items(self.item)


class FakeInfo:
    def __init__(self, dev_id: str, kind: int, device: FakeDevice) -> None:
        self.DeviceID, self.Type, self.device = dev_id, kind, device
        self.Properties = Props(p7="Canon DR-C225")

    def Connect(self) -> FakeDevice:
        return self.device


class FakeManager:
    def __init__(
        self, caps: int = 5, sheets: int = 3, fail_at: int | None = None, fail_hr: int = 0
    ) -> None:
        self.device = FakeDevice(caps, sheets, fail_at, fail_hr)
        cam = FakeInfo("{cam}\\0001", 2, self.device)
        infos = [cam, FakeInfo("{scan}\\0002", 1, self.device)]

        class Infos:
            Count = len(infos)

            @staticmethod
            def Item(i: int) -> FakeInfo:
                return infos[i - 1]

        self.DeviceInfos = Infos


def test_wia_lists_only_scanners() -> None:
    found = wia_scanner.list_scanners(FakeManager())
    assert [(s.name, s.label) for s in found] == [("{scan}\\0002", "Canon DR-C225")]


def test_wia_feeder_duplex_until_empty() -> None:
    m = FakeManager(caps=wia_scanner.FEEDER | wia_scanner.DUPLEX, sheets=3)
    scanner = wia_scanner.WiaScanner("{scan}\\0002", manager=lambda: m)
    assert scanner.has_duplex()
    pages = list(scanner.scan(dpi=200, mode="Gray", duplex=True))
    assert [p[-1] for p in pages] == [1, 2, 3]
    assert m.device.Properties.get(3088) == wia_scanner.FEEDER | wia_scanner.DUPLEX
    assert m.device.item.Properties.get(6147) == 200
    assert m.device.item.Properties.get(6146) == 2  # grey intent


def test_wia_flatbed_one_page() -> None:
    m = FakeManager(caps=wia_scanner.FLATBED, sheets=5)
    pages = list(wia_scanner.WiaScanner("", manager=lambda: m).scan())
    assert len(pages) == 1


def test_wia_unplugged_mid_scan_keeps_pages() -> None:
    m = FakeManager(sheets=5, fail_at=2, fail_hr=0x8021000A)  # WIA_ERROR_DEVICE_COMMUNICATION
    got: list[bytes] = []
    with pytest.raises(ScanInterrupted) as exc:
        for page in wia_scanner.WiaScanner("", manager=lambda: m).scan():
            got.append(page)
    assert len(got) == 2
    assert exc.value.code == "scanner_lost" and exc.value.pages_done == 2
    assert "0x8021000A" in describe_error(exc.value)


@pytest.mark.parametrize(
    ("hr", "code"),
    [
        (0x80210006, "scanner_busy"),
        (0x80210003, "scanner_no_paper"),
        (0x80004005, "scanner_failed"),
    ],
)
def test_wia_faults_before_the_first_page(hr: int, code: str) -> None:
    m = FakeManager(sheets=5, fail_at=0, fail_hr=hr)
    with pytest.raises(ValidationError) as exc:
        list(wia_scanner.WiaScanner("", manager=lambda: m).scan())
    assert exc.value.code == code


def test_wia_no_scanner() -> None:
    m = FakeManager()
    with pytest.raises(ValidationError) as exc:
        list(wia_scanner.WiaScanner("{other}", manager=lambda: m).scan())
    assert exc.value.code == "scanner_not_found"
