"""Which folder label to print: the stock size and the code's symbology (settings, CLI).

Kept free of reportlab/Pillow so that config.py can check the settings at start.

The label printers are 203 dpi (8 dots/mm). A code's module must be a whole number of dots
and at least 2 dots (0.25 mm): a 1-dot module (0.125 mm) only decodes when the page is
rasterised at a multiple of 203 dpi, never at 300 dpi nor on an A4 laser (issue 14).
A dossier code such as "000.00.20.H01-261128-0001" is 288 Code 128 modules, 308 with the
quiet zones: 77 mm at 2 dots, wider than 50 or 60 mm stock. The QR code of the same text
(alphanumeric mode, error correction Q) is 25 × 25 modules and fits every size.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.domain.errors import ValidationError

SIZES: dict[str, tuple[int, int]] = {  # name → (width, height) in mm
    "50x30": (50, 30),
    "60x40": (60, 40),
    "100x50": (100, 50),
}
SYMBOLOGIES = ("qr", "code128")
DEFAULT_SIZE, DEFAULT_SYMBOLOGY = "50x30", "qr"
DOTS_PER_MM = 8
MIN_MODULE_DOTS = 2
CODE128_QUIET_MODULES = 10
# A standard code's Code 128 length (see above): stock narrower than this never fits it.
TYPICAL_CODE128_MODULES = 288


@dataclass(frozen=True)
class LabelSpec:
    size: str = DEFAULT_SIZE
    symbology: str = DEFAULT_SYMBOLOGY

    @property
    def width_mm(self) -> int:
        return SIZES[self.size][0]

    @property
    def height_mm(self) -> int:
        return SIZES[self.size][1]

    @property
    def size_text(self) -> str:
        return f"{self.width_mm}×{self.height_mm}"


def code128_min_width_mm(modules: int = TYPICAL_CODE128_MODULES) -> float:
    """The narrowest stock that holds `modules` of Code 128 at 2 dots with its quiet zones."""
    return (modules + 2 * CODE128_QUIET_MODULES) * MIN_MODULE_DOTS / DOTS_PER_MM


def label_spec(size: str = DEFAULT_SIZE, symbology: str = DEFAULT_SYMBOLOGY) -> LabelSpec:
    """The spec for a size and symbology, or a clear refusal of an impossible combination."""
    size = size.strip().lower().replace("×", "x")
    symbology = symbology.strip().lower().replace(" ", "").replace("-", "")
    if size not in SIZES:
        raise ValidationError("label_size_invalid", value=size, sizes=", ".join(SIZES))
    if symbology not in SYMBOLOGIES:
        raise ValidationError("label_symbology_invalid", value=symbology)
    spec = LabelSpec(size, symbology)
    need = code128_min_width_mm()
    if symbology == "code128" and spec.width_mm < need:
        raise ValidationError("label_code128_too_narrow", size=spec.size_text, need=f"{need:g}")
    return spec
