"""The forms' shared blocks in tests (printing/layout.py, printing/replay.py): a PDF's streams
compared without its dates and ids, and the blocks forgotten so the next document draws them."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import StreamObject

from counter_app.printing import layout


def streams(pdf: bytes) -> list[bytes]:
    """Every stream of `pdf`, decoded, in object order: the PDF without its dates and ids."""
    reader = PdfReader(io.BytesIO(pdf))
    objects = (reader.get_object(n) for n in range(1, reader.trailer["/Size"]))
    return [obj.get_data() for obj in objects if isinstance(obj, StreamObject)]


def forget_shared_blocks() -> None:
    """Forget the shared blocks (and their recordings): the next document draws them anew."""
    for cached in (
        layout.form_note,
        layout.header,
        layout.title,
        layout._signature_pair,
        layout.shared_line,
        layout.shared_para,
        layout.shared_grid,
    ):
        cached.cache_clear()
