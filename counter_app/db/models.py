"""SQLAlchemy models (DESIGN.md §3): every row that leaves the unit has a UUIDv7 id and unit_id."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from counter_app.db.types import JSONText, UTCDateTime
from counter_app.domain.ids import new_id

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


ID = String(36)


class Meta(Base):
    """Local facts about this install: which unit it is, schema notes."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    agency_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_name: Mapped[str] = mapped_column(String(200))
    place_name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300), default="")
    # The unit's own 2025 commune (GSO code, migration 0015); "" until set up from the list.
    commune_code: Mapped[str] = mapped_column(String(5), default="", server_default=text("''"))
    phone: Mapped[str] = mapped_column(String(20), default="")
    cutoff: Mapped[str] = mapped_column(String(5), default="15:00")
    office_open: Mapped[str] = mapped_column(String(5), default="07:30")
    office_close: Mapped[str] = mapped_column(String(5), default="17:00")
    seq_start: Mapped[int] = mapped_column(Integer, default=1)
    seq_end: Mapped[int] = mapped_column(Integer, default=99_999)
    # How forms name the receiving unit ("Trung tâm Phục vụ hành chính công xã …") and
    # where results are collected (Mẫu 01 item 6); "" = derived from `name` (services/units).
    receiving_name: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"))
    result_place: Mapped[str] = mapped_column(String(300), default="", server_default=text("''"))
    # Citizen ratings (migration 0010): 3 or 5 levels, and how long the rating screen waits.
    rating_scale: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    rating_timeout_s: Mapped[int] = mapped_column(Integer, default=30, server_default=text("30"))
    # Receipt bounds (migration 0011, issue 12): no dossier received before this date, and
    # intake refuses while the PC's clock is further than this from central's (hours).
    earliest_receipt: Mapped[date] = mapped_column(
        Date, default=date(2018, 1, 1), server_default=text("'2018-01-01'")
    )
    clock_skew_h: Mapped[int] = mapped_column(Integer, default=24, server_default=text("24"))


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(12))  # clerk | supervisor | admin
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Procedure(Base):
    """One version of a procedure; importing an existing code adds a new current version."""

    __tablename__ = "procedures"
    __table_args__ = (
        UniqueConstraint("code", "version", name="uq_procedures_code_version"),
        Index("ix_procedures_current", "is_current", "code"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(String(300))
    sector: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12))
    processing_days: Mapped[int] = mapped_column(Integer)
    fee: Mapped[int] = mapped_column(Integer, default=0)
    # the catalogue's optional fields (DESIGN.md §4): what the fee is per, how time counts
    fee_unit: Mapped[str] = mapped_column(String(10), default="dossier", server_default="dossier")
    time_unit: Mapped[str] = mapped_column(
        String(16), default="working_days", server_default="working_days"
    )
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONText)
    # the certification book its dossiers enter (DOMAIN.md §7): BS | CK, None for the rest
    certification_book: Mapped[str | None] = mapped_column(String(4), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarOverride(Base):
    __tablename__ = "calendar_overrides"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AdminUnitOverride(Base):
    """A commune added, renamed or retired by central after the packaged 2025 list
    (domain/admin_units.with_overrides), pulled like calendar_overrides."""

    __tablename__ = "admin_unit_overrides"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    province_code: Mapped[str] = mapped_column(String(2), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Counter(Base):
    """A per-unit counter for gap-free numbers: dossier codes per day, register numbers per year."""

    __tablename__ = "sequence_counters"
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        UniqueConstraint("unit_id", "code_day", "code_seq", name="uq_dossiers_day_seq"),
        Index("ix_dossiers_received_at", "received_at"),
        Index("ix_dossiers_commune", "applicant_commune_code", "received_at"),
        Index("ix_dossiers_cert", "cert_book", "cert_no"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    code_day: Mapped[date] = mapped_column(Date)
    code_seq: Mapped[int] = mapped_column(Integer)
    procedure_id: Mapped[str] = mapped_column(ForeignKey("procedures.id"))
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_id_number: Mapped[str] = mapped_column(String(12), default="", index=True)
    applicant_phone: Mapped[str] = mapped_column(String(15), default="", index=True)
    applicant_address: Mapped[str] = mapped_column(String(300), default="")
    # The 2025 commune the address names (GSO code, migration 0015); None = unverified text.
    applicant_commune_code: Mapped[str | None] = mapped_column(String(5), nullable=True)
    # The ID card's own address text when its 2025 conversion was accepted ("" otherwise).
    applicant_address_card: Mapped[str] = mapped_column(
        String(300), default="", server_default=text("''")
    )
    applicant_email: Mapped[str] = mapped_column(String(254), default="")
    sets: Mapped[int] = mapped_column(Integer, default=1)
    receive_channel: Mapped[str] = mapped_column(String(10))
    return_channel: Mapped[str] = mapped_column(String(10))
    return_address: Mapped[str] = mapped_column(String(300), default="")
    fee: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_day: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))  # projection of the latest event
    received_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    register_book: Mapped[str] = mapped_column(String(20))
    register_no: Mapped[int] = mapped_column(Integer)
    form_set: Mapped[str] = mapped_column(String(4))
    ticket_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    # "Số chứng thực" in the year's book ("01/2026-SCT/BS"), for certification procedures
    cert_book: Mapped[str | None] = mapped_column(String(24), nullable=True)
    cert_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The report's facts (migration 0007), projections of the history like `status`, written
    # with the event that changes them: the report reads these, not the events.
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    returned_postal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    apologized: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    procedure: Mapped[Procedure] = relationship(lazy="joined")
    documents: Mapped[list[DossierDocument]] = relationship(
        order_by="DossierDocument.position", lazy="selectin", cascade="all, delete-orphan"
    )
    # Written with the dossier, never read through the ORM (look-ups query the index directly).
    name_tokens: Mapped[list[NameToken]] = relationship(lazy="raise", cascade="all, delete-orphan")


class DossierDocument(Base):
    __tablename__ = "dossier_documents"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)
    received: Mapped[bool] = mapped_column(Boolean)
    required: Mapped[bool] = mapped_column(Boolean)


class NameToken(Base):
    """Folded words of applicant names, each with the dossier's receipt time.

    (token, received_at, dossier_id) hands out the newest dossiers bearing a word straight off
    the index; the primary key (dossier_id, token) answers "does this dossier's name have
    that word?".
    """

    __tablename__ = "dossier_name_tokens"
    # dossier_id too: a walk reads the index alone, never the table (migration 0016)
    __table_args__ = (Index("ix_name_tokens_token_received", "token", "received_at", "dossier_id"),)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NameWord(Base):
    """The vocabulary of name words with how many dossiers carry each: it turns a typed
    prefix into whole words and tells a search which word is rarest, to start from that one."""

    __tablename__ = "name_words"
    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    dossiers: Mapped[int] = mapped_column(Integer, default=0)


class DossierEvent(Base):
    """Append-only: every status change, who, when, why (DESIGN.md §3)."""

    __tablename__ = "dossier_events"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    # Its place in the dossier's history (1 = the intake), given in the write transaction:
    # the history is read in this order, never by a clock (migration 0017). The default
    # only filled the rows that migration numbered; the app always writes it.
    step: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    business_day: Mapped[date] = mapped_column(Date)
    by_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DayClose(Base):
    """A closed day (services/dayclose.py): its summary and anomalies as acknowledged, and a
    hash chained to the unit's previous close (migration 0009)."""

    __tablename__ = "day_closes"
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONText, server_default=text("'{}'"))
    anomalies: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, server_default=text("'[]'"))
    prev_hash: Mapped[str] = mapped_column(String(64), server_default=text("''"))
    hash: Mapped[str] = mapped_column(String(64), server_default=text("''"))


class AuditEntry(Base):
    """Append-only and hash-chained: each entry's hash covers the previous hash."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(ID, unique=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    username: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OutboxEvent(Base):
    """Events waiting to be pushed to central, written in the same transaction as the change."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ID, unique=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class QueueService(Base):
    """A service area (lĩnh vực) with its own ticket numbers: prefix + number in a daily range."""

    __tablename__ = "queue_services"
    __table_args__ = (UniqueConstraint("unit_id", "code", name="uq_queue_services_unit_code"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    code: Mapped[str] = mapped_column(String(20))  # "HT" — what `ticket issue --service` takes
    name: Mapped[str] = mapped_column(String(100))  # "Hộ tịch"
    prefix: Mapped[str] = mapped_column(String(4))  # "1" -> tickets 1001, 1002, …
    start_number: Mapped[int] = mapped_column(Integer, default=1)
    end_number: Mapped[int] = mapped_column(Integer, default=999)
    counters: Mapped[list[int]] = mapped_column(JSONText)  # counter numbers that serve it
    opens: Mapped[str] = mapped_column(String(5), default="07:30")
    closes: Mapped[str] = mapped_column(String(5), default="17:00")
    position: Mapped[int] = mapped_column(Integer, default=0)  # order on the kiosk
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Ticket(Base):
    """A queue ticket; its status is a projection of its TicketEvents."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("unit_id", "service_id", "day", "number", name="uq_tickets_number"),
        Index("ix_tickets_queue", "unit_id", "day", "status"),
        # the day end's look for earlier days' tickets still waiting or held (services/queue)
        Index("ix_tickets_open", "unit_id", "status", "day"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("queue_services.id"))
    day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    display: Mapped[str] = mapped_column(String(12))  # "1005"
    priority: Mapped[str] = mapped_column(String(12), default="")  # "" | elderly | disabled | …
    weight: Mapped[int] = mapped_column(Integer, default=0)  # higher is called first
    # waiting|called|serving|held|done|no_show|not_served (the day end: issue 12 item 6)
    status: Mapped[str] = mapped_column(String(12))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counter: Mapped[int | None] = mapped_column(Integer, nullable=True)  # where it is served
    target_counter: Mapped[int | None] = mapped_column(Integer, nullable=True)  # transferred to
    calls: Mapped[int] = mapped_column(Integer, default=0)
    served_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # Calling order within a priority: the unit's gap-free per-day number taken at issue
    # (services/numbering, kind "queue"), kept across a transfer; never the wall clock.
    queue_seq: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)


class TicketEvent(Base):
    """Append-only: issued, called, recalled, skipped, transferred, held, finished."""

    __tablename__ = "ticket_events"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    counter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class SyncIssue(Base):
    """What central could not take: a rejected event, a dossier code clash (either side)."""

    __tablename__ = "sync_issues"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # event id, or clash:<n>
    kind: Mapped[str] = mapped_column(String(20))  # rejected | clash
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    event_kind: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ServiceCounter(Base):
    """A counter (quầy) of the unit: the numbers queue services and the window refer to."""

    __tablename__ = "service_counters"
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class IntakeRequestRow(Base):
    """A client's request id for one dossier (intake JSON "request_id"): a repeat of the same
    request returns the dossier it made instead of registering it again."""

    __tablename__ = "intake_requests"
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the request's content
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaperPrint(Base):
    """A dossier's intake paper (Mẫu 01 receipt / Mẫu 02 supplement request) printed or saved
    to PDF: the day close flags a dossier received that day with none (migration 0009)."""

    __tablename__ = "paper_prints"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # receipt | supplement
    via: Mapped[str] = mapped_column(String(10))  # printer | pdf | cli
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    username: Mapped[str] = mapped_column(String(40), default="")


# The day close's reads (services/dayclose.py, migration 0009): one day's steps by kind, and
# the open dossiers by status and due moment (pauses, overdue).
Index("ix_dossier_events_day_kind", DossierEvent.business_day, DossierEvent.kind)
# A dossier's history in the order it was written (migration 0017; also its events by dossier).
Index("ix_dossier_events_dossier_step", DossierEvent.dossier_id, DossierEvent.step, unique=True)
Index("ix_dossiers_status_due", Dossier.status, Dossier.due_at)


class Rating(Base):
    """A citizen's rating of one ticket's or one dossier's service (DOMAIN.md §6): the level
    (1 = the worst .. scale = the best), the officer and counter it is about, its business day.
    At most one per ticket and one per dossier (the unique constraints)."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("ticket_id", name="uq_ratings_ticket_id"),
        UniqueConstraint("dossier_id", name="uq_ratings_dossier_id"),
        # covering the report's counts (services/ratings.py): read from the index alone
        Index("ix_ratings_unit_day", "unit_id", "business_day", "scale", "level", "dossier_id"),
        CheckConstraint("ticket_id IS NOT NULL OR dossier_id IS NOT NULL", name="subject"),
        CheckConstraint("scale IN (3, 5) AND level BETWEEN 1 AND scale", name="level"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    dossier_id: Mapped[str | None] = mapped_column(ForeignKey("dossiers.id"), nullable=True)
    officer_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    counter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    level: Mapped[int] = mapped_column(Integer)
    scale: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    business_day: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8))  # screen | keypad | cli


class StoredFile(Base):
    """One distinct archive PDF on disk (issue 15): <files dir>/<sha[:2]>/<sha>.pdf, written
    once (content-addressed: the same bytes have the same name and are stored once)."""

    __tablename__ = "stored_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(40), default="application/pdf")
    ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DossierFile(Base):
    """A dossier's digitised document: its archive PDF (a stored blob) under the name the
    dossier gives it; document_id NULL for a file not tied to a checklist line."""

    __tablename__ = "dossier_files"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(
        ForeignKey("dossier_documents.id"), nullable=True
    )
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    pages: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(8))  # scan | file
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FileUpload(Base):
    """How far central holds one stored file (issue 15, sync): the offset central last
    acknowledged, done once central verified the whole file by its sha256 (0014_sync)."""

    __tablename__ = "file_uploads"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)  # the first outbox event naming it
    size: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    pages: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    acked_bytes: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    rejected: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str] = mapped_column(String(40), default="", server_default=text("''"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
