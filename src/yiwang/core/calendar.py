"""The working-day calendar the platform uses, built from the database tables.

`working_calendar()` returns a `WorkdayCalendar` (pure logic in workdays.py) for the
configured years. It is rebuilt only when an administrator's change bumps the version
kept in the cache. The version itself is read from the cache at most once per
VERSION_CHECK_SECONDS in each process (a case action asks for the calendar a dozen
times): an edit is seen at once by the process that made it and within that interval by
the others.
"""

import datetime as dt
import time

from django.core.cache import cache
from django.db import transaction

from yiwang.core.models import CalendarDay, CalendarYear
from yiwang.core.workdays import WorkdayCalendar, seed_from_chinese_calendar

_VERSION_KEY = "yiwang:calendar:version"
VERSION_CHECK_SECONDS = 1.0
_built: dict[str, WorkdayCalendar] = {}
_checked: list[tuple[float, str]] = []  # (monotonic time of the last cache read, version read)


def _version() -> str:
    now = time.monotonic()
    if _checked and now - _checked[0][0] < VERSION_CHECK_SECONDS:
        return _checked[0][1]
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = dt.datetime.now(dt.UTC).isoformat()
        cache.add(_VERSION_KEY, version, timeout=None)
        version = cache.get(_VERSION_KEY, version)
    _checked[:] = [(now, str(version))]
    return str(version)


def calendar_changed() -> None:
    """Mark every process's cached calendar stale (called after an edit commits)."""
    cache.set(_VERSION_KEY, dt.datetime.now(dt.UTC).isoformat(), timeout=None)
    _checked.clear()


def working_calendar() -> WorkdayCalendar:
    version = _version()
    built = _built.get(version)
    if built is None:
        years = set(CalendarYear.objects.values_list("year", flat=True))
        overrides: dict[dt.date, bool] = {}
        names: dict[dt.date, str] = {}
        for day in CalendarDay.objects.all().only("date", "is_working_day", "name"):
            overrides[day.date] = day.is_working_day
            if day.name:
                names[day.date] = day.name
        built = WorkdayCalendar(years=years, overrides=overrides, names=names)
        _built.clear()
        _built[version] = built
    return built


def calendar_seed(*, years: range) -> int:
    """Seed the years chinese-calendar knows and that are not configured yet.

    Idempotent: a year already present (perhaps corrected by an administrator) is left as it
    is. Returns the number of years added.
    """
    added = 0
    with transaction.atomic():
        for year in years:
            if CalendarYear.objects.filter(year=year).exists():
                continue
            overrides, names = seed_from_chinese_calendar(range(year, year + 1))
            calendar_year = CalendarYear.objects.create(
                year=year, source=f"chinese-calendar 数据包（国务院办公厅 {year} 年节假日安排通知）"
            )
            CalendarDay.objects.bulk_create(
                CalendarDay(calendar_year=calendar_year, date=d, is_working_day=w, name=names.get(d, ""))
                for d, w in sorted(overrides.items())
            )
            added += 1
        transaction.on_commit(calendar_changed)
    return added
