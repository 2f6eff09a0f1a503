"""The receiving unit's names derived from its 2025 commune (or province), as the forms print
them (DOMAIN.md §3, Decree 118/2025): the commune's "Trung tâm Phục vụ hành chính công xã
Mỹ Hòa Hưng", whose parent body "UBND XÃ MỸ HÒA HƯNG" heads the form, "UBND TỈNH AN GIANG"
above it under the 2018 set, "Mỹ Hòa Hưng, ngày … tháng … năm …" on the date line.

Pure: no database, no Qt."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.domain.admin_units import Commune, Province, format_address

CENTRE = "Trung tâm Phục vụ hành chính công"
# The 2025 commune-level types (the list has no other), longest first.
COMMUNE_TYPES = ("Đặc khu", "Phường", "Xã")
PROVINCE_TYPES = ("Thành phố", "Tỉnh")


@dataclass(frozen=True)
class UnitNames:
    """The unit's settings (services/unit_setup keys) that follow from its place."""

    name: str  # "UBND XÃ MỸ HÒA HƯNG": the unit's UBND, upper case as the header prints it
    parent_name: str  # "UBND TỈNH AN GIANG" ("" for a province)
    place_name: str  # "Mỹ Hòa Hưng": the date line's place
    receiving_name: str  # "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng"
    address: str  # "Xã Mỹ Hòa Hưng, tỉnh An Giang" after the street part, if any

    def as_changes(self) -> dict[str, str]:
        return {
            "name": self.name,
            "parent_name": self.parent_name,
            "place_name": self.place_name,
            "receiving_name": self.receiving_name,
            "address": self.address,
        }


def split_type(name: str, types: tuple[str, ...]) -> tuple[str, str]:
    """("Đặc khu", "Phú Quốc") of "Đặc khu Phú Quốc"; ("", name) when no type word leads."""
    for kind in types:
        if name.startswith(kind + " ") and name[len(kind) + 1 :].strip():
            return kind, name[len(kind) + 1 :].strip()
    return "", name


def _in_text(kind: str) -> str:
    """The type word inside a sentence: "xã", "phường", "đặc khu", "tỉnh", "thành phố"."""
    return kind.lower()


def ubnd(name: str) -> str:
    """ "UBND XÃ MỸ HÒA HƯNG" of "Xã Mỹ Hòa Hưng" (Python's upper case keeps the marks)."""
    return f"UBND {name.upper()}"


def commune_names(commune: Commune, street: str = "") -> UnitNames:
    """A commune's Trung tâm Phục vụ hành chính công and the lines around it."""
    kind, place = split_type(commune.name, COMMUNE_TYPES)
    centre = f"{CENTRE} {_in_text(kind)} {place}" if kind else f"{CENTRE} {commune.name}"
    return UnitNames(
        name=ubnd(commune.name),
        parent_name=ubnd(commune.province.name),
        place_name=place,
        receiving_name=centre,
        address=format_address(street, commune),
    )


def province_names(province: Province, street: str = "") -> UnitNames:
    """The province's Trung tâm Phục vụ hành chính công: "UBND TỈNH AN GIANG" heads its forms,
    with nothing above it."""
    street = street.strip().strip(",").strip()
    return UnitNames(
        name=ubnd(province.name),
        parent_name="",
        place_name=province.short,
        receiving_name=f"{CENTRE} {province.in_text}",
        address=f"{street}, {province.in_text}" if street else province.name,
    )
