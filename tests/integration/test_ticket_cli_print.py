"""`ticket issue --printer URL` prints ESC/POS; a dead printer leaves the ticket issued."""

from __future__ import annotations

import json
import socket

from escpos_decode import decode


def received(printer) -> bytes:
    assert printer.job_done.wait(10), "the printer connection was never closed"
    return printer.jobs[0]


def test_issue_prints_the_ticket_on_the_given_printer(cli, demo_db, fake_printer) -> None:
    printer = fake_printer()
    res = cli("--json", "ticket", "issue", "--service", "HT", "--printer", printer.url)
    assert res.rc == 0, res.err
    data = json.loads(res.out)
    assert data["number"] == "1001" and data["printed"] is True
    stream = received(printer)
    assert stream[:2] == b"\x1b@" and b"1001" in stream  # init first; the number is native text
    image = decode(stream, 576)
    assert image.width == 576 and image.height > 200


def test_a_dead_printer_warns_and_keeps_the_ticket(cli, demo_db) -> None:
    with socket.socket() as s:  # a free port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = cli(
        "--json", "ticket", "issue", "--service", "CT", "--printer", f"socket://127.0.0.1:{port}"
    )
    assert res.rc == 0
    data = json.loads(res.out)
    assert data["number"] == "2001" and data["printed"] is False and data["print_error"]
    assert res.err.startswith("Cảnh báo:") and res.err.count("\n") == 1
    again = json.loads(cli("--json", "ticket", "issue", "--service", "CT").out)
    assert again["number"] == "2002"  # the failed print neither lost nor reused a number


def test_self_test_page(cli, demo_db, fake_printer) -> None:
    printer = fake_printer()
    res = cli("--json", "ticket", "self-test", "--printer", printer.url, "--dots", "384")
    assert res.rc == 0, res.err
    assert json.loads(res.out)["dots"] == 384
    assert decode(received(printer), 384).width == 384


def wait_jobs(printer, n: int) -> list[bytes]:
    for _ in range(100):
        if len(printer.jobs) >= n:
            return printer.jobs
        printer.job_done.wait(0.1)
        printer.job_done.clear()
    raise AssertionError(f"{len(printer.jobs)} of {n} jobs arrived")


def test_store_logo_then_tickets_by_key_over_socket(
    cli, demo_db, fake_printer, monkeypatch
) -> None:
    from counter_app.printing import escpos

    printer = fake_printer()
    res = cli("--json", "ticket", "store-logo", "--printer", printer.url)
    assert res.rc == 0, res.err
    info = json.loads(res.out)
    assert info["images"] >= 2 + 4  # unit, footer, the priority labels, and the services
    raster_only = json.loads(
        cli("--json", "ticket", "issue", "--service", "HT", "--printer", printer.url).out
    )
    monkeypatch.setenv("COUNTER_APP_TICKET_PRINTER_NV", "1")
    stored = json.loads(
        cli("--json", "ticket", "issue", "--service", "HT", "--printer", printer.url).out
    )
    assert raster_only["printed"] and stored["printed"]
    store, plain, by_key = wait_jobs(printer, 3)[:3]
    assert len(store) == info["bytes"]
    assert len(plain) <= 4096 and len(by_key) <= 2048  # on the wire, as the printer got them
    nv: dict = {}
    decode(store, 576, nv)
    with_keys = decode(by_key, 576, nv)  # every key the ticket names was stored
    without = decode(plain, 576)
    assert with_keys.width == without.width == 576
    assert abs(with_keys.height - without.height) <= 2  # 1001 vs 1002: same layout
    footer = escpos.text_strip("Vui lòng chờ gọi số. Xin cảm ơn!", escpos.FOOTER_PX, 576)
    assert footer is not None
    rows = footer.convert("1").tobytes()
    assert rows in with_keys.convert("1").tobytes()  # the stored footer printed whole
