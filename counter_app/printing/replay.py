"""Shared blocks of the forms (note, header, title, signatures) drawn once per process: their
PDF drawing operators are recorded and copied into every later document."""

# A shared block is the same for every form of a unit on a day (layout.py builds it once), and
# drawing it — a Table of Paragraphs — cost as much as laying out half of the dossier's own
# lines. Its operators can be copied into another document when they name the same fonts and
# codes there: the text is all seeded letters (fonts.SeededTTFont: the same codes in every
# document) and the faces it uses get the same internal names (/F2+0 …), which the order of
# first use decides. A recording is trusted once two documents drew the block to the same
# operators; any doubt (letters outside the seed, other font names) draws the block anew.

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase import pdfmetrics

from counter_app.printing import fonts

FACES = (fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC)


@dataclass
class _Recording:
    ops: list[str]  # the canvas's operators between the block's q … Q
    names: tuple[tuple[str, str], ...]  # (face, its internal name) in the order of first use
    trusted: bool = False  # drawn twice to the same operators


_MISSING = _Recording([], ())  # not drawn yet


class Replayed:
    """Mixin for a Flowable drawn the same way in many documents: draw() copies the operators
    recorded for the same wrapped size when it safely can, else draws."""

    _replay_key: tuple[float, ...] = ()
    _wrapped_for: tuple[float, float] | None = None  # the last wrap's (width, height) asked

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        # The same room as the last wrap: its result stands (a block shared by many documents
        # is laid out once; a Table would size every cell again).
        if self._wrapped_for == (avail_width, avail_height):
            return self._replay_key[1], self._replay_key[2]
        width, height = super().wrap(avail_width, avail_height)  # type: ignore[misc]
        self._replay_key = (avail_width, width, height)
        self._wrapped_for = (avail_width, avail_height)
        return width, height

    def draw(self) -> None:
        canv, key = self.canv, self._replay_key  # type: ignore[attr-defined]
        recordings: dict[tuple[float, ...], _Recording | None]
        recordings = self.__dict__.setdefault("_recordings", {})
        done = recordings.get(key, _MISSING)
        if done is not None and done.trusted:
            if _name_fonts(canv._doc, done.names):
                canv._code.extend(done.ops)
                return
            super().draw()  # type: ignore[misc]
            return
        start = len(canv._code)
        super().draw()  # type: ignore[misc]
        if done is None:  # this block is drawn every time (e.g. letters outside the seed)
            return
        now = _record(canv._doc, canv._code[start:])
        if done is _MISSING and now is not None:
            recordings[key] = now
        elif now is not None and (now.ops, now.names) == (done.ops, done.names):
            done.trusted = True
        else:
            recordings[key] = None


def _record(doc: Any, ops: list[str]) -> _Recording | None:
    """The recording of `ops` just drawn in `doc`, or None when another document would not
    read them the same (a face holds codes beyond the seed's)."""
    text = "\n".join(ops)
    used = []
    for face in FACES:
        font = pdfmetrics.getFont(face)
        if not font.only_seeded(doc):
            return None
        name = font.internal_name(doc)
        if name is not None and (at := text.find(name + " ")) >= 0:
            used.append((at, face, name))
    return _Recording(list(ops), tuple((face, name) for _, face, name in sorted(used)))


def _name_fonts(doc: Any, names: tuple[tuple[str, str], ...]) -> bool:
    """Name the faces in `doc` in the recorded order; False when a name differs from the
    recording's (the document used the faces in another order before the block)."""
    for face, name in names:
        font = pdfmetrics.getFont(face)
        font.splitString("", doc)  # the document's seeded state
        if font.getSubsetInternalName(0, doc) != name:
            return False
    return True
