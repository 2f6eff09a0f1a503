"""Two kiosks issuing and two counters calling at once on one SQLite file: no duplicates."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
import time as clock
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from counter_app.services import queue

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NINE = datetime.combine(date(2026, 11, 26), time(9), VN)

# A kiosk in its own process: waits for the start signal, then issues N tickets. Without the
# pause SQLite's busy handler (which backs off) can let one kiosk take every number first.
KIOSK = """
import os, random, sys, time
from datetime import UTC, datetime
from counter_app.app import build_context
from counter_app.services import queue

db, go, ready, when, n = sys.argv[1:5] + [int(sys.argv[5])]
ctx = build_context(db=db)
fixed = datetime.fromisoformat(when).astimezone(UTC)
ctx.clock = lambda: fixed
queue.list_services(ctx)  # connected and warm before the start
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.005)
out = []
for _ in range(n):
    out.append(queue.issue(ctx, "HT").number)
    time.sleep(random.uniform(0, 0.004))  # people, not a loop: lets the other kiosk in
print(" ".join(out))
"""


@pytest.fixture
def qdb(data_dir: Path, tmp_path: Path) -> Path:
    from counter_app.app import build_context
    from counter_app.services.setup import init_database

    path = tmp_path / "queue.db"
    ctx = build_context(db=str(path))
    init_database(ctx, demo=True)
    ctx.uow.engine.dispose()
    return path


def _two_kiosks(
    qdb: Path, tmp_path: Path, env: dict[str, str], per_kiosk: int, round_: int
) -> tuple[list[int], list[int]]:
    """Two kiosk processes issue `per_kiosk` tickets each, started together; their numbers."""
    go = tmp_path / f"go-{round_}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                KIOSK,
                str(qdb),
                str(go),
                str(tmp_path / f"ready-{round_}-{i}"),
                NINE.isoformat(),
                str(per_kiosk),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    deadline = clock.monotonic() + 60
    while not all((tmp_path / f"ready-{round_}-{i}").exists() for i in range(2)):
        assert clock.monotonic() < deadline and all(p.poll() is None for p in procs)
        clock.sleep(0.01)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    a, b = ([int(n) for n in out.split()] for out, _err in outputs)
    return a, b


def test_two_processes_issuing_never_share_a_number(
    qdb: Path, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    per_kiosk = 100
    issued: list[int] = []
    # The check means something only if the two kiosks' issuing interleaved. On a loaded
    # machine the OS can run one kiosk's hundred tickets before the other's first (a CI run
    # on 2026-12-02): then another round, on the same database, up to three.
    for round_ in range(3):
        a, b = _two_kiosks(qdb, tmp_path, subprocess_env, per_kiosk, round_)
        issued += a + b
        if min(a) < max(b) and min(b) < max(a):
            break
    else:
        raise AssertionError("the two kiosks did not overlap in three rounds")
    total = len(issued)
    assert sorted(issued) == [1000 + i for i in range(1, total + 1)]  # none shared, none lost
    with closing(sqlite3.connect(qdb)) as conn:
        stored = [r[0] for r in conn.execute("SELECT number FROM tickets ORDER BY number")]
        last = conn.execute(
            "SELECT last FROM sequence_counters WHERE kind = 'ticket:HT'"
        ).fetchone()[0]
    assert stored == list(range(1, total + 1))  # gap-free
    assert last == total


@pytest.mark.parametrize("pause_s", [0.0, 0.003], ids=["hammer", "paced"])
def test_two_counters_calling_at_once_take_each_ticket_once(
    qdb: Path, make_context: Callable[..., Any], pause_s: float
) -> None:
    """Back to back, one counter may hold the lock for long stretches (SQLite's busy handler
    backs off); paced like clerks, both take many. Either way each ticket is called once."""
    total = 200
    kiosk = make_context(qdb, now=NINE)
    issued = [queue.issue(kiosk, "HT").id for _ in range(total)]
    later = datetime.combine(NINE.date(), time(10), VN)
    counters = {1: make_context(qdb, now=later), 2: make_context(qdb, now=later)}
    got: dict[int, list[str]] = {1: [], 2: []}
    errors: list[BaseException] = []
    start = threading.Barrier(len(counters))

    def work(counter: int) -> None:
        try:
            start.wait()
            while (t := queue.call_next(counters[counter], counter)) is not None:
                got[counter].append(t.id)
                clock.sleep(random.uniform(0, pause_s))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in counters]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    called = got[1] + got[2]
    if pause_s:
        assert got[1] and got[2], "one counter never got a ticket"
    assert Counter(called) == Counter(issued)  # every ticket exactly once
    with closing(sqlite3.connect(qdb)) as conn:
        per_ticket = Counter(
            r[0] for r in conn.execute("SELECT ticket_id FROM ticket_events WHERE kind = 'called'")
        )
        statuses = Counter(r[0] for r in conn.execute("SELECT status FROM tickets"))
        counted = dict(conn.execute("SELECT id, counter FROM tickets").fetchall())
    assert set(per_ticket.values()) == {1} and len(per_ticket) == total
    assert statuses == {"done": total}  # the last call_next at each counter finished its ticket
    for c, ids in got.items():
        assert all(counted[i] == c for i in ids)
    # each counter saw its tickets in queue order (same weight, same instant: the number)
    order = {tid: i for i, tid in enumerate(issued)}
    for ids in got.values():
        assert [order[i] for i in ids] == sorted(order[i] for i in ids)
