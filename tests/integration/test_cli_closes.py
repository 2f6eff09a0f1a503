"""A command closes its database when it ends, not when the garbage collector gets to it.

SQLite's last close checkpoints the -wal into the main file. Left to the collector, that
happened at a random later moment: a test comparing a database's bytes before and after a
refused command failed about once in a CI run (test_register, test_report)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_a_command_leaves_no_wal_behind(cli: Any, db_path: Path) -> None:
    assert cli("init", "--demo").rc == 0
    assert not db_path.with_name(db_path.name + "-wal").exists()
    before = db_path.read_bytes()
    assert cli("catalogue", "list").rc == 0  # a read: the main file stays byte for byte
    assert not db_path.with_name(db_path.name + "-wal").exists()
    assert db_path.read_bytes() == before
