"""The rows of the two longest case tables, rendered in one pass (`{% load case_tables %}`):

    {% case_rows rows %}     我的办件 (portal) and 办件查询 (workbench): rows carry url, number,
                             item_name, department_name, applicant_label, submitted_at, status,
                             status_label, due_date; optionally assisted (由…帮办)
    {% inbox_rows inbox %}   the workbench home's 待办收件箱: rows carry url, number, item_name,
                             applicant, stage, due_date, days_left, state (workbench.cases._row)

Why Python and not a row template: the template engine spends ≈ 60–100 µs on a row of a dozen
cells (each variable is resolved, localised and escaped by a node of its own; the badges and
the date filters are more nodes), ≈ 3 ms of a 50-row page (docs/performance.md, "Rendering a
page"). Here each row is one `str.format` of escaped values (escaped as the template escaped them),
dates are shown in the current time zone as `|date` showed them, and the badges and the 暂定
mark come from the same functions the templates use. The markup is the markup the row
templates had; change it here and in the page tests together.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from yiwang.cases.templatetags.case_badges import clock_badge, status_badge
from yiwang.core.templatetags.calendar_marks import provisional_mark

register = template.Library()

CASE_ROW = """<tr>
  <td data-label="办件编号"><a class="table__link num" href="{url}">{number}</a></td>
  <td data-label="事项名称">{item_name}<br><span class="small muted">{department_name}</span></td>
  <td data-label="申请人">{applicant_label}{assisted}</td>
  <td data-label="提交时间" class="num">{submitted_at}</td>
  <td data-label="状态">{status}</td>
  <td data-label="承诺办结日期" class="num">{due_date}</td>
</tr>
"""
ASSISTED = '<br><span class="badge badge--info">{}</span>'

INBOX_ROW = """<tr class="row--{state}">
  <td data-label="办件编号"><a class="table__link num" href="{url}">{number}</a></td>
  <td data-label="事项名称">{item_name}</td>
  <td data-label="申请人">{applicant}</td>
  <td data-label="当前环节">{stage}</td>
  <td data-label="办结时限">
    <span class="deadline">
      <span class="num">{due_date}</span>{days_left}
    </span>
  </td>
  <td data-label="时限状态">{badge}</td>
</tr>
"""
DAYS_LEFT = '\n      <span class="deadline__left">{}</span>'


def _escaped(value: object) -> str:
    """`conditional_escape` without its lazy-string wrapper (≈ 40 % of its cost, 600 calls a page)."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else escape(str(value))


class _Marks:
    """What the rows of one table repeat, made once per table: badges by status, due dates by
    day (with the 暂定 mark of the calendar in force). Nothing outlives the call."""

    def __init__(self) -> None:
        self.badges: dict[tuple[str, str], str] = {}
        self.clocks: dict[str, str] = {}
        self.days: dict[dt.date | None, str] = {}

    def status(self, status: str, label: str) -> str:
        key = (status, label)
        if key not in self.badges:
            self.badges[key] = status_badge("case", status, label)
        return self.badges[key]

    def clock(self, level: str) -> str:
        if level not in self.clocks:
            self.clocks[level] = clock_badge(level)
        return self.clocks[level]

    def due(self, day: dt.date | None) -> str:
        """A due date as the tables show it: 2026-03-16 (with the 暂定 mark), or — without one."""
        if day not in self.days:
            self.days[day] = f"{day.isoformat()}{provisional_mark(day)}" if day else "—"
        return self.days[day]


def _moment(at: dt.datetime | None) -> str:
    """`{{ at|date:"Y-m-d H:i" }}`: in the current time zone, nothing for no time."""
    if at is None:
        return ""
    return (timezone.localtime(at) if timezone.is_aware(at) else at).strftime("%Y-%m-%d %H:%M")


def _days_left(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return DAYS_LEFT.format(f"已超 {-days} 个工作日")
    return DAYS_LEFT.format("今日到期" if days == 0 else f"剩余 {days} 个工作日")


@register.simple_tag
def case_rows(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    """The <tr> of each case of 我的办件 / 办件查询."""
    marks = _Marks()
    return mark_safe(  # noqa: S308 - every value is escaped, the badges are format_html's
        "".join(
            CASE_ROW.format(
                url=_escaped(row["url"]),
                number=_escaped(row["number"]),
                item_name=_escaped(row["item_name"]),
                department_name=_escaped(row["department_name"]),
                applicant_label=_escaped(row["applicant_label"]),
                assisted=ASSISTED.format(_escaped(row["assisted"])) if row.get("assisted") else "",
                submitted_at=_moment(row["submitted_at"]),
                status=marks.status(row["status"], row["status_label"]),
                due_date=marks.due(row["due_date"]),
            )
            for row in rows
        )
    )


@register.simple_tag
def inbox_rows(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    """The <tr> of each entry of the workbench's 待办收件箱, its row tinted by its clock."""
    marks = _Marks()
    return mark_safe(  # noqa: S308 - every value is escaped, the badges are format_html's
        "".join(
            INBOX_ROW.format(
                state=_escaped(row["state"] or "normal"),
                url=_escaped(row["url"]),
                number=_escaped(row["number"]),
                item_name=_escaped(row["item_name"]),
                applicant=_escaped(row["applicant"]),
                stage=_escaped(row["stage"]),
                due_date=marks.due(row["due_date"]),
                days_left=_days_left(row["days_left"]),
                badge=marks.clock(row["state"]),
            )
            for row in rows
        )
    )
