"""The 2025 administrative units (domain/admin_units): the generated asset against its
packages, conversion of real ID-card addresses, completion, versioning and overrides."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from counter_app.domain import admin_units as au
from counter_app.domain.admin_units import core, default_units, with_overrides
from counter_app.paths import assets_dir

ROOT = Path(__file__).resolve().parents[2]
BUILD_CMD = "uv run python tools/build_admin_units.py"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_admin_units", ROOT / "tools" / "build_admin_units.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


U = default_units()


def labels(cs: object) -> list[str]:
    return [c.label for c in cs]  # type: ignore[attr-defined]


# --- the asset ----------------------------------------------------------------------------


def test_asset_matches_the_installed_packages() -> None:
    builder = _builder()
    fresh = builder.render(builder.build()).splitlines()
    committed = au.asset_path().read_text(encoding="utf-8").splitlines()
    if fresh != committed:
        at = next(
            (i for i, (a, b) in enumerate(zip(fresh, committed, strict=False)) if a != b),
            min(len(fresh), len(committed)),
        )
        got = committed[at] if at < len(committed) else "(end)"
        want = fresh[at] if at < len(fresh) else "(end)"
        pytest.fail(
            f"{au.asset_path().relative_to(ROOT)} is out of date with the installed "
            f"vietnam-provinces / vietnam-address-converter (line {at + 1}: {got[:120]!r}, "
            f"the packages give {want[:120]!r}): run `{BUILD_CMD}` and commit the asset",
            pytrace=False,
        )


def test_every_mapping_row_joins_to_the_gso_list() -> None:
    data = json.loads(au.asset_path().read_text(encoding="utf-8"))
    assert data["unjoined"] == []
    assert data["counts"]["unjoined_rows"] == 0
    assert data["counts"]["mapping_rows"] == 10_358
    # every 2025 commune comes from some old one; the one exception is the converter's:
    # it maps the old Xã Suối Tọ (Phù Yên) to Xã Phù Yên although its own list, and the
    # GSO's, still has a Xã Suối Tọ (left as the data says: a correction is central's call)
    targets = {c for codes in U.old_to_new.values() for c in codes}
    assert [c.label for c in U.communes.values() if c.code not in targets] == [
        "Xã Suối Tọ, tỉnh Sơn La"
    ]


def test_counts_and_version() -> None:
    assert len(U.provinces) == 34
    assert len(U.communes) == 3_321
    assert len(U.communes_of("91")) == 102  # An Giang with Kiên Giang, as announced
    assert U.province("91").name == "Tỉnh An Giang"  # type: ignore[union-attr]
    assert U.version.startswith("vietnam-provinces 2025.10.1 + vietnam-address-converter")
    assert "(mapping 10_25)" in U.version


def test_asset_is_found_like_the_other_assets() -> None:
    assert au.asset_path() == assets_dir() / "admin_units" / "units-2025.json"
    spec = (ROOT / "packaging" / "counter_app.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "assets"), "counter_app/_assets")' in spec
    assert '"vietnam_provinces", "vietnam_address_converter"' in spec


def test_loading_never_imports_the_source_packages() -> None:
    code = (
        "import sys\n"
        "from counter_app.domain.admin_units import default_units\n"
        "u = default_units()\n"
        "print(len(u.communes), any(m.startswith('vietnam_') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3321", "False"]


def test_names_are_clean() -> None:
    # the package spells ten names with two spaces ("Xã  Bắc Đông Quan"): not on a receipt
    for c in U.communes.values():
        assert c.name == " ".join(c.name.split()), c.name
    assert U.commune("12745").name == "Xã Bắc Đông Quan"  # type: ignore[union-attr]


def test_every_old_ward_of_the_mapping_converts_to_its_new_wards() -> None:
    """All 10,358 rows, as an ID card prints them and typed in lower case: exactly the new
    wards of the old one (one: converted; several: split, every one of them)."""
    from vietnam_address_converter.data import DEFAULT_DATA

    expected: dict[tuple[str, str, str], set[str]] = {}
    for r in DEFAULT_DATA["mapping"]["rows"]:
        o = r["old"]
        place = (o["ward_name"], o["district_name"], o["province_name"])
        expected.setdefault(place, set()).add(core(r["new"]["ward_name"]))
    wrong = []
    for (ward, district, province), news in expected.items():
        for text in (
            f"Tổ 1, {ward}, {district}, {province}",
            f"tổ 1, {ward}, {district}, {province}".lower(),
        ):
            conv = U.convert(text)
            got = {core(c.name) for c in conv.candidates}
            status = "converted" if len(news) == 1 else "split"
            if got != news or conv.status != status:
                wrong.append((text, sorted(news), conv.status, sorted(got)))
    assert wrong == [], f"{len(wrong)} of {len(expected)} old wards: {wrong[:5]}"


def test_a_wrong_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        au.from_data({"format": 99})


# --- core ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Phường Văn Miếu - Quốc Tử Giám", "van mieu quoc tu giam"),
        ("Phường Văn Miếu-Quốc Tử Giám", "van mieu quoc tu giam"),
        ("TP. Hồ Chí Minh", "ho chi minh"),
        ("Tp. Hồ Chí Minh", "ho chi minh"),
        ("Thành Phố Cần Thơ", "can tho"),
        ("P.1", "1"),
        ("P1", "1"),
        ("Phường 01", "1"),
        ("Q.1", "1"),
        ("H. Đan Phượng", "dan phuong"),
        ("T.T. Phùng", "phung"),
        ("TT Phùng", "phung"),
        ("Phường Quán Thánh", "quan thanh"),
        ("Phường Phương Liệt", "phuong liet"),
        ("Quảng An", "quang an"),  # "quan" is a type word, "quang" is not
        ("Xã Cư M’gar", "cu mgar"),
        ("Huyện Cư M'gar", "cu mgar"),
        ("H'Neng", "hneng"),  # the apostrophe goes first: this "h" is no type word
        ("Xã H’Neng", "hneng"),
        ("  Xã  Mỹ Hòa Hưng ", "my hoa hung"),
    ],
)
def test_core(name: str, key: str) -> None:
    assert core(name) == key


# --- conversion of the card's old address -----------------------------------------------------


@pytest.mark.parametrize(
    ("card", "street", "new"),
    [
        # a merged commune
        (
            "Tổ 3, Phường Mỹ Bình, Thành phố Long Xuyên, An Giang",
            "Tổ 3",
            "Phường Long Xuyên, tỉnh An Giang",
        ),
        # a commune unchanged (its district gone)
        (
            "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang",
            "Ấp Mỹ Hòa",
            "Xã Mỹ Hòa Hưng, tỉnh An Giang",
        ),
        # a merged province: Hà Giang -> Tuyên Quang, Kiên Giang -> An Giang
        (
            "Tổ 1, Phường Quang Trung, Thành phố Hà Giang, Hà Giang",
            "Tổ 1",
            "Phường Hà Giang 2, tỉnh Tuyên Quang",
        ),
        (
            "Ấp 1, Xã Vĩnh Thạnh, Huyện Giồng Riềng, Kiên Giang",
            "Ấp 1",
            "Xã Long Thạnh, tỉnh An Giang",
        ),
        # a numbered ward of a former city, as printed and as typed
        (
            "Số 2, Phường 1, Thành phố Vĩnh Long, Vĩnh Long",
            "Số 2",
            "Phường Long Châu, tỉnh Vĩnh Long",
        ),
        ("Số 2, P.1, TP. Vĩnh Long, Vĩnh Long", "Số 2", "Phường Long Châu, tỉnh Vĩnh Long"),
        ("Số 2, P1, Tp Vĩnh Long, tỉnh Vĩnh Long", "Số 2", "Phường Long Châu, tỉnh Vĩnh Long"),
        ("Số 2, Phường 01, TP Vĩnh Long, Vĩnh Long", "Số 2", "Phường Long Châu, tỉnh Vĩnh Long"),
        # a first word that looks like a type word (the converter's own keys lose it)
        (
            "12 Hàng Bài, Phường Quán Thánh, Quận Ba Đình, Hà Nội",
            "12 Hàng Bài",
            "Phường Ba Đình, thành phố Hà Nội",
        ),
        ("Quán Thánh, Ba Đình, Hà Nội", "", "Phường Ba Đình, thành phố Hà Nội"),
        (
            "Số 1, Phường Phương Liệt, Quận Thanh Xuân, Hà Nội",
            "Số 1",
            "Phường Phương Liệt, thành phố Hà Nội",
        ),
        # abbreviations as on cards and as typed
        (
            "12 Lê Lợi, Phường Bến Nghé, Q.1, TP. Hồ Chí Minh",
            "12 Lê Lợi",
            "Phường Sài Gòn, thành phố Hồ Chí Minh",
        ),
        (
            "12 Lê Lợi, P. Bến Nghé, Quận 1, TP HCM",
            "12 Lê Lợi",
            "Phường Sài Gòn, thành phố Hồ Chí Minh",
        ),
        ("12 Lê Lợi, P Ben Nghe, Q1, TPHCM", "12 Lê Lợi", "Phường Sài Gòn, thành phố Hồ Chí Minh"),
        (
            "Khu 2, T.T. Phùng, H. Đan Phượng, TP. Hà Nội",
            "Khu 2",
            "Xã Đan Phượng, thành phố Hà Nội",
        ),
        # a province whose type is written otherwise ("Thành Phố", capital P)
        (
            "Số 3, Phường An Hòa, Quận Ninh Kiều, Thành Phố Cần Thơ",
            "Số 3",
            "Phường Cái Khế, thành phố Cần Thơ",
        ),
        # extra commas and spaces
        (
            "  Ấp Mỹ Hòa ,,  Xã  Mỹ Hòa Hưng ,  TP. Long Xuyên ,An Giang ,",
            "Ấp Mỹ Hòa",
            "Xã Mỹ Hòa Hưng, tỉnh An Giang",
        ),
        # apostrophes (the converter writes M'gar, the GSO list M’gar)
        ("Buôn A, Xã Ea Tul, Huyện Cư M'gar, Đắk Lắk", "Buôn A", "Xã Ea Tul, tỉnh Đắk Lắk"),
        ("Thôn 1, Thị trấn D'Ran, Huyện Đơn Dương, Lâm Đồng", "Thôn 1", "Xã D'Ran, tỉnh Lâm Đồng"),
    ],
)
def test_convert_to_one_commune(card: str, street: str, new: str) -> None:
    conv = U.convert(card)
    assert conv.status == "converted", conv
    assert labels(conv.candidates) == [new]
    assert conv.street == street
    assert conv.address() == (f"{street}, {new}" if street else new)


@pytest.mark.parametrize(
    "card",
    [
        "Khu 3, Huyện Côn Đảo, Tỉnh Bà Rịa-Vũng Tàu",
        "Khu 3, H. Côn Đảo, Bà Rịa - Vũng Tàu",
        "Khu 3, huyen con dao, BRVT",
    ],
)
def test_an_island_district_without_wards(card: str) -> None:
    conv = U.convert(card)
    assert conv.status == "converted"
    assert conv.address() == "Khu 3, Đặc khu Côn Đảo, thành phố Hồ Chí Minh"


def test_a_split_commune_gives_every_candidate_never_one() -> None:
    for card in (
        "Số 5, Phường Đội Cấn, Quận Ba Đình, Hà Nội",
        "so 5, phuong doi can, quan ba dinh, ha noi",
    ):
        conv = U.convert(card)
        assert conv.status == "split"
        assert labels(conv.candidates) == [
            "Phường Ba Đình, thành phố Hà Nội",
            "Phường Ngọc Hà, thành phố Hà Nội",
        ]
        assert conv.old_place == card.split(", ", 1)[1]
        assert conv.address(1) == card.split(",")[0] + ", Phường Ngọc Hà, thành phố Hà Nội"
    hyphen = U.convert("Số 1, Phường Văn Miếu - Quốc Tử Giám, Quận Đống Đa, Hà Nội")
    joined = U.convert("Số 1, Phường Văn Miếu-Quốc Tử Giám, Quận Đống Đa, Hà Nội")
    assert joined.candidates == hyphen.candidates
    assert hyphen.status == "split"
    assert "Phường Văn Miếu - Quốc Tử Giám, thành phố Hà Nội" in labels(hyphen.candidates)


def test_old_wards_that_fold_alike_are_told_apart_by_type_and_accents() -> None:
    # one old district held "Thị trấn Trạm Tấu" and "Xã Trạm Tấu", now different communes
    town = U.convert("Tổ 1, Thị trấn Trạm Tấu, Huyện Trạm Tấu, Yên Bái")
    assert labels(town.candidates) == ["Xã Hạnh Phúc, tỉnh Lào Cai"]
    assert labels(U.convert("Bản 1, TT. Trạm Tấu, H. Trạm Tấu, Yên Bái").candidates) == [
        "Xã Hạnh Phúc, tỉnh Lào Cai"
    ]
    assert labels(U.convert("Bản 1, Xã Trạm Tấu, Huyện Trạm Tấu, Yên Bái").candidates) == [
        "Xã Trạm Tấu, tỉnh Lào Cai"
    ]
    # "Xã Nghi Văn" and "Xã Nghi Vạn" of Nghi Lộc: the accents decide
    assert labels(U.convert("Xóm 1, Xã Nghi Văn, Huyện Nghi Lộc, Nghệ An").candidates) == [
        "Xã Văn Kiều, tỉnh Nghệ An"
    ]
    assert labels(U.convert("Xóm 1, Xã Nghi Vạn, Huyện Nghi Lộc, Nghệ An").candidates) == [
        "Xã Nghi Lộc, tỉnh Nghệ An"
    ]
    # typed without them: both, to choose from (never a guess)
    both = U.convert("Xom 1, Nghi Van, Nghi Loc, Nghe An")
    assert both.status == "split"
    assert set(labels(both.candidates)) == {
        "Xã Văn Kiều, tỉnh Nghệ An",
        "Xã Nghi Lộc, tỉnh Nghệ An",
    }


@pytest.mark.parametrize(
    "address",
    [
        "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, An Giang",
        "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang",
        "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Tỉnh An Giang",
        "Ấp Mỹ Hòa, xa my hoa hung, an giang",
        "Ấp Mỹ Hòa ,  Mỹ Hòa Hưng , An Giang, ",
    ],
)
def test_an_address_already_in_2025_units(address: str) -> None:
    conv = U.convert(address)
    assert conv.status == "current"
    assert conv.street == "Ấp Mỹ Hòa"
    assert conv.address() == "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang"
    assert U.recognise(address) == ("Ấp Mỹ Hòa", U.commune("30313"))


def test_same_name_twice_in_one_province() -> None:
    # Đồng Tháp has Phường Mỹ Tho and Xã Mỹ Thọ; Hải Phòng Xã Cẩm Giang and Xã Cẩm Giàng
    assert U.recognise("1, Phường Mỹ Tho, Đồng Tháp")[1].name == "Phường Mỹ Tho"  # type: ignore[union-attr]
    assert U.recognise("1, Xã Mỹ Thọ, Đồng Tháp")[1].name == "Xã Mỹ Thọ"  # type: ignore[union-attr]
    assert U.recognise("1, p my tho, dong thap")[1].name == "Phường Mỹ Tho"  # type: ignore[union-attr]
    assert U.recognise("1, Cẩm Giàng, Hải Phòng")[1].name == "Xã Cẩm Giàng"  # type: ignore[union-attr]
    assert U.recognise("1, Xã Cẩm Giang, Hải Phòng")[1].name == "Xã Cẩm Giang"  # type: ignore[union-attr]
    assert U.recognise("1, xa cam giang, hai phong") == ("1, xa cam giang, hai phong", None)


def test_unknown_addresses_stay_as_typed() -> None:
    conv = U.convert(" Ấp 3,  Xã Không Có, Nơi Nào Đó ")
    assert conv.status == "unknown" and conv.candidates == ()
    assert conv.original == conv.address() == "Ấp 3,  Xã Không Có, Nơi Nào Đó"
    assert conv.street == "Ấp 3, Xã Không Có, Nơi Nào Đó"
    assert U.convert("").status == "unknown"


# --- completion --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("my hoa hung", "Xã Mỹ Hòa Hưng, tỉnh An Giang"),
        ("MY HOA HUNG", "Xã Mỹ Hòa Hưng, tỉnh An Giang"),
        ("Mỹ Hòa H", "Xã Mỹ Hòa Hưng, tỉnh An Giang"),
        ("xa my hoa hung", "Xã Mỹ Hòa Hưng, tỉnh An Giang"),
        ("x. my hoa", "Xã Mỹ Hòa Hưng, tỉnh An Giang"),
        ("p long xuyen", "Phường Long Xuyên, tỉnh An Giang"),
        ("phuong long xuyen", "Phường Long Xuyên, tỉnh An Giang"),
        ("phuong liet", "Phường Phương Liệt, thành phố Hà Nội"),
        ("quan thanh", "Xã Quan Thành, tỉnh Nghệ An"),
        ("quang hanh", "Phường Quang Hanh, tỉnh Quảng Ninh"),  # "quan" + g is not a type
        ("xa dung", "Xã Xa Dung, tỉnh Điện Biên"),
        ("tinh tuc", "Xã Tĩnh Túc, tỉnh Cao Bằng"),
        ("ha giang 1", "Phường Hà Giang 1, tỉnh Tuyên Quang"),
        ("p. ha giang 2", "Phường Hà Giang 2, tỉnh Tuyên Quang"),
        ("van mieu quoc", "Phường Văn Miếu - Quốc Tử Giám, thành phố Hà Nội"),
        ("van mieu - quoc tu giam", "Phường Văn Miếu - Quốc Tử Giám, thành phố Hà Nội"),
        ("cu mgar", "Xã Cư M’gar, tỉnh Đắk Lắk"),
        ("cu m'gar", "Xã Cư M’gar, tỉnh Đắk Lắk"),
        ("p my tho", "Phường Mỹ Tho, tỉnh Đồng Tháp"),
        ("xa my tho", "Xã Mỹ Thọ, tỉnh Đồng Tháp"),
        ("long xuyen an giang", "Phường Long Xuyên, tỉnh An Giang"),
        ("long xuyen, tinh an giang", "Phường Long Xuyên, tỉnh An Giang"),
        ("my hoa an g", "Xã Mỹ Hòa Hưng, tỉnh An Giang"),
        ("long x, tinh an", "Phường Long Xuyên, tỉnh An Giang"),
        ("phu quoc an giang", "Đặc khu Phú Quốc, tỉnh An Giang"),
        ("dac khu phu quoc", "Đặc khu Phú Quốc, tỉnh An Giang"),
    ],
)
def test_complete_finds(typed: str, first: str) -> None:
    assert labels(U.complete(typed))[0] == first


def test_complete_province_words_narrow() -> None:
    # Đức Hòa exists in several provinces; the province's words pick one
    everywhere = U.complete("tan an", limit=50)
    assert len({c.province.code for c in everywhere}) > 1
    narrowed = U.complete("tan an tay ninh", limit=50)
    assert narrowed and {c.province.short for c in narrowed} == {"Tây Ninh"}
    assert U.complete("long xuyen ha noi") == []
    assert {c.province.short for c in U.complete("my an giang", limit=50)} == {"An Giang"}


def test_complete_ranks_home_commune_then_province_then_name() -> None:
    got = U.complete("my", home_commune="30313", home_province="91", limit=12)
    assert got[0].code == "30313"
    provs = [c.province.code for c in got]
    home = provs.count("91")
    assert 1 < home < len(provs)  # An Giang's "Mỹ …" first, then the rest of the country
    assert provs[:home] == ["91"] * home
    plain = U.complete("my", limit=8)
    assert [core(c.name) for c in plain] == sorted(core(c.name) for c in plain)


def test_complete_limit_and_empty() -> None:
    assert len(U.complete("a", limit=3)) == 3
    assert len(U.complete("t")) == 8
    assert U.complete("") == [] and U.complete("  ,  ") == []
    assert U.complete("mhh") == []
    assert U.complete("zzzz") == []


def test_complete_province() -> None:
    assert [p.code for p in U.complete_province("tp hcm")] == ["79"]
    assert [p.code for p in U.complete_province("TP.HCM")] == ["79"]
    assert [p.short for p in U.complete_province("an g")] == ["An Giang"]
    assert [p.short for p in U.complete_province("ha")][:1] == ["Hà Nội"]
    assert {p.short for p in U.complete_province("ha")} >= {"Hà Nội", "Hà Tĩnh", "Hải Phòng"}
    assert U.complete_province("") == []
    assert U.find_province("Thành Phố Cần Thơ").code == "92"  # type: ignore[union-attr]
    assert U.find_province("TP. Hồ Chí Minh").code == "79"  # type: ignore[union-attr]


# --- overrides and versions -----------------------------------------------------------------------


def test_with_overrides_marks_the_version_and_keeps_conversion() -> None:
    renamed = with_overrides(
        U,
        [
            {"code": "30313", "name": "Xã Mỹ Hòa Hưng Mới", "province_code": "91"},
            {"code": "99999", "name": "Phường Thử Nghiệm", "province_code": "91"},
            {"code": "00004", "retired": "1"},  # Phường Ba Đình
        ],
    )
    assert renamed.version == U.version + "+overrides"
    assert renamed.commune("30313").name == "Xã Mỹ Hòa Hưng Mới"  # type: ignore[union-attr]
    assert labels(renamed.complete("thu nghiem")) == ["Phường Thử Nghiệm, tỉnh An Giang"]
    assert renamed.commune("00004") is None
    conv = renamed.convert("Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang")
    assert labels(conv.candidates) == ["Xã Mỹ Hòa Hưng Mới, tỉnh An Giang"]
    # a retired candidate of a split is dropped, the others remain
    doi_can = renamed.convert("Số 5, Phường Đội Cấn, Quận Ba Đình, Hà Nội")
    assert doi_can.status == "converted"
    assert labels(doi_can.candidates) == ["Phường Ngọc Hà, thành phố Hà Nội"]
    # the packaged list is untouched
    assert U.commune("30313").name == "Xã Mỹ Hòa Hưng"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Khóm 3, Phường Long Xuyên, tỉnh An Giang", "30307"),
        ("Khóm 3, P. Long Xuyên, An Giang", "30307"),
        ("Khóm 3, Long Xuyên, An Giang", "30307"),
        # an old district's type word: the old city of Long Xuyên is not Phường Long Xuyên
        ("Khóm 3, Thành phố Long Xuyên, An Giang", None),
        ("Khóm 3, TP Long Xuyên, An Giang", None),
        ("Thôn 1, Huyện Quan Sơn, Thanh Hóa", None),
        # a first word that only looks like a type word is part of the name
        ("Thôn 1, Quan Sơn, Thanh Hóa", "Xã Quan Sơn"),
        ("Thôn 1, Xã Quan Sơn, Thanh Hóa", "Xã Quan Sơn"),
        ("số 1, Phú Quốc, An Giang", "Đặc khu Phú Quốc"),
        ("số 1, Huyện Phú Quốc, An Giang", None),
        # an old ward, district, province without type words is converted, not read as 2025
        ("Mỹ Hòa Hưng, Long Xuyên, An Giang", None),
        ("Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang", None),
    ],
)
def test_recognise_takes_only_a_2025_commune_as_written(address: str, expected: str | None) -> None:
    _, commune = default_units().recognise(address)
    if expected is None:
        assert commune is None
    elif expected.isdigit():
        assert commune is not None and commune.code == expected
    else:
        assert commune is not None and commune.name == expected
