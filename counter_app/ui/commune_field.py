"""A field choosing one 2025 commune by typing its name without accents ("my hoa hung"), or
its five-digit code: a plain list under it proposes up to 8 (AdminUnits.complete), Down/Up
move in it, Enter takes the highlighted one (the first by default), Esc closes the list.
Used by the first-run screen for the unit's own commune (issue 16 §4)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal

from counter_app.domain.admin_units import AdminUnits, Commune
from counter_app.ui.widgets import CompletionList, Field


class CommuneField(Field):
    chosen_changed = Signal(object)  # the Commune, or None when the text no longer names it

    def __init__(self, units: AdminUnits, placeholder: str = "", *, limit: int = 8) -> None:
        super().__init__(placeholder)
        self.units = units
        self.limit = limit
        self.chosen: Commune | None = None
        self.error.setWordWrap(True)
        self.popup = CompletionList(self.edit, self, min_width=420)
        self.edit.textEdited.connect(self._typed)

    def text(self) -> str:  # the first-run screen's Entry interface
        return self.edit.text().strip()

    def show_error(self, text: str) -> None:
        super().show_error(text)
        self.adjustSize()  # give back the room a hidden error line took

    def _typed(self, text: str) -> None:
        if self.chosen is not None:
            self.chosen = None
            self.chosen_changed.emit(None)
        typed = text.strip()
        if typed.isdigit():
            one = self.units.commune(typed) if len(typed) == 5 else None
            found = [one] if one else []
        else:
            found = self.units.complete(typed, limit=self.limit) if typed else []
        self.popup.show_rows(
            [(f"{c.label}   {c.code}", partial(self.set_commune, c)) for c in found]
        )

    def set_commune(self, commune: Commune | None) -> None:
        self.chosen = commune
        self.edit.setText(commune.label if commune else "")
        self.edit.setCursorPosition(0)  # the name's start in view, not its province's end
        self.show_error("")
        self.chosen_changed.emit(commune)
