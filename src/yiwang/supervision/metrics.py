"""The figures of 电子监察, one definition each (domain.md §8), read from the roll-ups.

The dashboard, the evaluation (考评) and the public data page all call these functions; the
formulas below are also shown to readers (`FORMULAS`).

- **按期办结率** = cases concluded within the statutory limit / cases concluded. "Within"
  is the case's clock ledger: pauses (补正, 特别程序) do not count and approved extensions
  lengthen the limit (cases.clock).
- **承诺时限内办结率** = cases concluded within the committed limit / cases concluded.
- **平均用时 / P90 用时** = working days used (clock ledger) of the cases concluded.
- **承诺时限压缩比** = 1 − Σ committed limits / Σ statutory limits, over the cases concluded.
- **不予受理率** = refused / (accepted + refused); **补正率** = 补正 notices / applications.
- **不予许可率** = denials / decisions; **秒批占比** = decisions by rule / decisions.
- **实际网办率** = applications filed online by the applicant / applications.
- **零跑腿率** = cases concluded with no visit required and the result delivered
  electronically or by post / cases concluded.
- **好评率** = ratings of 基本满意 or better / ratings; **差评整改率** = bad reviews put right /
  bad reviews: the 好差评 definitions (ratings.selectors), read from their roll-up
  (`satisfaction`), by the day each rating was given; excluded ratings count nowhere.

A period is by the day each thing happened (an application counts on the day it was filed,
a conclusion on the day the case was concluded). Without an item filter the figures read the
roll-ups' rows of all items (`ALL_ITEMS`): the calendar months that lie whole in the period
from `MonthlyFigures` (one row per department and month) and its partial first and last
months from `DailyFigures` (one row per department and day); with an item filter, grouped by
item or by day, the daily rows.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections import Counter
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When

from yiwang.accounts.models import Region
from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.workflow import CLOCK_RUNNING, CaseStatus
from yiwang.core import clock
from yiwang.core.dates import next_month, period
from yiwang.ledger.events import CaseVerb
from yiwang.supervision.models import ALL_ITEMS, DailyFigures, DailyRatings, MonthlyFigures, StatusCount

COUNTERS = [
    "submitted",
    "submitted_online",
    "accepted",
    "refused",
    "supplement_requests",
    "approved",
    "denied",
    "decided_by_rule",
    "withdrawn",
    "revoked",
    "concluded",
    "concluded_on_time",
    "concluded_within_commitment",
    "concluded_zero_visit",
    "days_used",
    "statutory_days",
    "committed_days",
    "warnings",
    "overdue",
]
# The states the dashboard lists a case as standing in: the engine's open states
# (workflow.OPEN_STATES) and then the decided ones awaiting delivery, in this order.
STANDING_STATES = [
    CaseStatus.INTAKE_PENDING,  # 异地代收代办: at another region's window, counted for the handling one
    CaseStatus.INTAKE_SUPPLEMENT,
    CaseStatus.HANDED_OVER,
    CaseStatus.SUBMITTED,
    CaseStatus.SUPPLEMENT_REQUESTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUPPLEMENT_PENDING,
    CaseStatus.SUSPENDED,
    CaseStatus.DECIDED_APPROVED,
    CaseStatus.DECIDED_DENIED,
]

FORMULAS: dict[str, str] = {
    "on_time_rate": "按期办结率 = 法定时限内办结件数 ÷ 办结件数（补正、特别程序不计时，批准的延期计入时限）",
    "commitment_rate": "承诺时限内办结率 = 承诺时限内办结件数 ÷ 办结件数",
    "average_days": "平均用时 = 办结件用时（工作日）之和 ÷ 办结件数",
    "p90_days": "P90 用时 = 90% 的办结件用时不超过的工作日数",
    "compression": "承诺时限压缩比 = 1 − 承诺时限之和 ÷ 法定时限之和（办结件）",
    "refusal_rate": "不予受理率 = 不予受理件数 ÷（受理件数 + 不予受理件数）",
    "supplement_rate": "补正率 = 一次性告知补正次数 ÷ 申请件数",
    "denial_rate": "不予许可率 = 不予许可件数 ÷ 审批决定件数",
    "rule_rate": "秒批占比 = 秒批决定件数 ÷ 审批决定件数",
    "online_rate": "实际网办率 = 网上提交的申请件数 ÷ 申请件数",
    "zero_visit_rate": "零跑腿率 = 无需到现场且电子或邮寄送达的办结件数 ÷ 办结件数",
    "good_rate": "好评率 = 非常满意、满意、基本满意的评价数 ÷ 评价数（申诉成立的评价不计）",
    "rectification_rate": "差评整改率 = 已整改的差评数 ÷ 差评数",
}


@dataclass(frozen=True)
class Scope:
    since: dt.date
    until: dt.date  # inclusive
    department_id: int | None = None
    region_prefix: str = ""
    # several regions and those below them (their union): a supervisor of 济南市 and 泰安市
    region_prefixes: tuple[str, ...] = ()
    item_code: str = ""
    region_id: int | None = None  # one region only, not those below it (a row of "by region")


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Figures:
    submitted: int = 0
    submitted_online: int = 0
    accepted: int = 0
    refused: int = 0
    supplement_requests: int = 0
    approved: int = 0
    denied: int = 0
    decided_by_rule: int = 0
    withdrawn: int = 0
    revoked: int = 0
    concluded: int = 0
    concluded_on_time: int = 0
    concluded_within_commitment: int = 0
    concluded_zero_visit: int = 0
    days_used: int = 0
    statutory_days: int = 0
    committed_days: int = 0
    warnings: int = 0
    overdue: int = 0
    p90_days: int | None = None

    @property
    def decisions(self) -> int:
        return self.approved + self.denied

    @property
    def concluded_late(self) -> int:
        return self.concluded - self.concluded_on_time

    @property
    def concluded_beyond_commitment(self) -> int:
        return self.concluded - self.concluded_within_commitment

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.concluded_on_time, self.concluded)

    @property
    def commitment_rate(self) -> float | None:
        return _share(self.concluded_within_commitment, self.concluded)

    @property
    def average_days(self) -> float | None:
        return round(self.days_used / self.concluded, 1) if self.concluded else None

    @property
    def compression(self) -> float | None:
        if not self.statutory_days:
            return None
        return round(100 * (1 - self.committed_days / self.statutory_days), 1)

    @property
    def refusal_rate(self) -> float | None:
        return _share(self.refused, self.accepted + self.refused)

    @property
    def supplement_rate(self) -> float | None:
        return _share(self.supplement_requests, self.submitted)

    @property
    def denial_rate(self) -> float | None:
        return _share(self.denied, self.decisions)

    @property
    def rule_rate(self) -> float | None:
        return _share(self.decided_by_rule, self.decisions)

    @property
    def online_rate(self) -> float | None:
        return _share(self.submitted_online, self.submitted)

    @property
    def zero_visit_rate(self) -> float | None:
        return _share(self.concluded_zero_visit, self.concluded)


@dataclass(frozen=True)
class Satisfaction:
    rated: int = 0
    bad: int = 0
    put_right: int = 0

    @property
    def good(self) -> int:
        return self.rated - self.bad

    @property
    def good_rate(self) -> float | None:
        return _share(self.good, self.rated)

    @property
    def rectification_rate(self) -> float | None:
        return _share(self.put_right, self.bad)


def _regions(*prefixes: str) -> QuerySet[Region, Any]:
    """The regions under any of `prefixes`, as a subquery (no round trip of its own)."""
    wanted = Q(pk__in=[])
    for prefix in prefixes:
        wanted |= Q(code__startswith=prefix)
    return Region.objects.filter(wanted).values("pk")


def _places(scope: Scope) -> Q:
    where = Q()
    if scope.region_id is not None:
        where &= Q(region_id=scope.region_id)
    if scope.department_id is not None:
        where &= Q(department_id=scope.department_id)
    if scope.region_prefix:
        where &= Q(region_id__in=_regions(scope.region_prefix))
    if scope.region_prefixes:
        where &= Q(region_id__in=_regions(*scope.region_prefixes))
    if scope.item_code:
        where &= Q(item_code=scope.item_code)
    return where


def _daily(model: type[DailyFigures] | type[DailyRatings], scope: Scope, *, by_item: bool = False) -> QuerySet:  # type: ignore[type-arg]
    """The roll-up rows of `scope`'s period and places: of its item, of every item one by one
    (`by_item`), or else the rows of all items together."""
    rows = model.objects.filter(_places(scope), day__gte=scope.since, day__lte=scope.until)
    if by_item and not scope.item_code:
        return rows.exclude(item_code=ALL_ITEMS)
    return rows if scope.item_code else rows.filter(item_code=ALL_ITEMS)


def days_in(scope: Scope, *, by_item: bool = False) -> QuerySet[DailyFigures]:
    return _daily(DailyFigures, scope, by_item=by_item)


def percentile(histogram: Counter[int], share: float) -> int | None:
    """The smallest value that `share` of the counted cases do not exceed (nearest rank)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = math.ceil(share * total), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)  # unreachable: the ranks add up to total


def _histogram(rows: QuerySet[Any]) -> Counter[int]:
    """The merged time histograms of `rows` (each row's counts times its `sign`)."""
    merged: Counter[int] = Counter()
    rows = rows.filter(concluded__gt=0)
    if connection.vendor == "postgresql":  # merged in the database: a few dozen rows come back
        sql, params = rows.values("days_histogram", "sign").query.sql_with_params()
        with connection.cursor() as cursor:
            # The ORM's own SQL in a subquery; the values stay parameters.
            merge = f"SELECT e.key, SUM(r.sign * e.value::int) FROM ({sql}) AS r"  # noqa: S608
            cursor.execute(merge + ", jsonb_each_text(r.days_histogram) AS e GROUP BY e.key", params)
            merged.update({int(value): int(n) for value, n in cursor.fetchall()})
        return merged
    for histogram, sign in rows.values_list("days_histogram", "sign"):
        for value, n in histogram.items():
            merged[int(value)] += sign * n
    return merged


@dataclass(frozen=True)
class Plan:
    """How the rows of all items add up to a period: + the months, + the days `added`, − the
    days `taken` (of a partial month read as its month less the days outside the period, when
    those are fewer than the days inside)."""

    months: list[dt.date]
    added: list[tuple[dt.date, dt.date]]
    taken: list[tuple[dt.date, dt.date]]


def plan(since: dt.date, until: dt.date) -> Plan:
    """The cheapest reading of [since, until]: each calendar month it touches from its
    MonthlyFigures row, or from its days in the period, or as the month less the days outside
    it, whichever reads the fewest rows (at most ~15 days per partial month)."""
    found = Plan([], [], [])
    first, one = since, dt.timedelta(days=1)
    while first <= until:
        after = next_month(first)
        last, month, month_end = min(until, after - one), first.replace(day=1), after - one
        inside = (last - first).days + 1
        if (month_end - month).days + 1 - inside < inside:
            found.months.append(month)
            found.taken.extend(r for r in ((month, first - one), (last + one, month_end)) if r[0] <= r[1])
        else:
            found.added.append((first, last))
        first = after
    return found


def _sources(scope: Scope) -> list[QuerySet[Any]]:
    """Roll-up rows that together count every event of `scope` once, each with its `sign`
    (+1 or −1): without an item filter the rows of all items by `plan` (MonthlyFigures and
    DailyFigures); with one, the item's days."""
    if scope.item_code:
        return [days_in(scope).annotate(sign=Value(1))]
    chosen, where = plan(scope.since, scope.until), _places(scope)
    rows: list[QuerySet[Any]] = []
    if chosen.months:
        rows.append(MonthlyFigures.objects.filter(where, month__in=chosen.months).annotate(sign=Value(1)))
    if chosen.added or chosen.taken:
        added, taken = Q(), Q()
        for first, last in chosen.added:
            added |= Q(day__gte=first, day__lte=last)
        for first, last in chosen.taken:
            taken |= Q(day__gte=first, day__lte=last)
        days = DailyFigures.objects.filter(where, added | taken, item_code=ALL_ITEMS)
        sign = SqlCase(When(taken, then=Value(-1)), default=Value(1)) if chosen.taken else Value(1)
        rows.append(days.annotate(sign=sign))
    return rows


def _sums(names: list[str]) -> dict[str, Sum]:
    return {name: Sum(F(name) * F("sign")) for name in names}


def figures(scope: Scope, *, parts: dict[Any, Figures] | None = None) -> Figures:
    """Everything that happened in `scope`: one aggregate over the roll-up rows of each
    source, one pass over their time histograms. `parts`: `figures_by(scope, "department")`
    (or "region") already read, whose sums are the totals (the same rows, grouped)."""
    sums: Counter[str] = Counter()
    histogram: Counter[int] = Counter()
    for part in (parts or {}).values():
        sums.update({name: getattr(part, name) for name in COUNTERS})
    for rows in _sources(scope):
        if parts is None:
            found = rows.aggregate(**_sums(COUNTERS))
            sums.update({name: found[name] or 0 for name in COUNTERS})
        histogram.update(_histogram(rows))
    return Figures(**{name: sums[name] for name in COUNTERS}, p90_days=percentile(+histogram, 0.9))


def satisfaction(scope: Scope, *, parts: dict[Any, Satisfaction] | None = None) -> Satisfaction:
    """好评率 and 差评整改率 of `scope`, from the 好差评 roll-up (`parts`: `satisfaction_by`
    department or region already read, whose sums are the totals)."""
    if parts is not None:
        return Satisfaction(
            *(sum(getattr(part, name) for part in parts.values()) for name in ("rated", "bad", "put_right"))
        )
    rows = _daily(DailyRatings, scope)
    sums = rows.aggregate(rated=Sum("rated"), bad=Sum("bad"), put_right=Sum("put_right"))
    return Satisfaction(**{name: value or 0 for name, value in sums.items()})


def satisfaction_by(scope: Scope, by: str) -> dict[Any, Satisfaction]:
    column = BREAKDOWNS[by]
    rows = _daily(DailyRatings, scope, by_item=by == "item")
    grouped = rows.values(column).annotate(rated_=Sum("rated"), bad_=Sum("bad"), put_right_=Sum("put_right"))
    return {
        row[column]: Satisfaction(row["rated_"] or 0, row["bad_"] or 0, row["put_right_"] or 0)
        for row in grouped.order_by(column)
    }


BREAKDOWNS = {"department": "department_id", "region": "region_id", "item": "item_code", "day": "day"}


def figures_by(scope: Scope, by: str, names: list[str] = COUNTERS) -> dict[Any, Figures]:
    """`figures` per department, region, item or day of `scope` (without percentiles; only
    the counters `names`, the others 0)."""
    column = BREAKDOWNS[by]
    if by in ("item", "day"):
        sources = [days_in(scope, by_item=by == "item").annotate(sign=Value(1))]
    else:
        sources = _sources(scope)
    sums: dict[Any, Counter[str]] = {}
    for rows in sources:
        for row in rows.values(column).annotate(**_sums(names)).order_by():
            sums.setdefault(row[column], Counter()).update({name: row[name] or 0 for name in names})
    return {key: Figures(**{name: sums[key][name] for name in names}) for key in sorted(sums)}


def open_by_state(scope: Scope) -> dict[str, int]:
    """Cases standing in each open state now (the status roll-up: no case table scan)."""
    rows = StatusCount.objects.filter(_places(scope), state__in=STANDING_STATES).values("state")
    counted = {row["state"]: row["n"] for row in rows.annotate(n=Sum("cases")).order_by()}
    return {str(state): counted.get(state, 0) for state in STANDING_STATES}


def _case_places(scope: Scope) -> Q:
    where = Q()
    if scope.region_id is not None:
        where &= Q(region_id=scope.region_id)
    if scope.department_id is not None:
        where &= Q(department_id=scope.department_id)
    if scope.region_prefix:
        where &= Q(region_id__in=_regions(scope.region_prefix))
    if scope.region_prefixes:
        where &= Q(region_id__in=_regions(*scope.region_prefixes))
    if scope.item_code:
        where &= Q(implementation_version__item_version__item__basic_code=scope.item_code)
    return where


def _standing(today: dt.date) -> dict[str, Q]:
    """Cases in review now: past their committed due date (红牌: the limit the engine warns
    and reminds by, cases.services.timing.case_deadline_check; index case_status_committed_due),
    past their warning date and not yet overdue (黄牌), past their statutory due date (a
    breach of the law's limit)."""
    return {
        "overdue": Q(committed_due_date__lt=today),
        "warned": Q(warning_date__lte=today, committed_due_date__gte=today),
        "beyond_statutory": Q(due_date__lt=today),
    }


def _running(scope: Scope, condition: Q) -> QuerySet[Case]:
    return Case.objects.filter(_case_places(scope), condition, status__in=CLOCK_RUNNING)


def open_overdue(scope: Scope, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Cases in review past their committed due date now (红牌)."""
    return _running(scope, _standing(today or clock.today())["overdue"])


def open_beyond_statutory(scope: Scope, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Cases in review past their statutory due date now."""
    return _running(scope, _standing(today or clock.today())["beyond_statutory"])


def open_warned(scope: Scope, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Cases in review past their warning date and not yet overdue (黄牌)."""
    return _running(scope, _standing(today or clock.today())["warned"])


def standing_by(scope: Scope, column: str, *, today: dt.date | None = None) -> dict[Any, dict[str, int]]:
    """The counts of `open_overdue`, `open_warned` and `open_beyond_statutory` per value of
    `column` (a Case field path), in one pass over the cases that are any of them."""
    late = _standing(today or clock.today())
    rows = _running(scope, reduce(operator.or_, late.values())).values(column)
    grouped = rows.annotate(**{name: Count("id", filter=where) for name, where in late.items()}).order_by()
    return {row[column]: {name: row[name] for name in late} for row in grouped}


# --- the cases behind a figure (drill-down) --------------------------------------------------

DRILLS: dict[str, str] = {
    "overdue_now": "当前超承诺时限（红牌）",
    "warned_now": "当前临近承诺时限（黄牌）",
    "beyond_statutory_now": "当前超法定时限",
    "submitted": "期间提交的申请",
    "concluded": "期间办结",
    "concluded_late": "期间超法定时限办结",
    "concluded_beyond_commitment": "期间超承诺时限办结",
    "refused": "期间不予受理",
    **{f"state:{state}": f"当前{CaseStatus(state).label}" for state in STANDING_STATES},
}


def cases_behind(scope: Scope, drill: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases a figure counts, so each number can be checked case by case (the same
    definitions as the roll-ups; a test holds the counts equal)."""
    if drill not in DRILLS:
        raise KeyError(drill)
    if drill == "overdue_now":
        return open_overdue(scope, today=today)
    if drill == "warned_now":
        return open_warned(scope, today=today)
    if drill == "beyond_statutory_now":
        return open_beyond_statutory(scope, today=today)
    cases = Case.objects.filter(_case_places(scope))
    if drill.startswith("state:"):
        return cases.filter(status=drill.removeprefix("state:"))
    start, end = period(scope.since, scope.until)
    if drill == "submitted":
        return cases.filter(submitted_at__gte=start, submitted_at__lt=end)
    if drill == "refused":
        refusals = CaseEvent.objects.filter(case=OuterRef("pk"), verb=CaseVerb.REFUSE, at__gte=start, at__lt=end)
        return cases.filter(Exists(refusals))
    concluded = cases.filter(concluded_at__gte=start, concluded_at__lt=end)
    # The clocks stop at the decision: late when decided after the (statutory / committed) due date.
    if drill == "concluded_late":
        return concluded.filter(decided_at__date__gt=F("due_date"))
    if drill == "concluded_beyond_commitment":
        return concluded.filter(decided_at__date__gt=F("committed_due_date"))
    return concluded
