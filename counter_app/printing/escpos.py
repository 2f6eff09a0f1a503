"""Queue tickets as ESC/POS bytes: native number and ASCII, Vietnamese as GS v 0 strips, or
the unit's constant lines by reference to NV graphics stored once (GS ( L)."""

# Vietnamese lines are drawn with Liberation Sans Bold into 1-bit strips exactly `dots` wide
# (printer code pages for Vietnamese are unreliable) and sent as GS v 0 (m=0), at most
# `chunk_rows` rows per command so a small printer buffer never overflows; runs of blank rows
# inside a strip become ESC J feeds. The number, the time and the barcode are native (GS !,
# GS k) and cost a few bytes. The tests' decoder (tests/escpos_decode.py) draws exactly that
# command subset back into an image.
# Stored lines (profile nv_graphics, DESIGN.md §5): the lines that are the same on every ticket
# of a unit (unit name, footer) and those drawn from its fixed set (each service's name and
# counters, the priority labels) are written once into the printer's non-volatile memory by
# `ticket store-logo` (GS ( L fn 67, full-width raster) and each ticket prints them by key
# (GS ( L fn 69, 10 bytes). The key is a stamp of the strip's own pixels (nv_key), so a
# renamed unit or service gets a new key and never prints an old image; printers cannot
# report reliably which keys they hold, so a reset printer or a new service needs the command
# run again (README). A strip is stored exactly `dots` wide and printed flush left, so it lands
# on the same dots as the raster strip whatever the printer does with justification.

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFont
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from counter_app.domain.errors import ValidationError
from counter_app.paths import assets_dir
from counter_app.printing import fonts

ESC, GS = b"\x1b", b"\x1d"
CUTS = {"full": GS + b"VA\x00", "partial": GS + b"VB\x00", "none": ESC + b"d\x05"}
SANS_BOLD = "LiberationSans-Bold.ttf"
# Type sizes in dots (8 dots/mm); 24 dots matches the printer's own 12×24 Font A.
UNIT_PX, SERVICE_PX, COUNTERS_PX, BODY_PX, FOOTER_PX = 24, 44, 30, 24, 22
MARGIN = 8  # dots kept clear at each side of a strip
INK = 150  # an anti-aliased pixel darker than this becomes a dot
BAND_COST = 12  # GS L + GS v 0 heads of one narrowed band of a strip, in bytes
SKIP_ROWS = 6  # a blank run this long inside a strip is fed (ESC J), not sent as raster
CELL_W, CELL_H, LINE_H = 12, 24, 30  # Font A cell and the default line feed, in dots
BAR_H, BAR_MODULE, MAX_SCALE = 56, 2, 4
SELF_TEST_VI = "Tiếng Việt: Ầ Ẩ Ẫ Ậ Ắ Ằ Ẳ Ẵ Ặ Đ đ ơ ư"
# Code 128 symbols 0..105 as bar/space widths (6 per symbol), then the stop symbol.
_C128 = (
    "212222222122222221121223121322131222122213122312132212221213221312231212112232122132122231"
    "113222123122123221223211221132221231213212223112312131311222321122321221312212322112322211"
    "212123212321232121111323131123131321112313132113132311211313231113231311112133112331132131"
    "113123113321133121313121211331231131213113213311213131311123311321331121312113312311332111"
    "314111221411431111111224111422121124121421141122141221112214112412122114122411142112142211"
    "241211221114413111241112134111111242121142121241114212124112124211411212421112421211212141"
    "214121412121111143111341131141114113114311411113411311113141114131311141411131211412211214"
    "211232"
)
_C128_STOP, _C128_START_B = "2331112", 104


@dataclass(frozen=True)
class TicketData:
    unit_name: str  # "UBND XÃ MỸ HÒA HƯNG"
    number: str  # printable ASCII, "1005"
    service_name: str
    issued_at: datetime  # aware; printed in its own time zone (pass ctx.local(now))
    ahead: int
    estimated_wait_min: int
    priority_label: str  # "" or "Ưu tiên: người cao tuổi"
    counters: str  # "Quầy 1, 2"
    footer: str


@dataclass(frozen=True)
class PrinterProfile:
    dots: int = 576  # 384 for 58 mm paper, 576 for 80 mm (203 dpi); a multiple of 8
    native_barcode: bool = True  # GS k Code 128; some clones lack it
    code_page: int | None = None  # ESC t n, for the ASCII lines only
    cut: str = "partial"  # "full" (GS V 65 0), "partial" (GS V 66 0) or "none" (feed only)
    chunk_rows: int = 96  # rows per GS v 0 command at most
    # Send each Vietnamese strip only as wide as its ink (whole bytes, centred by ESC a 1):
    # about half the bytes. Off for a printer that prints raster images flush left.
    narrow: bool = True
    # The constant lines were stored by `ticket store-logo` (GS ( L NV graphics): print them
    # by key. Off: everything is sent as raster strips, as on a printer without NV graphics.
    nv_graphics: bool = False

    def __post_init__(self) -> None:
        bad = (
            ("dots", not 8 <= self.dots <= 2040 or self.dots % 8),
            ("cut", self.cut not in CUTS),
            ("chunk_rows", not 1 <= self.chunk_rows <= 2047),
            ("code_page", self.code_page is not None and not 0 <= self.code_page <= 255),
        )
        for name, wrong in bad:
            if wrong:
                raise ValidationError("printer_setting_invalid", setting=name)


def render_ticket(t: TicketData, p: PrinterProfile) -> bytes:
    """The ticket: unit, service, big native number, counters, queue, time, barcode, footer."""
    number = _ascii(t.number).decode()
    if t.issued_at.tzinfo is None:
        raise ValueError("issued_at must be aware")
    wait = f"Trước bạn: {t.ahead} người · Dự kiến: {t.estimated_wait_min} phút"
    scale = max(1, min(MAX_SCALE, p.dots // (CELL_W * len(number))))
    line = _stored if p.nv_graphics else _strip
    with fonts.RENDER_LOCK:
        out = [_start(p), line(t.unit_name, UNIT_PX, p), feed(10)]
        out += [line(t.service_name, SERVICE_PX, p), feed(4), native(number, scale, True)]
        out += [line(t.counters, COUNTERS_PX, p), feed(12), _strip(wait, BODY_PX, p)]
        if t.priority_label.strip():
            out += [feed(10), line(t.priority_label, BODY_PX, p, inverse=True)]
        out += [feed(10), native(t.issued_at.strftime("%H:%M %d/%m/%Y"))]
        if p.native_barcode and _c128_dots(number) <= p.dots:
            out.append(barcode(number))
        out += [feed(10), line(t.footer, FOOTER_PX, p), CUTS[p.cut]]
    return b"".join(out)


def constant_lines(
    unit_name: str,
    footer: str,
    services: Iterable[tuple[str, str]],
    priority_labels: Iterable[str],
) -> list[tuple[str, int, bool]]:
    """(text, size, inverse) of every line a ticket of this unit prints by NV key: the unit
    name, the footer, each service's name and counters line, each priority label."""
    out = [(unit_name, UNIT_PX, False), (footer, FOOTER_PX, False)]
    for name, counters in services:
        out += [(name, SERVICE_PX, False), (counters, COUNTERS_PX, False)]
    out += [(label, BODY_PX, True) for label in priority_labels]
    return list(dict.fromkeys(out))


def render_nv_store(lines: Iterable[tuple[str, int, bool]], p: PrinterProfile) -> bytes:
    """GS ( L fn 67 for each line: its full-width strip stored under nv_key. Sent once (NV
    memory wears: a few writes a day at most), not with tickets; the same key is replaced."""
    out = [ESC + b"@"]
    with fonts.RENDER_LOCK:
        for text, size, inverse in lines:
            img = text_strip(text, size, p.dots, inverse=inverse)
            if img is not None:
                out.append(nv_define(nv_key(img), img))
    return b"".join(out)


def nv_key(img: Image.Image) -> bytes:
    """kc1 kc2 (each 33..126): a stamp of the strip's size and pixels; new text, new key."""
    digest = hashlib.sha256(b"%d,%d," % img.size + img.convert("1").tobytes()).digest()
    value = int.from_bytes(digest[:4], "big") % (94 * 94)
    return bytes([33 + value // 94, 33 + value % 94])


def nv_define(key: bytes, img: Image.Image) -> bytes:
    """GS ( L fn 67: define NV graphics `key`, raster, one colour, `img` (black = dot)."""
    data = _invert(img.convert("1")).tobytes()
    params = b"0C0" + key + b"\x01" + img.width.to_bytes(2, "little")
    params += img.height.to_bytes(2, "little") + b"1" + data
    if len(params) > 0xFFFF:
        raise ValueError("NV graphic too large for GS ( L")
    return GS + b"(L" + len(params).to_bytes(2, "little") + params


def nv_print(key: bytes) -> bytes:
    """GS ( L fn 69: print NV graphics `key` at 1×1, flush left (it is `dots` wide)."""
    return ESC + b"a\x00" + GS + b"(L\x06\x000E" + key + b"\x01\x01" + ESC + b"a\x01"


def render_self_test(p: PrinterProfile) -> bytes:
    """A test page: width ruler, a Vietnamese raster line, native text and sizes, barcode, cut."""
    info = f"{p.dots} dots, {p.dots // 8} mm"
    setup = f"cut={p.cut} cp={'-' if p.code_page is None else p.code_page}"
    with fonts.RENDER_LOCK:
        out = [_start(p), raster(ruler(p.dots), p.chunk_rows), feed(12)]
        out += [_strip(SELF_TEST_VI, BODY_PX, p), feed(12), native(info), native(setup)]
        out += [native("0123456789 ABCXYZ abcxyz"), native("2x", 2, True), native("4x", 4, True)]
        if p.native_barcode:
            out += [native("GS k Code 128:"), barcode("TEST-128")]
    return b"".join([*out, CUTS[p.cut]])


def native(text: str, scale: int = 1, bold: bool = False) -> bytes:
    """One line of printer-font text (ASCII) at `scale`× width and height, then size reset."""
    size = GS + b"!" + bytes([(scale - 1) << 4 | (scale - 1)]) if scale > 1 else b""
    on, off = (ESC + b"E\1", ESC + b"E\0") if bold else (b"", b"")
    return size + on + _ascii(text) + b"\n" + off + (GS + b"!\0" if size else b"")


def feed(dots: int) -> bytes:
    """ESC J: feed the paper by `dots` dot rows (in pieces of at most 255)."""
    return b"".join(ESC + b"J" + bytes([min(n, 255)]) for n in range(dots, 0, -255))


def barcode(data: str) -> bytes:
    """Native Code 128 (code set B), 2-dot module, human-readable digits below."""
    body = b"{B" + _ascii(data)
    head = GS + b"h" + bytes([BAR_H]) + GS + b"w" + bytes([BAR_MODULE]) + GS + b"H\x02"
    return head + GS + b"kI" + bytes([len(body)]) + body


def raster(img: Image.Image, chunk_rows: int) -> bytes:
    """GS v 0 commands for a 1-bit image (black = dot), blank runs fed, ≤ chunk_rows each."""
    width_bytes = (img.width + 7) // 8
    packed = _invert(img.convert("1")).tobytes()
    rows = [packed[i * width_bytes : (i + 1) * width_bytes] for i in range(img.height)]
    out, start = [], 0
    for gap_start, gap_end in _blank_runs(rows):
        out += [_gs_v0(rows[start:gap_start], width_bytes, chunk_rows), feed(gap_end - gap_start)]
        start = gap_end
    out.append(_gs_v0(rows[start:], width_bytes, chunk_rows))
    return b"".join(out)


def text_strip(text: str, size: int, dots: int, *, inverse: bool = False) -> Image.Image | None:
    """`text` centred and word-wrapped on a 1-bit image `dots` wide, empty rows cropped."""
    font = _font(size)
    lines = _wrap(fonts.clean(text), font, dots - 2 * MARGIN - (size if inverse else 0))
    if not lines:
        return None
    boxes = [font.getbbox(line, anchor="ls") for line in lines]
    pitch, top = round(size * 1.2), 1 - math.floor(min(b[1] for b in boxes))  # stacked marks
    height = top + pitch * (len(lines) - 1) + math.ceil(boxes[-1][3]) + 1
    grey = Image.new("L", (dots, height), 255)
    draw = ImageDraw.Draw(grey)
    for i, line in enumerate(lines):
        draw.text((dots // 2, top + i * pitch), line, font=font, fill=0, anchor="ms")
    img = grey.point(lambda v: 0 if v < INK else 255, mode="1")
    box = _invert(img).getbbox()
    if box is None:
        return None
    pad = size // 8 if inverse else 0
    img = img.crop((0, box[1] - pad, dots, box[3] + pad))
    if inverse:  # white text in a black box: the priority line stands out
        boxed = Image.new("1", img.size, 1)
        ImageDraw.Draw(boxed).rectangle((box[0] - 3 * pad, 0, box[2] + 3 * pad, img.height), 0)
        boxed.paste(1, (0, 0), _invert(img))
        img = boxed
    return img


def ruler(dots: int) -> Image.Image:
    """The self-test's width ruler: a tick per mm, longer each 5 and 10 mm, both edges marked."""
    img = Image.new("1", (dots, 40), 1)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, dots - 1, 1), 0)
    for x in range(0, dots, 8):
        draw.line((x, 0, x, 20 if x % 80 == 0 else 12 if x % 40 == 0 else 6), 0)
    draw.rectangle((0, 0, 1, 39), 0)
    draw.rectangle((dots - 2, 0, dots - 1, 39), 0)
    for x in range(80, dots - 40, 80):
        draw.text((x, 38), str(x // 8), font=_font(16), fill=0, anchor="ms")
    return img


def c128_widths(data: str) -> str:
    """Bar/space widths of `data` in Code 128 code set B, start, check and stop included."""
    values = [_C128_START_B] + [c - 32 for c in _ascii(data)]
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % 103
    return "".join(_C128[6 * v : 6 * v + 6] for v in [*values, check]) + _C128_STOP


def render_ticket_pdf(t: TicketData) -> bytes:
    """The ticket as a PDF 80 mm wide, for when no thermal printer is set (Serif, Code 128)."""
    number = _ascii(t.number).decode()
    wait = f"Trước bạn: {t.ahead} người · Dự kiến: {t.estimated_wait_min} phút"
    top = [(t.unit_name, fonts.BOLD, 10.0), (t.service_name, fonts.BOLD, 16.0)]
    top += [(number, fonts.BOLD, 44.0), (t.counters, fonts.BOLD, 13.0)]
    top += [(wait, fonts.REGULAR, 11.0), (t.priority_label, fonts.BOLD, 11.0)]
    top += [(t.issued_at.strftime("%H:%M %d/%m/%Y"), fonts.REGULAR, 10.0)]
    bottom = [(t.footer, fonts.ITALIC, 10.0)]
    width, margin, bar_h = 80 * mm, 5 * mm, 10 * mm
    with fonts.RENDER_LOCK:
        fonts.register_fonts()
        head, foot = _pdf_lines(top, width - 2 * margin), _pdf_lines(bottom, width - 2 * margin)
        height = 2 * margin + sum(s * 1.25 for *_, s in head + foot) + bar_h + 4 * mm
        out = io.BytesIO()
        canvas = Canvas(out, pagesize=(width, height), initialFontName=fonts.REGULAR, lang="vi-VN")
        canvas.setTitle(f"Số thứ tự {number}")
        y = _pdf_draw(canvas, head, width / 2, height - margin) - 2 * mm
        bars = Code128(number, barWidth=0.33 * mm, barHeight=bar_h, humanReadable=False)
        bars.drawOn(canvas, (width - bars.width) / 2, y - bar_h)
        _pdf_draw(canvas, foot, width / 2, y - bar_h - 2 * mm)
        canvas.showPage()
        canvas.save()
    return out.getvalue()


def _pdf_lines(rows: list[tuple[str, str, float]], width: float) -> list[tuple[str, str, float]]:
    return [
        (line, face, size)
        for text, face, size in rows
        for line in simpleSplit(fonts.clean(text), face, size, width)
    ]


def _pdf_draw(canvas: Canvas, lines: list[tuple[str, str, float]], x: float, y: float) -> float:
    for line, face, size in lines:
        y -= size * 1.25
        canvas.setFont(face, size)
        canvas.drawCentredString(x, y + size * 0.25, line)
    return y


def _start(p: PrinterProfile) -> bytes:
    page = b"" if p.code_page is None else ESC + b"t" + bytes([p.code_page])
    return ESC + b"@" + page + ESC + b"a\x01"


@lru_cache(maxsize=256)  # the unit, service, counters and footer lines recur on every ticket
def _strip(text: str, size: int, p: PrinterProfile, *, inverse: bool = False) -> bytes:
    img = text_strip(text, size, p.dots, inverse=inverse)
    if img is None:
        return b""
    if not p.narrow:
        return raster(img, p.chunk_rows)
    # Printers differ on whether ESC a centres a raster image; the left margin (GS L) places
    # it the same on all of them: left-justify, set the margin, print, then restore both.
    out = [ESC + b"a\x00"]
    for start, end, left, right in _bands(img):
        if left == right:  # blank rows: fed
            out.append(feed(end - start))
            continue
        band = img.crop((left * 8, start, min(img.width, right * 8), end))
        out += [GS + b"L" + (left * 8).to_bytes(2, "little"), raster(band, p.chunk_rows)]
    return b"".join([*out, GS + b"L\x00\x00" + ESC + b"a\x01"])


def _bands(img: Image.Image) -> list[tuple[int, int, int, int]]:
    """(first row, end row, first byte, end byte) of the row bands a strip is sent in, each as
    narrow as its ink (left == right: blank, fed): the partition with the fewest bytes, a
    band costing its GS L + GS v 0 heads (BAND_COST) and its bytes, a blank run an ESC J.
    Printed at their offsets the bands draw exactly the full-width strip."""
    width = (img.width + 7) // 8
    packed = _invert(img.convert("1")).tobytes()
    ink: list[tuple[int, int] | None] = []
    for y in range(img.height):
        row = packed[y * width : (y + 1) * width]
        stripped = row.lstrip(b"\0")
        ink.append((width - len(stripped), len(row.rstrip(b"\0"))) if stripped else None)
    best: list[tuple[int, int, int, int]] = [(0, 0, 0, 0)]  # (cost, band start, left, right)
    for end in range(1, img.height + 1):
        lo, hi, choice = width, 0, (1 << 60, 0, 0, 0)
        for start in range(end - 1, -1, -1):
            if (row_ink := ink[start]) is not None:
                lo, hi = min(lo, row_ink[0]), max(hi, row_ink[1])
            cost = best[start][0] + (3 * (-(-(end - start) // 255)) if hi <= lo else BAND_COST)
            cost += max(0, hi - lo) * (end - start)
            if cost < choice[0]:
                choice = (cost, start, lo, hi) if hi > lo else (cost, start, 0, 0)
        best.append(choice)
    bands, end = [], img.height
    while end > 0:
        _, start, left, right = best[end]
        bands.append((start, end, left, right))
        end = start
    return bands[::-1]


@lru_cache(maxsize=256)
def _stored(text: str, size: int, p: PrinterProfile, *, inverse: bool = False) -> bytes:
    img = text_strip(text, size, p.dots, inverse=inverse)
    return b"" if img is None else nv_print(nv_key(img))


def _ascii(text: str) -> bytes:
    if not text or not all(" " <= c <= "~" for c in text):
        raise ValueError(f"not printable ASCII: {text!r}")
    return text.encode("ascii")


def _invert(img: Image.Image) -> Image.Image:
    """Ink as white: the mask of the dots, and GS v 0's bit order (1 = dot) for tobytes()."""
    return ImageChops.invert(img.convert("L")).convert("1", dither=Image.Dither.NONE)


def _blank_runs(rows: list[bytes]) -> list[tuple[int, int]]:
    """(start, end) of each run of at least SKIP_ROWS all-white rows."""
    runs, start = [], -1
    for i, row in enumerate([*rows, b"\1"]):
        if not any(row):
            start = i if start < 0 else start
            continue
        if start >= 0 and i - start >= SKIP_ROWS:
            runs.append((start, i))
        start = -1
    return runs


def _gs_v0(rows: list[bytes], width_bytes: int, chunk_rows: int) -> bytes:
    chunks = [rows[i : i + chunk_rows] for i in range(0, len(rows), chunk_rows)]
    head = GS + b"v0\0" + width_bytes.to_bytes(2, "little")
    return b"".join(head + len(c).to_bytes(2, "little") + b"".join(c) for c in chunks)


def _c128_dots(data: str) -> int:
    return sum(int(w) for w in c128_widths(data)) * BAR_MODULE


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(assets_dir() / "fonts" / SANS_BOLD), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Word wrap to `width` dots, at " · " first; a word longer than a line is cut anywhere."""
    if " · " in text and font.getlength(text) > width:
        return [line for part in text.split(" · ") for line in _wrap(part, font, width)]
    lines: list[str] = []
    for word in text.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(joined) <= width:
            lines[-1] = joined
            continue
        while font.getlength(word) > width and len(word) > 1:
            cut = max(1, max(i for i in range(len(word) + 1) if font.getlength(word[:i]) <= width))
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines
