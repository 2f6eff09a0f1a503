"""The intake form's address field (issue 16): the street/hamlet part is free text, the
commune and province are completed from the 2025 list, and a citizen ID card's old
address is converted in one key.

- Completion: what follows the last comma ("ap my hoa, my hoa hung") is matched against
  the communes, accents aside, the unit's own commune and province first. The list sits
  under the field inside the window (a child widget that takes no focus, so typing always
  stays in the field): Down/Up move, Enter or Tab accept ("Ấp My Hoa, Xã Mỹ Hòa Hưng, tỉnh
  An Giang", the commune code remembered), Esc closes the list only. Right after the comma
  that ends the street, the list holds the unit's own commune alone (one Enter takes it).
- The mark under the field: "✓ Xã …, tỉnh …" when the commune is known, else "Chưa xác
  minh đơn vị hành chính" (still saved: it never blocks).
- After a scan: `card_scanned(text)` converts the card's address. "current" is taken as
  verified; "converted" shows "Địa chỉ mới: … — Ctrl+Enter để dùng"; "split" lists the
  candidates, chosen by Alt+1..n (or Ctrl+Enter opening them in the list), never guessed;
  "unknown" leaves the card's text, unverified.

The code stays while the text is the one it was set with, or while the text still ends
with that commune and province; typing that changes the commune part drops it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from counter_app.domain.admin_units import (
    AdminUnits,
    Commune,
    Conversion,
    core,
    format_address,
)
from counter_app.services.address_entry import AddressSetup, Place, match_places
from counter_app.ui.i18n import tr
from counter_app.ui.widgets import ENTER_KEYS, CompletionList, Field, Row

LIMIT = 8  # communes listed at once
PROPOSAL_KEY = "Ctrl+Return"  # also Ctrl+Enter (keypad): free in the counter window
CHOICE_KEYS = tuple(f"Alt+{i}" for i in range(1, 10))  # a split commune's candidates


def unverified_text() -> str:
    return tr("Chưa xác minh đơn vị hành chính")


class AddressField(Field):
    """A Field whose text is the address; `code` the 2025 commune code when known and
    `card` the ID card's own text when its 2025 conversion was accepted."""

    def __init__(self, placeholder: str = "") -> None:
        super().__init__(placeholder)
        self.units: AdminUnits | None = None
        self.home_commune: str | None = None
        self.home_province: str | None = None
        self.code: str | None = None
        self.card = ""
        self.conversion: Conversion | None = None  # a card's address awaiting the clerk
        self._code_text: str | None = None  # the text the code was set with
        self._pending_card: str | None = None  # scanned before the list was loaded
        self.places: tuple[Place, ...] = ()  # the unit's commune's known places
        self._setting = False
        self._unavailable = False
        lay = self.layout()
        self.mark = QLabel()
        self.mark.setObjectName("addressMark")
        self.mark.setMinimumHeight(self.mark.fontMetrics().height())  # no jump when it fills
        self.proposal = QLabel()
        self.proposal.setObjectName("addressProposal")
        self.proposal.setWordWrap(True)
        self.proposal.setVisible(False)
        lay.addWidget(self.mark)
        lay.addWidget(self.proposal)
        # Tab takes the highlighted row too; the list hangs under the proposal line while it
        # shows (a split commune's candidates): both stay readable
        self.popup = CompletionList(
            self.edit,
            self,
            accept=(*ENTER_KEYS, Qt.Key.Key_Tab),
            anchor=lambda: self.proposal if self.proposal.isVisible() else self.edit,
        )
        self.edit.textEdited.connect(self._edited)
        self.edit.textChanged.connect(self._changed)

    # ----- set-up ---------------------------------------------------------------------------
    def set_setup(self, setup: AddressSetup) -> None:
        """The list arrived (loaded off the GUI thread): a scan made meanwhile is read now."""
        self.units = setup.units
        self._unavailable = False
        self.home_commune = setup.home_commune
        self.home_province = setup.home_province
        self.places = setup.places
        self._changed(self.edit.text())
        pending, self._pending_card = self._pending_card, None
        if pending is not None and pending == self.edit.text():
            self.card_scanned(pending)

    def set_unavailable(self, _exc: Exception) -> None:
        """The list could not be read (logged by run_task): the field stays free text."""
        self._unavailable = True
        self._show_mark()

    # ----- the code and the mark ------------------------------------------------------------
    def set_address(self, text: str, code: str | None = None, card: str = "") -> None:
        """Set the text with what is known of it (a completion, a conversion, saved details)."""
        commune = self.units.commune(code) if self.units is not None else None
        self.hide_popup()
        self._setting = True
        try:
            self.edit.setText(text)
        finally:
            self._setting = False
        if commune is not None:
            self.code, self._code_text, self.card = commune.code, text, card
        else:
            self.code, self._code_text, self.card = None, None, ""
            self._changed(text)
        self.set_error(None)
        self._show_mark()

    def _changed(self, text: str) -> None:
        if self._setting:
            return
        if self.code is not None and text == self._code_text:
            self._show_mark()
            return
        previous = self.code
        found = self._recognised(text)
        self.code = found.code if found is not None else None
        self._code_text = text if found is not None else None
        if self.code is None or self.code != previous:
            self.card = ""  # the converted address was changed: not the card's any more
        self._show_mark()

    def _recognised(self, text: str) -> Commune | None:
        """The 2025 commune the text ends with; None for an old (pre-2025) address even when
        its district reads like a 2025 ward ("…, Thành phố Long Xuyên, An Giang" is not
        "Phường Long Xuyên"): that one is converted, never taken as it is."""
        if self.units is None or not text.strip():
            return None
        return self.units.recognise(text)[1]  # the rule: AdminUnits.recognise

    def _show_mark(self) -> None:
        commune = self.units.commune(self.code) if self.units is not None else None
        if commune is not None:
            self.mark.setText("✓ " + commune.label)
            self.mark.setProperty("verified", True)
        elif self.units is not None and self.edit.text().strip():
            self.mark.setText(unverified_text())
            self.mark.setProperty("verified", False)
        elif self.units is None and self._unavailable:
            self.mark.setText(
                tr("Chưa tải được danh sách đơn vị hành chính: địa chỉ lưu như đã gõ.")
            )
            self.mark.setProperty("verified", False)
        else:
            self.mark.setText("")
        self.mark.style().unpolish(self.mark)
        self.mark.style().polish(self.mark)

    def verified(self) -> bool:
        return self.code is not None

    # ----- completion -----------------------------------------------------------------------
    def _edited(self, text: str) -> None:
        self._changed(text)  # textEdited comes before textChanged: the code first
        if self.conversion is not None and text != self.conversion.original:
            self._drop_proposal()
        self._refresh(text)

    def _query(self, text: str) -> tuple[str, str, list[Commune]]:
        """(street kept, query, matches) for the text typed: the part after the last comma,
        else the last two parts ("my hoa hung, an giang"), else the whole text. Right after
        a comma that ends a street ("Ấp Mỹ Hòa, "), the unit's own commune alone."""
        assert self.units is not None
        parts = text.split(",")
        home = self.units.commune(self.home_commune)
        if home is not None and len(parts) >= 2 and not core(parts[-1]) and core(parts[-2]):
            return ",".join(parts[:-1]), "", [home]
        tries = [(",".join(parts[:-1]), parts[-1])]
        if len(parts) >= 3:
            tries.append((",".join(parts[:-2]), parts[-2] + " " + parts[-1]))
        for street, q in tries:
            if len(core(q)) < 2:
                continue
            found = self.units.complete(
                q, home_commune=self.home_commune, home_province=self.home_province, limit=LIMIT
            )
            if found:
                return street, q, found
        return "", "", []

    def _refresh(self, text: str) -> None:
        if self.units is None or self.code is not None:
            self.hide_popup()
            return
        rows: list[Row] = []
        home = self.units.commune(self.home_commune)
        if home is not None and "," not in text:
            # the first words of a street or hamlet of the unit's commune that others gave
            for p in match_places(self.places, text, LIMIT):
                full = format_address(p.street, home)
                rows.append((full, partial(self.set_address, full, home.code)))
        _street, _q, found = self._query(text)
        rows += [(c.label, partial(self._complete_with, c)) for c in found]
        if not rows:
            self.hide_popup()
            return
        self.popup.show_rows(rows[:LIMIT])

    def _complete_with(self, commune: Commune) -> None:
        street, _q, _found = self._query(self.edit.text())
        self.set_address(format_address(street, commune), commune.code)

    def _open(
        self, choices: list[Commune], on_choose: Callable[[Commune], None], numbered: bool = False
    ) -> None:
        self.popup.show_rows(
            [
                (
                    f"Alt+{i}  {c.label}" if numbered and i <= 9 else c.label,
                    partial(on_choose, c),
                )
                for i, c in enumerate(choices, start=1)
            ]
        )

    def popup_open(self) -> bool:
        return self.popup.isVisible()

    def hide_popup(self) -> None:
        self.popup.hide()

    # ----- the card's address ---------------------------------------------------------------
    def card_scanned(self, text: str) -> None:
        """The card's address was put in the field: convert it (see the module's text)."""
        self._drop_proposal()
        self.hide_popup()
        if self.units is None:
            self._pending_card = text
            return
        conv = self.units.convert(text)
        if conv.status == "current":
            self.set_address(text, conv.candidates[0].code)
        elif conv.status in ("converted", "split"):
            self.conversion = conv
            self._show_proposal(conv)
        self._show_mark()

    def _show_proposal(self, conv: Conversion) -> None:
        if conv.status == "converted":
            text = tr("Địa chỉ mới: {address} — Ctrl+Enter để dùng").format(address=conv.address())
        else:
            options = "  ·  ".join(
                f"Alt+{i}  {c.label}" for i, c in enumerate(conv.candidates[:9], start=1)
            )
            text = tr(
                "{old} nay chia cho {n} đơn vị, chọn một: {options}  ·  Ctrl+Enter: danh sách"
            ).format(old=conv.old_place, n=len(conv.candidates), options=options)
        self.proposal.setText(text)
        self.proposal.setProperty("kind", conv.status)
        self.proposal.setVisible(True)

    def _drop_proposal(self) -> None:
        self.conversion = None
        self.proposal.setVisible(False)
        self.proposal.setText("")

    def accept_proposal(self) -> None:
        """Ctrl+Enter: take the converted address; for a split commune, open its candidates."""
        conv = self.conversion
        if conv is None:
            return
        if conv.status == "converted":
            self._take(conv, conv.candidates[0])
            return
        self.edit.setFocus()
        self._open(list(conv.candidates), lambda c: self._take(conv, c), numbered=True)

    def choose(self, n: int) -> None:
        """Alt+n: the n-th candidate of a split commune (1-based)."""
        conv = self.conversion
        if conv is not None and conv.status == "split" and 1 <= n <= len(conv.candidates):
            self._take(conv, conv.candidates[n - 1])

    def _take(self, conv: Conversion, commune: Commune) -> None:
        self._drop_proposal()
        self.hide_popup()
        self.set_address(format_address(conv.street, commune), commune.code, conv.original)

    # ----- the form -------------------------------------------------------------------------
    def applicant_extra(self) -> dict[str, str]:
        """What the intake dict's `applicant` gains (DESIGN §4): only what is known."""
        extra: dict[str, str] = {}
        if self.code is not None:
            extra["commune_code"] = self.code
            if self.card:
                extra["address_card"] = self.card
        return extra

    def reset(self) -> None:
        self._drop_proposal()
        self.hide_popup()
        self._pending_card = None
        self.set_address("")
