"""Where the bundled assets live: inside the installed package, or the repository's assets/."""

from __future__ import annotations

from pathlib import Path

import counter_app


def assets_dir() -> Path:
    pkg = Path(counter_app.__file__).resolve().parent
    installed = pkg / "_assets"
    return installed if installed.is_dir() else pkg.parent / "assets"
