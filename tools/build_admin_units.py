"""Build assets/admin_units/units-2025.json, the 2025 administrative units the app loads.

    uv run python tools/build_admin_units.py            # write the asset
    uv run python tools/build_admin_units.py --check    # exit 1 if it differs from the packages

Sources (development dependencies only; the app never imports them):
- `vietnam-provinces`: the 34 provinces and 3,321 communes, wards and special zones with the
  statistics office's (GSO) codes;
- `vietnam-address-converter`: its mapping rows, old (2024) province / district / ward ->
  new (2025) ward, by name. Its own codes and matcher are not used: each new ward is joined
  by name to the GSO list here (accents, type word, apostrophes and hyphens as
  counter_app.domain.admin_units.core folds them; names that fold alike are told apart by
  their type and accents).

Layout (one row a line, so that a data update reads as a diff):
  format, version, sources, counts,
  provinces: [code, name with type],
  communes: [code, name with type, province code, core of the name, folded type word],
  old: [province core, district core, ward core, [2025 codes]], and where several old wards
       fold to one key ("Xã Tân Thành" / "Xã Tân Thạnh" of one district) a fifth item
       [[old ward name, old district name, [2025 codes]], …] to tell them apart,
  unjoined: mapping rows whose new ward did not join (with the reason; expected empty).

Run it after upgrading either package (`uv lock --upgrade-package vietnam-provinces`), then
commit the asset; tests/unit/test_admin_units.py fails while the two disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from counter_app.domain.admin_units import (  # noqa: E402
    ASSET_FORMAT,
    ASSET_NAME,
    AdminUnits,
    Commune,
    Province,
    core,
    name_key,
)

OUT = ROOT / "assets" / "admin_units" / ASSET_NAME


def _clean(name: str) -> str:
    """NFC, single spaces: the package writes ten names with two ("Xã  Bắc Đông Quan")."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def build() -> dict[str, Any]:
    """The asset's content from the installed packages."""
    import vietnam_provinces as vp
    from vietnam_address_converter.data import DEFAULT_DATA

    provinces: dict[str, Province] = {}
    for p in vp.Province.iter_all():
        name = _clean(p.name)
        name = name if name.startswith("Thành phố") else f"Tỉnh {name}"
        code = f"{int(p.code):02d}"
        provinces[code] = Province(code, name)
    communes: dict[str, Commune] = {}
    for w in vp.Ward.iter_all():
        code = f"{int(w.code):05d}"
        communes[code] = Commune(code, _clean(w.name), provinces[f"{int(w.province_code):02d}"])
    units = AdminUnits("", provinces, communes)

    mapping = DEFAULT_DATA["mapping"]
    by_old: dict[tuple[str, str, str], list[str]] = {}  # (province, district, ward) as written
    unjoined: list[list[str]] = []
    for row in mapping["rows"]:
        old, new = row["old"], row["new"]
        place = (old["province_name"], old["district_name"], old["ward_name"])
        codes = by_old.setdefault(place, [])
        prov = units.find_province(new["province_name"])
        if prov is None:
            unjoined.append([*place, new["province_name"], new["ward_name"], "no such province"])
            continue
        hits = units._named(prov, new["ward_name"])
        if len(hits) != 1:
            why = "no such ward" if not hits else f"{len(hits)} wards of that name"
            unjoined.append([*place, new["province_name"], new["ward_name"], why])
            continue
        if hits[0].code not in codes:
            codes.append(hits[0].code)

    old_rows: dict[tuple[str, str, str], list[list[Any]]] = {}
    for (prov_name, dist_name, ward_name), codes in by_old.items():
        if not codes:
            continue
        key = (core(prov_name), core(dist_name), core(ward_name))
        old_rows.setdefault(key, []).append([ward_name, dist_name, codes])
    old: list[list[Any]] = []
    for key, rows in sorted(old_rows.items()):
        union = list(dict.fromkeys(c for _, _, codes in rows for c in codes))
        old.append([*key, union, rows] if len(rows) > 1 else [*key, union])

    versions = {
        "vietnam-provinces": dist_version("vietnam-provinces"),
        "vietnam-address-converter": dist_version("vietnam-address-converter"),
        "mapping": str(mapping["meta"]["version"]),
    }
    return {
        "format": ASSET_FORMAT,
        "version": (
            f"vietnam-provinces {versions['vietnam-provinces']} + vietnam-address-converter "
            f"{versions['vietnam-address-converter']} (mapping {versions['mapping']})"
        ),
        "sources": versions,
        "counts": {
            "provinces": len(provinces),
            "communes": len(communes),
            "mapping_rows": len(mapping["rows"]),
            "old_wards": sum(len(v) for v in old_rows.values()),
            "old_keys_shared": sum(1 for v in old_rows.values() if len(v) > 1),
            "unjoined_rows": len(unjoined),
        },
        "provinces": [[p.code, p.name] for p in sorted(provinces.values(), key=lambda p: p.code)],
        "communes": [
            [c.code, c.name, c.province.code, *name_key(c.name)]
            for c in sorted(communes.values(), key=lambda c: c.code)
        ],
        "old": old,
        "unjoined": sorted(unjoined),
    }


def render(data: dict[str, Any]) -> str:
    """JSON with one row a line (stable: the same packages give the same bytes)."""

    def dump(x: Any) -> str:
        return json.dumps(x, ensure_ascii=False, separators=(",", ":"))

    out = ["{"]
    keys = list(data)
    for i, k in enumerate(keys):
        v = data[k]
        end = "," if i < len(keys) - 1 else ""
        if isinstance(v, list):
            if not v:
                out.append(f"{dump(k)}:[]{end}")
                continue
            out.append(f"{dump(k)}:[")
            out.extend(dump(r) + ("," if j < len(v) - 1 else "") for j, r in enumerate(v))
            out.append(f"]{end}")
        else:
            out.append(f"{dump(k)}:{dump(v)}{end}")
    out.append("}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    data = build()
    text = render(data)
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.out} differs from the installed packages")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    c = data["counts"]
    print(
        f"{args.out}: {args.out.stat().st_size:,} bytes; {data['version']}; "
        f"{c['provinces']} provinces, {c['communes']:,} communes, {c['old_wards']:,} old wards "
        f"from {c['mapping_rows']:,} mapping rows, {c['unjoined_rows']} rows not joined"
    )
    for r in data["unjoined"]:
        print("  not joined:", " | ".join(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
