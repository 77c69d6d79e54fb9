"""考评: a monthly score per department or region from weighted indicators (docs/supervision.md).

An indicator is a rate in percent read from the same figures the dashboard shows
(`metrics.figures`, the 好差评 figures), turned into points out of 100:

- a rate where more is better scores its value (按期办结率 98.5 % → 98.5 points); 按期办结率
  counts the statutory limit, 承诺时限内办结率 the committed one the department promised;
- 承诺时限压缩比 scores its share of the scheme's target (target 50 %: 40 % → 80 points,
  capped at 100);
- 督办按时回复率 (answered on time / received) comes from the 督办 of the month.

The total is Σ weight × points / Σ weight over the indicators that have data: a department
with no concluded case in the month has no 按期办结率, and that indicator's weight is left
out rather than scored as 0 or 100 (the report says so next to the score). The indicators
and their formulas are code (`INDICATORS`); which of them a scheme uses, with which weights
and targets, is data: a published `SchemeVersion` (eval_schemes.py), read here as a
`Scheme`. `DEFAULT_SCHEME` is the content of version 1 of KP-DEPT and KP-REGION.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from yiwang.accounts.models import Department
from yiwang.core.dates import period
from yiwang.ledger.events import SupervisionVerb
from yiwang.supervision import metrics
from yiwang.supervision.rule_models import SupervisionEvent, SupervisionNotice


@dataclass(frozen=True)
class Inputs:
    """What the indicators of one department and month read."""

    figures: metrics.Figures
    satisfaction: metrics.Satisfaction
    notices_received: int = 0
    notices_answered_on_time: int = 0


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    formula: str
    value: Callable[[Inputs], float | None]
    parts: Callable[[Inputs], tuple[int, int]]  # (numerator, denominator) shown with the value
    capped_target: bool = False  # points = value / target × 100 (capped), else points = value


def _notice_rate(inputs: Inputs) -> float | None:
    received = inputs.notices_received
    return round(100 * inputs.notices_answered_on_time / received, 1) if received else None


INDICATORS: dict[str, Indicator] = {
    indicator.key: indicator
    for indicator in [
        Indicator(
            "on_time_rate",
            "按期办结率",
            metrics.FORMULAS["on_time_rate"],
            lambda i: i.figures.on_time_rate,
            lambda i: (i.figures.concluded_on_time, i.figures.concluded),
        ),
        Indicator(
            "commitment_rate",
            "承诺时限内办结率",
            metrics.FORMULAS["commitment_rate"],
            lambda i: i.figures.commitment_rate,
            lambda i: (i.figures.concluded_within_commitment, i.figures.concluded),
        ),
        Indicator(
            "compression",
            "承诺时限压缩比",
            metrics.FORMULAS["compression"] + "；得分 = 压缩比 ÷ 目标值 × 100（最高 100）",
            lambda i: i.figures.compression,
            lambda i: (i.figures.committed_days, i.figures.statutory_days),
            capped_target=True,
        ),
        Indicator(
            "online_rate",
            "实际网办率",
            metrics.FORMULAS["online_rate"],
            lambda i: i.figures.online_rate,
            lambda i: (i.figures.submitted_online, i.figures.submitted),
        ),
        Indicator(
            "good_rate",
            "好评率",
            metrics.FORMULAS["good_rate"],
            lambda i: i.satisfaction.good_rate,
            lambda i: (i.satisfaction.good, i.satisfaction.rated),
        ),
        Indicator(
            "rectification_rate",
            "差评整改率",
            metrics.FORMULAS["rectification_rate"],
            lambda i: i.satisfaction.rectification_rate,
            lambda i: (i.satisfaction.put_right, i.satisfaction.bad),
        ),
        Indicator(
            "notice_response_rate",
            "督办按时回复率",
            "督办按时回复率 = 期限内回复的督办数 ÷ 收到的督办数",
            _notice_rate,
            lambda i: (i.notices_answered_on_time, i.notices_received),
        ),
    ]
}


@dataclass(frozen=True)
class Weighted:
    key: str
    weight: int  # points of 100 the indicator carries
    target: int | None = None  # percent, for capped_target indicators


@dataclass(frozen=True)
class Scheme:
    code: str
    version: int
    name: str
    indicators: tuple[Weighted, ...]
    subject: str = "department"  # or "region": what the scheme ranks
    valid_from: dt.date | None = None
    ledger_entry_id: int | None = None  # the entry of its publication


SUBJECT_LABELS = {"department": "部门", "region": "区划"}

DEFAULT_SCHEME = Scheme(
    code="KP-DEPT",
    version=1,
    name="部门政务服务月度考评",
    indicators=(
        Weighted("on_time_rate", 15),
        Weighted("commitment_rate", 15),
        Weighted("compression", 15, target=50),
        Weighted("online_rate", 15),
        Weighted("good_rate", 20),
        Weighted("rectification_rate", 10),
        Weighted("notice_response_rate", 10),
    ),
)


@dataclass(frozen=True)
class Part:
    indicator: Indicator
    weight: int
    value: float | None
    numerator: int
    denominator: int
    points: float | None


@dataclass(frozen=True)
class Score:
    subject_id: int
    label: str
    parts: tuple[Part, ...]
    total: float | None
    rank: int | None = None
    missing: tuple[str, ...] = field(default=())
    code: str = ""  # a region's code (the department list of the region links by it)


def points(indicator: Indicator, value: float | None, target: float | None) -> float | None:
    if value is None:
        return None
    if indicator.capped_target:
        return round(min(100.0, max(0.0, 100 * value / (target or 100.0))), 1)
    return round(max(0.0, min(100.0, value)), 1)


def score(scheme: Scheme, inputs: Inputs, *, subject_id: int, label: str, code: str = "") -> Score:
    parts = []
    for weighted in scheme.indicators:
        indicator = INDICATORS[weighted.key]
        value = indicator.value(inputs)
        numerator, denominator = indicator.parts(inputs)
        parts.append(
            Part(indicator, weighted.weight, value, numerator, denominator, points(indicator, value, weighted.target))
        )
    counted = [p for p in parts if p.points is not None and p.weight]
    weight = sum(p.weight for p in counted)
    total = round(sum(p.weight * (p.points or 0) for p in counted) / weight, 2) if weight else None
    missing = tuple(p.indicator.label for p in parts if p.points is None and p.weight)
    return Score(subject_id, label, tuple(parts), total, missing=missing, code=code)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """'2026-11' → (2026-11-01, 2026-11-30); ValueError on anything else."""
    if len(month) != 7 or month[4] != "-":
        raise ValueError(month)
    year, number = int(month[:4]), int(month[5:])
    if not 2000 <= year <= 2100 or not 1 <= number <= 12:
        raise ValueError(month)
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


def notice_counts(since: dt.date, until: dt.date, *, by: str = "department") -> dict[int, tuple[int, int]]:
    """Per department (or region) id: the 督办 sent in the period, and those of them whose
    first answer came by the deadline then in force (from the events: a later reopen and
    second answer change neither the answer's time nor the deadline it is judged by)."""
    start, end = period(since, until)
    column = {"department": "department_id", "region": "region_id"}[by]
    sent = SupervisionNotice.objects.filter(sent_at__gte=start, sent_at__lt=end)
    received: dict[int, int] = {}
    for key in sent.values_list(column, flat=True):
        received[key] = received.get(key, 0) + 1
    answers = SupervisionEvent.objects.filter(notice__in=sent, verb=SupervisionVerb.NOTICE_ANSWERED).order_by(
        "at", "id"
    )
    first: dict[int, tuple[int, dt.datetime, dict[str, Any]]] = {}
    for notice_id, key, at, payload in answers.values_list("notice_id", f"notice__{column}", "at", "payload"):
        first.setdefault(notice_id, (key, at, payload))
    on_time: dict[int, int] = {}
    for key, at, payload in first.values():
        if timezone.localtime(at).date().isoformat() <= payload["deadline"]:
            on_time[key] = on_time.get(key, 0) + 1
    return {key: (n, on_time.get(key, 0)) for key, n in received.items()}


def month_inputs(month: str, *, by: str, region_prefix: str = "", region_id: int | None = None) -> dict[int, Inputs]:
    """The month's `Inputs` per department (or per region: the 实施区划 of the roll-up rows
    and of the 督办) with any case activity, within `region_prefix` (or the one region)."""
    since, until = month_bounds(month)
    scope = metrics.Scope(since=since, until=until, region_prefix=region_prefix, region_id=region_id)
    found = metrics.figures_by(scope, by)
    rated = metrics.satisfaction_by(scope, by)
    notices = notice_counts(since, until, by=by)
    return {
        key: Inputs(figures, rated.get(key, metrics.Satisfaction()), *notices.get(key, (0, 0)))
        for key, figures in found.items()
    }


def ranking(scheme: Scheme, month: str, *, region_prefix: str = "", region_id: int | None = None) -> list[Score]:
    """Every department of `region_prefix` (or of the one region) with any case activity in
    `month`, scored and ranked."""
    per_department = month_inputs(month, by="department", region_prefix=region_prefix, region_id=region_id)
    names = dict(Department.objects.filter(pk__in=list(per_department)).values_list("pk", "name"))
    return ranked([score(scheme, one, subject_id=key, label=names.get(key, "")) for key, one in per_department.items()])


def ranked(scores: list[Score]) -> list[Score]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4); no total: unranked, last."""
    ordered = sorted(scores, key=lambda s: (s.total is None, -(s.total or 0), s.label))
    result, previous, rank = [], None, 0
    for position, one in enumerate(ordered, start=1):
        if one.total is not None and one.total != previous:
            rank, previous = position, one.total
        result.append(replace(one, rank=rank if one.total is not None else None))
    return result


def ranking_xlsx(scheme: Scheme, month: str, scores: list[Score]) -> bytes:
    """The month's ranking as an Excel file: rank, department or region, total, then each
    indicator's value, numerator / denominator and points; the scheme version with its ledger
    entry above, the formulas below."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"考评{month}"
    entry = f"账本条目 {scheme.ledger_entry_id}" if scheme.ledger_entry_id else "未写入账本"
    sheet.append(["考评方案", f"{scheme.name}（{scheme.code} 第 {scheme.version} 版，{entry}）", "考评月份", month])
    sheet.append([])
    header = ["名次", SUBJECT_LABELS.get(scheme.subject, "部门"), "总分"]
    for weighted in scheme.indicators:
        label = INDICATORS[weighted.key].label
        header += [f"{label}(%)", f"{label}（分子/分母）", f"{label}得分（权重{weighted.weight}）"]
    header.append("无数据的指标（不计权重）")
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for one in scores:
        row: list[Any] = [one.rank, one.label, one.total]
        for part in one.parts:
            row += [part.value, f"{part.numerator}/{part.denominator}", part.points]
        row.append("、".join(one.missing))
        sheet.append(row)
    sheet.append([])
    for weighted in scheme.indicators:
        sheet.append([INDICATORS[weighted.key].formula])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
