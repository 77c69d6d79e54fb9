"""考评 per region: the regions right below the supervisor's region (the county-level units of
a city, the cities of the province), each scored from the `Inputs` of its departments summed
(docs/supervision.md "考评 per region").

A region's unit holds the roll-up rows and 督办 whose 实施区划 is the region or any region
below it; the rows of the supervisor's own region (the city's own departments, 市本级) are a
unit of their own, so that nothing is counted twice and nothing is left out. A region's score
is explained by its department list: the same month, limited to the unit, whose numerators
and denominators add up to the region's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from yiwang.accounts.models import Region
from yiwang.supervision import metrics
from yiwang.supervision.evaluation import Inputs, Scheme, Score, month_inputs, ranked, score


@dataclass(frozen=True)
class Unit:
    pk: int  # the region's
    code: str
    label: str
    prefix: str  # the unit holds the regions whose codes start with this (none: the region only, 本级)

    @property
    def scope(self) -> dict[str, str | int | None]:
        """The department list's filter of the unit (`evaluation.ranking`'s keywords)."""
        return {"region_prefix": self.prefix} if self.prefix else {"region_id": self.pk}


def region_of(prefix: str) -> Region | None:
    """The region whose code prefix is `prefix` (a supervisor post's region)."""
    for region in Region.objects.filter(code__startswith=prefix).order_by("code")[:50]:
        if region.code_prefix == prefix:
            return region
    return None


def units(prefix: str) -> list[Unit]:
    """The region of `prefix` itself (本级), then the regions right below it."""
    top = region_of(prefix)
    if top is None:
        return []
    below = [Unit(r.pk, r.code, r.name, r.code_prefix) for r in Region.objects.filter(parent=top).order_by("code")]
    if not below:  # a county: one unit, itself and everything under it
        return [Unit(top.pk, top.code, top.name, prefix)]
    return [Unit(top.pk, top.code, f"{top.name}（本级）", ""), *below]


def unit_of(code: str, prefix: str) -> Unit | None:
    return next((u for u in units(prefix) if u.code == code), None)


def combined(parts: list[Inputs]) -> Inputs:
    """The sum of several departments' or regions' inputs (their rates recomputed from the sums)."""
    return Inputs(
        metrics.Figures(**{name: sum(getattr(p.figures, name) for p in parts) for name in metrics.COUNTERS}),
        metrics.Satisfaction(
            **{f.name: sum(getattr(p.satisfaction, f.name) for p in parts) for f in fields(metrics.Satisfaction)}
        ),
        sum(p.notices_received for p in parts),
        sum(p.notices_answered_on_time for p in parts),
    )


def region_ranking(scheme: Scheme, month: str, *, prefix: str) -> list[Score]:
    """Each unit below `prefix` with any case activity in `month`, scored and ranked."""
    found = units(prefix)
    if not found:
        return []
    top = found[0]
    per_region = month_inputs(month, by="region", region_prefix=prefix)
    codes = dict(Region.objects.filter(pk__in=list(per_region)).values_list("pk", "code"))
    grouped: dict[str, list[Inputs]] = {}
    for region_id, one in per_region.items():
        code = codes[region_id]
        unit = next((u for u in found[1:] if code.startswith(u.prefix)), top)
        grouped.setdefault(unit.code, []).append(one)
    by_code = {u.code: u for u in found}
    return ranked(
        [
            score(scheme, combined(parts), subject_id=by_code[code].pk, label=by_code[code].label, code=code)
            for code, parts in grouped.items()
        ]
    )
