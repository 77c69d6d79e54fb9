"""Calendar reads for other apps: a published year's holiday arrangement as entered from the
State Council notice (a draft or a provisional projection is not an arrangement anyone may
rely on, so it is not offered)."""

import datetime as dt
from dataclasses import dataclass

from yiwang.core.models import CalendarDay, CalendarYear


@dataclass(frozen=True)
class YearArrangement:
    year: int
    source: str  # 依据, e.g. the notice
    days_off: list[tuple[dt.date, str]]  # (date, holiday name), weekend days inside a holiday included
    working_weekends: list[tuple[dt.date, str]]  # 调休上班
    working_days: int  # the year's working days under this arrangement


def published_year(year: int) -> YearArrangement | None:
    """The arrangement of `year` if it is published, else None."""
    found = CalendarYear.objects.filter(year=year, published_at__isnull=False).first()
    if found is None:
        return None
    days = list(CalendarDay.objects.filter(calendar_year=found).order_by("date"))
    overrides = {day.date: day.is_working_day for day in days}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    working = sum(
        overrides.get(first + dt.timedelta(n), (first + dt.timedelta(n)).weekday() < 5)
        for n in range((last - first).days + 1)
    )
    return YearArrangement(
        year=year,
        source=found.source,
        days_off=[(day.date, day.name) for day in days if not day.is_working_day],
        working_weekends=[(day.date, day.name) for day in days if day.is_working_day],
        working_days=working,
    )
