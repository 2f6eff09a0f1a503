"""The same person filing the same procedure again the same day (issue 14 item 4): found by
the pinned clock's day, said by the CLI (`same_day_earlier`), never refused."""

from __future__ import annotations

import json

from cli_helpers import intake_payload, with_applicant

from counter_app.services.intake import parse_intake
from counter_app.services.repeats import same_day_dossiers


def ok(res):
    assert res.rc == 0, res.err
    return json.loads(res.out)


def test_the_cli_registers_a_same_day_repeat_and_names_the_earlier(cli, demo_db, write_json):
    [first] = ok(cli("--json", "intake", write_json(intake_payload()), "--clerk", "canbo1"))
    assert "same_day_earlier" not in first
    [again] = ok(cli("--json", "intake", write_json(intake_payload()), "--clerk", "canbo2"))
    assert again["code"] != first["code"]
    assert again["same_day_earlier"] == [first["code"]]
    res = cli("intake", write_json(intake_payload()), "--clerk", "canbo1")
    assert res.rc == 0
    assert f"đã nhận hôm nay: {first['code']}, {again['code']}" in res.out


def test_another_day_another_procedure_or_person_is_no_repeat(
    cli, demo_db, write_json, clock, make_context
):
    ok(cli("--json", "intake", write_json(intake_payload()), "--clerk", "canbo1"))
    ctx = make_context(demo_db)
    ctx.clock = clock
    today = ctx.now().date()
    same = parse_intake(intake_payload(), today)
    assert len(same_day_dossiers(ctx, same)) == 1
    other_person = parse_intake(with_applicant(id_number="079190004321"), today)
    assert same_day_dossiers(ctx, other_person) == []
    other_proc = parse_intake(intake_payload(procedure="1.001193", documents=None), today)
    assert same_day_dossiers(ctx, other_proc) == []
    clock.advance(days=1)  # the next day by the pinned clock, whatever the real date is
    assert same_day_dossiers(ctx, same) == []
    [next_day] = ok(cli("--json", "intake", write_json(intake_payload()), "--clerk", "canbo1"))
    assert "same_day_earlier" not in next_day


def test_without_an_id_the_same_name_and_phone_is_the_same_person(
    cli, demo_db, write_json, clock, make_context
):
    no_id = with_applicant(id_number="", name="Nguyễn Văn An")
    ok(cli("--json", "intake", write_json(no_id), "--clerk", "canbo1"))
    ctx = make_context(demo_db)
    ctx.clock = clock
    today = ctx.now().date()
    unaccented = with_applicant(id_number="", name="nguyen van an")
    assert len(same_day_dossiers(ctx, parse_intake(unaccented, today))) == 1
    other_phone = with_applicant(id_number="", phone="0987000111")
    assert same_day_dossiers(ctx, parse_intake(other_phone, today)) == []
