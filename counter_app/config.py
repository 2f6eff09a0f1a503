"""Frozen settings: defaults, then TOML in the platform config dir (or --config), then env."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_config_dir, user_data_dir

from counter_app.domain.errors import ValidationError

APP = "counter-app"
ENV_PREFIX = "COUNTER_APP_"


def data_dir() -> Path:
    override = os.environ.get(ENV_PREFIX + "DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP, appauthor=False))


def config_path() -> Path:
    override = os.environ.get(ENV_PREFIX + "CONFIG")
    return (
        Path(override) if override else Path(user_config_dir(APP, appauthor=False)) / "config.toml"
    )


@dataclass(frozen=True)
class Settings:
    db_url: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    counter_number: int = 1
    a4_printer: str = ""  # "" = system default if any, else a folder; "folder:/path"; or a name
    label_printer: str = ""
    print_dir: str = ""
    scanner_port: str = ""  # pyserial URL or usb:VID:PID[:SERIAL] of a serial scanner, "" = wedge
    scanner_baud: int = 9600
    # pyserial URL (COM3, /dev/ttyUSB0, socket://host:9100), usb:VID:PID[:SERIAL], or
    # winspool:<Windows printer name> (RAW through the spooler); "" = PDF tickets
    ticket_printer: str = ""
    ticket_printer_baud: int = 9600
    ticket_printer_dsrdtr: bool = False
    ticket_printer_dots: int = 576  # 80 mm paper at 203 dpi; 384 for 58 mm
    ticket_printer_barcode: bool = True  # the printer understands GS k
    ticket_printer_narrow: bool = True  # send raster strips only as wide as their ink
    # the printer keeps NV graphics (GS ( L) and `ticket store-logo` has stored the unit's
    # constant lines: tickets print them by key (~1.4 KB instead of ~4.0 KB)
    ticket_printer_nv: bool = False
    board_voice: bool = True  # speak calls on the board when the system has a voice
    led_board: str = ""  # pyserial URL or usb:VID:PID[:SERIAL] of an EDI LED board, "" = none
    led_board_checksum: bool = False
    log_level: str = "INFO"
    central_url: str = ""  # the unit's own URL from `central add-unit`; "" = no sync
    central_sslmode: str = "prefer"  # libpq sslmode: TLS whenever the server offers it
    sync_interval_s: int = 60  # the window syncs this often while the link is up
    rating_screen: bool = False  # open the citizen rating screen with the counter window
    backup_dir: str = ""  # automatic daily backups; "" = <data dir>/backups
    backup_keep: int = 14  # the automatic backups kept (older ones it wrote are deleted)
    label_size: str = "50x30"  # folder label stock, mm: 50x30 | 60x40 | 100x50
    label_symbology: str = "qr"  # qr | code128 (Code 128 only where it fits: 100x50)
    # Updates (issue 13 item 5): the province's update folder (https://…/, file:…, a folder),
    # the Ed25519 public key (base64) its manifests are signed with, how often the window checks.
    update_url: str = ""
    update_public_key: str = ""
    update_interval_s: int = 3600
    # Digitised documents (issue 15): where the archive PDFs live ("" = beside the SQLite
    # database, in files/), OCR them with Tesseract's Vietnamese data when installed, and the
    # largest file a clerk may attach.
    files_dir: str = ""
    ocr: bool = True
    file_max_mb: int = 50
    # The document scanner (issue 15 item 1): "" = none, "auto" = the first one found, or the
    # SANE device name (test:0, epson2:libusb:001:004) / Windows WIA DeviceID; its resolution.
    document_scanner: str = ""
    scan_dpi: int = 200
    sane_config_dir: str = ""  # SANE_CONFIG_DIR for scanimage; "" = the system's /etc/sane.d

    @property
    def effective_db_url(self) -> str:
        return self.db_url or f"sqlite:///{data_dir() / 'counter.db'}"

    @property
    def effective_print_dir(self) -> Path:
        return Path(self.print_dir) if self.print_dir else data_dir() / "prints"


_TRUE = {"1", "true", "yes", "on", "có"}
_FALSE = {"0", "false", "no", "off", "không", ""}


def _coerce(name: str, raw: Any, kind: type) -> Any:
    if kind is bool and not isinstance(raw, bool):
        text = str(raw).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValidationError("config_invalid", key=name, value=str(raw))
    try:
        return kind(raw)
    except (TypeError, ValueError):
        raise ValidationError("config_invalid", key=name, value=str(raw)) from None


def load_settings(path: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    path = path or config_path()
    values: dict[str, Any] = {}
    if path.exists():
        if not path.is_file():  # a directory (or a device) named as the config
            raise ValidationError("config_not_file", path=str(path))
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError("config_unreadable", path=str(path), detail=str(exc)) from None
        except OSError as exc:
            raise ValidationError(
                "config_unreadable", path=str(path), detail=exc.strerror
            ) from None
    types = {f.name: type(getattr(Settings(), f.name)) for f in fields(Settings)}
    for name in types:
        key = ENV_PREFIX + name.upper()
        if key in env:
            values[name] = env[key]
    unknown = set(values) - set(types)
    if unknown:
        raise ValidationError("config_unknown_key", key=sorted(unknown)[0])
    settings = replace(Settings(), **{k: _coerce(k, v, types[k]) for k, v in values.items()})
    _check_values(settings)
    return settings


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _check_values(s: Settings) -> None:
    """Values the app would otherwise trip over later with a traceback."""
    if s.log_level.upper() not in LOG_LEVELS:
        raise ValidationError("config_invalid", key="log_level", value=s.log_level)
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError("config_invalid", key="timezone", value=s.timezone) from None
    from counter_app.printing.label_spec import label_spec

    label_spec(s.label_size, s.label_symbology)  # an impossible pair is refused at start
    # a device named by USB id: well written (usb:VID:PID[:SERIAL], devices/ports.py)
    from counter_app.devices.ports import parse_usb

    for key in ("scanner_port", "ticket_printer", "led_board"):
        parse_usb(str(getattr(s, key)))


def with_stored(settings: Settings, stored: dict[str, str], fields: dict[str, str]) -> Settings:
    """The settings a process runs with: what the config file (or the environment) names wins;
    where it names nothing, what a supervisor stored in the database (`printer set`, `device
    set`: `stored` by kind, `fields` the Settings field of each kind)."""
    over: dict[str, Any] = {
        fields[kind]: value
        for kind, value in stored.items()
        if kind in fields and value and not getattr(settings, fields[kind])
    }
    return replace(settings, **over) if over else settings


def stored_sources(
    settings: Settings, stored: dict[str, str], fields: dict[str, str]
) -> list[tuple[str, str, str, str, str]]:
    """Each kind's (kind, stored, config, effective, source: config | database | default),
    by the rule of `with_stored`."""
    out = []
    for kind, name in fields.items():
        config = str(getattr(settings, name))
        mine = stored.get(kind, "")
        source = "config" if config else "database" if mine else "default"
        out.append((kind, mine, config, config or mine, source))
    return out
