"""The monitoring dashboard and the public data page as one read model (`Board`): the filters
a reader may choose (`scope_from`), the figures of `metrics` for the whole scope and per
department, region or item, the daily series the charts draw, and the Excel file of the same
table. Interfaces render a Board; they compute nothing of their own.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from yiwang.accounts.models import Department, Region
from yiwang.accounts.selectors import department_by_credit_code, region_by_code
from yiwang.cases.models import Case
from yiwang.catalog.models import ItemVersion
from yiwang.catalog.selectors import item_by_code, item_version_in_force
from yiwang.core import clock
from yiwang.core.dates import parse_day
from yiwang.supervision import metrics

MAX_DAYS = 366
BY_LABELS = {"department": "部门", "region": "区划", "item": "事项"}
# (attribute of Figures or of the row, column title, kind) — the table, the Excel file and
# the public page read the same list.
COLUMNS: list[tuple[str, str, str]] = [
    ("submitted", "申请件数", "int"),
    ("accepted", "受理", "int"),
    ("refused", "不予受理", "int"),
    ("concluded", "办结", "int"),
    ("concluded_late", "超法定时限办结", "int"),
    ("concluded_beyond_commitment", "超承诺时限办结", "int"),
    ("on_time_rate", "按期办结率(%)", "rate"),
    ("commitment_rate", "承诺时限内办结率(%)", "rate"),
    ("average_days", "平均用时(工作日)", "rate"),
    ("refusal_rate", "不予受理率(%)", "rate"),
    ("supplement_rate", "补正率(%)", "rate"),
    ("online_rate", "实际网办率(%)", "rate"),
    ("zero_visit_rate", "零跑腿率(%)", "rate"),
    ("overdue_now", "当前超承诺时限", "int"),
    ("good_rate", "好评率(%)", "rate"),
]


@dataclass(frozen=True)
class Filters:
    """What a reader chose, checked: a Scope, and the names the page shows for it."""

    scope: metrics.Scope
    by: str = "department"
    named: dict[str, str] = field(default_factory=dict)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 90 days up to today."""
    today = today or clock.today()
    return today - dt.timedelta(days=89), today


def scope_from(
    values: dict[str, str], *, prefixes: list[str] | None = None
) -> tuple[Filters | None, dict[str, list[str]]]:
    """The filters in `values` (query parameters: since, until, department = credit code,
    region = region code, item = basic code, by), or the errors naming each bad one.
    `prefixes` limits regions to those a supervisor covers (None: the public, everything);
    with no region chosen, the scope is all of them (a supervisor of several regions sees
    their union)."""
    errors: dict[str, list[str]] = {}
    named: dict[str, str] = {}
    since, until = default_period()
    chosen_since = parse_day(values.get("since", ""), key="since", label="开始日期", errors=errors) or since
    chosen_until = parse_day(values.get("until", ""), key="until", label="结束日期", errors=errors) or until
    if not errors:
        if chosen_until < chosen_since:
            errors["until"] = ["结束日期：不能早于开始日期"]
        elif (chosen_until - chosen_since).days >= MAX_DAYS:
            errors["until"] = [f"结束日期：统计期间最长 {MAX_DAYS} 天"]
    scope: dict[str, Any] = {"since": chosen_since, "until": chosen_until}
    region_prefix, several = "", tuple(prefixes or ())
    if len(several) == 1:
        region_prefix, several = several[0], ()
    elif several:
        named["region"] = "、".join(_region_names(several))
    if code := values.get("region", ""):
        region = region_by_code(code) if code.isascii() and code.isdigit() and len(code) <= 12 else None
        if region is None or (prefixes is not None and not any(region.code_prefix.startswith(p) for p in prefixes)):
            errors["region"] = ["区划：没有这个区划或不在您的监察范围内，请从列表中选择"]
        else:
            region_prefix, several, named["region"] = region.code_prefix, (), region.name
            if values.get("exact") == "1":  # the row of one region in "by region": not those below
                scope["region_id"], named["region"] = region.pk, f"{region.name}（不含下级区划）"
    scope["region_prefix"], scope["region_prefixes"] = region_prefix, several
    within = several or (region_prefix,)
    if credit_code := values.get("department", ""):
        department = (
            department_by_credit_code(credit_code)
            if credit_code.isascii() and credit_code.isalnum() and len(credit_code) <= 18
            else None
        )
        if department is None or not department.region.code.startswith(within):
            errors["department"] = ["部门：没有这个部门或不在所选区划内，请从列表中选择"]
        else:
            scope["department_id"], named["department"] = department.pk, department.name
    if code := values.get("item", ""):
        item = item_by_code(code) if code.isascii() and code.isalnum() and len(code) <= 20 else None
        version = item_version_in_force(item) if item else None
        if version is None:
            errors["item"] = [f"事项：没有基本编码为“{code[:20]}”的事项"]
        else:
            scope["item_code"], named["item"] = code, version.name
    by = values.get("by", "") or "department"
    if by not in BY_LABELS:
        errors["by"] = ["分组：请选择 部门、区划 或 事项"]
    if errors:
        return None, errors
    return Filters(metrics.Scope(**scope), by, named), errors


def _region_names(prefixes: tuple[str, ...]) -> list[str]:
    """The names of the regions whose code prefixes are `prefixes` (the page's scope line)."""
    regions = Region.objects.filter(code__in=[p.ljust(12, "0") for p in prefixes])  # a region's own code
    by_prefix = {r.code_prefix: r.name for r in regions if r.code_prefix in prefixes}
    return [by_prefix.get(p, p) for p in prefixes]


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    figures: metrics.Figures
    overdue_now: int
    good_rate: float | None

    def value(self, name: str) -> Any:
        if name in ("overdue_now", "good_rate"):
            return getattr(self, name)
        return getattr(self.figures, name)


@dataclass(frozen=True)
class Board:
    filters: Filters
    totals: metrics.Figures
    satisfaction: metrics.Satisfaction
    open_by_state: dict[str, int]
    overdue_now: int
    warned_now: int
    beyond_statutory_now: int
    rows: list[Row]
    days: list[dt.date]
    submitted_by_day: list[int]
    concluded_by_day: list[int]

    @property
    def scope(self) -> metrics.Scope:
        return self.filters.scope

    def chart_data(self) -> dict[str, Any]:
        """What the charts draw (the page embeds it as JSON; the table shows the same numbers)."""
        return {
            "days": [day.isoformat() for day in self.days],
            "submitted": self.submitted_by_day,
            "concluded": self.concluded_by_day,
            "rows": [row.label for row in self.rows],
            "on_time_rate": [row.figures.on_time_rate for row in self.rows],
            "row_concluded": [row.figures.concluded for row in self.rows],
        }


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "region":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    names: dict[Any, str] = {}
    versions = ItemVersion.objects.filter(item__basic_code__in=keys).order_by("item__basic_code", "-id")
    for code, name in versions.values_list("item__basic_code", "name"):
        names.setdefault(code, name)
    return names


def _standing_by(scope: metrics.Scope, by: str) -> dict[Any, dict[str, int]]:
    column = {"department": "department_id", "region": "region_id"}.get(
        by, "implementation_version__item_version__item__basic_code"
    )
    return metrics.standing_by(scope, column)


def board(filters: Filters, *, now_counts: bool = True) -> Board:
    """The read model of the dashboard; `now_counts=False` (the public page) leaves out what
    stands now (红牌, 黄牌, 超法定时限 and open cases per state), which reads the case table."""
    scope = filters.scope
    per = metrics.figures_by(scope, filters.by)
    grouped = filters.by != "item"
    rated = metrics.satisfaction_by(scope, filters.by)
    standing = _standing_by(scope, filters.by) if now_counts else {}  # each case in one group
    overdue = {key: counts["overdue"] for key, counts in standing.items() if counts["overdue"]}
    keys = sorted(set(per) | set(overdue), key=str)
    labels = _labels(filters.by, keys)
    rows = [
        Row(
            key,
            labels.get(key, str(key)),
            per.get(key, metrics.Figures()),
            overdue.get(key, 0),
            rated.get(key, metrics.Satisfaction()).good_rate,
        )
        for key in keys
    ]
    rows.sort(key=lambda row: (-row.figures.submitted, row.label))
    daily = metrics.figures_by(scope, "day", ["submitted", "concluded"])
    days = [scope.since + dt.timedelta(days=n) for n in range((scope.until - scope.since).days + 1)]
    return Board(
        filters=filters,
        # Rows of departments or regions group the same roll-up rows as the totals: their sums are the totals.
        totals=metrics.figures(scope, parts=per if grouped else None),
        satisfaction=metrics.satisfaction(scope, parts=rated if grouped else None),
        open_by_state=metrics.open_by_state(scope) if now_counts else {},
        overdue_now=sum(overdue.values()),
        warned_now=sum(counts["warned"] for counts in standing.values()),
        beyond_statutory_now=sum(counts["beyond_statutory"] for counts in standing.values()),
        rows=rows,
        days=days,
        submitted_by_day=[daily[day].submitted if day in daily else 0 for day in days],
        concluded_by_day=[daily[day].concluded if day in daily else 0 for day in days],
    )


def board_xlsx(view: Board) -> bytes:
    """The dashboard's table as an Excel file: one sheet, the scope in the first rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "监察统计"
    scope = view.scope
    sheet.append(["统计期间", f"{scope.since.isoformat()} 至 {scope.until.isoformat()}"])
    for key, label in (("region", "区划"), ("department", "部门"), ("item", "事项")):
        if key in view.filters.named:
            sheet.append([label, view.filters.named[key]])
    sheet.append([])
    header = [BY_LABELS[view.filters.by], *(title for _, title, _ in COLUMNS)]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in view.rows:
        sheet.append([row.label, *(row.value(name) for name, _, _ in COLUMNS)])
    totals = Row("", "合计", view.totals, view.overdue_now, view.satisfaction.good_rate)
    sheet.append([totals.label, *(totals.value(name) for name, _, _ in COLUMNS)])
    sheet.append([])
    for formula in metrics.FORMULAS.values():
        sheet.append([formula])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def published_items() -> list[tuple[str, str]]:
    """(basic code, name) of every item with a published version, for the filter lists."""
    versions = ItemVersion.objects.filter(status="published").order_by("item__basic_code", "-id")
    return list({code: name for code, name in versions.values_list("item__basic_code", "name")}.items())


def filter_choices(prefixes: list[str]) -> dict[str, Any]:
    """The regions, departments and items a supervisor of `prefixes` may filter by."""
    regions = Region.objects.filter(level__in=["province", "prefecture", "county"]).order_by("code")
    departments = Department.objects.select_related("region").order_by("region__code", "name")
    return {
        "regions": [r for r in regions if any(r.code_prefix.startswith(p) for p in prefixes)],
        "departments": [d for d in departments if any(d.region.code.startswith(p) for p in prefixes)],
        "items": published_items(),
    }


def row_codes(by: str, keys: list[Any]) -> dict[Any, str]:
    """What the filter parameter holds for each row's key (credit code, region code, item code)."""
    if by == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "credit_code"))
    if by == "region":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "code"))
    return {key: key for key in keys}


def drill_list(filters: Filters, drill: str) -> QuerySet[Case]:
    """The cases behind a figure, newest first, with what the list shows."""
    found = metrics.cases_behind(filters.scope, drill)
    related = found.select_related("department", "region", "implementation_version__item_version")
    return related.order_by("-submitted_at", "-id")
