"""The A4 forms of DOMAIN.md §3 given at intake: Mẫu 01 receipt (two copies), Mẫu 02 supplement
request. The forms of later actions (refusal, apology, stop notice, control sheet) are in
action_forms.py; services/printjobs.render_form picks one by kind."""

# Each form's wording and order live in one `_..._story` function below, so a correction to a
# form is one edit there; the look shared by all forms lives in layout.py.

from __future__ import annotations

from datetime import datetime

from counter_app.domain.errors import ValidationError
from counter_app.domain.formsets import FormSpec, form_spec
from counter_app.domain.model import DocumentLine, DossierView
from counter_app.printing import layout as L
from counter_app.printing.fonts import clip
from counter_app.printing.layout import Copy, Flowable, Signer
from counter_app.printing.wording import (
    BLANK,
    LIMITS,
    document_name,
    due_words,
    is_original,
    kind_name,
    or_blank,
    received_words,
    receiving_name,
    return_place,
    sets_text,
)
from counter_app.ui_text import fee_text, processing_time

RECEIPT_COPIES = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")

# Columns of the documents tables: heading, width in mm (sum 175 = layout.BODY_W), centred?
_RECEIPT_COLUMNS = (
    ("STT", 12.0, True),
    ("Tên giấy tờ", 97.0, False),
    ("Bản chính", 22.0, True),
    ("Bản sao", 22.0, True),
    ("Số lượng", 22.0, True),
)
_SUPPLEMENT_COLUMNS = (
    ("STT", 12.0, True),
    ("Tên giấy tờ cần bổ sung", 99.0, False),
    ("Loại giấy tờ", 42.0, True),
    ("Số lượng", 22.0, True),
)


def render_receipt(d: DossierView) -> bytes:
    """Mẫu 01 "Giấy tiếp nhận hồ sơ và hẹn trả kết quả": Liên 1 (kept), Liên 2 (applicant's)."""
    spec = form_spec("receipt", d.form_set)
    slot = L.LabelSlot()
    stamped = L.build_stamped(
        _receipt_story(d, spec, slot), slot, RECEIPT_COPIES, spec=spec, code=d.code
    )
    if stamped is not None:  # the usual one-page receipt: laid out once, printed twice
        return stamped
    copies = [Copy(label, _receipt_story(d, spec, label)) for label in RECEIPT_COPIES]
    return L.build_pdf(copies, spec=spec, code=d.code)


def prepare_receipt(sample: DossierView) -> None:
    """Lay out and record ahead what every receipt of `sample`'s procedure shares (the unit's
    header, the procedure's name, documents' table, time and fee lines, the clerk's
    signatures): a shared block is copied into later documents only once two documents drew
    it alike (printing/replay.py), so the first two receipts of a procedure took ~3.5 and
    ~1.5 ms more than the rest. The window does this on a worker thread when the clerk picks
    the procedure, while the applicant's details are typed; `sample` is services.views.
    sample_view's dossier, whose own lines (applicant, code, dates) are drawn and dropped."""
    for _ in range(2):
        render_receipt(sample)


DEFAULT_SUPPLEMENT_REASON = (
    "Hồ sơ chưa đủ thành phần theo quy định; đề nghị bổ sung các giấy tờ dưới đây."
)


def render_supplement(
    d: DossierView,
    reason: str = "",
    officer_phone: str = "",
    *,
    issued_at: datetime | None = None,
    documents: tuple[DocumentLine, ...] | None = None,
) -> bytes:
    """Mẫu 02 "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ": everything missing, in one go.

    `documents` to add (default: the dossier's missing documents) — none refuses the form, it
    would ask for nothing; `reason` empty prints a default sentence, never a blank.
    `issued_at` dates the form (default: the receipt time, as for a request made at intake).
    """
    wanted = d.missing_documents if documents is None else documents
    if not wanted:
        raise ValidationError("supplement_nothing_missing", code=d.code)
    spec = form_spec("supplement", d.form_set)
    reason = reason.strip() or DEFAULT_SUPPLEMENT_REASON
    story = _supplement_story(d, spec, reason, wanted, officer_phone, issued_at or d.received_at)
    return L.build_pdf([Copy("", story)], spec=spec, code=d.code)


def receiving_line(d: DossierView) -> Flowable:
    """The unit receiving the dossier, as the set in force names it (DOMAIN.md §3)."""
    if d.form_set == "2018":
        return L.shared_line("Bộ phận tiếp nhận và trả kết quả", d.unit.name, limit=LIMITS["unit"])
    return L.shared_line("Cơ quan tiếp nhận", receiving_name(d.unit), limit=LIMITS["unit"])


def _receipt_story(d: DossierView, spec: FormSpec, copy_label: str | L.LabelSlot) -> list[Flowable]:
    who, register = d.applicant, clip(d.register_book, LIMITS["register"])
    handed = [x for x in d.documents if x.received and not x.presented]
    shown = [x for x in d.documents if x.received and x.presented]
    presented: list[Flowable] = []
    if shown:  # checked, not submitted: never rows of the table (DOMAIN.md §3)
        names = "; ".join(clip(x.name, LIMITS["document"]) for x in shown)
        presented = [L.shared_line("Giấy tờ xuất trình", names, limit=LIMITS["reason"])]
    proc = d.procedure
    return [
        L.form_note(spec),
        L.header(d.unit, d.received_at.date(), d.form_set),
        L.title(spec),
        *L.code_block(d.code, copy_label),
        receiving_line(d),
        L.field_line("Tiếp nhận hồ sơ của", who.name, limit=LIMITS["name"], bold=True),
        L.field_line("Địa chỉ", who.address, limit=LIMITS["address"]),
        contact_line(d),
        # what the procedure prints is shared by its forms (layout.shared_line), the
        # applicant's own lines are not
        L.shared_line("Nội dung yêu cầu giải quyết", proc.name, bold=True),
        L.shared_para("1. Thành phần hồ sơ nộp gồm:"),
        table(_RECEIPT_COLUMNS, [_receipt_row(x) for x in handed]),
        *presented,
        # items 2-6 stay on the page of the signatures: never a page of signatures alone
        L.signatures(
            Signer("NGƯỜI NỘP HỒ SƠ"),
            Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", d.received_by),
            lead=[
                L.shared_line("2. Số lượng hồ sơ", sets_text(d.sets)),
                L.shared_line(
                    "3. Thời gian giải quyết hồ sơ theo quy định",
                    processing_time(proc.processing_days, proc.time_unit),
                ),
                L.field_line("4. Thời gian nhận hồ sơ", received_words(d.received_at)),
                L.field_line("5. Thời gian trả kết quả giải quyết hồ sơ", due_words(d.due_at)),
                L.field_line(
                    "6. Đăng ký nhận kết quả tại", return_place(d), limit=LIMITS["address"] + 40
                ),
                L.shared_line("Phí, lệ phí", fee_text(proc.fee, proc.fee_unit)),
                *([L.para(L.text(d.certification))] if d.cert_book else []),  # DOMAIN.md §7
                L.para(
                    f"Vào Sổ theo dõi hồ sơ, Quyển số {L.text(or_blank(register))}, "
                    f"Số thứ tự {d.register_no}"
                ),
            ],
        ),
    ]


def _supplement_story(
    d: DossierView,
    spec: FormSpec,
    reason: str,
    wanted: tuple[DocumentLine, ...],
    officer_phone: str,
    issued_at: datetime,
) -> list[Flowable]:
    who = d.applicant
    officer = L.text(or_blank(d.received_by), LIMITS["clerk"])
    phone = L.text(or_blank(officer_phone or d.unit.phone), LIMITS["phone"])
    return [
        L.form_note(spec),
        L.header(d.unit, issued_at.date(), d.form_set),
        L.title(spec),
        *L.code_block(d.code),
        L.field_line("Hồ sơ của", who.name, limit=LIMITS["name"], bold=True),
        L.field_line("Địa chỉ", who.address, limit=LIMITS["address"]),
        contact_line(d),
        L.field_line("Nội dung yêu cầu giải quyết", d.procedure.name, bold=True),
        # the reason first, then what to add (DOMAIN.md §3 review)
        L.field_line("Lý do", reason, limit=LIMITS["reason"]),
        L.para("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:"),
        table(_SUPPLEMENT_COLUMNS, [_supplement_row(x) for x in wanted]),
        L.signatures(
            Signer("NGƯỜI NỘP HỒ SƠ"),
            Signer("NGƯỜI HƯỚNG DẪN", d.received_by),
            lead=[
                L.para(
                    "Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ"
                    f" với <b>{officer}</b>, số điện thoại <b>{phone}</b> để được hướng dẫn."
                )
            ],
        ),
    ]


def contact_line(d: DossierView) -> Flowable:
    who = d.applicant
    return L.pair_line(
        ("Số điện thoại", who.phone),
        ("Email", who.email),
        limits=(LIMITS["phone"], LIMITS["email"]),
    )


def table(columns: tuple[tuple[str, float, bool], ...], rows: list[tuple[str, ...]]) -> Flowable:
    """Numbered rows under the column headings; with no rows, one blank row to write in."""
    numbered = [(str(i), *row) for i, row in enumerate(rows, start=1)]
    if not numbered:
        numbered = [("", BLANK, *("" for _ in columns[2:]))]
    head, widths, centred = zip(*columns, strict=True)
    return L.shared_grid(head, tuple(numbered), widths, centred)  # a procedure's usual set


# issue 15: the document's archive copy is stored; no-break spaces keep it one piece
DIGITISED_MARK = " (đã\u00a0số\u00a0hóa)"


def _receipt_row(line: DocumentLine) -> tuple[str, ...]:
    original = is_original(line)
    name = clip(document_name(line), LIMITS["document"])
    if line.digitised:  # after the clipped name: the mark itself is never cut off
        name += DIGITISED_MARK
    return (name, "x" if original else "", "" if original else "x", str(line.count))


def _supplement_row(line: DocumentLine) -> tuple[str, ...]:
    return (clip(line.name, LIMITS["document"]), kind_name(line.kind), str(line.count))
