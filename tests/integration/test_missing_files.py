"""Issue 12 item 8: a mistyped --config or --db is refused, never replaced by defaults or by a
new empty database. Only init, unit set, restore and the window's first run create one."""

from __future__ import annotations

from pathlib import Path

import pytest


def _refused(res, itest, tmp_path: Path) -> str:
    assert res.rc == 1, (res.rc, res.err)
    assert res.out == ""
    return itest.assert_one_vietnamese_line(res.err, strip=(str(tmp_path),))


def test_a_mistyped_config_is_refused(cli, demo_db, itest, tmp_path) -> None:
    missing = tmp_path / "conifg.toml"
    line = _refused(cli("--config", missing, "catalogue", "list"), itest, tmp_path)
    assert str(missing) in line and "cấu hình" in line
    assert not missing.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("catalogue", "list"),
        ("ticket", "issue", "--service", "HT"),
        ("show", "000.20.25.H01-260101-0001"),
        ("unit", "show"),
        ("backup", "--auto"),
    ],
    ids=lambda a: "-".join(a[:2]),
)
@pytest.mark.parametrize("empty", [False, True], ids=["missing", "zero-bytes"])
def test_a_missing_or_empty_db_is_not_created(cli, itest, tmp_path, args, empty) -> None:
    db = tmp_path / "dbdir" / "counterr.db"
    db.parent.mkdir()
    if empty:
        db.touch()
    line = _refused(cli(*args, db=db), itest, tmp_path)
    assert str(db) in line and "counter-app init" in line
    assert sorted(p.name for p in db.parent.iterdir()) == (["counterr.db"] if empty else [])
    if empty:
        assert db.stat().st_size == 0


def test_init_and_unit_set_create_it(cli, tmp_path) -> None:
    db = tmp_path / "new.db"
    assert cli("init", db=db).rc == 0
    other = tmp_path / "other.db"
    other.touch()  # 0 bytes: made by someone for us, still a new database
    res = cli("unit", "set", "--agency", "000.31.07.H12", "--name", "UBND XÃ AN BÌNH", db=other)
    assert res.rc == 0, res.err
    assert cli("unit", "show", db=other).rc == 0


def test_the_window_creates_one_only_at_the_configured_path(data_dir, tmp_path) -> None:
    """`gui` without --db opens the configured (default) path, created for the first-run
    screen; with --db naming nothing it is refused like any command; --demo creates it."""
    import argparse

    from counter_app.app import creates_database

    def ns(**kw: object) -> argparse.Namespace:
        base: dict[str, object] = {"command": "gui", "db": None, "config": None, "demo": False}
        return argparse.Namespace(**{**base, **kw})

    assert creates_database(ns())
    assert creates_database(ns(command=None))
    assert creates_database(ns(db=str(tmp_path / "x.db"), demo=True))
    assert not creates_database(ns(db=str(tmp_path / "x.db")))
