"""The document scanner as the rest of the app sees it (issue 15 item 1).

devices/document_scanner.py (SANE through `scanimage`) and devices/wia_scanner.py (Windows
WIA) implement `DocumentScanner`; app.py builds one into `Adapters.document_scanner`; the
window (ui/document_pages.py) only knows this protocol, so ui/ never imports devices/.

A scan yields pages one by one as PNG (or JPEG) bytes. A failure part-way through raises
`ScanInterrupted` carrying the pages read so far (`pages_done`), so the caller keeps them;
no scanner, a busy one, a failure before the first page: a plain ValidationError."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from counter_app.domain.errors import ValidationError

DEFAULT_DPI = 200  # archive copies of text: 200 dpi grey (issue 15 item 2)


@dataclass(frozen=True)
class ScannerInfo:
    name: str  # the backend's device name: "test:0", "epson2:libusb:001:004", a WIA DeviceID
    label: str  # what the clerk reads: vendor and model


class DocumentScanner(Protocol):
    """One scanner. `scan` runs on a worker thread; `cancel` may be called from another."""

    @property
    def name(self) -> str: ...

    def has_duplex(self) -> bool: ...

    def scan(
        self,
        *,
        dpi: int = DEFAULT_DPI,
        mode: str = "Gray",
        duplex: bool = False,
        pages: int | None = None,
    ) -> Iterator[bytes]: ...

    def cancel(self) -> None: ...


class ScanInterrupted(ValidationError):
    """The scanner failed after `pages_done` pages (unplugged, jammed, feeder cover open)."""

    def __init__(self, code: str, /, *, pages_done: int = 0, **params: Any) -> None:
        super().__init__(code, pages_done=pages_done, **params)
        self.pages_done = pages_done
