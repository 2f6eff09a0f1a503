"""Issue 16 (store): `address find | convert | show | info` — JSON shapes, the unit's own
commune ranked first, a split commune's every candidate, bad input refused in Vietnamese."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest
from cli_helpers import assert_one_vietnamese_line


def ok(res):
    assert res.rc == 0, res.err
    return json.loads(res.out)


def test_find_completes_without_accents(cli, demo_db):
    rows = ok(cli("--json", "address", "find", "my hoa hung"))
    assert rows[0] == {
        "code": "30313",
        "name": "Xã Mỹ Hòa Hưng",
        "province": "Tỉnh An Giang",
        "label": "Xã Mỹ Hòa Hưng, tỉnh An Giang",
    }
    assert len(ok(cli("--json", "address", "find", "my", "--limit", "3"))) == 3
    assert "30313  Xã Mỹ Hòa Hưng, tỉnh An Giang" in cli("address", "find", "my hoa hung").out


def test_find_ranks_the_units_own_commune_first(cli, demo_db):
    with closing(sqlite3.connect(demo_db)) as con, con:
        con.execute("UPDATE units SET commune_code = ''")  # the demo unit is Xã Mỹ Hòa Hưng
    before = ok(cli("--json", "address", "find", "my", "--limit", "100"))
    assert before[0]["code"] != "30313"
    with closing(sqlite3.connect(demo_db)) as con, con:
        con.execute("UPDATE units SET commune_code = '30313'")
    after = ok(cli("--json", "address", "find", "my", "--limit", "100"))
    assert after[0]["code"] == "30313"
    # then the communes of its province (An Giang) before any other province's
    provinces = [r["province"] for r in after[1:]]
    first_other = next(i for i, p in enumerate(provinces) if p != "Tỉnh An Giang")
    assert all(p != "Tỉnh An Giang" for p in provinces[first_other:])


def test_convert_an_old_card_address(cli, demo_db):
    out = ok(
        cli(
            "--json",
            "address",
            "convert",
            "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang",
        )
    )
    assert out == {
        "status": "converted",
        "street": "Ấp Mỹ Hòa",
        "old_place": "Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang",
        "candidates": [
            {
                "code": "30313",
                "label": "Xã Mỹ Hòa Hưng, tỉnh An Giang",
                "address": "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang",
            }
        ],
    }


def test_convert_a_split_commune_lists_every_candidate(cli, demo_db):
    out = ok(cli("--json", "address", "convert", "Tổ 3, Phường Vĩnh Châu, TP. Châu Đốc, An Giang"))
    assert out["status"] == "split"
    assert {c["label"] for c in out["candidates"]} == {
        "Phường Vĩnh Tế, tỉnh An Giang",
        "Phường Châu Đốc, tỉnh An Giang",
    }
    assert all(c["address"].startswith("Tổ 3, Phường ") for c in out["candidates"])
    human = cli("address", "convert", "Tổ 3, Phường Vĩnh Châu, TP. Châu Đốc, An Giang").out
    assert "chọn một" in human


def test_convert_current_and_unknown(cli, demo_db):
    cur = ok(cli("--json", "address", "convert", "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang"))
    assert cur["status"] == "current" and cur["candidates"][0]["code"] == "30313"
    unk = ok(cli("--json", "address", "convert", "Ấp Mỹ Hòa, gần chợ"))
    assert unk == {
        "status": "unknown",
        "street": "Ấp Mỹ Hòa, gần chợ",
        "old_place": "",
        "candidates": [],
    }


def test_show_and_info(cli, demo_db):
    assert ok(cli("--json", "address", "show", "30313"))["province_code"] == "91"
    info = ok(cli("--json", "address", "info"))
    assert info["provinces"] == 34 and info["communes"] > 3000 and info["overrides"] == 0
    assert info["version"].startswith("vietnam-provinces")
    assert "34 tỉnh/thành phố" in cli("address", "info").out


@pytest.mark.parametrize(
    "args",
    [
        ("show", "99999"),
        ("show", "abc"),
        ("find", "   "),
        ("convert", ""),
        ("find", "my", "--limit", "0"),
        ("find", "my", "--limit", "101"),
    ],
)
def test_bad_input_is_refused_in_vietnamese(cli, demo_db, args):
    res = cli("address", *args)
    assert res.rc == 1 and res.out == ""
    assert_one_vietnamese_line(res.err, strip=("99999", "abc"))


def test_usage_errors_exit_2(cli, demo_db):
    assert cli("address").rc == 2
    assert cli("address", "find").rc == 2
    assert cli("address", "find", "x", "--limit", "many").rc == 2
