"""The counter's side of sync: push the outbox, pull reference data, remember where it got to.

This is the use case; the link to central (Transport, PgTransport) is sync/transport.py.

Push: outbox rows above the acknowledged watermark go to central in batches through a
Transport (PgTransport in production, wrappers in tests that drop, duplicate or reorder).
Central answers the highest sequence it holds without a gap; everything up to it is marked
acknowledged, in one local transaction with the rejections it reported. A reply lost on
the way makes the retry a no-op centrally. If central holds less than we thought (it was
restored from a backup), the watermark moves back and the rest is sent again.

Pull: each reference table is read in pages of `row_version > cursor`; a page and its
cursor are applied in one local transaction, so a cut link repeats at most one page.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, delete, func, select, type_coerce, update
from sqlalchemy.orm import Session

from counter_app.db.models import (
    AdminUnitOverride,
    CalendarOverride,
    Meta,
    OutboxEvent,
    Procedure,
    SyncIssue,
    Unit,
)
from counter_app.db.models import User as UserRow
from counter_app.domain.admin_overrides import admin_override_ok
from counter_app.domain.catalogue import validate_procedure
from counter_app.domain.errors import CounterAppError
from counter_app.domain.redact import redact_secrets, redact_value
from counter_app.services import file_sync, resume, unit_setup
from counter_app.services.admin_units import forget_in
from counter_app.services.catalogue import apply_procedure
from counter_app.services.context import ServiceContext
from counter_app.services.records import append_audit
from counter_app.services.units import find_local_unit, new_source_id, set_local_unit
from counter_app.sync.transport import Offline, PushReply, SyncError, Transport

log = logging.getLogger(__name__)

REFERENCE_TABLES = (
    "units",
    "procedures",
    "calendar_overrides",
    "users",
    "service_counters",  # before the services that name them
    "queue_services",
    "admin_unit_overrides",  # issue 16: communes added, renamed or retired by central
)
PAGE_ROWS = 2000
START_BATCH, MIN_BATCH, MAX_BATCH = 500, 50, 2000
CLOCK_WARN_S = 300  # warn when the counter's clock is off central's by more than 5 minutes
_K = "sync."  # app_meta keys

# The link a round talks through, as the windows name it (they do not import sync/).
SyncTransport = Transport


def is_offline(exc: BaseException) -> bool:
    """A round failed because central or the link is away: retry later, nothing was lost."""
    return isinstance(exc, Offline)


class Backoff:
    """Exponential backoff with full jitter: after n failures wait U(0, min(cap, base·2ⁿ))."""

    def __init__(
        self, base_s: float = 2.0, cap_s: float = 300.0, rng: Callable[[], float] = random.random
    ) -> None:
        self.base_s, self.cap_s, self.rng = base_s, cap_s, rng
        self.failures = 0

    def success(self) -> None:
        self.failures = 0

    def failure(self) -> float:
        ceiling = min(self.cap_s, self.base_s * 2.0**self.failures)
        self.failures += 1
        return float(self.rng() * ceiling)


@dataclass
class SyncReport:
    unit: str | None = None
    pushed: int = 0  # events central acknowledged in this run
    batches: int = 0
    acked_seq: int = 0
    waiting: int = 0
    new_rejections: int = 0
    rejected: int = 0
    clashes: int = 0
    gaps: list[list[int]] = field(default_factory=list)
    pulled: dict[str, int] = field(default_factory=dict)
    clock_offset_s: float | None = None
    clock_warning: bool = False
    insecure_link: bool = False  # connected without TLS to a host that is not this machine
    finished_at: datetime | None = None
    files: dict[str, Any] = field(default_factory=dict)  # file_sync.UploadReport.as_json()
    files_waiting: dict[str, int] = field(default_factory=dict)  # files, pages, bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "pushed": self.pushed,
            "batches": self.batches,
            "acked_seq": self.acked_seq,
            "waiting": self.waiting,
            "new_rejections": self.new_rejections,
            "rejected": self.rejected,
            "clashes": self.clashes,
            "gaps": self.gaps,
            "pulled": self.pulled,
            "clock_offset_s": self.clock_offset_s,
            "clock_warning": self.clock_warning,
            "insecure_link": self.insecure_link,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "files": self.files,
            "files_waiting": self.files_waiting,
        }


@dataclass(frozen=True)
class LastError:
    """The last failed round as stored: its error code and parameters, turned into words where
    shown (messages.describe_stored). A database written by an older version holds the
    sentence itself: `text`, shown as it is."""

    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    field_errors: dict[str, str] = field(default_factory=dict)
    text: str = ""


def _error_record(exc: Exception) -> str:
    """What `last_error` stores for a failure: JSON {"code", "params"[, "field_errors"]}, or
    {"text"} for an error without a code; passwords redacted, long values cut."""
    if not isinstance(exc, CounterAppError):
        return json.dumps({"text": redact_secrets(f"{type(exc).__name__}: {exc}")[:500]})
    params = {
        k: (v if isinstance(v, int | float | bool) or v is None else str(v)[:300])
        for k, v in redact_value(dict(exc.params)).items()
    }
    record: dict[str, Any] = {"code": exc.code, "params": params}
    field_errors = getattr(exc, "field_errors", None)
    if field_errors:
        record["field_errors"] = dict(field_errors)
    return json.dumps(record, ensure_ascii=False)


def _read_error(stored: str) -> LastError | None:
    if not stored:
        return None
    try:
        record = json.loads(stored)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        # Written by an older version: the rendered sentence (redacted again on the way out:
        # an even older one stored texts unredacted).
        return LastError(text=redact_secrets(stored))
    return LastError(
        code=str(record.get("code") or ""),
        params=dict(record.get("params") or {}),
        field_errors=dict(record.get("field_errors") or {}),
        text=redact_secrets(str(record.get("text") or "")),
    )


@dataclass(frozen=True)
class LocalStatus:
    """What the window shows without asking central."""

    central_configured: bool
    waiting: int
    acked_seq: int
    last_ok_at: datetime | None
    last_attempt_at: datetime | None
    last_error: LastError | None
    online: bool
    rejected: int
    clashes: int
    clock_offset_s: float | None
    insecure_link: bool = False  # the last connection to central was not encrypted
    files_waiting: dict[str, int] = field(default_factory=dict)  # files, pages, bytes to send

    @property
    def clock_warning(self) -> bool:
        return self.clock_offset_s is not None and abs(self.clock_offset_s) > CLOCK_WARN_S


# --- local state (app_meta) ----------------------------------------------------------------


def _get(s: Session, key: str) -> str | None:
    row = s.get(Meta, _K + key)
    return row.value if row else None


def _set(s: Session, key: str, value: str) -> None:
    row = s.get(Meta, _K + key)
    if row is None:
        s.add(Meta(key=_K + key, value=value))
    else:
        row.value = value


def _get_int(s: Session, key: str) -> int:
    v = _get(s, key)
    return int(v) if v else 0


def _when(s: Session, key: str) -> datetime | None:
    v = _get(s, key)
    return datetime.fromisoformat(v) if v else None


def local_status(ctx: ServiceContext) -> LocalStatus:
    files = file_sync.waiting(ctx).as_json()
    with ctx.uow.read() as s:
        acked = _get_int(s, "acked_seq")
        top = s.scalar(select(func.max(OutboxEvent.seq))) or 0
        offset = _get(s, "clock_offset_s")
        last_ok = _when(s, "last_ok_at")
        last_try = _when(s, "last_attempt_at")
        last_failed = _when(s, "last_failed_at")
        issues = dict(
            s.execute(select(SyncIssue.kind, func.count()).group_by(SyncIssue.kind)).all()
        )
        return LocalStatus(
            central_configured=bool(ctx.settings.central_url),
            waiting=max(0, top - acked),  # outbox numbers have no gaps
            acked_seq=acked,
            last_ok_at=last_ok,
            last_attempt_at=last_try,
            last_error=_read_error(_get(s, "last_error") or ""),
            # A round in progress is not a failure: online until a round fails.
            online=last_ok is not None and (last_failed is None or last_ok >= last_failed),
            rejected=int(issues.get("rejected", 0)),
            clashes=int(issues.get("clash", 0)),
            clock_offset_s=float(offset) if offset else None,
            insecure_link=_get(s, "insecure_link") == "1",
            files_waiting=files,
        )


def list_issues(ctx: ServiceContext, limit: int = 200) -> list[dict[str, Any]]:
    with ctx.uow.read() as s:
        rows = s.scalars(select(SyncIssue).order_by(SyncIssue.at.desc()).limit(limit)).all()
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "seq": r.seq,
                "event_kind": r.event_kind,
                "reason": r.reason,
                "detail": redact_value(r.detail),
                "at": r.at.isoformat(),
            }
            for r in rows
        ]


def source_id(ctx: ServiceContext) -> str:
    """This database's stream name at central; made once, kept in app_meta."""
    with ctx.uow.read() as s:
        existing = _get(s, "source_id")
    if existing:
        return existing
    with ctx.uow.write() as s:
        existing = _get(s, "source_id")
        if existing:
            return existing
        value = new_source_id()
        _set(s, "source_id", value)
        return value


# --- the sync itself ---------------------------------------------------------------------------


def _assign(row: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for k, v in values.items():
        if getattr(row, k) != v:
            setattr(row, k, v)
            changed = True
    return changed


class Syncer:
    def __init__(
        self,
        ctx: ServiceContext,
        transport: Transport,
        *,
        batch: int = START_BATCH,
        min_batch: int = MIN_BATCH,
        max_batch: int = MAX_BATCH,
        page_rows: int = PAGE_ROWS,
        file_budget: int = file_sync.ROUND_BYTES,
        file_chunk: int = file_sync.CHUNK_BYTES,
    ) -> None:
        self.ctx = ctx
        self.transport = transport
        self.batch = batch
        self.min_batch, self.max_batch = min_batch, max_batch
        self.page_rows = page_rows
        self.unit: str | None = None
        self.resumed: dict[str, Any] | None = None  # the last round's resume check, if one ran
        self.file_budget, self.file_chunk = file_budget, file_chunk

    def _push_if_waiting(self, report: SyncReport) -> None:
        """Between two file chunks: events written meanwhile go first."""
        with self.ctx.uow.read() as s:
            acked = _get_int(s, "acked_seq")
            top = s.scalar(select(func.max(OutboxEvent.seq))) or 0
        if top > acked:
            self.push(report)

    # -- one full round ------------------------------------------------------------------
    def run_once(self) -> SyncReport:
        report = SyncReport()
        try:
            self._note_attempt()
            self._hello(report)
            report.pulled = self.pull()  # first: a fresh database learns its unit here
            # After a restore or a first build from central, nothing is pushed and no
            # dossier taken until the local counters are past central's (services/resume).
            self.resumed = resume.run_check(self.ctx, self.transport, source_id(self.ctx))
            self.push(report)
            report.clashes = self._pull_clashes()
            # Files last, within a budget, pushing events written meanwhile between chunks:
            # a big file never holds up an event (issue 15).
            if file_sync.carries_files(self.transport):
                report.files = file_sync.upload(
                    self.ctx,
                    self.transport,  # type: ignore[arg-type]
                    budget_bytes=self.file_budget,
                    chunk_bytes=self.file_chunk,
                    between=lambda: self._push_if_waiting(report),
                ).as_json()
        except Exception as exc:  # every failure is remembered for the status bar
            self._note_error(exc)
            raise
        now = self.ctx.clock()
        with self.ctx.uow.write() as s:
            _set(s, "last_ok_at", now.isoformat())
            _set(s, "last_error", "")
        st = local_status(self.ctx)
        report.waiting, report.acked_seq, report.rejected = st.waiting, st.acked_seq, st.rejected
        report.files_waiting = st.files_waiting
        report.finished_at = now
        return report

    def _note_attempt(self) -> None:
        with self.ctx.uow.write() as s:
            _set(s, "last_attempt_at", self.ctx.clock().isoformat())

    def _note_error(self, exc: Exception) -> None:
        if isinstance(exc, CounterAppError):
            log.warning("sync round failed: %s", redact_secrets(str(exc)))
        else:
            log.error("sync round failed", exc_info=exc)
        try:
            with self.ctx.uow.write() as s:
                _set(s, "last_error", _error_record(exc))
                _set(s, "last_failed_at", self.ctx.clock().isoformat())
        except Exception:  # recording the failure must never hide it
            log.exception("could not record the sync error")

    def _hello(self, report: SyncReport) -> None:
        before = self.ctx.clock()
        hello = self.transport.hello()
        after = self.ctx.clock()
        if hello.get("privileged"):
            # An administrator's URL on a counter: refuse it rather than use it.
            raise SyncError("sync_admin_credentials", role=str(hello.get("role")))
        unit = hello.get("unit")
        if not unit:
            raise SyncError("sync_not_a_unit", role=str(hello.get("role")))
        with self.ctx.uow.read() as s:
            found = find_local_unit(s)
            local = found.agency_id if found else None
        if local is not None and local != unit:
            raise SyncError("sync_unit_mismatch", local=local, central=unit)
        self.unit = report.unit = unit
        server = hello.get("server_time")
        server_dt = datetime.fromisoformat(server) if isinstance(server, str) else server
        offset: float | None = None
        if server_dt is not None:  # a central that does not say its time leaves it unmeasured
            midpoint = before + (after - before) / 2
            offset = (server_dt - midpoint).total_seconds()
            report.clock_offset_s = round(offset, 1)
            report.clock_warning = abs(offset) > CLOCK_WARN_S
        # Only a transport that knows (PgTransport, after connecting) says; others leave the
        # last answer in place.
        unencrypted = getattr(self.transport, "unencrypted", None)
        if unencrypted is not None:
            report.insecure_link = bool(unencrypted)
        with self.ctx.uow.write() as s:
            if offset is not None:
                _set(s, "clock_offset_s", f"{offset:.1f}")
            if unencrypted is not None:
                _set(s, "insecure_link", "1" if unencrypted else "")

    # -- push ------------------------------------------------------------------------------
    def _pending(self, after: int, limit: int) -> tuple[list[int], str]:
        """Up to `limit` outbox rows after `after`, as their seqs and the batch's JSON text."""
        with self.ctx.uow.read() as s:
            rows = s.execute(
                select(
                    OutboxEvent.seq,
                    OutboxEvent.event_id,
                    OutboxEvent.kind,
                    OutboxEvent.schema_version,
                    OutboxEvent.created_at,
                    type_coerce(OutboxEvent.payload, Text),
                )
                .where(OutboxEvent.seq > after)
                .order_by(OutboxEvent.seq)
                .limit(limit)
            ).all()
        parts = [
            f'{{"event_id":"{eid}","seq":{seq},"kind":{json.dumps(kind)},'
            f'"schema_version":{ver},"created_at":"{at.isoformat()}","payload":{payload}}}'
            for seq, eid, kind, ver, at, payload in rows
        ]
        return [r[0] for r in rows], "[" + ",".join(parts) + "]"

    def push(self, report: SyncReport | None = None) -> SyncReport:
        """Send what central lacks, batch after batch, each acknowledged locally once central's
        reply says it holds it.

        While central stores a batch (most of a round's time), this thread acknowledges the
        previous reply and reads the next batch, as if central takes this one whole (it nearly
        always does; otherwise the read is thrown away and the next batch read from what
        central holds). The replies are acknowledged in order, each before the next call's
        outcome is looked at, so a failure leaves the local watermark at the last reply."""
        report = report or SyncReport()
        assert self.unit is not None, "hello first"
        unit, source = self.unit, source_id(self.ctx)
        with self.ctx.uow.read() as s:
            watermark = _get_int(s, "acked_seq")
        resent_from: int | None = None
        unacked: tuple[int, PushReply] | None = None  # (watermark before it, its reply)
        seqs, body = self._pending(watermark, self.batch)
        while seqs:
            call = _InFlight(self.transport.push, unit, source, body)
            if unacked is not None:
                report.new_rejections += self._acknowledge(*unacked)
                unacked = None
            ahead_batch = min(self.max_batch, self.batch * 2)
            ahead = self._pending(seqs[-1], ahead_batch)
            try:
                reply = call.result()
            except Offline:
                self.batch = max(self.min_batch, self.batch // 2)
                raise
            report.batches += 1
            self.batch = ahead_batch
            unacked = (watermark, reply)
            report.gaps = reply.gaps
            if reply.contiguous_seq >= seqs[-1]:
                report.pushed += reply.contiguous_seq - watermark
                watermark = reply.contiguous_seq
                if watermark == seqs[-1]:
                    seqs, body = ahead
                else:  # central already held events past this batch
                    seqs, body = self._pending(watermark, self.batch)
                continue
            # Central holds less than this batch: it lacks events below it (restored from a
            # backup, or our watermark ran ahead). Send again from what it holds, once.
            if resent_from is not None and reply.contiguous_seq <= resent_from:
                report.new_rejections += self._acknowledge(*unacked)
                raise SyncError("sync_stalled", seq=reply.contiguous_seq + 1)
            resent_from = reply.contiguous_seq
            report.pushed += max(0, reply.contiguous_seq - watermark)
            watermark = reply.contiguous_seq
            seqs, body = self._pending(watermark, self.batch)
        if unacked is not None:
            report.new_rejections += self._acknowledge(*unacked)
        return report

    def _acknowledge(self, old: int, reply: PushReply) -> int:
        """Mark what central holds, record what it rejected: one local transaction."""
        now = self.ctx.clock()
        new = 0
        with self.ctx.uow.write() as s:
            if reply.contiguous_seq > old:
                s.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.seq > old, OutboxEvent.seq <= reply.contiguous_seq)
                    .values(acked_at=now)
                )
            _set(s, "acked_seq", str(reply.contiguous_seq))
            _set(s, "gaps", json.dumps(reply.gaps))
            for r in reply.rejected:
                eid = str(r["event_id"])
                if s.get(SyncIssue, eid) is None:
                    s.add(
                        SyncIssue(
                            id=eid,
                            kind="rejected",
                            seq=int(r["seq"]),
                            event_kind=str(r.get("kind") or ""),
                            reason=redact_secrets(str(r.get("reason") or ""))[:40],
                            detail=redact_value(dict(r.get("detail") or {})),
                            at=now,
                        )
                    )
                    new += 1
            if new:
                append_audit(s, now, "system", "sync_rejected", {"count": new})
        return new

    # -- pull ------------------------------------------------------------------------------
    def pull(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for table in REFERENCE_TABLES:
            counts[table] = 0
            while True:
                with self.ctx.uow.read() as s:
                    cursor = _get_int(s, f"cursor.{table}")
                rows = self.transport.fetch(table, cursor, self.page_rows)
                if not rows:
                    break
                with self.ctx.uow.write() as s:
                    # The page and its cursor in one transaction: a cut link repeats a page,
                    # never skips one.
                    applied = self._apply_page(s, table, rows)
                    _set(s, f"cursor.{table}", str(rows[-1]["row_version"]))
                    if applied:
                        append_audit(s, self.ctx.clock(), "system", "sync_pull", {table: applied})
                counts[table] += applied
                if len(rows) < self.page_rows:
                    break
        return counts

    def _apply_page(self, s: Session, table: str, rows: list[dict[str, Any]]) -> int:
        apply = {
            "units": self._apply_unit,
            "procedures": self._apply_procedure,
            "calendar_overrides": self._apply_calendar,
            "users": self._apply_user,
            "service_counters": self._apply_counter,
            "queue_services": self._apply_queue_service,
            "admin_unit_overrides": self._apply_admin_unit,
        }[table]
        return sum(1 for r in rows if apply(s, r))

    def _apply_unit(self, s: Session, r: dict[str, Any]) -> bool:
        if r["agency_id"] != self.unit:
            return False  # other units' rows are not ours to keep
        unit = find_local_unit(s)
        fields = (
            "name",
            "parent_name",
            "place_name",
            "address",
            "phone",
            "cutoff",
            "office_open",
            "office_close",
        )
        if unit is None:
            # None (hours central leaves to the unit): the model's defaults
            unit = Unit(agency_id=r["agency_id"], **{k: r[k] for k in fields if r[k] is not None})
            s.add(unit)
            s.flush()
            set_local_unit(s, unit)
            # Built from central: its codes may already be held there (a lost install).
            resume.mark_pending(s, "first_sync", self.ctx.clock())
            return True
        # A unit set up at the counter before central knew it keeps what central leaves
        # empty (add-unit's parent name, place, address, phone are optional; hours NULL).
        return _assign(unit, {k: r[k] for k in fields if r[k] not in ("", None)})

    def _apply_counter(self, s: Session, r: dict[str, Any]) -> bool:
        unit = find_local_unit(s)
        if unit is None or r["unit_id"] != self.unit:
            return False
        return unit_setup.apply_central_counter(
            s, self.ctx.clock(), unit.id, int(r["number"]), r["name"], r["deleted_at"] is None
        )

    def _apply_queue_service(self, s: Session, r: dict[str, Any]) -> bool:
        unit = find_local_unit(s)
        if unit is None or r["unit_id"] != self.unit:
            return False
        return unit_setup.apply_central_service(
            s, self.ctx.clock(), unit.id, r["code"], dict(r["data"]), r["deleted_at"] is None
        )

    def _apply_procedure(self, s: Session, r: dict[str, Any]) -> bool:
        if r["deleted_at"] is not None:
            s.execute(
                update(Procedure)
                .where(Procedure.code == r["code"], Procedure.is_current)
                .values(is_current=False)
            )
            return True
        p = validate_procedure(r["data"], 0)
        return apply_procedure(s, p, self.ctx.clock()) != "unchanged"

    def _apply_calendar(self, s: Session, r: dict[str, Any]) -> bool:
        day = r["day"]
        if r["deleted_at"] is not None:
            s.execute(delete(CalendarOverride).where(CalendarOverride.day == day))
            return True
        row = s.get(CalendarOverride, day)
        now = self.ctx.clock()
        if row is None:
            s.add(
                CalendarOverride(
                    day=day, is_workday=r["is_workday"], note=r["note"], updated_at=now
                )
            )
            return True
        if _assign(row, {"is_workday": r["is_workday"], "note": r["note"]}):
            row.updated_at = now
            return True
        return False

    def _apply_admin_unit(self, s: Session, r: dict[str, Any]) -> bool:
        """Central's override of one commune (as _apply_calendar). A row the packaged list
        could not take (services/admin_units would fail on it) is skipped, not stored."""
        code = str(r["code"])
        forget_in(s)  # this transaction's list is read again after the change
        row = s.get(AdminUnitOverride, code)
        if r["deleted_at"] is not None:
            if row is None:
                return False
            s.delete(row)
            return True
        values = {
            "name": "" if r["retired"] else str(r["name"]),
            "province_code": "" if r["retired"] else str(r["province_code"]),
            "retired": bool(r["retired"]),
        }
        if not admin_override_ok(code, values):
            log.warning("sync: central's override of commune %s skipped (malformed)", code)
            return False
        now = self.ctx.clock()
        if row is None:
            s.add(AdminUnitOverride(code=code, updated_at=now, **values))
            return True
        if _assign(row, values):
            row.updated_at = now
            return True
        return False

    def _apply_user(self, s: Session, r: dict[str, Any]) -> bool:
        unit = find_local_unit(s)
        if unit is None or r["unit_id"] != self.unit:
            return False
        active = bool(r["active"]) and r["deleted_at"] is None
        user = s.scalar(select(UserRow).where(UserRow.username == r["username"]))
        if user is None:
            if not active:
                return False
            s.add(
                UserRow(
                    unit_id=unit.id,
                    username=r["username"],
                    full_name=r["full_name"],
                    role=r["role"],
                    password_hash=r["password_hash"],
                    active=True,
                )
            )
            return True
        new_password = user.password_hash != r["password_hash"]
        changed = _assign(
            user,
            {
                "full_name": r["full_name"],
                "role": r["role"],
                "active": active,
                "password_hash": r["password_hash"],
            },
        )
        if new_password:
            user.failed_attempts, user.locked_until = 0, None
        return changed

    def _pull_clashes(self) -> int:
        rows = self.transport.clashes()
        now = self.ctx.clock()
        with self.ctx.uow.write() as s:
            for r in rows:
                key = f"clash:{r['id']}"
                if s.get(SyncIssue, key) is None:
                    ours = r["unit_id"] == self.unit
                    s.add(
                        SyncIssue(
                            id=key,
                            kind="clash",
                            seq=None,
                            event_kind="dossier",
                            reason="code_clash",
                            detail={
                                "code": r["code"],
                                "kept_by": r["other_unit_id"],
                                "refused_from": r["unit_id"],
                                "ours_refused": ours,
                            },
                            at=now,
                        )
                    )
        return len(rows)


class _InFlight:
    """One call on a thread of its own, so that the caller works while it waits; `result()`
    returns its value or raises its exception. The thread is a daemon: a counter stopped
    (Ctrl+C, the window closed) while central stores a batch does not wait for the reply
    (the batch is sent again next round; central takes a batch once)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._fn, self._args = fn, args
        threading.Thread(target=self._run, name="sync-push", daemon=True).start()

    def _run(self) -> None:
        try:
            self._value = self._fn(*self._args)
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> Any:
        # Short waits: Ctrl+C reaches a thread blocked on a lock late on Windows.
        while not self._done.wait(0.2):
            pass
        if self._error is not None:
            raise self._error
        return self._value
