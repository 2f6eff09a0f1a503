"""After a restore (or a database first built from central): never reuse a number central saw.

A counter restored from an older backup would hand out again the dossier codes and the
outbox sequence numbers it had used after that backup (central keeps the second events
aside as `seq_taken`, never applied, still naming the first citizens). So `restore`
leaves a flag in app_meta (`restore.pending`), and so does a first sync that creates the
local unit; while it is set:

- intake refuses (`restore_check_pending`), unless the supervisor chose a recovery code
  range (`use_fresh_range`): one of ten slots of 1,000 numbers at the top of the code
  space (90,000–99,999), which normal intake never uses (it stops at 89,999), drawn from
  its own counter (kind `dossier-rN`), so it cannot meet a code the lost database gave out;
- the next sync round, before it pushes anything, runs `run_check`: central's
  `resume_point` says the stream's highest sequence and, per code day, the highest code
  of the unit within the normal range; the local per-day code counters move past them;
  outbox rows written since the restore are renumbered after central's highest sequence
  (they were never pushed: pushing waits for this check), the outbox counter follows and
  the acknowledged watermark becomes central's; the events of this stream after the
  backup's last one (the work lost with the old database) are read back from central and
  listed as sync issues of kind `lost` (one per dossier: code, name, last status) for the
  supervisor. The flag and the recovery range are then cleared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from counter_app.db.models import Counter, DayClose, Meta, OutboxEvent, SyncIssue, Unit, User
from counter_app.domain.codes import CODE_RANGE_TOP
from counter_app.domain.errors import ValidationError
from counter_app.domain.receipt import code_period
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit, last_closed_day
from counter_app.services.units import find_local_unit, local_unit
from counter_app.sync.transport import Transport

PENDING_KEY = "restore.pending"
FRESH_KEY = "restore.fresh_range"
SLOTS_KEY = "restore.slots_used"
CHECKED_KEY = "restore.checked"
ACKED_KEY = "sync.acked_seq"  # services/sync.py's watermark

RECOVERY_BASE = CODE_RANGE_TOP + 1  # 90,000: normal intake stops below; ten recovery slots above
SLOT_SIZE = 1_000
SLOTS = 10
PAGE = 2_000


def _get(s: Session, key: str) -> str | None:
    row = s.get(Meta, key)
    return row.value if row else None


def _put(s: Session, key: str, value: str | None) -> None:
    row = s.get(Meta, key)
    if value is None:
        if row is not None:
            s.delete(row)
    elif row is None:
        s.add(Meta(key=key, value=value))
    else:
        row.value = value


def pending(s: Session) -> dict[str, Any] | None:
    raw = _get(s, PENDING_KEY)
    return json.loads(raw) if raw else None


def fresh_range(s: Session) -> dict[str, Any] | None:
    raw = _get(s, FRESH_KEY)
    return json.loads(raw) if raw else None


def pending_record(reason: str, outbox_base: int, at: datetime, **extra: Any) -> str:
    """What app_meta holds while the check waits (also written by restore into the copy)."""
    return json.dumps(
        {"reason": reason, "outbox_base": outbox_base, "at": at.isoformat(), **extra},
        ensure_ascii=False,
    )


def mark_pending(s: Session, reason: str, at: datetime) -> None:
    """Set the flag in the caller's transaction (a first sync that creates the unit)."""
    if _get(s, PENDING_KEY):
        return
    top = s.scalar(select(func.max(OutboxEvent.seq))) or 0
    _put(s, PENDING_KEY, pending_record(reason, top, at))


def normal_range(unit: Unit) -> tuple[int, int]:
    return unit.seq_start, min(unit.seq_end, RECOVERY_BASE - 1)


def code_range(s: Session, unit: Unit) -> tuple[str, int, int]:
    """The counter kind and range intake draws the next dossier code from; refuses while a
    restore waits for its check (unless a recovery range was chosen)."""
    return range_from(unit, _get(s, FRESH_KEY), _get(s, PENDING_KEY))


def range_from(unit: Unit, fresh_raw: str | None, pending_raw: str | None) -> tuple[str, int, int]:
    """code_range on the app_meta values already read (the recovery range, the pending check)."""
    fresh = json.loads(fresh_raw) if fresh_raw else None
    if fresh:
        return str(fresh["kind"]), int(fresh["start"]), int(fresh["end"])
    if pending_raw:
        raise ValidationError("restore_check_pending")
    lo, hi = normal_range(unit)
    return "dossier", lo, hi


@dataclass(frozen=True)
class PendingState:
    pending: dict[str, Any] | None
    fresh: dict[str, Any] | None
    checked: dict[str, Any] | None
    lost: list[dict[str, Any]] = field(default_factory=list)


def state(ctx: ServiceContext) -> PendingState:
    with ctx.uow.read() as s:
        checked = _get(s, CHECKED_KEY)
        return PendingState(
            pending(s), fresh_range(s), json.loads(checked) if checked else None, lost_list(s)
        )


def lost_list(s: Session) -> list[dict[str, Any]]:
    rows = s.scalars(select(SyncIssue).where(SyncIssue.kind == "lost").order_by(SyncIssue.seq))
    return [dict(r.detail, seq=r.seq) for r in rows]


def use_fresh_range(ctx: ServiceContext, username: str) -> dict[str, Any]:
    """Offline after a restore: go on in a recovery slot no other restore of this database
    used. Audited. Refused when nothing waits for a check."""
    now = ctx.clock()
    with ctx.uow.write() as s:
        if not _get(s, PENDING_KEY):
            raise ValidationError("restore_nothing_pending")
        current = fresh_range(s)
        if current:
            return current
        used = json.loads(_get(s, SLOTS_KEY) or "[]")
        free = [k for k in range(SLOTS) if k not in used]
        if not free:
            raise ValidationError("restore_no_slot")
        slot = free[0]
        rng = {
            "slot": slot,
            "kind": f"dossier-r{slot}",
            "start": RECOVERY_BASE + slot * SLOT_SIZE,
            "end": RECOVERY_BASE + (slot + 1) * SLOT_SIZE - 1,
            "at": now.isoformat(),
        }
        _put(s, FRESH_KEY, json.dumps(rng))
        _put(s, SLOTS_KEY, json.dumps([*used, slot]))
        append_audit(s, now, username, "restore_fresh_range", {"slot": slot})
    return rng


def _bump_counter(s: Session, unit_id: str, kind: str, period: str, value: int) -> bool:
    row = s.get(Counter, (unit_id, kind, period))
    if row is None:
        s.add(Counter(unit_id=unit_id, kind=kind, period=period, last=value))
        return True
    if row.last < value:
        row.last = value
        return True
    return False


def _period(day: str) -> str | None:
    """Central's code day (YYYYMMDD) as the code counter's period (yymmdd, as the code)."""
    try:
        return code_period(date(int(day[:4]), int(day[4:6]), int(day[6:8])))
    except ValueError:
        return None


def _renumber(s: Session, base: int, shift: int) -> None:
    """Outbox rows above `base` move up by `shift`, in order (two steps: the primary key)."""
    s.execute(
        update(OutboxEvent).where(OutboxEvent.seq > base).values(seq=-(OutboxEvent.seq + shift))
    )
    s.execute(update(OutboxEvent).where(OutboxEvent.seq < 0).values(seq=-OutboxEvent.seq))


def _lost_events(transport: Transport, source: str, after: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        rows = transport.source_events(source, after, PAGE)
        out += rows
        if len(rows) < PAGE:
            return out
        after = int(rows[-1]["seq"])


def _summarise(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per dossier touched by the lost events: its code, name, last status."""
    by_code: dict[str, dict[str, Any]] = {}
    for e in events:
        p = e.get("payload") or {}
        code = p.get("code")
        if e.get("kind") not in ("dossier", "dossier_event") or not code:
            continue
        entry = by_code.setdefault(
            code, {"code": code, "new": False, "name": "", "status": "", "seq": int(e["seq"])}
        )
        if e["kind"] == "dossier":
            entry.update(
                new=True,
                name=(p.get("applicant") or {}).get("name", ""),
                received_at=p.get("received_at", ""),
                procedure=p.get("procedure", ""),
            )
        else:
            entry.update(status=p.get("status") or entry["status"], last_kind=p.get("kind", ""))
    return list(by_code.values())


def _reclose(s: Session, unit_id: str, closes: list[dict[str, Any]]) -> list[str]:
    """Days closed after the backup, lost with the old database: their close records come
    back from their `day_closed` events (the hashed record travels whole), so nothing can be
    dated on or before them again and the close chain goes on from them. Returns the days."""
    done: list[str] = []
    for p in sorted(closes, key=lambda p: str(p.get("day", ""))):
        rec = p.get("record")
        try:
            day = date.fromisoformat(str(p["day"]))
            at = datetime.fromisoformat(str(p["at"]))
        except (KeyError, ValueError):
            continue
        last = last_closed_day(s, unit_id)
        if not isinstance(rec, dict) or (last is not None and day <= last):
            continue
        if s.get(User, rec.get("closed_by")) is None:
            continue  # an account this database never had: the FK would refuse the row
        s.add(
            DayClose(
                unit_id=unit_id,
                day=day,
                closed_by=rec["closed_by"],
                closed_at=at,
                summary=rec.get("summary") or {},
                anomalies=rec.get("anomalies") or [],
                prev_hash=str(p.get("prev_hash", "")),
                hash=str(p.get("hash", "")),
            )
        )
        s.flush()
        done.append(day.isoformat())
    return done


def run_check(ctx: ServiceContext, transport: Transport, source: str) -> dict[str, Any] | None:
    """The check (see the module doc); None when nothing waits. One local transaction for
    everything it changes, after central answered: cut off halfway, it runs again."""
    with ctx.uow.read() as s:
        p = pending(s)
        unit = find_local_unit(s)
        lo, hi = normal_range(unit) if unit else (1, RECOVERY_BASE - 1)
    if p is None or unit is None:
        return None
    point = transport.resume_point(source, lo, hi)
    base = int(p.get("outbox_base") or 0)
    central_max = int(point.get("max_seq") or 0)
    events = _lost_events(transport, source, base) if central_max > base else []
    lost = _summarise(events)
    closes = [e["payload"] for e in events if e.get("kind") == "day_closed" and e.get("payload")]
    now = ctx.clock()
    with ctx.uow.write() as s:
        if pending(s) is None:
            return None  # another process ran it meanwhile
        unit = local_unit(s)
        days = 0
        for day, top in dict(point.get("codes") or {}).items():
            period = _period(str(day))
            if period:
                days += _bump_counter(s, unit.id, "dossier", period, int(top))
        local_top = s.scalar(select(func.max(OutboxEvent.seq))) or 0
        shift = 0
        if central_max > base and local_top > base:
            shift = central_max - base
            _renumber(s, base, shift)
        new_top = max(local_top + shift, central_max)
        counter = s.get(Counter, (unit.id, "outbox", "-"))
        if counter is None:
            s.add(Counter(unit_id=unit.id, kind="outbox", period="-", last=new_top))
        else:
            counter.last = max(counter.last, new_top)
        contiguous = int(point.get("contiguous_seq") or 0)
        acked = contiguous  # new rows start above central_max >= contiguous
        _put(s, ACKED_KEY, str(acked))
        if acked:
            s.execute(
                update(OutboxEvent)
                .where(OutboxEvent.seq <= acked, OutboxEvent.acked_at.is_(None))
                .values(acked_at=now)
            )
        reclosed = _reclose(s, unit.id, closes)
        for entry in lost:
            key = f"lost:{entry['code']}"
            if s.get(SyncIssue, key) is None:
                s.add(
                    SyncIssue(
                        id=key[:80],
                        kind="lost",
                        seq=entry["seq"],
                        event_kind="dossier",
                        reason="lost_in_restore",
                        detail=entry,
                        at=now,
                    )
                )
        result = {
            "reason": p.get("reason"),
            "code_days": days,
            "outbox_shift": shift,
            "outbox_next": new_top + 1,
            "acked_seq": acked,
            "central_max_seq": central_max,
            "lost": len(lost),
            "closed_again": reclosed,
            "checked_at": now.isoformat(),
        }
        _put(s, PENDING_KEY, None)
        _put(s, FRESH_KEY, None)
        _put(s, CHECKED_KEY, json.dumps(result))
        append_audit(s, now, "system", "restore_checked", dict(result))
    result["lost_dossiers"] = lost
    return result
