"""The unit's report by the applicant's 2025 commune (issue 16): rows of
domain/report_communes.py named from this unit's list, with the citizens' ratings and the
digitised count of each commune's dossiers, like the sector rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from counter_app.db.models import Dossier, Rating
from counter_app.domain import ratings as rating_rules
from counter_app.domain.admin_units import default_units
from counter_app.domain.report import DossierFacts, Period
from counter_app.domain.report_communes import commune_rows
from counter_app.services.admin_units import units_in
from counter_app.services.context import ServiceContext
from counter_app.services.units import local_unit


def unit_rows(
    ctx: ServiceContext,
    period: Period,
    groups: Iterable[tuple[str | None, DossierFacts, int]],
    scale: int,
    digitised: dict[str | None, int],
) -> list[dict[str, Any]]:
    """`report --json` "by_commune" for (commune code, facts, count) groups of the report's
    query; `digitised`: commune code -> dossiers digitised in full (services/digitised)."""
    with ctx.uow.read() as s:
        units = units_in(s)
        unit_id = local_unit(s).id
        rated = s.execute(
            select(Dossier.applicant_commune_code, Rating.scale, Rating.level, func.count())
            .join(Dossier, Dossier.id == Rating.dossier_id)
            .where(
                Rating.unit_id == unit_id,
                Rating.business_day >= period.start,
                Rating.business_day <= period.end,
            )
            .group_by(Dossier.applicant_commune_code, Rating.scale, Rating.level)
        ).all()
    packaged = default_units()

    def label_of(code: str) -> str | None:
        c = units.commune(code) or packaged.commune(code)  # retired since: still named
        return c.label if c is not None else None

    rows = commune_rows(groups, period, label_of)
    per_code: dict[str | None, dict[str, int]] = {}
    for code, sc, level, n in rated:
        rating_rules.add_counts(
            per_code.setdefault(code or None, {}), {rating_rules.level_key(sc, level): n}
        )
    for row in rows:
        row["ratings"] = rating_rules.ratings_row(per_code.get(row["code"], {}), scale)
        row["digitised"] = digitised.get(row["code"], 0)
    return rows
