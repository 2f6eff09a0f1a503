"""The garbage collector paused while the app starts (counter_app/start.py, app.run_gui,
ui/main.build_main_window).

Loading the app's modules (SQLAlchemy and the models, the services, and for the window
PySide6 and the ui) makes some 150,000 objects and no garbage, and the collector walked them
~200 times on the way; building the counter window makes thousands more, each pass walking
everything loaded before. On a 2-core machine at 1,000,000 dossiers (issue 17, process time,
medians of 7–9 runs) the imports took 1.72 s with it and 1.44 s without, the window 503 ms
and 357 ms. It runs again as soon as each block is done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the collector for a block that makes many lasting objects and little garbage
    (left as it was found)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
