"""Issue 16 on central: the applicant's commune projected onto central.dossiers (c0009) from
whatever a unit sends, filled in for the dossiers already held when central is upgraded, the
province report by commune (JSON, CSV, PDF), and central's override list of communes
published, pulled by a counter and applied to its list."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sync_support import NINE, admin, as_unit, central_at, take_dossiers
from sync_support import UNIT_A as A
from sync_support import UNIT_B as B

from counter_app.db.models import AdminUnitOverride, Dossier, OutboxEvent
from counter_app.domain.report import COUNT_KEYS
from counter_app.services.actions import act
from counter_app.services.admin_units import units
from counter_app.services.sync import Syncer
from counter_app.sync import central
from counter_app.sync.central_report import province_report

NOV = ("2026-11-01", "2026-11-30")
ABSENT = object()  # the key left out of the payload (an event from before issue 16)


def _codes(ctx: Any) -> list[str]:
    with ctx.uow.read() as s:
        return list(s.scalars(select(Dossier.code).order_by(Dossier.code)))


def _take(ctx: Any, n: int, start: int = 0) -> list[str]:
    """n new dossiers; their codes in order (a demo counter holds demo dossiers already)."""
    before = set(_codes(ctx))
    take_dossiers(ctx, n, start=start)
    return [c for c in _codes(ctx) if c not in before]


def _send_communes(ctx: Any, codes: list[str], values: list[object]) -> list[str]:
    """The dossier events of these dossiers carry these commune codes as the unit would send
    them (services/intake writes `applicant.commune_code`); ABSENT removes the key."""
    wanted = dict(zip(codes, values, strict=True))
    with ctx.uow.write() as s:
        for ev in s.scalars(select(OutboxEvent).where(OutboxEvent.kind == "dossier")):
            if ev.payload["code"] not in wanted:
                continue
            value = wanted[ev.payload["code"]]
            payload = json.loads(json.dumps(ev.payload))
            if value is ABSENT:  # an older counter's event: no such key at all
                payload["applicant"].pop("commune_code", None)
            else:
                payload["applicant"]["commune_code"] = value
            ev.payload = payload
    return codes


def _central_communes(url: str) -> dict[str, str | None]:
    with admin(url) as c:
        return dict(c.execute("SELECT code, commune_code FROM central.dossiers").fetchall())


HOSTILE: list[tuple[object, str | None]] = [
    ("30313", "30313"),  # valid
    (ABSENT, None),  # an older counter
    ("303131", None),  # too long
    ("3031", None),  # too short
    ("30313'; DROP TABLE central.dossiers; --", None),  # SQL-ish
    (30313, None),  # a number, not a string
    (["30313"], None),  # a list
    ({"code": "30313"}, None),  # an object
    ("30313\n", None),  # a trailing newline
    (" 30313", None),  # a leading space
    ("٣٠٣١٣", None),  # digits, but not ASCII ones
    (None, None),  # JSON null
    ("x" * 5000, None),  # long junk
]


def test_the_commune_is_projected_and_anything_else_becomes_null(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    a = counter(A)
    codes = _send_communes(a, _take(a, len(HOSTILE)), [v for v, _ in HOSTILE])
    report = Syncer(a, transports(unit_urls[A])).run_once()
    assert report.waiting == 0 and report.rejected == 0 and report.new_rejections == 0
    got = _central_communes(central_url)
    assert [got[c] for c in codes] == [want for _, want in HOSTILE]
    with admin(central_url) as c:
        assert c.execute("SELECT count(*) FROM central.rejections").fetchone() == (0,)
    # The unit reads its own dossiers' commune back (row policy as before), nobody else's.
    with as_unit(unit_urls[B]) as c:
        assert c.execute("SELECT count(*) FROM central.dossiers").fetchone() == (0,)
    with as_unit(unit_urls[A]) as c:
        seen = c.execute(
            "SELECT count(commune_code) FROM central.dossiers WHERE code = ANY(%s)", (codes,)
        ).fetchone()
        assert seen == (1,)


def test_an_upgraded_central_fills_the_commune_of_the_dossiers_it_holds(
    pg_url: str, counter: Any, transports: Any
) -> None:
    # A central as c0008 left it, with dossiers pushed by a counter that already sends codes.
    central_at(pg_url, "c0008")
    url = central.add_unit(pg_url, central.UnitSpec(A, "UBND XÃ H01"))["url"]
    a = counter(A)
    codes = _send_communes(a, _take(a, 4), ["30313", "30307", "bad", ABSENT])
    assert Syncer(a, transports(url)).run_once().waiting == 0
    with admin(pg_url) as c:
        column = c.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_schema = 'central' AND table_name = 'dossiers' "
            "AND column_name = 'commune_code'"
        ).fetchone()
        assert column is None

    assert central.init_central(pg_url)["schema"] == central.head_revision()
    got = _central_communes(pg_url)
    assert [got[c] for c in codes] == ["30313", "30307", None, None]
    # and from now on project_range takes it as the events arrive
    new = _send_communes(a, _take(a, 1, start=10), ["30313"])
    assert Syncer(a, transports(url)).run_once().waiting == 0
    assert _central_communes(pg_url)[new[0]] == "30313"


def _report_setup(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> tuple[Any, Any]:
    a, b = counter(A), counter(B, name="c2")
    ca = _send_communes(a, _take(a, 5), ["30313", "30313", "30307", ABSENT, "99999"])
    cb = _send_communes(b, _take(b, 4, start=10), ["30313", "junk", ABSENT, "30307"])
    # every other dossier (the demo counters' own) as a counter before issue 16 sent it
    for ctx, mine in ((a, ca), (b, cb)):
        others = [c for c in _codes(ctx) if c not in mine]
        _send_communes(ctx, others, [ABSENT] * len(others))
    later = NINE + timedelta(minutes=1)
    act(a, ca[0], "result-ready", "canbo1", at=later)
    act(b, cb[3], "result-ready", "canbo1", at=later)
    act(a, ca[2], "refuse", "canbo1", at=later, reason="Không đủ điều kiện")
    for ctx, unit in ((a, A), (b, B)):
        assert Syncer(ctx, transports(unit_urls[unit])).run_once().waiting == 0
    return a, b


def test_the_province_report_by_commune(
    central_url: str,
    unit_urls: dict[str, str],
    counter: Any,
    transports: Any,
    cli: Any,
    tmp_path: Path,
) -> None:
    _report_setup(central_url, unit_urls, counter, transports)
    from datetime import date

    rep = province_report(central_url, date(2026, 11, 1), date(2026, 11, 30))
    rows = {r["code"]: r for r in rep["by_commune"]}
    # most received first, then by name; the unmatched last
    assert [r["code"] for r in rep["by_commune"]] == ["30313", "30307", "99999", None]
    assert rows["30313"]["name"] == "Xã Mỹ Hòa Hưng, tỉnh An Giang"
    assert rows["30307"]["name"] == "Phường Long Xuyên, tỉnh An Giang"
    assert rows["99999"]["name"] == "99999"  # a code the list does not know: shown as is
    assert rows[None]["name"] == "Chưa xác định"
    # the demo counters' own dossiers (taken before issue 16) have no commune either
    assert {c: r["received"] for c, r in rows.items()} == {
        "30313": 3,
        "30307": 2,
        "99999": 1,
        None: rep["totals"]["received"] - 6,
    }
    assert rows[None]["received"] >= 3
    assert rows["30313"]["resolved"] == 1 and rows["30307"]["resolved"] == 1
    assert rows["30307"]["refused"] == 1
    # the same keys as a sector's row, and together they are the province
    sector_keys = set(rep["by_sector"][0]) - {"sector"}
    for r in rep["by_commune"]:
        assert set(r) - {"code", "name"} == sector_keys
    for k in COUNT_KEYS:
        assert sum(int(r[k]) for r in rep["by_commune"]) == rep["totals"][k], k

    # central's override list names a commune the packaged list does not have
    res = cli(
        "--json",
        "central",
        "address-units",
        "--url",
        central_url,
        "import",
        _write(
            tmp_path / "ds.json",
            {
                "version": "2026-12",
                "units": [{"code": "99999", "name": "Xã Thử Nghiệm", "province_code": "91"}],
            },
        ),
        db=None,
    )
    assert res.rc == 0, res.err
    argv = ["central", "report", "--url", central_url, "--from", NOV[0], "--to", NOV[1]]
    res = cli("--json", *argv, db=None)
    assert res.rc == 0, res.err
    named = {r["code"]: r["name"] for r in json.loads(res.out)["by_commune"]}
    assert named["99999"] == "Xã Thử Nghiệm, tỉnh An Giang"

    res = cli(*argv, "-o", tmp_path / "tinh.csv", db=None)
    assert res.rc == 0, res.err
    lines = list(csv.reader(io.StringIO((tmp_path / "tinh.csv").read_text("utf-8-sig"))))
    head = lines[0]
    block = [dict(zip(head, line, strict=True)) for line in lines if line[0] == "xa_phuong"]
    assert [(r["ma"], r["ten"], r["received"]) for r in block] == [
        ("30313", "Xã Mỹ Hòa Hưng, tỉnh An Giang", "3"),
        ("30307", "Phường Long Xuyên, tỉnh An Giang", "2"),
        ("99999", "Xã Thử Nghiệm, tỉnh An Giang", "1"),
        ("", "Chưa xác định", str(rows[None]["received"])),
    ]

    out = tmp_path / "tinh.pdf"
    res = cli(*argv, "-o", out, db=None)
    assert res.rc == 0, res.err
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    shots = os.environ.get("REPORT_SHOTS")  # for a person to look at
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        (Path(shots) / "central-report-communes.pdf").write_bytes(out.read_bytes())
    assert "Theo xã/phường của người nộp" in text
    assert "Xã Mỹ Hòa Hưng, tỉnh An Giang" in text and "Chưa xác định" in text


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def test_the_override_list_is_published_pulled_and_applied(
    central_url: str,
    unit_urls: dict[str, str],
    counter: Any,
    transports: Any,
    cli: Any,
    tmp_path: Path,
) -> None:
    ctx = counter(A)
    assert [c.code for c in units(ctx).complete("my hoa hung")] == ["30313"]
    assert units(ctx).commune("99999") is None

    first = {
        "version": "2026-12",
        "units": [
            {"code": "99999", "name": "Xã Thử Nghiệm", "province_code": "91"},
            {"code": "30307", "name": "Phường Long Xuyên Mới", "province_code": "91"},
            {"code": "30313", "retired": True},
        ],
    }
    path = _write(tmp_path / "ds1.json", first)
    res = cli("--json", "central", "address-units", "--url", central_url, "import", path, db=None)
    assert res.rc == 0, res.err
    assert json.loads(res.out) == {
        "version": "2026-12",
        "added": 3,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
    }
    res = cli("--json", "central", "address-units", "--url", central_url, "list", db=None)
    assert res.rc == 0, res.err
    listed = json.loads(res.out)
    assert listed["version"] == "2026-12"
    assert [(u["code"], u["change"], u["label"]) for u in listed["units"]] == [
        ("30307", "rename", "Phường Long Xuyên Mới, tỉnh An Giang"),
        ("30313", "retire", "Xã Mỹ Hòa Hưng, tỉnh An Giang"),
        ("99999", "add", "Xã Thử Nghiệm, tỉnh An Giang"),
    ]
    res = cli("central", "address-units", "--url", central_url, "list", db=None)
    assert res.rc == 0 and "99999  thêm: Xã Thử Nghiệm, tỉnh An Giang" in res.out

    pulled = Syncer(ctx, transports(unit_urls[A])).run_once().pulled
    assert pulled["admin_unit_overrides"] == 3
    with ctx.uow.read() as s:
        local = {
            o.code: (o.name, o.province_code, o.retired)
            for o in s.scalars(select(AdminUnitOverride))
        }
    assert local == {
        "99999": ("Xã Thử Nghiệm", "91", False),
        "30307": ("Phường Long Xuyên Mới", "91", False),
        "30313": ("", "", True),
    }
    mine = units(ctx)
    new = mine.commune("99999")
    assert new is not None and new.label == "Xã Thử Nghiệm, tỉnh An Giang"
    assert [c.code for c in mine.complete("thu nghiem")] == ["99999"]
    assert "30313" not in [c.code for c in mine.complete("my hoa hung")]
    renamed = mine.commune("30307")
    assert renamed is not None and renamed.name == "Phường Long Xuyên Mới"

    # Nothing changed: nothing pulled. The next file no longer retires 30313 (a tombstone)
    # and keeps the rest as it was (unchanged rows keep their row_version).
    assert Syncer(ctx, transports(unit_urls[A])).run_once().pulled["admin_unit_overrides"] == 0
    second = {"version": "2027-01", "units": first["units"][:2]}
    path = _write(tmp_path / "ds2.json", second)
    res = cli("--json", "central", "address-units", "--url", central_url, "import", path, db=None)
    assert res.rc == 0, res.err
    assert json.loads(res.out) == {
        "version": "2027-01",
        "added": 0,
        "updated": 0,
        "unchanged": 2,
        "removed": 1,
    }
    later = NINE + timedelta(minutes=5)
    ctx.clock = lambda: later
    assert Syncer(ctx, transports(unit_urls[A])).run_once().pulled["admin_unit_overrides"] == 1
    with ctx.uow.read() as s:
        assert s.get(AdminUnitOverride, "30313") is None
    assert [c.code for c in units(ctx).complete("my hoa hung")] == ["30313"]
    assert units(ctx).commune("99999") is not None


BAD_ROWS = [
    {"code": "3031", "name": "Xã A", "province_code": "91"},  # 4 digits
    {"code": "30313", "name": "  ", "province_code": "91"},  # no name
    {"code": "30314", "name": "Xã B", "province_code": "99"},  # no such province
    {"code": "30315", "name": "Xã C", "province_code": "91"},  # fine
    {"code": "30315", "name": "Xã C", "province_code": "91"},  # twice
    {"code": "30316", "retired": "yes"},
    "30317",
]


def test_a_bad_file_is_refused_whole_with_its_bad_rows_listed(
    central_url: str, cli: Any, tmp_path: Path
) -> None:
    good = _write(
        tmp_path / "good.json",
        {"version": "1", "units": [{"code": "30315", "name": "Xã C", "province_code": "91"}]},
    )
    base = ["central", "address-units", "--url", central_url]
    assert cli(*base, "import", good, db=None).rc == 0
    bad = _write(tmp_path / "bad.json", {"version": "2", "units": BAD_ROWS})
    res = cli(*base, "import", bad, db=None)
    assert res.rc == 1 and res.out == ""
    err = res.err.strip()
    assert len(err.splitlines()) == 1 and "có 6 mục sai, không có gì được công bố" in err
    for where in ("mục 1: mã '3031'", "mục 2: thiếu tên", "mục 3: mã tỉnh '99'", "mục 5: mã 30315"):
        assert where in err, where
    assert "mục 6:" in err and "mục 7:" in err and "mục 4:" not in err
    for shape in ([], {"units": {}}, {"version": 3, "units": []}):
        res = cli(*base, "import", _write(tmp_path / "shape.json", shape), db=None)
        assert res.rc == 1 and "không đúng mẫu" in res.err
    res = cli(*base, "import", tmp_path / "missing.json", db=None)
    assert res.rc == 1
    (tmp_path / "broken.json").write_text("{", "utf-8")
    assert cli(*base, "import", tmp_path / "broken.json", db=None).rc == 1
    # nothing of the bad files was written
    res = cli("--json", *base, "list", db=None)
    assert [(u["code"], u["change"]) for u in json.loads(res.out)["units"]] == [("30315", "add")]
    assert json.loads(res.out)["version"] == "1"


def test_a_unit_role_reads_the_override_list_and_cannot_write_it(
    central_url: str, unit_urls: dict[str, str], tmp_path: Path, cli: Any
) -> None:
    path = _write(
        tmp_path / "ds.json",
        {"version": "1", "units": [{"code": "99999", "name": "Xã D", "province_code": "91"}]},
    )
    assert cli("central", "address-units", "--url", central_url, "import", path, db=None).rc == 0
    # init again (SECURE_SQL revokes every table, later grants give this one back)
    central.init_central(central_url)
    with as_unit(unit_urls[A]) as c:
        rows = c.execute("SELECT code, name FROM central.admin_unit_overrides").fetchall()
        assert rows == [("99999", "Xã D")]
    for sql in (
        "INSERT INTO central.admin_unit_overrides (code, name, province_code) "
        "VALUES ('88888', 'Xã E', '91')",
        "UPDATE central.admin_unit_overrides SET name = 'Xã F'",
        "DELETE FROM central.admin_unit_overrides",
        "TRUNCATE central.admin_unit_overrides",
    ):
        with as_unit(unit_urls[A]) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(sql)
    with admin(central_url) as c:
        assert c.execute("SELECT code, name FROM central.admin_unit_overrides").fetchall() == [
            ("99999", "Xã D")
        ]


def test_a_row_the_packaged_list_cannot_take_is_not_pulled(
    central_url: str, unit_urls: dict[str, str], counter: Any, transports: Any
) -> None:
    """Written on central by hand (not through `address-units import`): a province that is
    not one of the 34. The counter skips it; its list keeps working."""
    with admin(central_url) as c:
        c.execute(
            "INSERT INTO central.admin_unit_overrides (code, name, province_code) "
            "VALUES ('77777', 'Xã Z', '00'), ('77778', 'Xã Y', '91')"
        )
    ctx = counter(A)
    assert Syncer(ctx, transports(unit_urls[A])).run_once().pulled["admin_unit_overrides"] == 1
    with ctx.uow.read() as s:
        assert [o.code for o in s.scalars(select(AdminUnitOverride))] == ["77778"]
    mine = units(ctx)
    assert mine.commune("77777") is None and mine.commune("77778") is not None
