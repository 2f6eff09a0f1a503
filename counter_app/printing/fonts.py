"""Bundled Liberation Serif: locate the assets, register the family once, measure and clip text."""

from __future__ import annotations

import threading
import unicodedata
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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


def font_path(face: str = REGULAR) -> Path:
    """The TTF file behind a face name (REGULAR, BOLD, ITALIC or BOLD_ITALIC)."""
    return assets_dir() / "fonts" / _FILES[face]


@cache
def _register() -> None:
    for face, filename in _FILES.items():
        # TTFont embeds a subset of the glyphs used, with a ToUnicode map, so text extracts back.
        pdfmetrics.registerFont(TTFont(face, str(assets_dir() / "fonts" / filename)))
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
