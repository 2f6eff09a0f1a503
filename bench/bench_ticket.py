"""Queue ticket on an ESC/POS printer: bytes on the wire per ticket, and issue to bytes written.

    uv run python bench/bench_ticket.py                  # 200 tickets per path
    uv run python bench/bench_ticket.py --iterations 50

Bytes: render_ticket on 58 mm (384 dots) and 80 mm (576 dots) paper, with and without the
native GS k barcode, with and without a priority line, in both modes: raster strips only
(DESIGN.md §5 budget 4 KB a ticket) and with the unit's constant lines stored in the printer
by `ticket store-logo` and printed by key (issue 17: ≤ 2 KB; the one-off store job's size in
the note); the budget verdict is the plain ticket's; the notes give the wire time at 9600
and 115200 baud (8N1: 10 bits a byte).
Time, on 80 mm with a barcode, each ticket its own waiting count (render_ticket keeps the
strips of the lines that recur): render_ticket + TicketPrinter.send, measured until the last
byte has been read on the far side: over loop:// (a reader thread drains the port as a
printer would; loop:// does not pace to the baud rate) and over socket:// to a fake printer
on 127.0.0.1 (one connection per ticket, as the app sends). Floors: render, a bare PIL draw of
the same six lines; send, the same bytes by one bare port.write / socket.sendall.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import serial

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    Row,
    add_common_args,
    fmt_ms,
    machine_line,
    p50,
    p95,
    pair,
    print_rows,
    ratio_pair,
    save_rows,
    verdict,
)

from counter_app.devices.ticket_printer import TicketPrinter
from counter_app.printing import escpos
from counter_app.printing.escpos import PrinterProfile, TicketData, render_ticket

BUDGET_BYTES = 4096  # raster strips only (DESIGN.md §5)
BUDGET_STORED = 2048  # constant lines stored in the printer (ticket store-logo, issue 17)
PRIORITIES = ["Ưu tiên: người cao tuổi", "Ưu tiên: người khuyết tật"]


def ticket() -> TicketData:
    return TicketData(
        unit_name="UBND XÃ MỸ HÒA HƯNG",
        number="1005",
        service_name="Hộ tịch",
        issued_at=datetime(2026, 11, 28, 9, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        ahead=3,
        estimated_wait_min=12,
        priority_label="",
        counters="Quầy 1, 2",
        footer="Vui lòng chờ gọi số. Xin cảm ơn!",
    )


def wire_s(n: int, baud: int) -> float:
    return n * 10 / baud


def store_job(t: TicketData, prof: PrinterProfile) -> bytes:
    """What `ticket store-logo` sends for a unit offering this ticket's service."""
    services = [(t.service_name, t.counters)]
    lines = escpos.constant_lines(t.unit_name, t.footer, services, PRIORITIES)
    return escpos.render_nv_store(lines, prof)


def byte_rows() -> list[Row]:
    """Bytes of the plain ticket (the priority line's in the note) in both modes; the budget
    is the plain ticket's, as in issue 17."""
    plain = ticket()
    priority = replace(plain, priority_label="Ưu tiên: người cao tuổi")
    rows = []
    for stored in (False, True):
        budget = BUDGET_STORED if stored else BUDGET_BYTES
        mode = "stored lines (NV)" if stored else "raster"
        for dots, paper in ((576, "80 mm"), (384, "58 mm")):
            for barcode in (True, False):
                prof = PrinterProfile(dots=dots, native_barcode=barcode, nv_graphics=stored)
                n, m = len(render_ticket(plain, prof)), len(render_ticket(priority, prof))
                once = f"; store-logo once {len(store_job(plain, prof)):,} B" if stored else ""
                rows.append(
                    Row(
                        what=(
                            f"ticket bytes, {mode}: {paper} ({dots} dots), "
                            f"barcode {('off', 'on')[barcode]}"
                        ),
                        measured=f"{n:,} B ({m:,} B with a priority line)",
                        floor="—",
                        ratio=f"{n / budget:.2f}× budget",
                        budget=f"≤ {budget:,} B",
                        verdict="pass" if n <= budget else "MISS",
                        note=(
                            f"wire time {wire_s(n, 9600):.1f} s ({wire_s(m, 9600):.1f} s) at "
                            f"9600 baud, {wire_s(n, 115200):.2f} s ({wire_s(m, 115200):.2f} s) "
                            f"at 115200{once}"
                        ),
                    )
                )
    return rows


def timed(fn: Callable[[], None], n: int, warmup: int) -> list[float]:
    out = []
    for i in range(n + warmup):
        t0 = time.perf_counter()
        fn()
        if i >= warmup:
            out.append((time.perf_counter() - t0) * 1e3)
    return out


class LoopSink:
    """A loop:// port with a reader thread: wait(n) returns once n more bytes were read."""

    def __init__(self, port: serial.SerialBase) -> None:
        self.port = port
        self.count = 0
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            chunk = self.port.read(self.port.in_waiting or 1)
            with self.cond:
                self.count += len(chunk)
                self.cond.notify_all()

    def wait(self, target: int) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.count >= target, timeout=30):
                raise TimeoutError("loop:// reader stalled")


class FakePrinter:
    """Accepts connections on 127.0.0.1 and reports the byte count of each, once it closes."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self.server.getsockname()[1]}"
        self.jobs: queue.Queue[int] = queue.Queue()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            conn, _ = self.server.accept()
            with conn:
                total = 0
                while chunk := conn.recv(65536):
                    total += len(chunk)
            self.jobs.put(total)


def render_floor(lines: list[tuple[str, int]], n: int) -> list[float]:
    from PIL import Image, ImageDraw

    def draw() -> None:
        for text, size in lines:
            img = Image.new("L", (576, size * 2), 255)
            font = escpos._font(size)
            ImageDraw.Draw(img).text((288, size), text, font=font, fill=0, anchor="ms")
            img.point(lambda v: 0 if v < 150 else 255, mode="1").tobytes()

    return timed(draw, n, 5)


def run(args: argparse.Namespace) -> list[Row]:
    n, prof, t = args.iterations, PrinterProfile(), ticket()
    data = render_ticket(t, prof)
    lines = [
        (t.unit_name, escpos.UNIT_PX),
        (t.service_name, escpos.SERVICE_PX),
        (t.counters, escpos.COUNTERS_PX),
        ("Trước bạn: 3 người · Dự kiến: 12 phút", escpos.BODY_PX),
        (t.footer, escpos.FOOTER_PX),
    ]
    gc.collect()
    # Each ticket its own waiting count (a new line to draw, as at a real kiosk); the unit,
    # service, counters and footer lines recur and render_ticket keeps their strips.
    ahead = itertools.count(1000)

    def fresh() -> TicketData:
        return replace(t, ahead=next(ahead))

    def render_only() -> None:
        render_ticket(fresh(), prof)

    stored_prof = replace(prof, nv_graphics=True)

    def render_stored() -> None:
        render_ticket(fresh(), stored_prof)

    render = timed(render_only, n, 5)
    render_nv = timed(render_stored, n, 5)
    f_render = render_floor(lines, n)

    loop_printer = TicketPrinter("loop://", baudrate=115200)
    port = loop_printer.open()
    sink = LoopSink(port)
    fake = FakePrinter()
    net_printer = TicketPrinter(fake.url)

    def via_loop(render: bool) -> Callable[[], None]:
        def go() -> None:
            payload = render_ticket(fresh(), prof) if render else data
            target = sink.count + len(payload)
            loop_printer.send(payload, port)
            sink.wait(target)

        return go

    def via_socket(render: bool) -> Callable[[], None]:
        def go() -> None:
            payload = render_ticket(fresh(), prof) if render else data
            net_printer.send(payload)
            assert fake.jobs.get(timeout=30) == len(payload)

        return go

    def loop_floor() -> None:
        target = sink.count + len(data)
        port.write(data)
        sink.wait(target)

    def socket_floor() -> None:
        with socket.create_connection(fake.server.getsockname()) as s:
            s.sendall(data)
        assert fake.jobs.get(timeout=30) == len(data)

    f_loop, f_net = timed(loop_floor, n, 5), timed(socket_floor, n, 5)
    send_loop, send_net = timed(via_loop(False), n, 5), timed(via_socket(False), n, 5)
    loop, net = timed(via_loop(True), n, 5), timed(via_socket(True), n, 5)

    def row(
        what: str, xs: list[float], floor: tuple[float, float], label: str, size: int = len(data)
    ) -> Row:
        return Row(
            what=what,
            measured=pair(xs),
            floor=f"{fmt_ms(floor[0])} / {fmt_ms(floor[1])} ({label})",
            ratio=ratio_pair(p50(xs), p95(xs), *floor),
            budget="—",
            verdict=verdict(p95(xs), None),
            note=f"{size:,} B ticket, {n} runs after 5 warm-up",
        )

    def fl(*xs: list[float]) -> tuple[float, float]:
        return sum(p50(x) for x in xs), sum(p95(x) for x in xs)

    rows = [
        *byte_rows(),
        row("ticket: render_ticket 80 mm", render, fl(f_render), "PIL draw of the lines"),
        row(
            "ticket: render_ticket 80 mm, stored lines",
            render_nv,
            fl(f_render),
            "PIL draw of the lines",
            len(render_ticket(t, stored_prof)),
        ),
        row("ticket: send, loop://", send_loop, fl(f_loop), "bare port.write"),
        row("ticket: send, socket:// (connect … close)", send_net, fl(f_net), "bare sendall"),
        row("ticket: render + send, loop://", loop, fl(f_render, f_loop), "sum of floors"),
        row("ticket: render + send, socket://", net, fl(f_render, f_net), "sum of floors"),
    ]
    print(f"\nmachine: {machine_line()}")
    print_rows("ticket printer", rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(p)  # --db / --dossiers are accepted for run_all.py and not used
    p.add_argument("--iterations", type=int, default=200)
    args = p.parse_args(argv)
    save_rows(args.results, run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
