"""The 2025 administrative units: 34 provinces and their communes, wards and special zones
(about 3,300, no district level since 1 July 2025), with the statistics office's codes, and
the old (2024) commune -> 2025 commune mapping used to convert the address printed on a
citizen ID card.

The list comes from the `vietnam-provinces` package (GSO codes) and the old -> new mapping
from the rows of `vietnam-address-converter`'s data, joined by name. The converter's own
matching is not used: its folded keys drop words that look like a unit type ("Phường Quán
Thánh" -> "thanh"), and where an old commune was split it silently picks one of the new
ones. Here a split commune yields every candidate and the clerk chooses.

Pure: no database, no Qt. The service layer applies central's override list on top."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from counter_app.domain.text import fold

# Unit-type words, folded, longest first so "thanh pho" wins over a shorter prefix.
_TYPE_WORDS = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "huyen",
    "quan",
    "tinh",
    "xa",
    "tp.",
    "tp",
    "tx.",
    "tx",
    "tt.",
    "tt",
    "p.",
    "q.",
    "h.",
    "x.",
)
_TYPE_RE = re.compile(r"^(?:" + "|".join(re.escape(w) for w in _TYPE_WORDS) + r")\s*(?=\S)")
_PUNCT_RE = re.compile(r"[\s\-–.']+")


def core(name: str) -> str:
    """A unit's name without its type word, folded: "Phường Văn Miếu - Quốc Tử Giám" ->
    "van mieu quoc tu giam", "TP. Hồ Chí Minh" -> "ho chi minh", "P.1" -> "1". Only one
    leading type word is removed ("Phường Quán Thánh" keeps "quan thanh")."""
    folded = fold(name).strip()
    folded = _TYPE_RE.sub("", folded, count=1)
    return " ".join(_PUNCT_RE.sub(" ", folded).split())


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # two digits, the statistics office's ("89" An Giang)
    name: str  # with its type: "Tỉnh An Giang", "Thành phố Hà Nội"

    @property
    def short(self) -> str:
        """ "An Giang", "Hà Nội"."""
        for prefix in ("Thành phố ", "Tỉnh "):
            if self.name.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name

    @property
    def in_text(self) -> str:
        """As written inside an address: "tỉnh An Giang", "thành phố Hà Nội"."""
        return self.name[:1].lower() + self.name[1:]


@dataclass(frozen=True, slots=True)
class Commune:
    code: str  # five digits, the statistics office's ("30313")
    name: str  # with its type: "Xã Mỹ Hòa Hưng", "Phường Long Xuyên", "Đặc khu Phú Quốc"
    province: Province

    @property
    def label(self) -> str:
        """ "Xã Mỹ Hòa Hưng, tỉnh An Giang": the end of a 2025 address."""
        return f"{self.name}, {self.province.in_text}"


def format_address(street: str, commune: Commune | None) -> str:
    """The street/hamlet part followed by the commune and province."""
    street = street.strip().strip(",").strip()
    if commune is None:
        return street
    return f"{street}, {commune.label}" if street else commune.label


Status = Literal["current", "converted", "split", "unknown"]


@dataclass(frozen=True, slots=True)
class Conversion:
    """An address read from an ID card, against the 2025 units.

    status: "current" (it already names a 2025 commune and province), "converted" (an old
    commune that became exactly one 2025 commune), "split" (an old commune divided among
    several: `candidates` to choose from, never a guess), "unknown" (nothing recognised)."""

    original: str
    street: str
    status: Status
    candidates: tuple[Commune, ...] = ()
    old_place: str = ""  # "Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang"

    def address(self, choice: int = 0) -> str:
        """The 2025 address with the chosen candidate; the original text when none."""
        if not self.candidates:
            return self.original
        return format_address(self.street, self.candidates[choice])


@dataclass(slots=True)
class _Entry:
    commune: Commune
    key: str  # core of the name
    words: tuple[str, ...]
    prov_key: str


@dataclass
class AdminUnits:
    version: str
    provinces: dict[str, Province]
    communes: dict[str, Commune]
    # old (province core, district core, ward core) -> 2025 commune codes
    old_to_new: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)
    _entries: list[_Entry] = field(default_factory=list, init=False, repr=False)
    _by_name: dict[tuple[str, str], list[Commune]] = field(
        default_factory=dict, init=False, repr=False
    )
    _prov_by_key: dict[str, Province] = field(default_factory=dict, init=False, repr=False)
    _old_provinces: set[str] = field(default_factory=set, init=False, repr=False)

    def __post_init__(self) -> None:
        for p in self.provinces.values():
            self._prov_by_key[core(p.name)] = p
        for c in self.communes.values():
            key = core(c.name)
            prov_key = core(c.province.name)
            self._entries.append(_Entry(c, key, tuple(key.split()), prov_key))
            self._by_name.setdefault((prov_key, key), []).append(c)
        self._entries.sort(key=lambda e: (e.key, e.prov_key))
        self._old_provinces = {k[0] for k in self.old_to_new}

    # --- look-up ---------------------------------------------------------------------
    def province(self, code: str) -> Province | None:
        return self.provinces.get(code)

    def commune(self, code: str | None) -> Commune | None:
        return self.communes.get(code) if code else None

    def communes_of(self, province_code: str) -> list[Commune]:
        return [e.commune for e in self._entries if e.commune.province.code == province_code]

    def find_province(self, text: str) -> Province | None:
        return self._prov_by_key.get(core(text))

    # --- completion ------------------------------------------------------------------
    def complete(
        self,
        text: str,
        *,
        home_commune: str | None = None,
        home_province: str | None = None,
        limit: int = 8,
    ) -> list[Commune]:
        """Communes whose name matches what was typed, accents aside: every typed word is
        the start of a word of the name, in order ("my hoa hung", "mhh" is not matched);
        words after the name may narrow the province ("long xuyen an giang"). The unit's
        own commune first, then its province's, then by name."""
        q = core(text)
        if not q:
            return []
        qwords = q.split()
        found: list[tuple[int, str, _Entry]] = []
        for e in self._entries:
            rank = _match(qwords, e)
            if rank is None:
                continue
            home = (
                0
                if e.commune.code == home_commune
                else 1
                if e.commune.province.code == home_province
                else 2
            )
            found.append((home * 4 + rank, e.key, e))
        found.sort(key=lambda t: (t[0], t[1], t[2].prov_key))
        return [t[2].commune for t in found[:limit]]

    # --- reading a whole address ---------------------------------------------------------
    def recognise(self, address: str) -> tuple[str, Commune | None]:
        """(street part, 2025 commune) when the address ends with a 2025 commune and its
        province ("…, Xã Mỹ Hòa Hưng, tỉnh An Giang"); (address, None) otherwise."""
        parts = _parts(address)
        if len(parts) >= 2:
            prov = self._prov_by_key.get(core(parts[-1]))
            if prov is not None:
                hits = self._by_name.get((core(prov.name), core(parts[-2])), [])
                hits = _same_type(hits, parts[-2])
                if len(hits) == 1:
                    return ", ".join(parts[:-2]), hits[0]
        return address.strip(), None

    def convert(self, address: str) -> Conversion:
        """The card's address against the 2025 units (see Conversion)."""
        original = address.strip()
        parts = _parts(original)
        if len(parts) >= 3:
            key = (core(parts[-1]), core(parts[-2]), core(parts[-3]))
            codes = self.old_to_new.get(key)
            if codes:
                cands = tuple(self.communes[c] for c in codes if c in self.communes)
                street = ", ".join(parts[:-3])
                old_place = ", ".join(parts[-3:])
                if len(cands) == 1:
                    return Conversion(original, street, "converted", cands, old_place)
                if cands:
                    return Conversion(original, street, "split", cands, old_place)
        street, commune = self.recognise(original)
        if commune is not None:
            return Conversion(original, street, "current", (commune,))
        return Conversion(original, original, "unknown")


def _parts(address: str) -> list[str]:
    return [p.strip() for p in address.split(",") if p.strip()]


def _same_type(hits: list[Commune], typed: str) -> list[Commune]:
    """Of same-named communes of one province ("Xã Sơn Hà" and "Phường Sơn Hà"), the one
    of the typed type when the text says it."""
    if len(hits) < 2:
        return hits
    f = fold(typed)
    typed_hits = [c for c in hits if f.startswith(fold(c.name).split(" ")[0])]
    return typed_hits or hits


def _match(qwords: Sequence[str], e: _Entry) -> int | None:
    """0 exact name, 1 name starts with the query, 2 words match by prefix, None no match.
    Words beyond the name's must match the province's words."""
    name_words = e.words
    n = len(name_words)
    if len(qwords) <= n:
        joined = " ".join(qwords)
        if e.key == joined:
            return 0
        if e.key.startswith(joined):
            return 1
        if _words_prefix(qwords, name_words):
            return 2
        return None
    # more words than the name: the name's words then the province's
    head, tail = qwords[:n], qwords[n:]
    if " ".join(head) != e.key:
        return None
    prov_words = e.prov_key.split()
    return 2 if _words_prefix(tail, prov_words) else None


def _words_prefix(qwords: Sequence[str], words: Sequence[str]) -> bool:
    """Each typed word starts a word of `words`, in order, the first at the first word."""
    if not qwords or not words or not words[0].startswith(qwords[0]):
        return False
    i = 1
    for w in qwords[1:]:
        while i < len(words) and not words[i].startswith(w):
            i += 1
        if i == len(words):
            return False
        i += 1
    return True


# --- loading ---------------------------------------------------------------------------


def _load_packages() -> AdminUnits:
    import vietnam_provinces as vp
    from vietnam_address_converter.data import DEFAULT_DATA

    provinces: dict[str, Province] = {}
    for p in vp.Province.iter_all():
        name = p.name if p.name.startswith("Thành phố") else f"Tỉnh {p.name}"
        provinces[f"{int(p.code):02d}"] = Province(f"{int(p.code):02d}", name)
    communes: dict[str, Commune] = {}
    for w in vp.Ward.iter_all():
        code = f"{int(w.code):05d}"
        communes[code] = Commune(code, w.name, provinces[f"{int(w.province_code):02d}"])
    units = AdminUnits(f"vietnam-provinces {vp.__version__}", provinces, communes)
    old_to_new: dict[tuple[str, str, str], list[str]] = {}
    for row in DEFAULT_DATA["mapping"]["rows"]:
        old, new = row["old"], row["new"]
        prov = units._prov_by_key.get(core(new["province_name"]))
        if prov is None:
            continue
        hits = _same_type(
            units._by_name.get((core(prov.name), core(new["ward_name"])), []), new["ward_name"]
        )
        if len(hits) != 1:
            continue
        key = (core(old["province_name"]), core(old["district_name"]), core(old["ward_name"]))
        codes = old_to_new.setdefault(key, [])
        if hits[0].code not in codes:
            codes.append(hits[0].code)
    units.old_to_new = {k: tuple(v) for k, v in old_to_new.items()}
    units._old_provinces = {k[0] for k in units.old_to_new}
    return units


@lru_cache(maxsize=1)
def default_units() -> AdminUnits:
    """The packaged list (loaded once)."""
    return _load_packages()


def with_overrides(base: AdminUnits, rows: Iterable[dict[str, str]]) -> AdminUnits:
    """Central's override list on top of the packaged one: each row {code, name,
    province_code} adds or renames a commune; {code, retired: "1"} removes one."""
    communes = dict(base.communes)
    for r in rows:
        code = r["code"]
        if r.get("retired"):
            communes.pop(code, None)
            continue
        prov = base.provinces[r["province_code"]]
        communes[code] = Commune(code, r["name"], prov)
    units = AdminUnits(base.version + "+overrides", base.provinces, communes, dict(base.old_to_new))
    return units
