"""Build (or reuse) a SQLite benchmark database holding N realistic dossiers.

    uv run python bench/make_db.py bench/out/bench-1000000.db --dossiers 1000000
    uv run python bench/make_db.py --quick            # 20,000 dossiers, bench/out/bench-20000.db

The schema, unit, users and catalogue come from the app itself:
`build_context(db=...)` (migrates to head) + `init_database(ctx, demo=True)`. The six demo
sample dossiers are then removed (so per-day and per-year numbering starts clean) and N
dossiers are bulk-inserted with raw `executemany` in a few big transactions:

- `--per-day` dossiers per working day (WorkCalendar: weekends, Vietnamese public
  holidays), ending on the last working day before today; codes
  <agency>-<yymmdd>-<4 digits>, sequence 1..per-day in receipt order, register numbers
  (Sổ theo dõi, "01/<year>") per year in receipt order, sequence_counters set to the last
  number used, so the next real intake continues from them;
- the default is 380 a day, not 2,000: the app caps the yearly register number at 99,999
  (numbering.next_number's default `end`, used for kind "register"), and 2,000 a day
  reaches that in about 50 working days, after which intake.register refuses every
  dossier with `sequence_exhausted`. 380 a day (≤ 94,000 a year) keeps every year valid
  with room for the benchmarks' own intakes; 1,000,000 dossiers then span ~2,630 working
  days (about 10.5 years). `--per-day 2000` builds the 2-year variant (the build warns
  that its counters break the app's rule);
- received 07:30–11:30 and 13:30–17:00 local time, stored as naive UTC like the app;
  due dates from the same working-day rule as the app (compute_due, memoised per day);
- applicants drawn from a pool of ~0.7·N people (so some come back), Vietnamese family /
  middle / given names with realistic frequencies (Nguyễn ≈ 38 %, "Thị"/"Văn" …),
  CCCD numbers and mobile numbers that pass the app's validators, local addresses;
- dossier_name_tokens from counter_app.domain.text.name_keys (words + pairs, as intake does);
- a size one unit cannot hold within UNIT_YEARS (25) years goes into several units in the
  same file (`--units`, by default as many as needed: 5 for 10,000,000 at 380 a day), copies
  of the demo unit with their own agency id (000.20.25.B01 …), hence their own codes, day
  sequences, register book and counters, all receiving on the same days; the demo unit
  stays the local one the app and the benches work as (the look-ups search every unit);
- 2–4 documents from the procedure's checklist, one event (received, or
  supplement_requested when a required document is missing), and two outbox rows
  (dossier, dossier_event) with the app's payloads, all acknowledged.

The build writes `<PATH>.building` with journal_mode=OFF / synchronous=OFF (it is thrown
away if interrupted), switches it back to WAL, then renames it into place and writes
`<PATH>.bench.json`; a later call with the same N and schema head reuses the file.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import json
import math
import os
import random
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT_DIR, QUICK_DOSSIERS, default_db

DEFAULT_PER_DAY = 380  # ≤ 99,999 a year (the app's register cap), with headroom
MAX_PER_DAY = 9_999  # the 4-digit daily sequence (DOMAIN.md §2)
REGISTER_CAP = 99_999  # numbering.next_number's default end, used for "register"
WORKING_DAYS_A_YEAR = 245  # weekends and Vietnamese public holidays off, roughly
CODE_YEARS = 100  # the code's yymmdd repeats after a century
# Past this span one file holds several units (each its own agency prefix in the codes, its
# own day sequences, register book and counters), all receiving on the same days: a unit's
# register allows 99,999 a year and its codes' yymmdd read back as 20yy (domain/codes).
UNIT_YEARS = 25
DOSSIERS_PER_TXN = 100_000
SEED = 20261128
GENERATOR_VERSION = 3  # bump when a change here changes the rows generated

# --- names (frequencies: the usual surveys; the South-West where the demo unit sits) ----

FAMILY = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 71),
    ("Huỳnh", 40),
    ("Hoàng", 15),
    ("Phan", 45),
    ("Võ", 39),
    ("Vũ", 10),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Trương", 10),
    ("Đinh", 5),
    ("Lâm", 6),
    ("Mai", 4),
    ("Đoàn", 4),
    ("Châu", 4),
    ("Tô", 3),
    ("Cao", 3),
    ("La", 2),
    ("Thái", 2),
    ("Tạ", 2),
    ("Lưu", 2),
    ("Quách", 2),
    ("Kiều", 1),
    ("Từ", 1),
    ("Chau", 3),
    ("Néang", 2),
    ("Danh", 2),
]
MIDDLE_F = [
    ("Thị", 600),
    ("Ngọc", 60),
    ("Thu", 40),
    ("Kim", 40),
    ("Mỹ", 35),
    ("Bích", 25),
    ("Hồng", 25),
    ("Thanh", 30),
    ("Phương", 20),
    ("Minh", 15),
    ("Diễm", 10),
    ("Thúy", 15),
    ("Bảo", 10),
    ("Ánh", 8),
    ("Tuyết", 8),
    ("Thị Bích", 20),
    ("Thị Kim", 20),
    ("Thị Thu", 20),
    ("Thị Ngọc", 20),
    ("Thị Mỹ", 15),
    ("Thị Hồng", 10),
]
MIDDLE_M = [
    ("Văn", 450),
    ("Hữu", 50),
    ("Đức", 40),
    ("Minh", 50),
    ("Quốc", 40),
    ("Thanh", 40),
    ("Hoàng", 30),
    ("Công", 30),
    ("Xuân", 20),
    ("Quang", 30),
    ("Tấn", 30),
    ("Thành", 25),
    ("Chí", 20),
    ("Hồng", 10),
    ("Trung", 15),
    ("Ngọc", 15),
    ("Phước", 15),
    ("Thái", 10),
    ("Bảo", 15),
    ("Văn Minh", 10),
    ("Hoàng Anh", 5),
    ("Minh Tuấn", 5),
]
GIVEN_F = [
    "Lan",
    "Tuyết",
    "Hương",
    "Hoa",
    "Mai",
    "Linh",
    "Ngọc",
    "Trang",
    "Thảo",
    "Hà",
    "Hằng",
    "Nhung",
    "Yến",
    "Phương",
    "Thủy",
    "Hạnh",
    "Loan",
    "Dung",
    "Nga",
    "Vân",
    "Hồng",
    "Diễm",
    "Trinh",
    "Thư",
    "Nhi",
    "Vy",
    "My",
    "Quyên",
    "Hiền",
    "Liên",
    "Oanh",
    "Cúc",
    "Đào",
    "Xuân",
    "Bích",
    "Giang",
    "Hậu",
    "Kiều",
    "Ly",
    "Ngân",
    "Nguyệt",
    "Phượng",
    "Sương",
    "Tâm",
    "Thu",
    "Tiên",
    "Uyên",
    "Xuyến",
    "Ánh",
    "Diệu",
    "Huệ",
    "Lệ",
    "Mến",
    "Thơ",
    "Tuyền",
    "Châu",
    "Duyên",
    "Hân",
    "Khánh",
    "Trâm",
    "Anh",
]
GIVEN_M = [
    "Hùng",
    "Dũng",
    "Nam",
    "Tuấn",
    "Minh",
    "Hải",
    "Sơn",
    "Long",
    "Phúc",
    "Tâm",
    "Thành",
    "Trung",
    "Hiếu",
    "Khoa",
    "Phong",
    "Quang",
    "Tài",
    "Thắng",
    "Vinh",
    "Bình",
    "Cường",
    "Đức",
    "Hòa",
    "Hoàng",
    "Huy",
    "Khang",
    "Lợi",
    "Lộc",
    "Nghĩa",
    "Nhân",
    "Phát",
    "Quân",
    "Tín",
    "Toàn",
    "Trí",
    "Tùng",
    "Việt",
    "An",
    "Bảo",
    "Danh",
    "Đạt",
    "Hậu",
    "Hiển",
    "Hưng",
    "Kiệt",
    "Lâm",
    "Luân",
    "Mạnh",
    "Phước",
    "Sang",
    "Tân",
    "Thiện",
    "Thịnh",
    "Thông",
    "Tiến",
    "Trọng",
    "Vũ",
    "Út",
    "Khải",
    "Nhựt",
    "Anh",
]
# Khmer names common in An Giang: "Chau" (men) / "Néang" (women) + two words.
KHMER_M = ["Sóc Kha", "Sa Rết", "Phi Rum", "Thi Ây", "Kim Sơn", "Ny Đa"]
KHMER_F = ["Sa Rin", "Sóc Phi", "Thi Da", "Kim Huôl", "Chanh Thy", "Sa Vy"]
HAMLETS = ["Mỹ Hòa", "Mỹ Long", "Mỹ An", "Mỹ Thới", "Mỹ Phú", "Mỹ Quý", "Mỹ Thạnh", "Mỹ Khánh"]
STREETS = [
    "Trần Hưng Đạo",
    "Hùng Vương",
    "Lý Thái Tổ",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Tôn Đức Thắng",
    "Phạm Cự Lượng",
    "Ung Văn Khiêm",
    "Hà Hoàng Hổ",
    "Lê Lợi",
]
OTHER_PLACES = [
    "ấp Bình Hòa, xã Bình Hòa",
    "khóm Bình Khánh, phường Bình Đức",
    "ấp Phú Hòa, xã Phú Hòa",
    "khóm Đông Thịnh, phường Mỹ Phước",
    "ấp Hòa Long, xã Chợ Mới",
    "khóm Tây Khánh, phường Long Xuyên",
]
MOBILE_PREFIXES = [
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "056",
    "058",
    "059",
    "070",
    "076",
    "077",
    "078",
    "079",
    "081",
    "082",
    "083",
    "084",
    "085",
    "086",
    "088",
    "089",
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
]
OTHER_PROVINCES = ["001", "079", "087", "091", "092", "094", "086", "083", "080", "038", "040"]
# Relative frequency of procedures at a commune counter (others: 1).
PROC_WEIGHTS = {
    "2.000815": 300,
    "2.000884": 90,
    "1.001193": 70,
    "1.000656": 25,
    "1.000894": 25,
    "2.000635": 30,
    "1.004873": 30,
    "1.004222": 40,
    "1.004194": 35,
    "1.003677": 15,
    "1.013831": 35,
    "1.013833": 15,
    "1.013978": 10,
    "1.012784": 10,
    "2.001035": 25,
    "1.001612": 10,
    "2.000942": 10,
    "1.001776": 8,
    "1.001731": 5,
}


class Cum:
    """Weighted choice by bisect on cumulative weights (faster than random.choices)."""

    def __init__(self, items: Sequence[tuple[Any, float]]) -> None:
        self.values = [v for v, _ in items]
        self.cum: list[float] = []
        total = 0.0
        for _, w in items:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


def uuid7_at(ms: int, counter: int, rand62: int) -> str:
    v = (ms << 80) | (0x7 << 76) | ((counter & 0xFFF) << 64) | (0b10 << 62) | rand62
    h = f"{v:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --- people -----------------------------------------------------------------------------


def make_people(
    count: int, rng: random.Random, today: date
) -> list[tuple[str, str, str, str, str]]:
    """(name, id_number, phone, address, email) for `count` invented people."""
    fam, mid_f, mid_m = Cum(FAMILY), Cum(MIDDLE_F), Cum(MIDDLE_M)
    ids: set[str] = set()
    people = []
    for _ in range(count):
        female = rng.random() < 0.52
        family = fam.pick(rng)
        if family == "Chau":
            female = False
        if family == "Néang":
            female = True
        if family in ("Chau", "Néang"):
            name = f"{family} {rng.choice(KHMER_F if female else KHMER_M)}"
        else:
            middle = (mid_f if female else mid_m).pick(rng)
            name = f"{family} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"
        birth = rng.randint(1940, today.year - 16)
        century = (0 if birth < 2000 else 2) + (1 if female else 0)
        prov = "089" if rng.random() < 0.85 else rng.choice(OTHER_PROVINCES)
        while True:
            idn = f"{prov}{century}{birth % 100:02d}{rng.randrange(1_000_000):06d}"
            if idn not in ids:
                ids.add(idn)
                break
        idn = idn if rng.random() < 0.97 else ""  # a few came without their card number
        phone = (
            f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
            if rng.random() < 0.9
            else ""
        )
        r = rng.random()
        if r < 0.7:
            addr = (
                f"Tổ {rng.randint(1, 30)}, ấp {rng.choice(HAMLETS)}, xã Mỹ Hòa Hưng, tỉnh An Giang"
            )
        elif r < 0.9:
            addr = (
                f"Số {rng.randint(1, 450)} {rng.choice(STREETS)}, phường Long Xuyên, tỉnh An Giang"
            )
        else:
            addr = f"{rng.choice(OTHER_PLACES)}, tỉnh An Giang"
        email = ""
        if rng.random() < 0.05:
            email = f"user{rng.randrange(10**6)}{birth % 100:02d}@gmail.com"
        people.append((name, idn, phone, addr, email))
    return people


# --- the build --------------------------------------------------------------------------


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".bench.json")


def _remove(path: Path) -> None:
    for p in (
        path,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        path.with_name(path.name + "-journal"),
    ):
        p.unlink(missing_ok=True)


def working_days_before(cal: Any, today: date, count: int) -> list[date]:
    days: list[date] = []
    d = today
    while len(days) < count:
        d -= timedelta(days=1)
        if cal.is_working_day(d):
            days.append(d)
    return sorted(days)


def _seed_app_schema(tmp: Path) -> None:
    """Schema + demo unit, users and catalogue through the app's own code."""
    from counter_app.app import build_context
    from counter_app.services.setup import init_database

    ctx = build_context(db=f"sqlite:///{tmp}")
    init_database(ctx, demo=True)
    ctx.uow.engine.dispose()


@dataclass
class BenchUnit:
    id: str
    agency: str
    register_no: dict[int, int] = field(default_factory=dict)  # year -> last number


def units_for(n: int, per_day: int) -> int:
    """How many units a file of `n` dossiers at `per_day` each a working day holds: one, or
    as many as keep each unit's span within UNIT_YEARS."""
    years = -(-n // per_day) / WORKING_DAYS_A_YEAR
    return 1 if years <= UNIT_YEARS else math.ceil(years / UNIT_YEARS)


class Generator:
    def __init__(self, conn: sqlite3.Connection, n: int, today: date, tz: ZoneInfo) -> None:
        from counter_app.domain.workdays import OfficeHours, WorkCalendar

        self.rng = random.Random(SEED)
        self.tz = tz
        u = conn.execute(
            "SELECT units.id, agency_id, office_open, office_close, cutoff FROM units "
            "JOIN app_meta ON app_meta.value = units.id AND app_meta.key = 'local_unit_id'"
        ).fetchone()
        self.units = [BenchUnit(u[0], u[1])]
        self.hours = OfficeHours(
            dtime.fromisoformat(u[2]), dtime.fromisoformat(u[3]), dtime.fromisoformat(u[4])
        )
        overrides = {
            date.fromisoformat(d): (bool(w), note)
            for d, w, note in conn.execute("SELECT day, is_workday, note FROM calendar_overrides")
        }
        self.cal = WorkCalendar(overrides)
        self.clerks = [
            r[0]
            for r in conn.execute("SELECT id FROM users WHERE role = 'clerk' ORDER BY username")
        ]
        self.procs = []
        for pid, code, version, pdays, fee, docs in conn.execute(
            "SELECT id, code, version, processing_days, fee, documents FROM procedures "
            "WHERE is_current = 1 ORDER BY code"
        ):
            self.procs.append((pid, code, version, pdays, fee, json.loads(docs)))
        self.proc_pick = Cum([(p, PROC_WEIGHTS.get(p[1], 3)) for p in self.procs])
        t0 = time.perf_counter()
        self.people = make_people(max(1000, int(n * 0.7)), self.rng, today)
        self.people_s = time.perf_counter() - t0
        self.tokens: dict[str, list[str]] = {}
        self.due_memo: dict[tuple[date, int, bool], tuple[date, date]] = {}

    def add_units(self, conn: sqlite3.Connection, count: int) -> None:
        """`count` more units beside the local one, copies of it under their own agency id
        and name (the local unit stays the one the app and the benches work as)."""
        cols = [r[1] for r in conn.execute("PRAGMA table_info(units)")]
        local = dict(
            zip(
                cols,
                conn.execute("SELECT * FROM units WHERE id = ?", (self.units[0].id,)).fetchone(),
                strict=True,
            )
        )
        base = local["agency_id"].rsplit(".", 1)[0]
        for k in range(count):
            row = dict(local)
            row["id"] = uuid7_at(0, k, self.rng.getrandbits(62))
            row["agency_id"] = f"{base}.B{k + 1:02d}"
            row["name"] = f"UBND XÃ BENCH {k + 1}"
            row["place_name"] = f"Bench {k + 1}"
            conn.execute(
                f"INSERT INTO units ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [row[c] for c in cols],
            )
            self.units.append(BenchUnit(row["id"], row["agency_id"]))

    def _tokens(self, name: str) -> list[str]:
        from counter_app.domain.text import name_keys

        t = self.tokens.get(name)
        if t is None:
            t = self.tokens[name] = name_keys(name)  # words and word pairs, as intake does
        return t

    def _due(self, received_local: datetime, pdays: int) -> tuple[date, datetime]:
        """Same rule as counter_app.domain.workdays.compute_due, memoised per (day, N, cut-off)."""
        from counter_app.domain.workdays import compute_due

        before = received_local.time() < self.hours.cutoff
        key = (received_local.date(), pdays, before)
        hit = self.due_memo.get(key)
        if hit is None:
            plan = compute_due(received_local, pdays, self.cal, self.hours)
            hit = self.due_memo[key] = (plan.effective_day, plan.due_at.date())
        effective, due_day = hit
        if pdays == 0:
            clock = self.hours.close
        else:
            clock = min(
                max(received_local.time().replace(second=0, microsecond=0), self.hours.open),
                self.hours.close,
            )
        return effective, datetime.combine(due_day, clock, tzinfo=self.tz)

    def _documents(self, docs: list[dict[str, Any]]) -> list[tuple[str, str, int, bool, bool]]:
        rng = self.rng
        req = [d for d in docs if d["required"]]
        opt = [d for d in docs if not d["required"]]
        chosen = list(req)
        for d in opt:
            if rng.random() < 0.3:
                chosen.append(d)
        for d in opt:
            if len(chosen) >= 2:
                break
            if d not in chosen:
                chosen.append(d)
        chosen = chosen[:4]
        order = {id(d): i for i, d in enumerate(docs)}
        chosen.sort(key=lambda d: order[id(d)])
        lines = [(d["name"], d["kind"], d["count"], True, bool(d["required"])) for d in chosen]
        if rng.random() < 0.03:
            idx = [i for i, x in enumerate(lines) if x[4]]
            if idx:
                i = rng.choice(idx)
                name, kind, count, _, required = lines[i]
                lines[i] = (name, kind, count, False, required)
        return lines

    def day_rows(
        self, day: date, count: int, unit: BenchUnit | None = None
    ) -> dict[str, list[tuple[Any, ...]]]:
        rng = self.rng
        unit = unit or self.units[0]
        offset = datetime.combine(day, dtime(12), tzinfo=self.tz).utcoffset()
        assert offset is not None
        morning, afternoon = 4 * 3600, int(3.5 * 3600)
        secs = sorted(rng.random() * (morning + afternoon) for _ in range(count))
        start_m = datetime.combine(day, dtime(7, 30), tzinfo=self.tz)
        start_a = datetime.combine(day, dtime(13, 30), tzinfo=self.tz)
        reg = unit.register_no.get(day.year, 0)
        out: dict[str, list[tuple[Any, ...]]] = {k: [] for k in ("d", "doc", "tok", "ev", "ob")}
        ymd = f"{day:%y%m%d}"
        day_iso = day.isoformat()
        from counter_app.domain.formsets import form_set_on

        form_set = form_set_on(day)
        book = f"01/{day.year}"
        for seq, s in enumerate(secs, start=1):
            local = (
                start_m + timedelta(seconds=s)
                if s < morning
                else start_a + timedelta(seconds=s - morning)
            )
            utc = (local - offset).replace(tzinfo=None)
            ms = int(local.timestamp() * 1000)
            at_db = utc.isoformat(" ", "microseconds")
            pid, pcode, pver, pdays, fee, checklist = self.proc_pick.pick(rng)
            name, idn, phone, addr, email = self.people[rng.randrange(len(self.people))]
            effective, due_local = self._due(local, pdays)
            due_db = (due_local - offset).replace(tzinfo=None).isoformat(" ", "microseconds")
            r = rng.random()
            rc = "counter" if r < 0.85 else ("online" if r < 0.97 else "postal")
            ret = "postal" if rng.random() < 0.1 else "counter"
            ret_addr = addr if ret == "postal" else ""
            sets = 2 if rng.random() < 0.1 else 1
            clerk = self.clerks[rng.randrange(len(self.clerks))]
            reg += 1
            code = f"{unit.agency}-{ymd}-{seq:04d}"
            did = uuid7_at(ms, 0, rng.getrandbits(62))
            lines = self._documents(checklist)
            missing = [x[0] for x in lines if x[4] and not x[3]]
            status = "supplement_requested" if missing else "accepted"
            ev_kind = "supplement_requested" if missing else "received"
            reason = "; ".join(missing)
            out["d"].append(
                (
                    did,
                    unit.id,
                    code,
                    day_iso,
                    seq,
                    pid,
                    name,
                    idn,
                    phone,
                    addr,
                    email,
                    sets,
                    rc,
                    ret,
                    ret_addr,
                    fee,
                    at_db,
                    effective.isoformat(),
                    due_db,
                    status,
                    clerk,
                    book,
                    reg,
                    form_set,
                    None,
                    commune_of(addr),
                )
            )
            for pos, (dname, kind, cnt, received, required) in enumerate(lines):
                out["doc"].append(
                    (
                        uuid7_at(ms, 1 + pos, rng.getrandbits(62)),
                        did,
                        pos,
                        dname,
                        kind,
                        cnt,
                        int(received),
                        int(required),
                    )
                )
            for tok in self._tokens(name):
                out["tok"].append((did, tok, at_db))
            eid = uuid7_at(ms, 8, rng.getrandbits(62))
            out["ev"].append(
                (
                    eid,
                    unit.id,
                    did,
                    ev_kind,
                    status,
                    at_db,
                    day_iso,
                    clerk,
                    reason,
                    "{}",
                    at_db,
                )
            )
            local_iso = local.isoformat()
            payload = {
                "id": did,
                "code": code,
                "procedure": pcode,
                "procedure_version": pver,
                "applicant": {
                    "name": name,
                    "id_number": idn,
                    "phone": phone,
                    "address": addr,
                    "email": email,
                    "commune_code": commune_of(addr),
                },
                "documents": [
                    {"name": x[0], "kind": x[1], "count": x[2], "received": x[3]} for x in lines
                ],
                "sets": sets,
                "receive_channel": rc,
                "return_channel": ret,
                "return_address": ret_addr,
                "fee": fee,
                "received_at": local_iso,
                "due_at": due_local.isoformat(),
                "received_by": clerk,
                "ticket_id": None,
            }
            ev_payload = {
                "id": eid,
                "dossier_id": did,
                "code": code,
                "kind": ev_kind,
                "status": status,
                "at": local_iso,
                "business_day": day_iso,
                "by": clerk,
                "reason": reason,
                "data": {},
            }
            acked = (utc + timedelta(seconds=rng.uniform(1, 60))).isoformat(" ", "microseconds")
            for i, (kind, body) in enumerate((("dossier", payload), ("dossier_event", ev_payload))):
                out["ob"].append(
                    (
                        uuid7_at(ms, 10 + i, rng.getrandbits(62)),
                        unit.id,
                        kind,
                        1,
                        json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
                        at_db,
                        acked,
                    )
                )
        unit.register_no[day.year] = reg
        return out


@functools.lru_cache(maxsize=65_536)
def commune_of(address: str) -> str | None:
    """The 2025 commune intake would store for this address (issue 16), None = unverified."""
    from counter_app.domain.admin_units import default_units

    _street, commune = default_units().recognise(address)
    return commune.code if commune is not None else None


INSERTS = {
    "d": "INSERT INTO dossiers (id, unit_id, code, code_day, code_seq, procedure_id, "
    "applicant_name, applicant_id_number, applicant_phone, applicant_address, applicant_email, "
    "sets, receive_channel, return_channel, return_address, fee, received_at, effective_day, "
    "due_at, status, received_by, register_book, register_no, form_set, ticket_id, "
    "applicant_commune_code) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "doc": "INSERT INTO dossier_documents (id, dossier_id, position, name, kind, count, received, "
    "required) VALUES (?,?,?,?,?,?,?,?)",
    "tok": "INSERT INTO dossier_name_tokens (dossier_id, token, received_at) VALUES (?,?,?)",
    "ev": "INSERT INTO dossier_events (id, unit_id, dossier_id, kind, status, at, business_day, "
    "by_user_id, reason, data, recorded_at, step) VALUES (?,?,?,?,?,?,?,?,?,?,?,1)",
    "ob": "INSERT INTO outbox (event_id, unit_id, kind, schema_version, payload, created_at, "
    "acked_at) VALUES (?,?,?,?,?,?,?)",
}


def _counters_and_words(conn: sqlite3.Connection, gen: Generator) -> None:
    """The yearly register counters of every unit, and the vocabulary of name words with
    their counts, as intake keeps it one dossier at a time."""
    conn.execute("BEGIN")
    for unit in gen.units:
        for year, last in unit.register_no.items():
            conn.execute(
                "INSERT INTO sequence_counters (unit_id, kind, period, last) VALUES (?,?,?,?)",
                (unit.id, "register", str(year), last),
            )
    conn.execute(
        "INSERT INTO name_words (token, dossiers) "
        "SELECT token, count(*) FROM dossier_name_tokens GROUP BY token"
    )
    conn.execute("COMMIT")


def _bulk(
    tmp: Path, n: int, per_day: int, nunits: int, tz: ZoneInfo, quiet: bool
) -> dict[str, Any]:
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("PRAGMA cache_size=-1000000")  # 1 GB while building only
    conn.execute("PRAGMA temp_store=MEMORY")
    today = datetime.now(tz).date()
    conn.execute("BEGIN")
    # The demo's six sample dossiers would collide with day/year numbering: drop them.
    for sql in (
        "DELETE FROM dossier_name_tokens",
        "DELETE FROM name_words",
        "DELETE FROM dossier_documents",
        "DELETE FROM dossier_events",
        "DELETE FROM outbox WHERE kind IN ('dossier','dossier_event')",
        "DELETE FROM dossiers",
        "DELETE FROM sequence_counters WHERE kind IN ('dossier','register')",
    ):
        conn.execute(sql)
    conn.execute("COMMIT")
    gen = Generator(conn, n, today, tz)
    if nunits > 1:
        gen.add_units(conn, nunits - 1)
    ndays = -(-n // (per_day * nunits))
    days = working_days_before(gen.cal, today, ndays)
    gen_s = ins_s = 0.0
    done = committed = 0
    t_start = time.perf_counter()
    conn.execute("BEGIN")
    for i, day in enumerate(days):
        for unit in gen.units:  # every unit receives on the same days
            cnt = min(per_day, n - done)
            if cnt <= 0:
                break
            t0 = time.perf_counter()
            rows = gen.day_rows(day, cnt, unit)
            t1 = time.perf_counter()
            for key, sql in INSERTS.items():
                conn.executemany(sql, rows[key])
            conn.execute(
                "INSERT INTO sequence_counters (unit_id, kind, period, last) VALUES (?,?,?,?)",
                (unit.id, "dossier", day.isoformat(), cnt),
            )
            ins_s += time.perf_counter() - t1
            gen_s += t1 - t0
            done += cnt
        if done - committed >= DOSSIERS_PER_TXN or i == ndays - 1:
            conn.execute("COMMIT")
            committed = done
            if not quiet:
                el = time.perf_counter() - t_start
                print(
                    f"  {done:>9,} dossiers  {el:6.1f} s  "
                    f"(generate {gen_s:.1f} s, insert {ins_s:.1f} s)",
                    flush=True,
                )
            if i != ndays - 1:
                conn.execute("BEGIN")
    _counters_and_words(conn, gen)
    conn.execute("PRAGMA locking_mode=NORMAL")
    conn.execute("PRAGMA journal_mode=WAL")  # what the app uses (it sets WAL on connect too)
    conn.close()
    local = gen.units[0]  # the demo unit: the one the app works as
    over = {y: c for u in gen.units for y, c in u.register_no.items() if c > REGISTER_CAP}
    if over:
        print(
            "WARNING: register numbers past the app's yearly cap of 99,999 in "
            + ", ".join(f"{y} ({c:,})" for y, c in sorted(over.items()))
            + ": intake.register will refuse new dossiers in those years (sequence_exhausted)",
            flush=True,
        )
    return {
        "per_day": per_day,
        "units": [u.agency for u in gen.units],
        "years": {str(y): c for y, c in sorted(local.register_no.items())},
        "first_day": days[0].isoformat(),
        "last_day": days[-1].isoformat(),
        "working_days": ndays,
        "people": len(gen.people),
        "generate_s": round(gen_s, 1),
        "insert_s": round(ins_s, 1),
        "people_s": round(gen.people_s, 1),
    }


def fingerprint() -> str:
    """What the file's contents depend on besides N and per-day: GENERATOR_VERSION, the
    migrations (the schema) and the app's models and text folding / name keys. A change to
    any of them rebuilds the database instead of reusing one the current code would misread."""
    import hashlib

    import counter_app

    pkg = Path(counter_app.__file__).resolve().parent
    files = [pkg / "domain" / "text.py", pkg / "db" / "models.py"]
    files += sorted((pkg / "db" / "migrations" / "versions").glob("*.py"))
    h = hashlib.sha256(f"generator {GENERATOR_VERSION}".encode())
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _head() -> str:
    from counter_app.db.engine import head_revision

    return head_revision()


def read_meta(path: Path) -> dict[str, Any] | None:
    mp = _meta_path(path)
    if not path.exists() or not mp.exists():
        return None
    try:
        return dict(json.loads(mp.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError):
        return None


def build_or_reuse(
    path: Path,
    n: int,
    *,
    per_day: int = DEFAULT_PER_DAY,
    force: bool = False,
    quiet: bool = False,
    units: int | None = None,
) -> dict[str, Any]:
    """Build the database unless `path` already holds one built alike (N, per-day, schema,
    fingerprint, units: by default as many as `units_for` says). Holds an exclusive lock on
    `<PATH>.lock` meanwhile, so that two benches started together never build into the same
    file: the second waits, then reuses."""
    if not 1 <= per_day <= MAX_PER_DAY:
        raise SystemExit(f"--per-day must be 1..{MAX_PER_DAY} (the 4-digit daily sequence)")
    units = units or units_for(n, per_day)
    if not 1 <= units <= 99:
        raise SystemExit("--units must be 1..99")
    years = -(-n // (per_day * units)) / WORKING_DAYS_A_YEAR
    if years > UNIT_YEARS + 1:
        # Found after a 68-minute build of 10,000,000 at 380 a day into one unit failed at
        # 9.6 M on a duplicate code: the days a century apart had the same yymmdd.
        raise SystemExit(
            f"{n:,} dossiers at {per_day:,} a working day in {units} unit(s) span about "
            f"{years:.0f} years each: a dossier code carries a 2-digit year "
            f"(<agency>-<yymmdd>-<seq>, read back as 20yy), so give each unit at most "
            f"~{UNIT_YEARS} years (--units)."
        )
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as lock:
        try:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX)
        except ImportError:  # Windows: no lock; don't start two builds at once there
            pass
        return _build_or_reuse_locked(path, n, per_day, units, force, quiet)


def _build_or_reuse_locked(
    path: Path, n: int, per_day: int, units: int, force: bool, quiet: bool
) -> dict[str, Any]:
    meta = read_meta(path)
    same = meta and (
        meta.get("dossiers"),
        meta.get("per_day"),
        meta.get("schema"),
        meta.get("fingerprint"),
        len(meta.get("units", [None])),
    ) == (n, per_day, _head(), fingerprint(), units)
    if not force and meta and same:
        if not quiet:
            print(
                f"reusing {path} ({n:,} dossiers, built {meta.get('built_at')} "
                f"in {meta.get('build_s')} s)",
                flush=True,
            )
        return {**meta, "reused": True}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    _remove(tmp)
    _meta_path(path).unlink(missing_ok=True)
    if not quiet:
        print(
            f"building {path} with {n:,} dossiers, {per_day:,} a working day"
            + (f" in each of {units} units" if units > 1 else "")
            + " …",
            flush=True,
        )
    t0 = time.perf_counter()
    _seed_app_schema(tmp)
    t_seed = time.perf_counter() - t0
    tz = ZoneInfo(os.environ.get("COUNTER_APP_TIMEZONE", "Asia/Ho_Chi_Minh"))
    info = _bulk(tmp, n, per_day, units, tz, quiet)
    _remove(path)
    tmp.rename(path)
    total = time.perf_counter() - t0
    meta = {
        "dossiers": n,
        "schema": _head(),
        "fingerprint": fingerprint(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_s": round(total, 1),
        "seed_app_s": round(t_seed, 1),
        "size_mb": round(path.stat().st_size / 2**20),
        **info,
    }
    _meta_path(path).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    if not quiet:
        print(
            f"built {path}: {n:,} dossiers in {total:.1f} s "
            f"(app schema+demo {t_seed:.1f} s, people {info['people_s']} s, generate "
            f"{info['generate_s']} s, insert {info['insert_s']} s), {meta['size_mb']:,} MB, "
            f"{info['first_day']} … {info['last_day']}",
            flush=True,
        )
    return {**meta, "reused": False}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=None,
        help="database file (default bench/out/bench-<N>.db)",
    )
    p.add_argument("--dossiers", type=int, default=None, help="default 1,000,000")
    p.add_argument("--quick", action="store_true", help=f"{QUICK_DOSSIERS:,} dossiers")
    p.add_argument(
        "--per-day",
        type=int,
        default=DEFAULT_PER_DAY,
        help=f"dossiers per working day (default {DEFAULT_PER_DAY}; see the module docstring)",
    )
    p.add_argument(
        "--units",
        type=int,
        default=None,
        help=f"units in the file (default: one, or as many as keep each within {UNIT_YEARS} years)",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if a matching file exists")
    args = p.parse_args(argv)
    n = args.dossiers or (QUICK_DOSSIERS if args.quick else 1_000_000)
    path = args.path or default_db(n)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    meta = build_or_reuse(path, n, per_day=args.per_day, force=args.force, units=args.units)
    print(
        f"make_db: {'reused' if meta['reused'] else 'built'} {n:,} dossiers; "
        f"build time {meta['build_s']} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
