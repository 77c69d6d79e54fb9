"""`{{ day|provisional_mark }}`: the 暂定 badge after a date computed from a projected year.

Every page that shows a due date adds it, so a date that may still move when the State
Council's notice is entered is never shown as if it were final (ADR 0011).
"""

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from yiwang.core.calendar import working_calendar

register = template.Library()


@register.filter
def provisional_mark(day: dt.date | None) -> SafeString | str:
    if day is None or not working_calendar().is_provisional(day):
        return ""
    return format_html(
        ' <span class="badge badge--neutral" title="{}">暂定</span>',
        f"{day.year} 年节假日安排尚未发布，按暂定日历推算，官方安排录入后可能调整",
    )
