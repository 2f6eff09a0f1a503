"""Issue 16 (store): the applicant's 2025 commune at intake — read from the text, given as a
code, refused only when unknown or contradicting; the card's own address kept; the outbox
payload, the request fingerprint, the dossier's JSON and the returning applicant."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from cli_helpers import assert_one_vietnamese_line, intake_payload, with_applicant

MY_HOA_HUNG = "30313"  # Xã Mỹ Hòa Hưng, tỉnh An Giang
LONG_XUYEN = "30307"  # Phường Long Xuyên, tỉnh An Giang
OLD_CARD = "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, Thành phố Long Xuyên, An Giang"


def ok(res):
    assert res.rc == 0, res.err
    return json.loads(res.out)


def stored(db: Path, code: str) -> tuple[str, str | None, str]:
    with closing(sqlite3.connect(db)) as con:
        row = con.execute(
            "SELECT applicant_address, applicant_commune_code, applicant_address_card"
            " FROM dossiers WHERE code = ?",
            (code,),
        ).fetchone()
    return row[0], row[1], row[2]


def payload_applicant(db: Path, code: str) -> dict:
    with closing(sqlite3.connect(db)) as con:
        for (text,) in con.execute("SELECT payload FROM outbox WHERE kind = 'dossier'"):
            p = json.loads(text)
            if p["code"] == code:
                return p["applicant"]
    raise AssertionError(code)


def intake(cli, write_json, body) -> str:
    [out] = ok(cli("--json", "intake", write_json(body), "--clerk", "canbo1"))
    return out["code"]


def test_an_address_ending_with_a_2025_commune_is_recognised(cli, demo_db, write_json):
    code = intake(
        cli, write_json, with_applicant(address="Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang")
    )
    assert stored(demo_db, code) == ("Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang", MY_HOA_HUNG, "")
    assert payload_applicant(demo_db, code)["commune_code"] == MY_HOA_HUNG
    assert "address_card" not in payload_applicant(demo_db, code)


def test_an_unmatched_address_is_kept_unverified_never_refused(cli, demo_db, write_json):
    for text in ("Ấp Mỹ Hòa, gần chợ", OLD_CARD, ""):
        code = intake(cli, write_json, with_applicant(address=text))
        # the old card text is NOT read as "Phường Long Xuyên" (its district was a city)
        assert stored(demo_db, code) == (text, None, "")
        assert payload_applicant(demo_db, code)["commune_code"] is None
        shown = ok(cli("--json", "show", code))["applicant"]
        assert shown["commune"] is None and shown["address_verified"] is False


def test_a_code_with_a_street_gets_the_commune_label_appended(cli, demo_db, write_json):
    code = intake(cli, write_json, with_applicant(address="Ấp Mỹ Hòa", commune_code=MY_HOA_HUNG))
    assert stored(demo_db, code) == (
        "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang",
        MY_HOA_HUNG,
        "",
    )
    # only the code: the label alone
    code = intake(cli, write_json, with_applicant(address="", commune_code=MY_HOA_HUNG))
    assert stored(demo_db, code)[0] == "Xã Mỹ Hòa Hưng, tỉnh An Giang"


def test_a_code_matching_the_text_keeps_the_text_as_typed(cli, demo_db, write_json):
    text = "Ấp Mỹ Hòa, xa My Hoa Hung, An Giang"
    code = intake(cli, write_json, with_applicant(address=text, commune_code=MY_HOA_HUNG))
    assert stored(demo_db, code) == (text, MY_HOA_HUNG, "")


def test_an_unknown_or_contradicting_code_is_refused(cli, demo_db, write_json, db_snapshot):
    before = db_snapshot(demo_db)
    for bad in ("99999", "3031", "abcde", "303130"):
        res = cli("intake", write_json(with_applicant(commune_code=bad)), "--clerk", "canbo1")
        assert res.rc == 1 and res.out == ""
        line = assert_one_vietnamese_line(res.err)
        assert "Xã/phường" in line and "2025" in line
    res = cli("intake", write_json(with_applicant(commune_code=12345)), "--clerk", "canbo1")
    assert res.rc == 1 and "chuỗi" in res.err
    # the text names Phường Long Xuyên, the code Xã Mỹ Hòa Hưng: one of them is wrong
    before = db_snapshot(demo_db)
    body = with_applicant(
        address="12 Lê Lợi, phường Long Xuyên, tỉnh An Giang", commune_code=MY_HOA_HUNG
    )
    res = cli("intake", write_json(body), "--clerk", "canbo1")
    assert res.rc == 1
    line = assert_one_vietnamese_line(res.err)
    assert "Phường Long Xuyên" in line and "Xã Mỹ Hòa Hưng" in line
    assert db_snapshot(demo_db) == before


def test_the_card_text_is_kept_with_the_converted_address(cli, demo_db, write_json):
    body = with_applicant(
        address="Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang",
        commune_code=MY_HOA_HUNG,
        address_card=OLD_CARD,
    )
    code = intake(cli, write_json, body)
    assert stored(demo_db, code) == (
        "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang",
        MY_HOA_HUNG,
        OLD_CARD,
    )
    ap = payload_applicant(demo_db, code)
    assert ap["commune_code"] == MY_HOA_HUNG and ap["address_card"] == OLD_CARD
    shown = ok(cli("--json", "show", code))["applicant"]
    assert shown["commune"] == {
        "code": MY_HOA_HUNG,
        "name": "Xã Mỹ Hòa Hưng",
        "province": "Tỉnh An Giang",
        "label": "Xã Mỹ Hòa Hưng, tỉnh An Giang",
    }
    assert shown["address_verified"] is True and shown["address_card"] == OLD_CARD
    human = cli("show", code).out
    assert "Xã/phường: Xã Mỹ Hòa Hưng, tỉnh An Giang" in human
    assert f"Địa chỉ trên thẻ: {OLD_CARD}" in human
    # a card text equal to the address is no conversion: nothing kept twice
    same = "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang"
    code = intake(cli, write_json, with_applicant(address=same, address_card=same))
    assert stored(demo_db, code)[2] == ""
    too_long = cli(
        "intake", write_json(with_applicant(address_card="x" * 301)), "--clerk", "canbo1"
    )
    assert too_long.rc == 1 and "Địa chỉ trên thẻ" in too_long.err


def test_an_unverified_dossier_says_so_in_show(cli, demo_db, write_json):
    code = intake(cli, write_json, with_applicant(address="Ấp Mỹ Hòa, gần chợ"))
    assert "chưa xác minh" in cli("show", code).out


def test_the_fingerprint_includes_the_commune_and_card_text():
    from counter_app.services.intake import parse_intake

    plain = parse_intake(intake_payload())
    base = plain.fingerprint()
    with_code = parse_intake(with_applicant(commune_code=LONG_XUYEN))
    with_card = parse_intake(with_applicant(address_card=OLD_CARD))
    assert len({base, with_code.fingerprint(), with_card.fingerprint()}) == 3
    # a request without the new keys keeps the fingerprint it had before them
    import dataclasses
    import hashlib

    body = {
        k: v
        for k, v in dataclasses.asdict(plain).items()
        if k not in ("request_id", "scans", "commune_code", "address_card")
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    assert base == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_repeated_request_id_with_another_commune_is_refused(cli, demo_db, write_json):
    first = with_applicant(commune_code=LONG_XUYEN) | {"request_id": "r-16"}
    intake(cli, write_json, first)
    again = with_applicant(commune_code=MY_HOA_HUNG) | {"request_id": "r-16"}
    assert cli("intake", write_json(again), "--clerk", "canbo1").rc == 1


def test_the_returning_applicant_brings_the_commune(cli, demo_db, write_json, make_context):
    from counter_app.services.intake import returning_applicant

    intake(cli, write_json, with_applicant(address="Ấp Mỹ Hòa", commune_code=MY_HOA_HUNG))
    found = returning_applicant(make_context(demo_db), "079090001234")
    assert found is not None
    assert found["commune_code"] == MY_HOA_HUNG
    assert found["address"] == "Ấp Mỹ Hòa, Xã Mỹ Hòa Hưng, tỉnh An Giang"


def test_a_corrected_address_takes_its_new_commune(cli, demo_db, write_json):
    code = intake(cli, write_json, with_applicant(address="Ấp Mỹ Hòa, gần chợ"))
    assert stored(demo_db, code)[1] is None
    res = cli(
        "dossier",
        code,
        "correct",
        "--field",
        "address",
        "--value",
        "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, tỉnh An Giang",
        "--by",
        "canbo1",
    )
    assert res.rc == 0, res.err
    assert stored(demo_db, code)[1] == MY_HOA_HUNG
    shown = ok(cli("--json", "show", code))
    assert shown["applicant"]["address_verified"] is True
    [ev] = [e for e in shown["events"] if e["kind"] == "corrected"]
    assert ev["data"]["changes"]["commune_code"] == [None, MY_HOA_HUNG]
    assert "Mã xã/phường: — → 30313" in cli("show", code).out
    # back to a text naming no commune: unverified again
    res = cli("dossier", code, "correct", "--field", "address", "--value", "Ấp 3", "--by", "canbo1")
    assert res.rc == 0, res.err
    assert stored(demo_db, code)[1] is None
