"""The case tables' rows (cases.templatetags.case_tables) show what the row templates they
replaced showed: the same cells, values escaped, dates in the local time zone, the same badges
and 暂定 marks. The old templates are kept here as the oracle, rendered by Django's engine."""

import datetime as dt
import re
from typing import Any

from django.template import Context, Template

from yiwang.cases.workflow import CaseStatus
from yiwang.core.calendar import working_calendar

OLD_CASE_ROWS = """{% load calendar_marks case_badges %}{% for row in rows %}
<tr>
  <td data-label="办件编号"><a class="table__link num" href="{{ row.url }}">{{ row.number }}</a></td>
  <td data-label="事项名称">{{ row.item_name }}<br><span class="small muted">{{ row.department_name }}</span></td>
  <td data-label="申请人">{{ row.applicant_label }}{% if row.assisted %}<br><span class="badge badge--info">{{ row.assisted }}</span>{% endif %}</td>
  <td data-label="提交时间" class="num">{{ row.submitted_at|date:"Y-m-d H:i" }}</td>
  <td data-label="状态">{% status_badge "case" row.status row.status_label %}</td>
  <td data-label="承诺办结日期" class="num">{% if row.due_date %}{{ row.due_date|date:"Y-m-d" }}{{ row.due_date|provisional_mark }}{% else %}—{% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501

OLD_INBOX_ROWS = """{% load calendar_marks case_badges %}{% for row in inbox %}
<tr class="row--{{ row.state|default:'normal' }}">
  <td data-label="办件编号"><a class="table__link num" href="{{ row.url }}">{{ row.number }}</a></td>
  <td data-label="事项名称">{{ row.item_name }}</td>
  <td data-label="申请人">{{ row.applicant }}</td>
  <td data-label="当前环节">{{ row.stage }}</td>
  <td data-label="办结时限">
    <span class="deadline">
      <span class="num">{% if row.due_date %}{{ row.due_date|date:"Y-m-d" }}{{ row.due_date|provisional_mark }}{% else %}—{% endif %}</span>
      {% if row.days_left is not None %}
      <span class="deadline__left">{% if row.days_left < 0 %}已超 {% widthratio row.days_left -1 1 %} 个工作日{% elif row.days_left == 0 %}今日到期{% else %}剩余 {{ row.days_left }} 个工作日{% endif %}</span>
      {% endif %}
    </span>
  </td>
  <td data-label="时限状态">{% clock_badge row.state %}</td>
</tr>
{% endfor %}"""  # noqa: E501

HOSTILE = "<script>alert('x')</script> & \"引号\""


def _same(old: str, new: str) -> None:
    """Equal once runs of white space are one space (where the browser sees no difference)."""

    def squeeze(html: str) -> str:
        return re.sub(r"\s+", " ", html).replace("> <", "><").strip()

    assert squeeze(new) == squeeze(old)


def _days() -> tuple[dt.date, dt.date]:
    """A day of a published year and a day of a projected (暂定) one."""
    calendar = working_calendar()
    years = range(2020, 2040)
    official = next(y for y in years if not calendar.is_provisional(dt.date(y, 6, 1)))
    provisional = next(y for y in years if calendar.is_provisional(dt.date(y, 6, 1)))
    return dt.date(official, 3, 16), dt.date(provisional, 3, 16)


def _render(source: str, **context: Any) -> str:
    return Template(source).render(Context(context))


def test_case_rows_show_what_the_row_template_showed(calendar: None) -> None:
    official, provisional = _days()
    late_evening = dt.datetime(2026, 4, 1, 17, 30, tzinfo=dt.UTC)  # 2026-04-02 01:30 in 济南
    rows = [
        {"url": "/me/cases/370100-20260401-000001/", "number": "370100-20260401-000001", "item_name": "生育登记",
         "department_name": "济南市卫生健康委员会", "applicant_label": "本人", "submitted_at": late_evening,
         "status": CaseStatus.IN_REVIEW, "status_label": CaseStatus.IN_REVIEW.label, "due_date": official},
        {"url": "/me/cases/x/?a=1&b=2", "number": HOSTILE, "item_name": HOSTILE, "department_name": HOSTILE,
         "applicant_label": HOSTILE, "submitted_at": None, "status": CaseStatus.SUBMITTED,
         "status_label": "<b>自拟</b>", "due_date": provisional, "assisted": HOSTILE},
        {"url": "/", "number": "草稿", "item_name": "", "department_name": "", "applicant_label": "某某公司",
         "submitted_at": late_evening, "status": CaseStatus.DRAFT, "status_label": "草稿，尚未提交", "due_date": None,
         "assisted": ""},
    ]  # fmt: skip
    new = _render("{% load case_tables %}{% case_rows rows %}", rows=rows)
    _same(_render(OLD_CASE_ROWS, rows=rows), new)
    assert "2026-04-02 01:30" in new and "暂定" in new and "&lt;script&gt;" in new and "<script>" not in new


def test_inbox_rows_show_what_the_row_template_showed(calendar: None) -> None:
    official, provisional = _days()
    base = {"url": "/workbench/cases/1/", "number": "370100-20260401-000001", "item_name": "建设工程规划许可",
            "applicant": "张**", "stage": "审查 · 规划审查（济南市自然资源和规划局，待领取）"}  # fmt: skip
    inbox = [
        {**base, "due_date": official, "days_left": -3, "state": "overdue"},
        {**base, "due_date": official, "days_left": 0, "state": "warning"},
        {**base, "due_date": provisional, "days_left": 7, "state": "normal"},
        {**base, "due_date": official, "days_left": None, "state": "paused"},
        {**base, "due_date": None, "days_left": None, "state": ""},
        {**base, "item_name": HOSTILE, "applicant": HOSTILE, "stage": HOSTILE, "url": "/?a=1&b=2",
         "due_date": official, "days_left": 1, "state": None},
    ]  # fmt: skip
    new = _render("{% load case_tables %}{% inbox_rows inbox %}", inbox=inbox)
    _same(_render(OLD_INBOX_ROWS, inbox=inbox), new)
    for shown in ["已超 3 个工作日", "今日到期", "剩余 7 个工作日", "暂定", 'class="row--normal"', "&lt;script&gt;"]:
        assert shown in new
    assert "<script>" not in new
