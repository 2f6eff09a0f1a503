"""When a dossier may say it was received (issue 12 items 2 and 4), pure parts.

A dossier's code shows two year digits (yymmdd), so the per-day code counter is keyed by
exactly those digits (`code_period`): 1926-12-03 and 2026-12-03 would otherwise be two
counters handing out the same codes. A receipt time before the unit's earliest date
(default 1 January 2018, when Decree 61/2018 and these codes began) is refused; one more
than LATE_ENTRY_DAYS back is taken but audited as a late entry and listed at the day close.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from counter_app.domain.errors import ValidationError

EARLIEST_RECEIPT_DEFAULT = date(2018, 1, 1)
# Codes read two year digits back as 20yy (domain/codes.parse_code): nothing before 2000.
EARLIEST_RECEIPT_FLOOR = date(2000, 1, 1)
LATE_ENTRY_DAYS = 30
LATE_ENTRY_ACTION = "intake_late_entry"  # the audit action; the day close lists them
# Intake refuses while the PC's clock is behind the newest record by more than this
# (a clock stepped back) ...
CLOCK_BEHIND_TOLERANCE = timedelta(minutes=10)
# ... or differs from central's clock at the last sync by more than the unit's setting (hours).
CLOCK_SKEW_DEFAULT_H = 24
CLOCK_SKEW_MAX_H = 24 * 30


def code_period(day: date) -> str:
    """The dossier-code counter's period: exactly the yymmdd the code shows."""
    return f"{day:%y%m%d}"


def check_earliest(value: date, today: date) -> date:
    if not EARLIEST_RECEIPT_FLOOR <= value <= today:
        raise ValidationError(
            "earliest_receipt_invalid",
            value=value.isoformat(),
            floor=EARLIEST_RECEIPT_FLOOR.isoformat(),
        )
    return value


def check_skew_hours(value: int) -> int:
    if not 1 <= value <= CLOCK_SKEW_MAX_H:
        raise ValidationError("clock_skew_invalid", value=value, max=CLOCK_SKEW_MAX_H)
    return value


def is_late_entry(at: datetime, now: datetime) -> bool:
    return at < now - timedelta(days=LATE_ENTRY_DAYS)
