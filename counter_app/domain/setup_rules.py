"""Rules for setting up a unit: clock times, office hours, code ranges, counter lists."""

from __future__ import annotations

import re

from counter_app.domain.codes import CODE_RANGE_TOP
from counter_app.domain.errors import ValidationError

# The printers a supervisor sets per unit (`printer set KIND`), and the devices kept in the
# database beside the config file (`device set KIND`): the command line's choices read these
# without loading the services.
PRINTER_KINDS = ("a4", "label", "ticket")
STORED_DEVICE_KINDS = ("scanner", "led_board")

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_RANGE = re.compile(r"^\s*(\d{1,6})\s*[-–]\s*(\d{1,6})\s*$")


def clock_time(value: str, what: str) -> str:
    """ "7:30" or "07:30" -> "07:30"; anything else is refused naming the setting."""
    m = _HHMM.match(str(value).strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ValidationError("time_invalid", what=what, value=str(value))
    return f"{int(m[1]):02d}:{m[2]}"


def check_hours(opens: str, closes: str, cutoff: str | None = None) -> None:
    """Opening before closing; the cut-off for receiving dossiers within those hours."""
    if closes <= opens:
        raise ValidationError("hours_reversed", opens=opens, closes=closes)
    if cutoff is not None and not opens <= cutoff <= closes:
        raise ValidationError("cutoff_outside_hours", cutoff=cutoff, opens=opens, closes=closes)


def number_range(
    value: str, *, top: int = CODE_RANGE_TOP, what: str = "code_range"
) -> tuple[int, int]:
    """ "1-4999" -> (1, 4999): within 1..top, start not after end."""
    m = _RANGE.match(str(value))
    if m:
        start, end = int(m[1]), int(m[2])
        if 1 <= start <= end <= top:
            return start, end
    raise ValidationError("range_invalid", what=what, value=str(value), top=top)


def counter_list(value: str) -> list[int]:
    """ "1,2, 3" -> [1, 2, 3] (sorted, no repeats); every item a positive whole number."""
    out: set[int] = set()
    for part in str(value).split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise ValidationError("counter_list_invalid", value=str(value))
        out.add(int(part))
    if not out:
        raise ValidationError("counter_list_invalid", value=str(value))
    return sorted(out)
