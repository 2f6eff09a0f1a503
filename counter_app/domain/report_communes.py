"""The periodic report by the applicant's 2025 commune (issue 16): the same counters as the
sector rows, one row per commune code, and one row (code None, "Chưa xác định") for the
dossiers whose address matched no commune. Pure; the same rows serve the unit's report and
central's province report (`report --json` "by_commune")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from counter_app.domain.report import DossierFacts, Period, Tally, add_rows, classify

UNVERIFIED = "Chưa xác định"
OTHERS = "Các xã/phường khác"


def commune_rows(
    groups: Iterable[tuple[str | None, DossierFacts, int]],
    period: Period,
    label_of: Callable[[str], str | None],
) -> list[dict[str, Any]]:
    """[{"code", "name", …the report's counters}] for (commune code or None, facts, how many
    dossiers share them); rows where nothing counts are left out; sorted by received (most
    first), then name, the unverified row ("Chưa xác định") last. `label_of(code)` names a
    commune ("Xã Mỹ Hòa Hưng, tỉnh An Giang"); a code it does not know is shown as the code."""
    tallies: dict[str | None, Tally] = {}
    seen: dict[DossierFacts, list[str]] = {}
    for code, facts, times in groups:
        keys = seen.get(facts)
        if keys is None:
            keys = seen[facts] = classify(facts, period)
        if keys:
            tallies.setdefault(code or None, Tally()).add(keys, times)
    rows = [
        {
            "code": code,
            "name": UNVERIFIED if code is None else (label_of(code) or f"Mã {code}"),
            **t.row(),
        }
        for code, t in tallies.items()
    ]
    rows.sort(key=lambda r: (r["code"] is None, -int(r["received"]), r["name"]))
    return rows


def rows_for_print(rows: list[dict[str, Any]], top: int = 30) -> list[dict[str, Any]]:
    """A readable table: the `top` largest communes (the order given), then one row adding up
    the others, then the unverified row."""
    known = [r for r in rows if r["code"] is not None]
    unverified = [r for r in rows if r["code"] is None]
    out = known[:top]
    rest = known[top:]
    if len(rest) == 1:
        out += rest
    elif rest:
        out.append({"code": "", "name": f"{OTHERS} ({len(rest)})", **_sum(rest)})
    return out + unverified


def _sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = add_rows(rows)
    ratings: dict[str, int] = {}
    for r in rows:
        for k, n in (r.get("ratings") or {}).items():
            ratings[k] = ratings.get(k, 0) + int(n)
    total["ratings"] = ratings
    if any("digitised" in r for r in rows):
        total["digitised"] = sum(int(r.get("digitised") or 0) for r in rows)
    return total
