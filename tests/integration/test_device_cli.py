"""`device list` / `device status` and the usb: form in `printer set` (issue 13 item 3).
The system's port list is injected (serial.tools.list_ports' own ListPortInfo objects)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from serial.tools.list_ports_common import ListPortInfo

from counter_app.config import Settings
from counter_app.devices import ports
from counter_app.services.devices import device_states


def port_info(device: str, vid: int | None = None, pid: int | None = None, sn: str = "") -> Any:
    info = ListPortInfo(device, skip_link_detection=True)
    if vid is not None:
        info.vid, info.pid, info.serial_number = vid, pid, sn or None
        info.description = "USB-SERIAL CH340 (COM7)" if vid == 0x1A86 else "STM32 Virtual COM"
        info.manufacturer = "wch.cn" if vid == 0x1A86 else "STMicroelectronics"
    return info


@pytest.fixture
def plugged(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What is plugged into this PC, as serial.tools.list_ports.comports() would say."""
    now = [
        port_info("COM1"),
        port_info("COM7", 0x1A86, 0x7523),
        port_info("COM10", 0x0483, 0x5740, "SN123"),
    ]
    monkeypatch.setattr(ports, "system_comports", lambda: list(now))
    return now


def test_device_list_shows_usb_ids_and_what_uses_them(
    cli: Any, demo_db: Any, plugged: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTER_APP_SCANNER_PORT", "usb:1a86:7523")
    monkeypatch.setenv("COUNTER_APP_LED_BOARD", "COM10")
    res = cli("--json", "device", "list")
    assert res.rc == 0, res.err
    rows = json.loads(res.out)
    assert [r["port"] for r in rows] == ["COM1", "COM7", "COM10"]
    assert rows[0] == {
        "port": "COM1",
        "usb": "",
        "vid": "",
        "pid": "",
        "serial_number": "",
        "description": "",
        "manufacturer": "",
        "used_by": [],
    }
    assert rows[1]["usb"] == "usb:1a86:7523" and rows[1]["vid"] == "1a86"
    assert rows[1]["used_by"] == ["scanner"] and rows[1]["manufacturer"] == "wch.cn"
    assert rows[2]["usb"] == "usb:0483:5740:SN123" and rows[2]["used_by"] == ["led_board"]
    human = cli("device", "list").out
    assert (
        "COM7 · usb:1a86:7523 · USB-SERIAL CH340 (COM7) · wch.cn · đang dùng cho máy quét" in human
    )


def test_device_list_with_nothing_plugged_in(
    cli: Any, demo_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ports, "system_comports", list)
    assert json.loads(cli("--json", "device", "list").out) == []
    assert cli("device", "list").out.strip() == "Không thấy cổng nối tiếp nào trên máy này."


def test_device_status_ok_not_set_failing(
    cli: Any, demo_db: Any, plugged: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTER_APP_SCANNER_PORT", "usb:1a86:7523")
    monkeypatch.setenv("COUNTER_APP_TICKET_PRINTER", "COM4")  # moved: COM4 is gone
    res = cli("--json", "device", "status")
    assert res.rc == 0, res.err
    scanner, ticket, board = json.loads(res.out)
    assert scanner == {
        "device": "scanner",
        "setting": "usb:1a86:7523",
        "state": "ok",
        "port": "COM7",
        "message": "",
    }
    assert ticket["state"] == "failing" and "không có cổng COM4" in ticket["message"]
    assert board == {
        "device": "led_board",
        "setting": "",
        "state": "not_set",
        "port": "",
        "message": "",
    }
    human = cli("device", "status").out
    assert "máy quét: sẵn sàng · usb:1a86:7523 (cổng COM7)" in human


def test_states_for_a_status_bar(plugged: list[Any]) -> None:
    from counter_app.domain.errors import CounterAppError

    plugged.append(port_info("COM12", 0x1A86, 0x7523))  # a second CH340: which one?
    settings = Settings(scanner_port="usb:1a86:7523", led_board="socket://10.0.0.9:4001")
    scanner, ticket, board = device_states(
        settings, faults={"led_board": CounterAppError("led_board_failed", port="x", detail="y")}
    )
    assert scanner.state == "failing" and "COM7, COM12" in scanner.message
    assert ticket.state == "not_set"
    assert board.state == "failing" and board.message.startswith("Bảng LED x")
    fine = device_states(Settings(led_board="socket://10.0.0.9:4001"))[2]
    assert (fine.state, fine.port) == ("ok", "socket://10.0.0.9:4001")  # a network URL: as set


def test_printer_set_takes_the_usb_form_and_refuses_a_bad_one(cli: Any, demo_db: Any) -> None:
    res = cli("--json", "printer", "set", "ticket", "usb:0483:5740:SN123")
    assert res.rc == 0, res.err
    assert json.loads(res.out)["value"] == "usb:0483:5740:SN123"
    res = cli("printer", "set", "ticket", "usb:483:5740")
    assert res.rc == 1 and "usb:VID:PID" in res.err and res.err.count("\n") == 1
    res = cli("printer", "set", "a4", "usb:0483:5740")
    assert res.rc == 1 and "usb:0483:5740" in res.err


def test_a_bad_usb_setting_in_the_environment_is_one_line(
    cli: Any, demo_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTER_APP_SCANNER_PORT", "usb:1a86")
    res = cli("device", "list")
    assert res.rc == 1 and res.err.startswith("Lỗi: Cách ghi thiết bị USB không hợp lệ: usb:1a86.")


def test_a_posix_device_path_is_checked_on_disk(tmp_path: Any) -> None:
    """/dev/serial/by-id/… links and ptys are not in the system's list but are ports."""
    import os

    primary, secondary = os.openpty()
    try:
        link = tmp_path / "usb-1a86_USB_Serial-if00-port0"
        link.symlink_to(os.ttyname(secondary))
        board = device_states(Settings(led_board=str(link)), comports=list)[2]
        assert (board.state, board.port) == ("ok", str(link))
        gone = device_states(Settings(led_board=str(tmp_path / "ttyUSB9")), comports=list)[2]
        assert gone.state == "failing" and "không có cổng" in gone.message
    finally:
        os.close(primary)
        os.close(secondary)


def test_live_states_carry_each_running_device_s_last_failure(fake_printer: Any) -> None:
    from types import SimpleNamespace

    from counter_app.app import build_adapters
    from counter_app.devices.scanner import SerialScanner
    from counter_app.domain.errors import PrintFailed
    from counter_app.services.devices import live_states

    fake = fake_printer()
    settings = Settings(ticket_printer=fake.url, scanner_port="usb:1a86:7523")
    ctx = SimpleNamespace(settings=settings, adapters=build_adapters(settings))
    printer = ctx.adapters.ticket_printer(fake.url)
    printer.send(b"\x1b@")
    scanner = SerialScanner("usb:1a86:7523", comports=list)
    states = live_states(ctx, scanner=scanner, comports=lambda: [port_info("COM7", 0x1A86, 0x7523)])
    assert [s.state for s in states] == ["ok", "ok", "not_set"]

    fake.close()  # the network printer switched off
    with pytest.raises(PrintFailed):
        ctx.adapters.ticket_printer(fake.url).send(b"\x1b@")  # the same printer object
    scanner.fault = PrintFailed("scanner_port_lost", port="COM7", detail="gone")
    scanner_state, ticket, _ = live_states(
        ctx, scanner=scanner, comports=lambda: [port_info("COM7", 0x1A86, 0x7523)]
    )
    assert scanner_state.state == "failing"
    assert "Mất kết nối với máy quét ở COM7" in scanner_state.message
    assert ticket.state == "failing"
    assert ticket.message.startswith(f"Máy in vé {fake.url} không in được")
    printer.fault = None
    assert live_states(ctx, comports=list)[1].state == "ok"


def test_device_set_stores_the_scanner_and_board_the_config_file_wins(
    cli: Any, demo_db: Any, plugged: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    res = cli("--json", "device", "set", "scanner", "usb:1a86:7523")
    assert res.rc == 0, res.err
    assert json.loads(res.out) == {
        "device": "scanner",
        "value": "usb:1a86:7523",
        "source": "database",
        "stored": "usb:1a86:7523",
        "config": "",
    }
    scanner = json.loads(cli("--json", "device", "status").out)[0]
    assert (scanner["state"], scanner["port"]) == ("ok", "COM7")  # the stored one is used
    listed = json.loads(cli("--json", "device", "list").out)
    assert next(r for r in listed if r["port"] == "COM7")["used_by"] == ["scanner"]
    with sqlite3.connect(demo_db) as db:
        actions = [r[0] for r in db.execute("SELECT action FROM audit_log")]
    assert "device_set" in actions

    monkeypatch.setenv("COUNTER_APP_SCANNER_PORT", "COM1")
    res = cli("device", "set", "scanner", "usb:1a86:7523")
    assert "tệp cấu hình đã đặt COM1" in res.out
    monkeypatch.delenv("COUNTER_APP_SCANNER_PORT")
    assert json.loads(cli("--json", "device", "set", "scanner", "").out)["source"] == "default"

    for bad, words in (("usb:1a86", "usb:VID:PID"), ("winspool:Receipt", "Bảng LED: không dùng")):
        res = cli("device", "set", "led_board", bad)
        assert res.rc == 1 and words in res.err and res.err.count("\n") == 1
    assert cli("device", "set", "printer", "COM3").rc == 2
