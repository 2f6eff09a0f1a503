"""What the intake form's address field needs, read once per form (off the GUI thread: the
packaged list's asset takes ~50 ms to load): the 2025 units with central's overrides, and
the unit's own commune and province, which the completion ranks first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import Dossier
from counter_app.domain.admin_units import AdminUnits
from counter_app.domain.text import fold, search_tokens
from counter_app.services.admin_units import units_in
from counter_app.services.context import ServiceContext
from counter_app.services.unit_place import home_in

# Places learned from the unit's own commune: read from this many of its latest dossiers,
# offered when at least this many different applicants gave them, at most this many kept.
PLACES_SAMPLE = 5_000
PLACES_MIN_PEOPLE = 2
PLACES_KEEP = 400


@dataclass(frozen=True)
class Place:
    """A street, hamlet or group ("Tổ 5, ấp Mỹ Hòa", "ấp Mỹ Hòa") of the unit's commune
    that several applicants gave: typed by its first letters, it completes the whole address."""

    street: str  # as first written
    key: tuple[str, ...]  # its folded words
    people: int  # how many different applicants gave it


@dataclass(frozen=True)
class AddressSetup:
    units: AdminUnits
    home_commune: str | None  # the unit's own commune code (Unit.commune_code), if set
    home_province: str | None  # its province code (a province centre: its own province)
    places: tuple[Place, ...] = ()  # the home commune's known places, most given first


def known_places(s: Session, units: AdminUnits, home_commune: str | None) -> tuple[Place, ...]:
    """The streets and hamlets of the unit's own commune that at least PLACES_MIN_PEOPLE
    different applicants gave, among its latest PLACES_SAMPLE dossiers: "Tổ 5, ấp Mỹ Hòa"
    also counts for "ấp Mỹ Hòa". Shared places only: one household's house number, given
    by one person, is never offered to the next applicant."""
    if not home_commune:
        return ()
    rows = s.execute(
        select(Dossier.applicant_address, Dossier.applicant_id_number, Dossier.applicant_name)
        .where(Dossier.applicant_commune_code == home_commune)
        .order_by(Dossier.received_at.desc())
        .limit(PLACES_SAMPLE)
    )
    people: dict[tuple[str, ...], set[str]] = {}
    shown: dict[tuple[str, ...], str] = {}
    # an address recurs (a hamlet's hundreds of applicants): each distinct one read once
    read: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for address, id_number, name in rows:
        keys = read.get(address)
        if keys is None:
            keys = read[address] = _place_keys(units, address, home_commune)
        who = id_number or fold(name)
        for key, text in keys:
            people.setdefault(key, set()).add(who)
            shown.setdefault(key, text)
    ranked = sorted(
        (Place(shown[k], k, len(v)) for k, v in people.items() if len(v) >= PLACES_MIN_PEOPLE),
        key=lambda p: (-p.people, p.key),
    )
    return tuple(ranked[:PLACES_KEEP])


def _place_keys(
    units: AdminUnits, address: str, home_commune: str
) -> list[tuple[tuple[str, ...], str]]:
    """(folded words, text) of each place an address of the home commune names: "Tổ 5, ấp
    Mỹ Hòa" and "ấp Mỹ Hòa"; none for another commune's or an unverified address."""
    street, commune = units.recognise(address)
    if commune is None or commune.code != home_commune or not street:
        return []
    parts = [p.strip() for p in street.split(",") if p.strip()]
    out = []
    for i in range(len(parts)):
        text = ", ".join(parts[i:])
        key = tuple(search_tokens(text))
        if key:
            out.append((key, text))
    return out


def match_places(places: Sequence[Place], typed: str, limit: int) -> list[Place]:
    """The known places whose words the typed words start, in order, from any word ("my hoa"
    finds "ấp Mỹ Hòa", "to 5 my" finds "Tổ 5, ấp Mỹ Hòa"); two letters at least."""
    words = search_tokens(typed)
    if not words or len("".join(words)) < 2:
        return []
    found: list[Place] = []
    for p in places:
        if _starts_words(words, p.key):
            found.append(p)
            if len(found) == limit:
                break
    return found


def _starts_words(words: Sequence[str], key: Sequence[str]) -> bool:
    """The first typed word starts some word of `key`, each next one a later word."""
    for start, first in enumerate(key):
        if not first.startswith(words[0]):
            continue
        i = start + 1
        for w in words[1:]:
            while i < len(key) and not key[i].startswith(w):
                i += 1
            if i == len(key):
                break
            i += 1
        else:
            return True
    return False


def address_setup(ctx: ServiceContext) -> AddressSetup:
    with ctx.uow.read() as s:
        home_commune, home_province = home_in(s)
        units = units_in(s)
        return AddressSetup(
            units, home_commune, home_province, known_places(s, units, home_commune)
        )
