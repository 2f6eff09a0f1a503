"""ESC/POS queue tickets: the command set byte by byte, raster strips decoded back to pixels."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from barcode import Code128
from escpos_decode import decode
from PIL import Image, ImageChops, ImageDraw

from counter_app.domain.errors import ValidationError
from counter_app.printing import escpos
from counter_app.printing.escpos import (
    CUTS,
    PrinterProfile,
    TicketData,
    c128_widths,
    raster,
    render_self_test,
    render_ticket,
    text_strip,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TICKET = TicketData(
    unit_name="UBND XÃ MỸ HÒA HƯNG",
    number="1005",
    service_name="Hộ tịch",
    issued_at=datetime(2026, 11, 28, 9, 15, tzinfo=VN),
    ahead=3,
    estimated_wait_min=12,
    priority_label="Ưu tiên: người cao tuổi",
    counters="Quầy 1, 2",
    footer="Vui lòng chờ gọi số. Xin cảm ơn!",
)
PLAIN = replace(TICKET, priority_label="")
WAIT = "Trước bạn: 3 người · Dự kiến: 12 phút"
PROFILES = [PrinterProfile(), PrinterProfile(dots=384), PrinterProfile(cut="full", chunk_rows=8)]
# Arguments after ESC x / GS x for the fixed-length commands a ticket uses.
FIXED = {b"\x1b@": 0, b"\x1ba": 1, b"\x1bE": 1, b"\x1bJ": 1, b"\x1bd": 1, b"\x1bt": 1}
FIXED |= {b"\x1d!": 1, b"\x1dh": 1, b"\x1dw": 1, b"\x1dH": 1, b"\x1dV": 2, b"\x1dL": 2}


def commands(stream: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(command, arguments) in order, text runs as (b"text", bytes); an independent walker."""
    pos = 0
    while pos < len(stream):
        if 0x20 <= stream[pos] <= 0x7E or stream[pos] == 0x0A:
            end = pos
            while end < len(stream) and (0x20 <= stream[end] <= 0x7E or stream[end] == 0x0A):
                end += 1
            yield b"text", stream[pos:end]
            pos = end
            continue
        cmd = stream[pos : pos + 2]
        if cmd == b"\x1dv":
            width, rows = (int.from_bytes(stream[pos + i : pos + i + 2], "little") for i in (4, 6))
            end = pos + 8 + width * rows
        elif cmd == b"\x1dk":
            end = pos + 4 + stream[pos + 3]
        elif cmd == b"\x1d(":  # GS ( L pL pH …
            end = pos + 5 + int.from_bytes(stream[pos + 3 : pos + 5], "little")
        else:
            assert cmd in FIXED, f"unexpected {stream[pos : pos + 2]!r} at {pos}"
            end = pos + 2 + FIXED[cmd]
        assert end <= len(stream), f"{cmd!r} truncated"
        yield cmd, stream[pos + 2 : end]
        pos = end


def same(a: Image.Image, b: Image.Image) -> bool:
    diff = ImageChops.difference(a.convert("L"), b.convert("L")) if a.size == b.size else None
    return diff is not None and diff.getbbox() is None


def rows_of(img: Image.Image) -> list[bytes]:
    data, width = img.convert("1").tobytes(), (img.width + 7) // 8
    return [data[i * width : (i + 1) * width] for i in range(img.height)]


def find_strip(page: Image.Image, strip: Image.Image) -> int | None:
    """The row of `page` where `strip` appears whole, if it does."""
    page_rows, strip_rows = rows_of(page), rows_of(strip)
    for y in range(len(page_rows) - len(strip_rows) + 1):
        if page_rows[y : y + len(strip_rows)] == strip_rows:
            return y
    return None


@pytest.mark.parametrize(
    "p",
    [*PROFILES, PrinterProfile(narrow=False)],
    ids=lambda p: f"{p.dots}-{p.cut}-{p.chunk_rows}-{'narrow' if p.narrow else 'full'}",
)
def test_command_set_byte_by_byte(p: PrinterProfile) -> None:
    stream = render_ticket(TICKET, p)
    cmds = list(commands(stream))
    assert cmds[0] == (b"\x1b@", b"") and cmds[1] == (b"\x1ba", b"\x01")
    assert stream.endswith(CUTS[p.cut]) and cmds[-1][0] == b"\x1dV"
    rasters, margin = [], 0
    for cmd, args in cmds:
        if cmd == b"\x1dL":  # narrowed strips are placed with the left margin
            margin = int.from_bytes(args, "little")
        elif cmd == b"\x1dv":
            rasters.append((margin, args))
    assert len(rasters) >= 6 and margin == 0  # the margin is always reset
    for left, args in rasters:
        assert args[:2] == b"0\0"  # GS v 0, m = 0 (normal density)
        width, rows = int.from_bytes(args[2:4], "little"), int.from_bytes(args[4:6], "little")
        assert left % 8 == 0 and left + width * 8 <= p.dots and 1 <= rows <= p.chunk_rows
        assert width == p.dots // 8 if not p.narrow else width < p.dots // 8
        assert len(args) == 6 + width * rows
    text = b"".join(args for cmd, args in cmds if cmd == b"text")
    assert text == b"1005\n09:15 28/11/2026\n"  # everything else is raster: no code page games
    assert (b"\x1d!", b"\x33") in cmds and (b"\x1bE", b"\x01") in cmds  # 4×4, bold number
    assert cmds[cmds.index((b"\x1d!", b"\x33")) + 2] == (b"text", b"1005\n")
    assert (b"\x1dk", b"I\x06{B1005") in cmds
    assert [(c, a) for c, a in cmds if c in (b"\x1dh", b"\x1dw", b"\x1dH")] == [
        (b"\x1dh", bytes([escpos.BAR_H])),
        (b"\x1dw", b"\x02"),
        (b"\x1dH", b"\x02"),
    ]


def test_profile_switches_barcode_code_page_and_cut() -> None:
    stream = render_ticket(TICKET, PrinterProfile(native_barcode=False, code_page=16, cut="none"))
    cmds = list(commands(stream))
    assert not [c for c, _ in cmds if c == b"\x1dk"]
    assert cmds[1] == (b"\x1bt", bytes([16]))
    assert stream.endswith(b"\x1bd\x05")
    assert not [c for c, _ in cmds if c == b"\x1dV"]
    assert render_ticket(TICKET, PrinterProfile(cut="full")).endswith(b"\x1dVA\x00")
    assert render_ticket(TICKET, PrinterProfile()).endswith(b"\x1dVB\x00")


@pytest.mark.parametrize("dots", [576, 384])
@pytest.mark.parametrize("chunk_rows", [96, 7])
def test_raster_decodes_back_to_the_strip(dots: int, chunk_rows: int) -> None:
    for text, size in [(TICKET.unit_name, 24), (TICKET.service_name, 44), (WAIT, 24)]:
        strip = text_strip(text, size, dots)
        assert strip is not None and strip.width == dots
        assert same(decode(raster(strip, chunk_rows), dots), strip)


def test_blank_rows_between_wrapped_lines_are_fed_not_sent() -> None:
    strip = text_strip("UBND " * 30, 24, 384)  # eight lines of capitals, no descenders
    assert strip is not None
    stream = raster(strip, 96)
    feeds = [args[0] for cmd, args in commands(stream) if cmd == b"\x1bJ"]
    assert len(feeds) == 7 and all(f >= escpos.SKIP_ROWS for f in feeds)
    assert len(stream) < 48 * (strip.height - sum(feeds)) + 100
    assert same(decode(stream, 384), strip)


@pytest.mark.parametrize("dots", [576, 384])
def test_every_vietnamese_line_is_in_the_decoded_ticket(dots: int) -> None:
    page = decode(render_ticket(TICKET, PrinterProfile(dots=dots)), dots)
    assert page.width == dots
    where = []
    for text, size, inverse in [
        (TICKET.unit_name, escpos.UNIT_PX, False),
        (TICKET.service_name, escpos.SERVICE_PX, False),
        (TICKET.counters, escpos.COUNTERS_PX, False),
        (WAIT, escpos.BODY_PX, False),
        (TICKET.priority_label, escpos.BODY_PX, True),
        (TICKET.footer, escpos.FOOTER_PX, False),
    ]:
        strip = text_strip(text, size, dots, inverse=inverse)
        assert strip is not None
        y = find_strip(page, strip)
        assert y is not None, text
        where.append(y)
    assert where == sorted(where)  # in layout order


def test_strips_are_tight_and_keep_the_marks() -> None:
    strip = text_strip("ẪỖỸ", 30, 384)
    assert strip is not None
    ink = ImageChops.invert(strip.convert("L")).getbbox()
    assert ink is not None and ink[1] == 0 and ink[3] == strip.height  # no blank rows
    assert ink[0] >= escpos.MARGIN and ink[2] <= 384 - escpos.MARGIN
    roomy = Image.new("L", (384, 120), 255)  # the same text with room to spare
    ImageDraw.Draw(roomy).text((192, 80), "ẪỖỸ", font=escpos._font(30), fill=0, anchor="ms")
    ref = roomy.point(lambda v: 255 if v < escpos.INK else 0).getbbox()
    assert ref is not None and strip.height == ref[3] - ref[1]  # stacked marks not clipped


def test_long_lines_wrap_within_the_paper_and_break_at_the_dot() -> None:
    narrow = text_strip(WAIT, 24, 384)
    wide = text_strip(WAIT, 24, 576)
    assert narrow is not None and wide is not None
    assert narrow.height > 1.8 * wide.height  # two lines on 58 mm, one on 80 mm
    top = text_strip("Trước bạn: 3 người", 24, 384)
    assert top is not None and rows_of(narrow)[: top.height] == rows_of(top)
    long = text_strip("ỦY BAN NHÂN DÂN " * 6, 24, 384)
    assert long is not None and long.height > 4 * 24


def test_big_number_scales_to_the_paper() -> None:
    narrow = PrinterProfile(dots=384)
    seven = render_ticket(replace(TICKET, number="A123456"), narrow)
    assert b"\x1d!\x33\x1bE\x01A123456\n" in seven
    long = render_ticket(replace(TICKET, number="1234567890123456"), narrow)
    assert b"\x1d!\x11\x1bE\x01" in long  # 16 chars × 12 dots × 2 = 384
    decode(long, 384)


def test_decoded_barcode_reads_back_as_code_128() -> None:
    page = decode(escpos.barcode("1005"), 576)
    bars = page.crop((0, 10, 576, 11)).convert("1").tobytes()
    bits = "".join(f"{b:08b}" for b in bars)  # 1 = white
    runs = [len(list(g)) for _, g in itertools.groupby(bits.strip("1"))]
    assert all(r % escpos.BAR_MODULE == 0 for r in runs)
    assert "".join(str(r // escpos.BAR_MODULE) for r in runs) == c128_widths("1005")


def test_code_128_table_matches_python_barcode() -> None:
    from barcode.charsets import code128

    def widths(pattern: str) -> str:
        return "".join(str(len(list(g))) for _, g in itertools.groupby(pattern))

    assert "".join(widths(p) for p in code128.CODES) == escpos._C128
    for data in ["TEST-128", "A-12", "Hello"]:  # python-barcode picks code set B for these
        assert c128_widths(data) == widths(Code128(data).build()[0])


@pytest.mark.parametrize(
    "stream",
    [
        b"\x1b@\x1bp\x00",  # ESC p (drawer kick): not in the subset
        b"\x1b@" + "Ấ".encode(),  # Vietnamese as native text
        b"\x1b@\x07",  # BEL
        b"\x1dv0\x00\x48\x00\x02\x00" + bytes(72),  # truncated raster
        b"\x1dv0\x00\x50\x00\x01\x00" + bytes(80),  # raster wider than 576 dots
        b"\x1dv0\x01\x48\x00\x01\x00" + bytes(72),  # m = 1 (double width)
        b"AB\x1dv0\x00\x48\x00\x01\x00" + bytes(72),  # raster with text pending
        b"\x1dkI\x06{C1005",  # code set C
        b"\x1dV\x07",
    ],
)
def test_decoder_rejects_what_it_does_not_know(stream: bytes) -> None:
    with pytest.raises(ValueError):
        decode(stream, 576)


def test_self_test_page() -> None:
    p = PrinterProfile(dots=384, cut="full")
    stream = render_self_test(p)
    assert stream.startswith(b"\x1b@") and stream.endswith(b"\x1dVA\x00")
    assert b"\x1dkI\x0a{BTEST-128" in stream and b"384 dots, 48 mm\n" in stream
    page = decode(stream, 384)
    ruler = escpos.ruler(384)
    assert find_strip(page, ruler) == 0
    line = text_strip(escpos.SELF_TEST_VI, escpos.BODY_PX, 384)
    assert line is not None and find_strip(page, line) is not None
    assert b"\x1dk" not in render_self_test(replace(p, native_barcode=False))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        render_ticket(replace(TICKET, number="Số 5"), PrinterProfile())
    with pytest.raises(ValueError):
        render_ticket(replace(TICKET, issued_at=datetime(2026, 11, 28, 9, 15)), PrinterProfile())
    bads: list[dict[str, Any]] = [{"dots": 500}, {"cut": "half"}, {"chunk_rows": 0}]
    for bad in [*bads, {"code_page": 300}]:
        with pytest.raises(ValidationError) as err:
            PrinterProfile(**bad)
        assert err.value.code == "printer_setting_invalid"
        assert err.value.params["setting"] == next(iter(bad))


# DESIGN.md §5 asks ≤ 4 KB per ticket. A 576-dot row is 72 bytes, so 4 KB holds 56 raster
# rows: two lines of legible type. With full-width strips the ticket's six Vietnamese lines
# need ~170 rows; cut into bands as narrow as their ink they fit. These ceilings pin today's
# sizes so that growth is a decision (the priority line costs ~1 KB more).
@pytest.mark.parametrize(
    ("ticket", "dots", "ceiling"),
    [(PLAIN, 576, 4_096), (TICKET, 576, 5_100), (PLAIN, 384, 4_000), (TICKET, 384, 5_000)],
)
def test_ticket_size_is_pinned(ticket: TicketData, dots: int, ceiling: int) -> None:
    stream = render_ticket(ticket, PrinterProfile(dots=dots))
    native = sum(len(a) + 2 for c, a in commands(stream) if c not in (b"\x1dv", b"\x1dL"))
    assert len(stream) <= ceiling
    assert native < 200  # number, time, barcode, feeds and cut: the rest is raster


@pytest.mark.parametrize("dots", [576, 384])
def test_ticket_fits_the_4kb_budget(dots: int) -> None:
    assert len(render_ticket(PLAIN, PrinterProfile(dots=dots))) <= 4096


def test_pdf_fallback_is_80_mm_wide_and_extracts() -> None:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(escpos.render_ticket_pdf(TICKET)))
    page = reader.pages[0]
    assert len(reader.pages) == 1
    assert abs(float(page.mediabox.width) - 80 * 72 / 25.4) < 0.5
    text = page.extract_text()
    for part in ["UBND XÃ MỸ HÒA HƯNG", "Hộ tịch", "1005", "Quầy 1, 2", WAIT, "09:15 28/11/2026"]:
        assert part in text, part
    assert "Ưu tiên: người cao tuổi" in text and "Xin cảm ơn!" in text


@pytest.mark.parametrize("dots", [576, 384])
def test_narrowed_strips_print_exactly_like_full_width_ones(dots: int) -> None:
    full = decode(render_ticket(TICKET, PrinterProfile(dots=dots, narrow=False)), dots)
    narrow_stream = render_ticket(TICKET, PrinterProfile(dots=dots))
    narrow = decode(narrow_stream, dots)
    assert full.size == narrow.size
    assert ImageChops.difference(full.convert("L"), narrow.convert("L")).getbbox() is None
    assert (
        len(narrow_stream)
        < len(render_ticket(TICKET, PrinterProfile(dots=dots, narrow=False))) * 0.7
    )


PRIORITIES = ["Ưu tiên: người cao tuổi", "Ưu tiên: người khuyết tật"]


def stored_printer(t: TicketData, p: PrinterProfile) -> dict[bytes, Image.Image]:
    """A simulated printer's NV memory after `ticket store-logo` for a unit offering `t`."""
    lines = escpos.constant_lines(t.unit_name, t.footer, [(t.service_name, t.counters)], PRIORITIES)
    nv: dict[bytes, Image.Image] = {}
    decode(escpos.render_nv_store(lines, p), p.dots, nv)
    return nv


@pytest.mark.parametrize("dots", [576, 384])
@pytest.mark.parametrize("t", [TICKET, PLAIN], ids=["priority", "plain"])
def test_stored_lines_print_the_same_pixels_in_under_2kb(t: TicketData, dots: int) -> None:
    raster_only = PrinterProfile(dots=dots)
    stored = replace(raster_only, nv_graphics=True)
    nv = stored_printer(t, stored)
    assert len(nv) == 2 + 2 + len(PRIORITIES)  # unit, footer, service, counters, priorities
    stream = render_ticket(t, stored)
    assert same(decode(stream, dots, dict(nv)), decode(render_ticket(t, raster_only), dots))
    assert len(stream) <= 2048
    refs = [a for c, a in commands(stream) if c == b"\x1d("]
    assert len(refs) == (5 if t.priority_label else 4)
    assert all(a[:7] == b"L\x06\x000E" + a[5:7] and a[7:] == b"\x01\x01" for a in refs)
    raster_texts = [a for c, a in commands(stream) if c == b"\x1dv"]
    assert raster_texts  # the waiting count stays a raster strip
    with pytest.raises(ValueError, match="not stored"):  # a reset printer: the oracle says so
        decode(stream, dots)


def test_nv_keys_stamp_the_pixels() -> None:
    p = PrinterProfile()
    a, b = (text_strip(n, escpos.UNIT_PX, 576) for n in ("UBND XÃ MỸ HÒA HƯNG", "UBND XÃ MỸ HÒA"))
    assert a is not None and b is not None
    assert escpos.nv_key(a) != escpos.nv_key(b)  # a renamed unit gets a new key
    assert escpos.nv_key(a) == escpos.nv_key(a.copy())
    assert all(33 <= k <= 126 for k in escpos.nv_key(a))
    store = escpos.render_nv_store([("UBND XÃ MỸ HÒA HƯNG", escpos.UNIT_PX, False)], p)
    head = store[2:]  # after ESC @
    n = int.from_bytes(head[3:5], "little")
    assert head[:3] == b"\x1d(L" and len(head) == 5 + n
    assert head[5:8] == b"0C0" and head[8:10] == escpos.nv_key(a) and head[10] == 1
    assert int.from_bytes(head[11:13], "little") == 576 and head[15:16] == b"1"
    assert int.from_bytes(head[13:15], "little") == a.height and n == 11 + 72 * a.height


def test_stored_mode_off_sends_todays_bytes() -> None:
    assert render_ticket(TICKET, PrinterProfile()) == render_ticket(
        TICKET, PrinterProfile(nv_graphics=False)
    )
    assert b"\x1d(" not in render_ticket(TICKET, PrinterProfile())
