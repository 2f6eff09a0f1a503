"""Size limits on every input (issue 12 item 9), in one place; the README lists them.

A file is read at most LIMIT + 1 bytes (one byte more tells "too large" without reading the
rest), and only a regular file: /dev/zero, a FIFO or a directory is refused by name. Counts
are checked before anything is written; string lengths are clean_text's max_len (domain/text).
"""

from __future__ import annotations

MIB = 1024 * 1024

# Files given on the command line (or "-" for standard input).
INTAKE_FILE_MAX_BYTES = 4 * MIB  # ~1 KB a dossier: room for a full batch
CATALOGUE_FILE_MAX_BYTES = 16 * MIB  # a province's whole catalogue is about 2-3 MB

# Counts inside them.
MAX_DOSSIERS_PER_INTAKE = 500  # one intake file or list (saved in one transaction)
MAX_DOCUMENT_LINES = 60  # document lines of one dossier (the longest checklist is ~25)
MAX_PROCEDURES_PER_CATALOGUE = 5000  # a province's catalogue has about 2,000
MAX_CHECKLIST_LINES = 60  # documents of one procedure in the catalogue


def size_text(n: int) -> str:
    """A byte count as people read it: 4 MB, 512 KB."""
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} byte"
