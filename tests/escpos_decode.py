"""A test oracle: an ESC/POS stream drawn back as the printer would, for the command subset
that counter_app.printing.escpos emits (moved out of the app: nothing there needs it)."""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageFont

from counter_app.printing import fonts
from counter_app.printing.escpos import (
    CELL_H,
    CELL_W,
    ESC,
    GS,
    INK,
    LINE_H,
    c128_widths,
)


def decode(stream: bytes, dots: int, nv: dict[bytes, Image.Image] | None = None) -> Image.Image:
    """Draw an ESC/POS stream as the printer would (1-bit, ink black): the subset emitted here.

    `nv` is the printer's NV graphics memory (key → image): GS ( L fn 67 stores into it (it
    survives between streams, as in the printer), fn 69 prints from it. ValueError on any other
    command or byte, a truncated command, a raster, barcode or NV graphic wider than `dots`,
    one sent while text waits in the line buffer, or a key that was never stored.
    """
    with fonts.RENDER_LOCK:  # the glyphs come from a FreeType face
        return _Decoder(dots, stream, {} if nv is None else nv).run()


class _Decoder:
    def __init__(self, dots: int, stream: bytes, nv: dict[bytes, Image.Image]) -> None:
        self.dots, self.stream, self.pos, self.nv = dots, stream, 0, nv
        self.blocks: list[Image.Image] = []
        self.line: list[Image.Image] = []
        self.handlers = {
            ESC + b"@": self._reset,
            ESC + b"a": lambda: setattr(self, "align", self._byte() % 48),
            ESC + b"E": lambda: setattr(self, "bold", bool(self._byte() & 1)),
            ESC + b"t": self._byte,  # code page: ASCII is the same on every page
            ESC + b"J": lambda: self._feed(self._byte(), line=False),
            ESC + b"d": lambda: self._feed(self._byte() * LINE_H),
            GS + b"!": lambda: setattr(self, "size", self._byte()),
            GS + b"h": lambda: setattr(self, "bar_h", self._byte()),
            GS + b"w": lambda: setattr(self, "bar_w", self._byte()),
            GS + b"H": lambda: setattr(self, "hri", self._byte() % 48),
            GS + b"L": lambda: setattr(self, "margin", int.from_bytes(self._take(2), "little")),
            GS + b"v": self._raster,
            GS + b"k": self._barcode,
            GS + b"V": self._cut,
            GS + b"(": self._graphics,
        }
        self._reset()

    def run(self) -> Image.Image:
        while self.pos < len(self.stream):
            b = self._byte()
            if b == 0x0A:
                self._print_line()
            elif 0x20 <= b <= 0x7E:
                self._char(chr(b))
            elif b in (ESC[0], GS[0]):
                key = bytes([b, self._byte()])
                if key not in self.handlers:
                    raise ValueError(f"unknown command {key!r} at byte {self.pos - 2}")
                self.handlers[key]()
            else:
                raise ValueError(f"unknown byte 0x{b:02x} at {self.pos - 1}")
        if self.line:
            self._print_line()
        out = Image.new("1", (self.dots, max(1, sum(b.height for b in self.blocks))), 1)
        y = 0
        for block in self.blocks:
            out.paste(block, (0, y))
            y += block.height
        return out

    def _reset(self) -> None:
        self.align = self.size = self.hri = self.margin = 0
        self.bold, self.bar_h, self.bar_w = False, 162, 3

    def _byte(self) -> int:
        return self._take(1)[0]

    def _take(self, n: int) -> bytes:
        if self.pos + n > len(self.stream):
            raise ValueError(f"command truncated at byte {self.pos}")
        self.pos += n
        return self.stream[self.pos - n : self.pos]

    def _char(self, ch: str) -> None:
        glyph = _glyph(ch, (self.size >> 4) + 1, (self.size & 15) + 1, self.bold)
        if sum(g.width for g in self.line) + glyph.width > self.dots:
            self._print_line()  # the printer wraps a full line
        self.line.append(glyph)

    def _print_line(self, min_height: int = LINE_H) -> None:
        height = max([min_height, *(g.height for g in self.line)])
        block = Image.new("1", (self.dots, height), 1)
        x = self._left(sum(g.width for g in self.line))
        top = max([0, *(g.height for g in self.line)])
        for g in self.line:
            block.paste(g, (x, top - g.height))
            x += g.width
        self.line = []
        self.blocks.append(block)

    def _feed(self, rows: int, line: bool = True) -> None:
        if line or self.line:
            self._print_line(LINE_H if line else 0)
        self.blocks.append(Image.new("1", (self.dots, rows), 1))

    def _left(self, width: int) -> int:
        if width > self.dots:
            raise ValueError(f"{width} dots wide on {self.dots}-dot paper")
        return (self.dots - width) * min(self.align, 2) // 2

    def _raster(self) -> None:
        if self._take(2) != b"0\0" or self.line:
            raise ValueError(f"GS v other than 0 with m=0, or text pending, at {self.pos}")
        width_bytes, rows = (int.from_bytes(self._take(2), "little") for _ in range(2))
        data = self._take(width_bytes * rows)
        self._left(self.margin + width_bytes * 8)
        bits = Image.frombytes("1", (width_bytes * 8, rows), data)
        block = Image.new("1", (self.dots, rows), 1)
        block.paste(_invert(bits), (self.margin, 0))  # raster ignores justification here
        self.blocks.append(block)

    def _graphics(self) -> None:
        """GS ( L: fn 67 (define NV graphics, raster, one colour) and fn 69 (print, 1×1)."""
        if self._byte() != ord("L"):
            raise ValueError(f"GS ( other than L at {self.pos}")
        body = self._take(int.from_bytes(self._take(2), "little"))
        if body[:2] == b"0C" and len(body) >= 11 and body[2:3] == b"0" and body[5:6] == b"\x01":
            width, height = (int.from_bytes(body[i : i + 2], "little") for i in (6, 8))
            data = body[11:]
            if body[10:11] != b"1" or len(data) != (width + 7) // 8 * height or width > self.dots:
                raise ValueError(f"GS ( L fn 67 malformed at {self.pos}")
            self.nv[body[3:5]] = _invert(Image.frombytes("1", (width, height), data))
        elif body[:2] == b"0E" and len(body) == 6 and body[4:] == b"\x01\x01":
            if self.line or body[2:4] not in self.nv:
                raise ValueError(f"NV graphic {body[2:4]!r} not stored, or text pending")
            img = self.nv[body[2:4]]
            block = Image.new("1", (self.dots, img.height), 1)
            block.paste(img, (self._left(img.width), 0))
            self.blocks.append(block)
        else:
            raise ValueError(f"GS ( L other than fn 67 / 69 at {self.pos}: {body[:2]!r}")

    def _barcode(self) -> None:
        kind, length = self._byte(), self._byte()
        data = self._take(length)
        if kind != 73 or not data.startswith(b"{B") or self.line:
            raise ValueError(f"barcode other than Code 128 set B, or text pending: {data!r}")
        widths = [int(w) * self.bar_w for w in c128_widths(data[2:].decode("ascii"))]
        block = Image.new("1", (self.dots, self.bar_h), 1)
        x = self._left(sum(widths))
        for i, w in enumerate(widths):
            if i % 2 == 0:
                ImageDraw.Draw(block).rectangle((x, 0, x + w - 1, self.bar_h - 1), 0)
            x += w
        hri = [_glyph(chr(c), 1, 1, False) for c in data[2:]]
        for bit in (1, 0, 2):  # human-readable text above, the bars, text below
            self.line = list(hri) if self.hri & bit else []
            if self.line:
                self._print_line(0)
            elif not bit:
                self.blocks.append(block)

    def _cut(self) -> None:
        mode = self._byte()
        if mode not in (0, 1, 48, 49, 65, 66):
            raise ValueError(f"GS V {mode}")
        self._feed(self._byte() if mode >= 65 else 0)
        mark = Image.new("1", (self.dots, 9), 1)
        ImageDraw.Draw(mark).line((0, 4, self.dots, 4), 0, 1)
        for x in range(0, self.dots, 16):  # a dashed line where the knife cuts
            ImageDraw.Draw(mark).line((x + 8, 4, x + 15, 4), 1, 1)
        self.blocks.append(mark)


@cache
def _glyph(ch: str, width: int, height: int, bold: bool) -> Image.Image:
    """A Font A character: Pillow's built-in font squeezed into the 12×24 cell, dots scaled."""
    font = ImageFont.load_default(size=20)
    grey = Image.new("L", (max(CELL_W - 2, round(font.getlength(ch))), CELL_H), 255)
    ImageDraw.Draw(grey).text((grey.width / 2, 19), ch, font=font, fill=0, anchor="ms")
    cell = Image.new("L", (CELL_W, CELL_H), 255)
    cell.paste(grey.resize((CELL_W - 2, CELL_H)), (1, 0))
    ink = cell.point(lambda v: 0 if v < INK else 255, mode="1")
    if bold:  # double-strike one dot to the right, as the printer does
        ink.paste(0, (1, 0), _invert(ink).crop((0, 0, CELL_W - 1, CELL_H)))
    return ink.resize((CELL_W * width, CELL_H * height), Image.Resampling.NEAREST)


def _invert(img: Image.Image) -> Image.Image:
    return ImageChops.invert(img.convert("L")).convert("1", dither=Image.Dither.NONE)
