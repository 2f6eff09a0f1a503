"""Bundled Liberation Serif: locate the assets, register the family once, measure and clip text."""

from __future__ import annotations

import threading
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)

from counter_app.paths import assets_dir

FAMILY = "Serif"
REGULAR = "Serif"
BOLD = "Serif-Bold"
ITALIC = "Serif-Italic"
BOLD_ITALIC = "Serif-BoldItalic"

# reportlab face name -> file in assets/fonts/
_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}
ELLIPSIS = "…"

_lock = threading.Lock()
# reportlab's TTF subsetter keeps per-face parsing state, shared by every document using the
# face, and FreeType faces behind Pillow fonts are not thread-safe either: documents are
# built one at a time (a receipt takes ~30 ms), whichever worker thread asks.
RENDER_LOCK = threading.RLock()


# Every Vietnamese letter (both cases, NFC) and the typographic marks the forms print. Each
# document's first subset of a face is seeded with them in this fixed order, after reportlab's
# printable ASCII (codes 32-126): 143 of the 159 free codes, so the subset of an ordinary form
# is the same for every document, and its font program is made and compressed once per process
# (reportlab re-reads the TTF's glyphs and compresses them for every document otherwise).
_VI_LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
SEED = "".join(sorted(set(_VI_LOWER + _VI_LOWER.upper() + "…–—“”‘’°×")))


class SeededTTFont(TTFont):  # type: ignore[misc]
    """A TTFont whose per-document subsets start from SEED and whose subset font programs
    (FontFile2 streams, Flate-compressed) are cached by their exact list of characters; the
    descriptor around them is the one reportlab's TTFontFace.addSubsetObjects writes."""

    # The seed's codes are the same in every document: a new document's state is a copy of
    # the first one's after the seed, and a text made only of seeded letters (nearly every
    # text of a form) maps to subset 0 by one str.translate, without reportlab's loop over each
    # character; other texts take reportlab's way and get codes after the seed's.
    _seeded: dict[int, int] = {}  # noqa: RUF012 - character -> code in subset 0; set once per face
    _seeded_chars: frozenset[str] = frozenset()
    _seeded_state: tuple[list[int], int] = ([], 0)  # subset 0 and the next free code

    def splitString(self, text: str, doc: Any, encoding: str = "utf-8") -> Any:
        if doc not in self.state:  # a new document: assign the seed's codes first
            self._seed_state(doc, encoding)
        elif text and self._seeded_chars.issuperset(text):
            return [(0, text.translate(self._seeded).encode("latin-1"))]
        return super().splitString(text, doc, encoding)

    def _seed_state(self, doc: Any, encoding: str) -> None:
        if self._seeded:
            state = self._assignState(doc)
            state.assignments = dict(self._seeded)
            del state.assignments[0xA0]  # reportlab maps it to a space as it goes
            subset, state.nextCode = self._seeded_state
            state.subsets = [list(subset)]
            return
        super().splitString(self._seed, doc, encoding)
        state = self.state[doc]
        seeded = dict(state.assignments)
        seeded[0xA0] = seeded[0x20]
        assert len(state.subsets) == 1, "the seed overflows subset 0"
        self._seeded_state = (list(state.subsets[0]), state.nextCode)
        self._seeded_chars = frozenset(map(chr, seeded))
        self._seeded = seeded

    def only_seeded(self, doc: Any) -> bool:
        """Whether `doc` gave codes to no letter beyond the seed's in this face."""
        state = self.state.get(doc)
        if state is None:
            return True
        return len(state.subsets) == 1 and len(state.assignments) == len(self._seeded) - 1

    def internal_name(self, doc: Any) -> str | None:
        """The name of this face's first subset in `doc` ("/F2+0"), once it has one."""
        state = self.state.get(doc)
        if state is None or state.internalName is None:
            return None
        return f"/{state.internalName}+0"

    def addObjects(self, doc: Any) -> None:
        """reportlab's TTFont.addObjects (one Font, ToUnicode CMap and FontDescriptor per
        subset), with the subset's font program, CMap and widths array taken from the cache."""
        if not doc.compression:
            return super().addObjects(doc)  # type: ignore[no-any-return]
        state = self._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))
            base_name = base.decode("pdfdoc")
            parts = self._subset_parts(base_name, tuple(subset))
            font = _Font()
            font.memo_key = (self.fontName, internal, base_name, tuple(subset))
            font.__Comment__ = f"Font {self.fontName} subset {n}"
            font.Name = internal
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = parts.widths
            font.ToUnicode = doc.Reference(_packed(parts.cmap), "toUnicodeCMap:" + base_name)
            program = _packed(parts.program, Length1=parts.program_len)
            program_ref = doc.Reference(program, f"fontFile:{self.face.filename}({base_name})")
            font.FontDescriptor = doc.Reference(
                self._descriptor(base_name, program_ref), "fontDescriptor:" + base_name
            )
            font.memo_refs = (font.ToUnicode, font.FontDescriptor)
            doc.Reference(font, internal)
            doc.idToObject["BasicFonts"].dict[internal] = font
        del self.state[doc]
        return None

    @property
    def _seed(self) -> str:
        seed: str | None = getattr(self, "_seed_text", None)
        if seed is None:  # the letters this face has, once
            seed = self._seed_text = "".join(ch for ch in SEED if ord(ch) in self.face.charToGlyph)
        return seed

    @lru_cache(maxsize=32)  # noqa: B019 - four instances, one per face, for the process's life
    def _subset_parts(self, base_name: str, subset: tuple[int, ...]) -> _SubsetParts:
        program = self.face.makeSubset(list(subset))
        return _SubsetParts(
            widths=pdfdoc.PDFArray([self.face.getCharWidth(c) for c in subset]).format(None),
            cmap=zlib.compress(makeToUnicodeCMap(base_name, list(subset)).encode("utf8")),
            program=zlib.compress(program),
            program_len=len(program),
        )

    def _descriptor(self, fontname: str, font_file: Any) -> Any:
        face = self.face
        descriptor = _Descriptor(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": font_file,
                "MissingWidth": face.defaultWidth,
            }
        )
        descriptor.memo_key = (self.fontName, fontname)
        descriptor.memo_refs = (font_file,)
        return descriptor


# A form embeds the same font objects as the form before it: the same face, subset and
# widths, referring to objects of the same numbers whenever the form's objects come in the
# same order (they do: the same blocks first). The font and its descriptor (dictionaries of a
# dozen entries, numbers and names) are formatted once for their content and those numbers,
# and their bytes reused: about a third of what writing out a receipt's PDF took.
_FORMATTED: dict[tuple[Any, ...], bytes] = {}
_FORMATTED_MAX = 256


def _formatted(obj: Any, document: Any, fmt: Any) -> bytes:
    key = (obj.memo_key, tuple(ref.format(document) for ref in obj.memo_refs))
    found = _FORMATTED.get(key)
    if found is None:
        found = fmt(document)
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        _FORMATTED[key] = found
    return found


class _Font(pdfdoc.PDFTrueTypeFont):  # type: ignore[misc]
    memo_key: tuple[Any, ...] = ()
    memo_refs: tuple[Any, ...] = ()

    def format(self, document: Any) -> bytes:
        return _formatted(self, document, super().format)


class _Descriptor(pdfdoc.PDFDictionary):  # type: ignore[misc]
    memo_key: tuple[Any, ...] = ()
    memo_refs: tuple[Any, ...] = ()

    def format(self, document: Any, IND: bytes = b"\n ") -> bytes:
        return _formatted(self, document, lambda doc: super(_Descriptor, self).format(doc, IND))


@dataclass(frozen=True)
class _SubsetParts:
    widths: bytes  # the formatted /Widths array
    cmap: bytes  # the ToUnicode CMap, Flate-compressed
    program: bytes  # the TrueType subset (FontFile2), Flate-compressed
    program_len: int  # its length before compression (/Length1)


def _packed(content: bytes, **entries: Any) -> Any:
    """A stream of already Flate-compressed bytes (PDFStream must not compress it again)."""
    stream = pdfdoc.PDFStream(content=content)
    stream.filters = []
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    for key, value in entries.items():
        stream.dictionary[key] = value
    return stream


def font_path(face: str = REGULAR) -> Path:
    """The TTF file behind a face name (REGULAR, BOLD, ITALIC or BOLD_ITALIC)."""
    return assets_dir() / "fonts" / _FILES[face]


@cache
def _register() -> None:
    for face, filename in _FILES.items():
        # TTFont embeds a subset of the glyphs used, with a ToUnicode map, so text extracts back.
        pdfmetrics.registerFont(SeededTTFont(face, str(assets_dir() / "fonts" / filename)))
    # the family lets <b> and <i> inside Paragraph markup pick the right face
    pdfmetrics.registerFontFamily(
        FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
    )


def register_fonts() -> None:
    """Register the four faces with reportlab; cheap and thread-safe after the first call."""
    with _lock:
        _register()


def nfc(text: str) -> str:
    """Precomposed form: the font maps precomposed Vietnamese letters, and input may not be."""
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, with control characters (tabs, newlines, NUL) turned into single spaces."""
    out = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in nfc(text))
    return " ".join(out.split())


def clip(text: str, limit: int) -> str:
    """`text` cleaned and cut to at most `limit` characters, ending in "…" when cut."""
    text = clean(text)
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def string_width(text: str, face: str, size: float) -> float:
    """Advance width of `text` in points."""
    register_fonts()
    return float(pdfmetrics.stringWidth(text, face, size))


def fit_width(text: str, face: str, size: float, max_width: float) -> str:
    """`text` cleaned and cut (ending in "…") so it is at most `max_width` points wide."""
    text = clean(text)
    if string_width(text, face, size) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # longest prefix that fits together with the ellipsis
        mid = (lo + hi + 1) // 2
        if string_width(text[:mid].rstrip() + ELLIPSIS, face, size) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS
