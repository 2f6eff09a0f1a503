"""Document scanners on Windows through WIA 2.0 automation (wiaaut.dll, on every Windows
10/11): "WIA.DeviceManager" lists and connects the scanners, an item's Transfer returns an
ImageFile whose FileData.BinaryData is the page (PNG asked for).

The COM side is reached through `comtypes` (a Windows-only dependency, installed by the
environment marker in pyproject.toml). Everything here works on whatever `manager` object
it is given, so the tests drive it with a fake DeviceManager on any system.

WIA_DPS_DOCUMENT_HANDLING_SELECT (3088) chooses the feeder (1), flatbed (2) or duplex (4);
with the feeder, Transfer is called until WIA says the feeder is empty."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from counter_app.domain.errors import ValidationError
from counter_app.domain.scanning import DEFAULT_DPI, ScanInterrupted, ScannerInfo

WIA_FORMAT_PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"
SCANNER_DEVICE_TYPE = 1  # WiaDeviceType.ScannerDeviceType
# device properties
DOCUMENT_HANDLING_CAPABILITIES = 3086
DOCUMENT_HANDLING_SELECT = 3088
PAGES = 3096
FEEDER, FLATBED, DUPLEX = 1, 2, 4
# item properties
HORIZONTAL_RESOLUTION = 6147
VERTICAL_RESOLUTION = 6148
CURRENT_INTENT = 6146
INTENT = {"Color": 1, "Gray": 2, "Lineart": 4}

# WIA HRESULTs -> our message codes
WIA_ERROR_PAPER_EMPTY = 0x80210003
_HRESULT_CODES = {
    0x80210002: "scanner_jammed",  # WIA_ERROR_PAPER_JAM
    0x80210005: "scanner_lost",  # WIA_ERROR_OFFLINE
    0x80210006: "scanner_busy",  # WIA_ERROR_BUSY
    0x80210007: "scanner_busy",  # WIA_ERROR_WARMING_UP
    0x8021000A: "scanner_lost",  # WIA_ERROR_DEVICE_COMMUNICATION
    0x80210015: "scanner_not_found",  # WIA_S_NO_DEVICE_AVAILABLE
    0x80210016: "scanner_cover_open",  # WIA_ERROR_COVER_OPEN
    0x80070005: "scanner_denied",  # E_ACCESSDENIED
}


def hresult(exc: BaseException) -> int | None:
    """The HRESULT of a comtypes COMError / pywin32 com_error, as an unsigned 32-bit value."""
    value = getattr(exc, "hresult", None)
    if value is None and exc.args and isinstance(exc.args[0], int):
        value = exc.args[0]
    return None if value is None else int(value) & 0xFFFFFFFF


def _default_manager() -> Any:  # pragma: no cover - Windows only
    try:
        import comtypes.client  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        raise ValidationError("scanner_wia_missing") from None
    return comtypes.client.CreateObject("WIA.DeviceManager")


def _prop(props: Any, pid: int) -> Any | None:
    for i in range(1, int(props.Count) + 1):
        p = props.Item(i)
        if int(p.PropertyID) == pid:
            return p
    return None


def _set(props: Any, pid: int, value: int) -> None:
    p = _prop(props, pid)
    if p is not None:
        p.Value = value


def list_scanners(manager: Any | None = None) -> list[ScannerInfo]:
    m = manager if manager is not None else _default_manager()
    found = []
    infos = m.DeviceInfos
    for i in range(1, int(infos.Count) + 1):
        info = infos.Item(i)
        if int(info.Type) != SCANNER_DEVICE_TYPE:
            continue
        name = _prop(info.Properties, 7)  # WIA_DIP_DEV_NAME
        label = str(name.Value) if name is not None else str(info.DeviceID)
        found.append(ScannerInfo(name=str(info.DeviceID), label=label))
    return found


class WiaScanner:
    """One WIA scanner, by its DeviceID (or "" for the first one)."""

    def __init__(self, device_id: str = "", manager: Callable[[], Any] | None = None) -> None:
        self.device_id = device_id
        self._manager = manager or _default_manager
        self._cancelled = threading.Event()

    @property
    def name(self) -> str:
        return self.device_id

    def _connect(self) -> Any:
        try:
            m = self._manager()
            infos = m.DeviceInfos
            for i in range(1, int(infos.Count) + 1):
                info = infos.Item(i)
                if int(info.Type) != SCANNER_DEVICE_TYPE:
                    continue
                if not self.device_id or str(info.DeviceID) == self.device_id:
                    return info.Connect()
        except ValidationError:
            raise
        except Exception as exc:
            raise self._error(exc, 0) from None
        raise ValidationError("scanner_not_found", scanner=self.device_id or "WIA", detail="")

    def _error(self, exc: BaseException, done: int) -> ScanInterrupted:
        hr = hresult(exc)
        code = _HRESULT_CODES.get(hr or 0, "scanner_failed")
        detail = f"0x{hr:08X}" if hr is not None else type(exc).__name__
        return ScanInterrupted(
            code, pages_done=done, scanner=self.device_id or "WIA", detail=detail
        )

    def has_duplex(self) -> bool:
        dev = self._connect()
        caps = _prop(dev.Properties, DOCUMENT_HANDLING_CAPABILITIES)
        return bool(caps is not None and int(caps.Value) & DUPLEX)

    def scan(
        self,
        *,
        dpi: int = DEFAULT_DPI,
        mode: str = "Gray",
        duplex: bool = False,
        pages: int | None = None,
    ) -> Iterator[bytes]:
        self._cancelled.clear()
        dev = self._connect()
        caps_p = _prop(dev.Properties, DOCUMENT_HANDLING_CAPABILITIES)
        caps = int(caps_p.Value) if caps_p is not None else 0
        feeder = bool(caps & FEEDER)
        if feeder:
            select = FEEDER | (DUPLEX if duplex and caps & DUPLEX else 0)
            _set(dev.Properties, DOCUMENT_HANDLING_SELECT, select)
            _set(dev.Properties, PAGES, 1)
        limit = pages if pages is not None else (None if feeder else 1)
        done = 0
        while limit is None or done < limit:
            if self._cancelled.is_set():
                return
            try:
                item = dev.Items.Item(1)
                _set(item.Properties, HORIZONTAL_RESOLUTION, dpi)
                _set(item.Properties, VERTICAL_RESOLUTION, dpi)
                _set(item.Properties, CURRENT_INTENT, INTENT.get(mode, 2))
                image = item.Transfer(WIA_FORMAT_PNG)
                data = bytes(image.FileData.BinaryData)
            except Exception as exc:
                if hresult(exc) == WIA_ERROR_PAPER_EMPTY:
                    if done:
                        return  # the feeder ran out: the normal end
                    raise ScanInterrupted(
                        "scanner_no_paper", pages_done=0, scanner=self.device_id or "WIA", detail=""
                    ) from None
                raise self._error(exc, done) from None
            done += 1
            yield data

    def cancel(self) -> None:
        """WIA has no way to stop a page being fed: the scan ends after the current page."""
        self._cancelled.set()
