"""The 2025 administrative units: 34 provinces and their communes, wards and special zones
(3,321, no district level since 1 July 2025), with the statistics office's codes, and the
old (2024) commune -> 2025 commune mapping used to convert the address printed on a citizen
ID card.

Data: a compact generated asset, assets/admin_units/units-2025.json (~0.5 MB, loads in tens
of milliseconds), built from two packages that are only development dependencies:
`vietnam-provinces` (the list with GSO codes) and the mapping rows of
`vietnam-address-converter` (old province/district/ward -> new ward), joined by name here.
The converter's own matching is not used: its folded keys drop words that look like a unit
type ("Phường Quán Thánh" -> "thanh"), and where an old commune was split it silently picks
one of the new ones. Here a split commune yields every candidate and the clerk chooses.

Versioning: `AdminUnits.version` names the data ("vietnam-provinces 2025.10.1 +
vietnam-address-converter 1.0.5 (mapping 10_25)"); a later change of units is a data
update: upgrade the packages (`uv lock --upgrade-package vietnam-provinces …`), run
`uv run python tools/build_admin_units.py` and commit the asset (a unit test fails until
the asset matches the installed packages). Between releases central pushes an override
list (table admin_unit_overrides, applied by `with_overrides`; the version then ends with
"+overrides").

Pure: no database, no Qt. The service layer applies central's override list on top."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from counter_app.domain.text import fold

_T = TypeVar("_T")

ASSET_FORMAT = 1
ASSET_NAME = "units-2025.json"

# A leading unit-type word, folded: whole words ("xa", "phuong", "thanh pho", "p", "tp"),
# abbreviations with a dot ("tp.", "q.", "t.t."), or "p"/"q" straight before a number ("p1").
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
    "tp",
    "tx",
    "tt",
    "p",  # "p long xuyen", "p. Bến Nghé"
    "x",
    "q",
    "h",
)
_TYPE_RE = re.compile(
    r"^(?:(?:" + "|".join(_TYPE_WORDS) + r")\b\.?|(?:t\.t|t\.x)\.|[pq](?=\d))"
    r"\s*(?=\S)"
)
# A type word as written (folded, without its dot) -> the type's folded full name.
_TYPE_CANON = {
    "xa": "xa",
    "x": "xa",
    "phuong": "phuong",
    "p": "phuong",
    "dac khu": "dac khu",
    "thi tran": "thi tran",
    "tt": "thi tran",
    "t.t": "thi tran",
    "thi xa": "thi xa",
    "tx": "thi xa",
    "t.x": "thi xa",
    "thanh pho": "thanh pho",
    "tp": "thanh pho",
    "huyen": "huyen",
    "h": "huyen",
    "quan": "quan",
    "q": "quan",
    "tinh": "tinh",
}
_APOSTROPHES = str.maketrans("", "", "'’‘ʼ`´")
_PUNCT_RE = re.compile(r"[\s\-–—.,;/()]+")
_LEADING_ZEROS = re.compile(r"\b0+(?=\d)")
# Provinces as often written: "TP HCM", "TP.HCM", "TPHCM", "Sài Gòn".
_PROVINCE_ALIASES = {
    "hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "tp hcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "hn": "ha noi",
    "brvt": "ba ria vung tau",
}


@lru_cache(maxsize=4096)
def _prep(text: str) -> str:
    """Folded, apostrophes dropped ("H'Neng" -> "hneng": its "h" is no type word), trimmed.
    Memoised: one recognise() folds the same few parts and unit names a dozen times, and a
    save recognises its address (0.45 ms a call before, most of it here)."""
    return fold(text).translate(_APOSTROPHES).strip().strip(",").strip()


def _norm(folded: str) -> str:
    folded = _PUNCT_RE.sub(" ", folded.translate(_APOSTROPHES))
    return _LEADING_ZEROS.sub("", " ".join(folded.split()))


def _split_type(name: str) -> tuple[str, str]:
    """(the leading type word as typed, folded; the rest) of a folded name."""
    m = _TYPE_RE.match(name)
    if m is None:
        return "", name
    return m.group(0).strip(), name[m.end() :]


@lru_cache(maxsize=4096)
def core(name: str) -> str:
    """A unit's name without its type word, folded: "Phường Văn Miếu - Quốc Tử Giám" ->
    "van mieu quoc tu giam", "TP. Hồ Chí Minh" -> "ho chi minh", "P.1" and "P01" -> "1",
    "Xã Cư M’gar" -> "cu mgar" (apostrophes dropped, hyphens a space). Only one leading type
    word is removed ("Phường Quán Thánh" keeps "quan thanh"; "Quảng An" stays whole)."""
    return _norm(_split_type(_prep(name))[1])


@lru_cache(maxsize=4096)
def _plain(name: str) -> str:
    """The folded name with its type word kept ("phuong phuong liet"): the other reading
    of a typed name whose first word may be a type word or part of the name."""
    return _norm(_prep(name))


def _canon_type(written: str) -> str:
    return _TYPE_CANON.get(written.strip().rstrip(".").strip(), "")


def _typed_kind(text: str) -> str:
    """The folded type the text starts with ("xa", "phuong", "thi tran", "quan"), "" when
    none is written."""
    return _canon_type(_split_type(_prep(text))[0])


def _accented(name: str) -> tuple[str, ...]:
    """The words of a name with their accents, lower case, apostrophes and hyphens as
    for `core`: to tell "Xã Cẩm Giang" from "Xã Cẩm Giàng", which fold alike."""
    s = unicodedata.normalize("NFC", name.lower()).translate(_APOSTROPHES)
    return tuple(_PUNCT_RE.sub(" ", s).split())


# name -> (core, folded type); pre-filled from the asset (its communes carry both), so that
# loading does not fold 3,321 names again; names added by central's overrides are folded here.
_NAME_KEYS: dict[str, tuple[str, str]] = {}


def name_key(name: str) -> tuple[str, str]:
    """(core(name), its folded type word): ("my hoa hung", "xa") for "Xã Mỹ Hòa Hưng"."""
    found = _NAME_KEYS.get(name)
    if found is None:
        typed, rest = _split_type(_prep(name))
        found = _NAME_KEYS[name] = (_norm(rest), _canon_type(typed))
    return found


def _province_key(text: str) -> str:
    key = core(text)
    return _PROVINCE_ALIASES.get(key, _PROVINCE_ALIASES.get(_plain(text), key))


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # two digits, the statistics office's ("91" An Giang)
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
    key: str  # core of the name: "my hoa hung"
    words: tuple[str, ...]
    prov_key: str
    prov_words: tuple[str, ...]
    kind: str  # folded type: "xa", "phuong", "dac khu"


# Old (2024) place -> 2025 communes. Key: (province core, district core, ward core); value:
# the old wards under that key (usually one; two when names differ only by accents or type,
# "Xã Tân Thành" / "Xã Tân Thạnh" of one district) as (ward name, district name, codes).
OldRows = dict[tuple[str, str, str], tuple[tuple[str, str, tuple[str, ...]], ...]]


@dataclass
class AdminUnits:
    """The list: `version` names its data (the asset's sources, "+overrides" when central's
    list is applied), `provinces` and `communes` by code, and the old -> 2025 mapping."""

    version: str
    provinces: dict[str, Province]
    communes: dict[str, Commune]
    # old (province core, district core, ward core) -> 2025 commune codes (every old ward
    # under the key; `old_rows` tells them apart when there are several)
    old_to_new: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)
    old_rows: OldRows = field(default_factory=dict)
    _entries: list[_Entry] = field(default_factory=list, init=False, repr=False)
    _by_first: dict[str, list[_Entry]] = field(default_factory=dict, init=False, repr=False)
    _by_first2: dict[str, list[_Entry]] = field(default_factory=dict, init=False, repr=False)
    _by_name: dict[tuple[str, str], list[Commune]] = field(
        default_factory=dict, init=False, repr=False
    )
    _prov_by_key: dict[str, Province] = field(default_factory=dict, init=False, repr=False)
    _prov_keys: list[tuple[str, Province]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        for p in self.provinces.values():
            self._prov_by_key[core(p.name)] = p
        self._prov_keys = sorted(self._prov_by_key.items())
        prov_keys = {p.code: (k := core(p.name), tuple(k.split())) for p in self.provinces.values()}
        for c in self.communes.values():
            key, kind = name_key(c.name)
            pk, pwords = prov_keys[c.province.code]
            e = _Entry(c, key, tuple(key.split()), pk, pwords, kind)
            self._entries.append(e)
            self._by_name.setdefault((pk, key), []).append(c)
        self._entries.sort(key=lambda e: (e.key, e.prov_key, e.commune.code))
        for e in self._entries:
            if e.key:  # buckets by the first letter and the first two characters
                self._by_first.setdefault(e.key[0], []).append(e)
                self._by_first2.setdefault(e.key[:2], []).append(e)
        if self.old_rows and not self.old_to_new:
            self.old_to_new = {
                k: tuple(dict.fromkeys(c for _, _, codes in rows for c in codes))
                for k, rows in self.old_rows.items()
            }

    # --- look-up ---------------------------------------------------------------------
    def province(self, code: str) -> Province | None:
        return self.provinces.get(code)

    def commune(self, code: str | None) -> Commune | None:
        return self.communes.get(code) if code else None

    def communes_of(self, province_code: str) -> list[Commune]:
        return [e.commune for e in self._entries if e.commune.province.code == province_code]

    def find_province(self, text: str) -> Province | None:
        return self._prov_by_key.get(_province_key(text))

    def complete_province(self, text: str, *, limit: int = 8) -> list[Province]:
        """Provinces whose name starts with what was typed, word by word, accents aside
        ("an g", "tp hcm", "ho chi"); an exact name first."""
        key = _province_key(text)
        if not key:
            return []
        qwords = key.split()
        exact = [p for k, p in self._prov_keys if k == key]
        rest = [p for k, p in self._prov_keys if k != key and _words_prefix(qwords, k.split())]
        return (exact + rest)[:limit]

    # --- completion ------------------------------------------------------------------
    def complete(
        self,
        text: str,
        *,
        home_commune: str | None = None,
        home_province: str | None = None,
        limit: int = 8,
    ) -> list[Commune]:
        """Communes whose name matches what was typed, accents and case aside: every typed
        word is the start of a word of the name, in order, the first at the first ("my hoa
        hung", "my h h"; "mhh" is not matched); the type word is optional ("xa my hoa
        hung", "p long xuyen", "p1") and a first word that only looks like one still counts
        as the name ("phuong liet" finds Phường Phương Liệt); words after the name (or
        after the start of its words) narrow the province ("long xuyen an giang", "long
        xuyen, tinh an giang", "my hoa an g"). The unit's own commune first, then its
        province's, then by how well the name matches (whole name, start of the name, its
        words, with the province), then by name; at most `limit`."""
        folded = _prep(text)
        typed_type, rest = _split_type(folded)
        stripped = _norm(rest)
        plain = _norm(folded)
        readings = [stripped] if stripped == plain else [stripped, plain]
        kind = _canon_type(typed_type)
        best: dict[str, tuple[int, _Entry]] = {}
        for n, q in enumerate(readings):
            if not q:
                continue
            qwords = q.split()
            bucket = self._by_first2 if len(qwords[0]) > 1 else self._by_first
            for e in bucket.get(q[:2] if len(qwords[0]) > 1 else q[0], ()):
                rank = _match(qwords, e)
                if rank is None:
                    continue
                # the reading without the type word is the likelier one; a typed type word
                # that the commune does not have ranks it after those that have it
                score = rank * 4 + n * 2 + (1 if kind and n == 0 and e.kind != kind else 0)
                code = e.commune.code
                if code not in best or score < best[code][0]:
                    best[code] = (score, e)
        found = []
        for code, (score, e) in best.items():
            home = (
                0 if code == home_commune else 1 if e.commune.province.code == home_province else 2
            )
            found.append((home, score, e.key, e.prov_key, code))
        found.sort()
        return [self.communes[t[4]] for t in found[:limit]]

    # --- reading a whole address ---------------------------------------------------------
    def _named(self, prov: Province, typed: str) -> list[Commune]:
        """The 2025 communes of `prov` that `typed` names (the type word optional, accents
        and the type telling apart communes whose names fold alike)."""
        pk = core(prov.name)
        hits = list(self._by_name.get((pk, core(typed)), []))
        for c in self._by_name.get((pk, _plain(typed)), []):
            if c not in hits:
                hits.append(c)
        return _narrow(hits, typed, lambda c: c.name)

    def recognise(self, address: str) -> tuple[str, Commune | None]:
        """(street part, 2025 commune) when the address ends with a 2025 commune and its
        province ("…, Xã Mỹ Hòa Hưng, tỉnh An Giang", "…, Xã Mỹ Hòa Hưng, An Giang");
        (address, None) otherwise: when the name is ambiguous (two communes of the province
        whose names differ only by accents, typed without them), written with another type
        ("Thành phố Long Xuyên" is an old district, not Phường Long Xuyên), or when the last
        three parts are an old ward, district and province (that address is converted, never
        taken as it reads)."""
        parts = _parts(address)
        if len(parts) >= 2:
            prov = self.find_province(parts[-1])
            if prov is not None:
                hits = self._named(prov, parts[-2])
                if (
                    len(hits) == 1
                    and self._type_fits(prov, parts[-2], hits[0])
                    and not (len(parts) >= 3 and self._old_codes(*parts[-3:]))
                ):  # not an old ward, district, province that only reads like one
                    return ", ".join(parts[:-2]), hits[0]
        return ", ".join(parts), None

    def _type_fits(self, prov: Province, typed: str, commune: Commune) -> bool:
        """The type word written before the name, if any, is the commune's own ("xã", "x.",
        "phường", "p.", "đặc khu"): "Thành phố Long Xuyên" (an old district) is not Phường
        Long Xuyên. A first word that is part of the name ("Xã Quan Sơn" written "Quan Sơn")
        is not a type word: what follows it alone would not name this commune."""
        folded = fold(typed).strip()
        for word in _WRITTEN_TYPES:
            if not folded.startswith(word):
                continue
            rest = folded[len(word) :]
            if rest[:1].isalpha():
                continue  # "quang…", "phuongx…": the word goes on
            rest = rest.strip(" .")
            if rest and commune in self._named(prov, rest):
                return word in _OWN_TYPES.get(fold(commune.name).split(" ")[0], ())
            return True  # the word belongs to the name
        return True

    def convert(self, address: str) -> Conversion:
        """The card's address against the 2025 units (see Conversion)."""
        original = address.strip()  # the card's own text, kept as printed
        parts = _parts(original)
        # an old ward, district, province; or an old district without wards (the island
        # districts: "…, Huyện Côn Đảo, Bà Rịa - Vũng Tàu" -> Đặc khu Côn Đảo)
        for n in (3, 2):
            if len(parts) < n:
                continue
            ward = parts[-3] if n == 3 else ""
            codes = self._old_codes(ward, parts[-2], parts[-1])
            cands = tuple(self.communes[c] for c in codes if c in self.communes)
            if cands:
                street = ", ".join(parts[:-n])
                old_place = ", ".join(parts[-n:])
                status: Status = "converted" if len(cands) == 1 else "split"
                return Conversion(original, street, status, cands, old_place)
        street, commune = self.recognise(original)
        if commune is not None:
            return Conversion(original, street, "current", (commune,))
        return Conversion(original, ", ".join(parts), "unknown")

    def _old_codes(self, ward: str, district: str, province: str) -> tuple[str, ...]:
        """The 2025 codes of an old ward; every candidate when the text does not tell two
        old wards apart (never a guess)."""
        pk = _province_key(province)
        found: list[tuple[str, str, tuple[str, ...]]] = []
        for dk in dict.fromkeys((core(district), _plain(district))):
            for wk in dict.fromkeys((core(ward), _plain(ward))):
                key = (pk, dk, wk)
                rows = self.old_rows.get(key)
                if rows:
                    found.extend(rows)
                elif key in self.old_to_new:
                    found.append(("", "", self.old_to_new[key]))
        if len(found) > 1:
            found = _narrow(found, ward, lambda r: r[0])
        if len(found) > 1:
            found = _narrow(found, district, lambda r: r[1])
        return tuple(dict.fromkeys(c for _, _, codes in found for c in codes))


# Type words as written in addresses (folded, longest first), and which a 2025 commune may
# carry: the old district-level words and "thị trấn" name no 2025 commune.
_WRITTEN_TYPES = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "huyen",
    "quan",
    "xa",
    "tp",
    "tx",
    "tt",
    "dk",
    "p",
    "x",
    "q",
    "h",
)
_OWN_TYPES = {"xa": ("xa", "x"), "phuong": ("phuong", "p"), "dac": ("dac khu", "dk")}


def _parts(address: str) -> list[str]:
    return [" ".join(p.split()) for p in address.split(",") if p.strip()]


def _narrow(items: list[_T], typed: str, name_of: Callable[[_T], str]) -> list[_T]:
    """Of several same-keyed items, those whose type the text says ("Xã …" vs "Phường …")
    and then those whose accented name it spells ("Cẩm Giàng" vs "Cẩm Giang"); all of them
    when the text tells them no further apart."""
    if len(items) < 2:
        return items
    kind = _typed_kind(typed)
    if kind:
        same = [i for i in items if name_of(i) and fold(name_of(i)).startswith(kind)]
        items = same or items
    if len(items) > 1:
        words = _accented(typed)
        if fold(" ".join(words)) != " ".join(words):  # typed with accents
            spelled = [i for i in items if _same_spelling(words, _accented(name_of(i)))]
            items = spelled or items
    return items


def _same_spelling(typed: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """The typed words end like the name's (the type word may be left out or abbreviated)."""
    if not typed or not name:
        return False
    n = min(len(typed), len(name))
    return typed[-n:] == name[-n:] and len(name) - n <= 2


def _match(qwords: Sequence[str], e: _Entry) -> int | None:
    """0 the whole name (or it and the start of its province's: "long xuyen an giang"),
    1 the name starts with the query, 2 its words start with the typed words, 3 the start of
    the name's words then the start of its province's ("my hoa an g", "long x, tinh an");
    None no match."""
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
    if len(qwords) < 2:
        return None
    for k in range(min(n, len(qwords) - 1), 0, -1):
        tail = _without_type(qwords[k:])
        if tail and not _words_prefix(tail, e.prov_words):
            continue
        head = qwords[:k]
        if tuple(head) == name_words:
            return 0
        if _words_prefix(head, name_words):
            return 3
    return None


def _without_type(words: Sequence[str]) -> Sequence[str]:
    """Province words without a leading "tinh", "tp", "thanh pho"."""
    if len(words) >= 2 and words[0] == "thanh" and words[1] == "pho":
        return words[2:]
    if words and words[0] in ("tinh", "tp"):
        return words[1:]
    return words


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


def asset_path() -> Path:
    """units-2025.json among the bundled assets: <package>/_assets when installed or frozen
    (PyInstaller's datas, packaging/counter_app.spec), the repository's assets/ otherwise
    (the same rule as counter_app.paths.assets_dir, which the domain may not import)."""
    pkg = Path(__file__).resolve().parents[1]
    installed = pkg / "_assets"
    base = installed if installed.is_dir() else pkg.parent / "assets"
    return base / "admin_units" / ASSET_NAME


def from_data(data: dict[str, Any]) -> AdminUnits:
    """The units from the asset's JSON (see tools/build_admin_units.py for its layout)."""
    if data.get("format") != ASSET_FORMAT:
        raise ValueError(
            f"admin units asset: format {data.get('format')!r}, {ASSET_FORMAT} expected"
        )
    provinces = {code: Province(code, name) for code, name in data["provinces"]}
    communes: dict[str, Commune] = {}
    for code, name, prov, key, kind in data["communes"]:
        communes[code] = Commune(code, name, provinces[prov])
        _NAME_KEYS.setdefault(name, (key, kind))
    old_to_new: dict[tuple[str, str, str], tuple[str, ...]] = {}
    old_rows: OldRows = {}
    for row in data["old"]:
        key = (row[0], row[1], row[2])
        old_to_new[key] = tuple(row[3])
        if len(row) > 4:  # several old wards under one folded key: their names tell them apart
            old_rows[key] = tuple((w, d, tuple(codes)) for w, d, codes in row[4])
    return AdminUnits(str(data["version"]), provinces, communes, old_to_new, old_rows)


def load(path: Path | None = None) -> AdminUnits:
    """The units from the generated asset (default: the bundled one)."""
    with open(path or asset_path(), "rb") as f:
        return from_data(json.load(f))


@lru_cache(maxsize=1)
def default_units() -> AdminUnits:
    """The packaged list (loaded once)."""
    return load()


def with_overrides(base: AdminUnits, rows: Iterable[dict[str, str]]) -> AdminUnits:
    """Central's override list on top of the packaged one: each row {code, name,
    province_code} adds or renames a commune; {code, retired: "1"} removes one. The version
    then ends with "+overrides"."""
    communes = dict(base.communes)
    for r in rows:
        code = r["code"]
        if r.get("retired"):
            communes.pop(code, None)
            continue
        prov = base.provinces[r["province_code"]]
        communes[code] = Commune(code, r["name"], prov)
    return AdminUnits(
        base.version + "+overrides",
        base.provinces,
        communes,
        dict(base.old_to_new),
        dict(base.old_rows),
    )
