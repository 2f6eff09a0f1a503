"""The digitised documents' files in a backup (issue 15): the backup stays ONE file.

A backup copies every stored blob (services/files.py) into a table of the backup itself,
`backup_files(sha256, data)`, each read back from disk and checked against its hash first
(a changed or missing file is left out and named in the backup's info: `files_bad`). The
backup is then checked, fsynced and renamed as before: the database and its files are one
file, one consistent state, moved and kept together.

A restore checks each file's hash, writes the files into the live database's files folder
(atomically, content-addressed: the same bytes already there are kept) BEFORE the restored
database replaces the live one, then drops the table from the copy (and VACUUMs it), so the
live database never carries the files twice. Files written for a restore that then fails
are harmless: unreferenced, or the same bytes the live database already refers to.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from counter_app.domain.errors import ValidationError
from counter_app.services.files import write_blob_at

TABLE = "backup_files"


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def copy_in(dst: sqlite3.Connection, folder: Path) -> dict[str, Any]:
    """Every blob the copy's stored_files lists, from `folder` into the copy's table."""
    dst.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (sha256 TEXT PRIMARY KEY, data BLOB)")
    if not _has_table(dst, "stored_files"):
        return {"files": 0, "file_bytes": 0, "files_bad": []}
    shas = [r[0] for r in dst.execute("SELECT sha256 FROM stored_files ORDER BY sha256")]
    count = total = 0
    bad: list[str] = []
    for sha in shas:
        path = folder / sha[:2] / f"{sha}.pdf"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            bad.append(sha)
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            bad.append(sha)
            continue
        dst.execute(f"INSERT OR IGNORE INTO {TABLE} (sha256, data) VALUES (?, ?)", (sha, data))
        count, total = count + 1, total + len(data)
    return {"files": count, "file_bytes": total, "files_bad": bad}


def restore_out(conn: sqlite3.Connection, folder: Path) -> int:
    """The backup's files written into `folder` (each hash checked); the table dropped.
    Returns how many; 0 for a backup made before files were kept."""
    if not _has_table(conn, TABLE):
        return 0
    n = 0
    for sha, data in conn.execute(f"SELECT sha256, data FROM {TABLE} ORDER BY sha256"):
        if hashlib.sha256(data).hexdigest() != sha:
            raise ValidationError("restore_file_corrupt", sha=sha[:12])
        write_blob_at(folder, bytes(data))
        n += 1
    conn.execute(f"DROP TABLE {TABLE}")
    return n
