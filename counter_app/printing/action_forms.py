"""The A4 forms of actions after intake (DOMAIN.md §3): Mẫu 03 refusal, Mẫu 04 apology,
Mẫu 05 stop notice (2025 set only), and the control sheet (2018 Mẫu 05, 2025 Mẫu 06).

Each form's wording and order live in its one `render_…` function below, so a correction is
one edit; the look shared by all forms lives in layout.py. Their data comes from the
dossier's history (`DossierView.events`): the latest "refuse", "apologize" or "stop" event,
and every "handover" / "receive_back" for the control sheet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from counter_app.domain.errors import ValidationError
from counter_app.domain.formsets import FormSpec, form_spec
from counter_app.domain.lifecycle import ACTION_KINDS
from counter_app.domain.model import DossierView, EventView
from counter_app.printing import layout as L
from counter_app.printing.forms import contact_line, receiving_line
from counter_app.printing.layout import Copy, Flowable, Signer
from counter_app.printing.wording import (
    BLANK,
    LIMITS,
    due_words,
    or_blank,
    received_words,
    receiving_name,
)

HEAD_SIGNER = "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"
HEAD_NOTE = "(Ký, ghi rõ họ tên và đóng dấu)"
_EVENT_WHAT = {
    "refuse": "bị từ chối tiếp nhận",
    "apologize": "có văn bản xin lỗi, hẹn lại ngày trả kết quả",
    "stop": "bị dừng giải quyết",
}
# Control sheet columns: heading, width in mm (sum 175 = layout.BODY_W), centred?
_CONTROL_COLUMNS = (
    ("STT", 11.0, True),
    ("Bên giao", 30.0, False),
    ("Bên nhận", 30.0, False),
    ("Thời gian giao, nhận", 27.0, True),
    ("Kết quả (trước hạn / đúng hạn / quá hạn)", 25.0, True),
    ("Ghi chú", 20.0, False),
    ("Người giao (ký)", 16.0, True),
    ("Người nhận (ký)", 16.0, True),
)
_HANDED_OVER = ACTION_KINDS["handover"]
_RECEIVED_BACK = ACTION_KINDS["receive-back"]
_BLANK_ROWS = 4  # a sheet printed before any hand-over still has rows to write in


def latest_event(d: DossierView, action: str) -> EventView:
    """The newest event the `action` recorded (services/actions.py; its kind is
    ACTION_KINDS[action]); a form needing one the dossier never had is refused."""
    kind = ACTION_KINDS.get(action, action)
    for ev in reversed(d.events):
        if ev.kind == kind:
            return ev
    raise ValidationError("form_event_missing", code=d.code, what=_EVENT_WHAT.get(action, action))


def render_refusal(d: DossierView) -> bytes:
    """Mẫu 03 "Phiếu từ chối tiếp nhận giải quyết hồ sơ", with the specific reason."""
    ev = latest_event(d, "refuse")
    spec = form_spec("refusal", d.form_set)
    story = [
        *_top(d, spec, ev.at),
        _addressed(d),
        receiving_line(d),
        L.field_line("Tiếp nhận hồ sơ của", d.applicant.name, limit=LIMITS["name"], bold=True),
        L.field_line("Địa chỉ", d.applicant.address, limit=LIMITS["address"]),
        contact_line(d),
        L.field_line("Nội dung yêu cầu giải quyết", d.procedure.name, bold=True),
        L.para(
            "Qua xem xét, đối chiếu với quy định, cơ quan tiếp nhận thông báo <b>từ chối tiếp"
            " nhận giải quyết hồ sơ</b> này với lý do cụ thể như sau:"
        ),
        _reason(ev.reason),
        L.para("Xin thông báo để ông/bà biết và thực hiện./."),
        L.signatures(
            Signer("NGƯỜI NỘP HỒ SƠ"), Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", ev.by or d.received_by)
        ),
    ]
    return L.build_pdf([Copy("", story)], spec=spec, code=d.code)


def render_apology(d: DossierView) -> bytes:
    """Mẫu 04: 2018 "Phiếu xin lỗi và hẹn lại ngày trả kết quả", 2025 "Văn bản xin lỗi và đề
    nghị gia hạn thời gian giải quyết": the late dossier, why, the apology, the new date."""
    ev = latest_event(d, "apologize")
    spec = form_spec("apology", d.form_set)
    old_due = _when(ev.data.get("previous_due_at"), d) or d.due_at
    new_due = _when(ev.data.get("due_at"), d)
    if d.form_set == "2018":
        ask = "và hẹn lại thời gian trả kết quả vào lúc"
    else:
        ask = "và đề nghị ông/bà đồng ý gia hạn thời gian giải quyết, trả kết quả vào lúc"
    story = [
        *_top(d, spec, ev.at),
        _addressed(d),
        L.para(
            f"Vào lúc {L.text(received_words(d.received_at))}, {L.text(_unit(d))} tiếp nhận hồ sơ"
            f" của ông/bà, nội dung yêu cầu giải quyết: <b>{L.text(d.procedure.name)}</b>."
        ),
        L.field_line("Thời gian hẹn trả kết quả", due_words(old_due)),
        L.para(
            "Tuy nhiên, đến nay cơ quan giải quyết chưa trả kết quả cho ông/bà đúng hẹn; lý do:"
        ),
        _reason(ev.reason),
        L.para(
            "Sự chậm trễ này đã gây phiền hà cho ông/bà. Chúng tôi thành thật xin lỗi ông/bà"
            f" {ask}: <b>{L.text(due_words(new_due) if new_due else BLANK)}</b>."
        ),
        L.para("Rất mong nhận được sự thông cảm của ông/bà./."),
        L.signature(Signer(HEAD_SIGNER), note=HEAD_NOTE),
    ]
    return L.build_pdf([Copy("", story)], spec=spec, code=d.code)


def render_stop_notice(d: DossierView) -> bytes:
    """Mẫu 05 (2025 set only) "Thông báo dừng giải quyết hồ sơ", with the reason."""
    if d.form_set == "2018":
        raise ValidationError("stop_notice_2018", code=d.code)
    ev = latest_event(d, "stop")
    spec = form_spec("stop-notice", d.form_set)
    story = [
        *_top(d, spec, ev.at),
        _addressed(d),
        L.para(
            f"Vào lúc {L.text(received_words(d.received_at))}, {L.text(_unit(d))} tiếp nhận hồ sơ"
            f" của ông/bà, nội dung yêu cầu giải quyết: <b>{L.text(d.procedure.name)}</b>."
        ),
        L.para(
            "Cơ quan giải quyết thông báo <b>dừng giải quyết hồ sơ</b> nêu trên kể từ"
            f" {L.text(received_words(ev.at))}. Lý do:"
        ),
        _reason(ev.reason),
        L.para("Xin thông báo để ông/bà biết./."),
        L.signature(Signer(HEAD_SIGNER), note=HEAD_NOTE),
    ]
    return L.build_pdf([Copy("", story)], spec=spec, code=d.code)


def render_control_sheet(d: DossierView) -> bytes:
    """Control sheet (2018 Mẫu 05, 2025 Mẫu 06): who held the dossier, each hand-over between
    the receiving unit and the agencies, on time or not. Printed at intake it has blank rows."""
    spec = form_spec("control-sheet", d.form_set)
    moves = [e for e in d.events if e.kind in (_HANDED_OVER, _RECEIVED_BACK)]
    agencies = list(
        dict.fromkeys(str(e.data.get("to", "")) for e in moves if e.kind == _HANDED_OVER)
    )
    agencies = [a for a in agencies if a.strip()]
    rows = [_control_row(d, e) for e in moves]
    rows += [("",) * 7] * max(0, _BLANK_ROWS - len(rows))
    head, widths, centred = zip(*_CONTROL_COLUMNS, strict=True)
    numbered = [(str(i) if row[0] else "", *row) for i, row in enumerate(rows, start=1)]
    story = [
        *_top(d, spec, d.received_at),
        L.field_line("Hồ sơ của", d.applicant.name, limit=LIMITS["name"], bold=True),
        L.field_line("Địa chỉ", d.applicant.address, limit=LIMITS["address"]),
        contact_line(d),
        L.field_line("Nội dung yêu cầu giải quyết", d.procedure.name, bold=True),
        L.field_line("Thời gian nhận hồ sơ", received_words(d.received_at)),
        L.field_line("Thời gian hẹn trả kết quả", due_words(d.due_at)),
        L.field_line("Cơ quan chủ trì giải quyết", agencies[0] if agencies else ""),
        L.field_line("Cơ quan phối hợp giải quyết", "; ".join(agencies[1:])),
        L.para("<b>Quá trình giao, nhận hồ sơ:</b>"),
        L.grid(head, numbered, widths, centred, small=True),
    ]
    return L.build_pdf([Copy("", story)], spec=spec, code=d.code)


def _control_row(d: DossierView, e: EventView) -> tuple[str, ...]:
    """(giao, nhận, time, result, note, 2 blank signature cells); the counter is one side."""
    counter = receiving_name(d.unit) if d.form_set != "2018" else d.unit.name
    if e.kind == _HANDED_OVER:
        giver, taker, note = counter, str(e.data.get("to") or BLANK), e.reason
    else:
        giver, taker = str(e.data.get("from") or BLANK), counter
        note = "; ".join(x for x in (str(e.data.get("result") or ""), e.reason) if x.strip())
    when = f"{e.at:%H} giờ {e.at:%M}, {e.at.day:02d}/{e.at.month:02d}/{e.at.year}"
    return (giver, taker, when, _timeliness(e.at, d.due_at), note, "", "")


def _timeliness(at: datetime, due: datetime) -> str:
    """A step's result: "Trước hạn" before the due day, "Đúng hạn" on it, "Quá hạn" after."""
    if at.date() < due.date():
        return "Trước hạn"
    return "Đúng hạn" if at.date() == due.date() else "Quá hạn"


def _top(d: DossierView, spec: FormSpec, dated: datetime) -> list[Flowable]:
    return [
        L.form_note(spec),
        L.header(d.unit, dated.date(), d.form_set),
        L.title(spec),
        *L.code_block(d.code),
    ]


def _addressed(d: DossierView) -> Flowable:
    return L.para(
        f"Kính gửi: <b>ông/bà {L.text(or_blank(d.applicant.name), LIMITS['name'])}</b>", "centre"
    )


def _unit(d: DossierView) -> str:
    return receiving_name(d.unit) if d.form_set != "2018" else d.unit.name


def _reason(reason: str) -> Flowable:
    return L.para(f"<i>{L.text(or_blank(reason), LIMITS['reason'])}</i>")


def _when(value: Any, d: DossierView) -> datetime | None:
    """An ISO datetime from an event's data, in the dossier's time zone; None when absent."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    if at.tzinfo is None:
        return at.replace(tzinfo=d.received_at.tzinfo)
    return at.astimezone(d.received_at.tzinfo)
