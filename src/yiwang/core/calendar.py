"""The working-day calendar the platform uses, built from the database tables.

`working_calendar()` returns a `WorkdayCalendar` (pure logic in workdays.py) for the
published (official) years plus the provisional years projected after them
(provisional.py; settings.CALENDAR_PROVISIONAL_YEARS, default 2, and any unpublished gap
between official years). A date beyond both still raises YearNotConfigured.

It is rebuilt only when an administrator's change bumps the version kept in the cache. The
version itself is read from the cache at most once per VERSION_CHECK_SECONDS in each process
(a case action asks for the calendar a dozen times): an edit is seen at once by the process
that made it and within that interval by the others.
"""

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from yiwang.core import clock
from yiwang.core.models import CalendarDay, CalendarYear
from yiwang.core.provisional import holiday_offsets, project_year
from yiwang.core.workdays import WorkdayCalendar, seed_from_chinese_calendar

_VERSION_KEY = "yiwang:calendar:version"
VERSION_CHECK_SECONDS = 1.0
_built: dict[str, WorkdayCalendar] = {}
_checked: list[tuple[float, str]] = []  # (monotonic time of the last cache read, version read)


def _version(*, fresh: bool = False) -> str:
    now = time.monotonic()
    if not fresh and _checked and now - _checked[0][0] < VERSION_CHECK_SECONDS:
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


def calendar_forget_local() -> None:
    """Drop this process's built calendar, so its next read sees the edit it has just written
    (in its own transaction); `calendar_changed` tells every process once the edit commits."""
    _built.clear()
    _checked.clear()


def provisional_years(official: set[int]) -> list[int]:
    """The years projected for want of a published notice: gaps between official years and
    the CALENDAR_PROVISIONAL_YEARS after the last one."""
    if not official:
        return []
    ahead = int(getattr(settings, "CALENDAR_PROVISIONAL_YEARS", 2))
    return [y for y in range(min(official), max(official) + ahead + 1) if y not in official]


def working_calendar(*, fresh: bool = False) -> WorkdayCalendar:
    """The calendar in force; `fresh` skips the per-process version throttle (jobs that run
    right after an edit, such as the re-derivation, must see it)."""
    version = _version(fresh=fresh)
    built = _built.get(version)
    if built is None:
        built = _build()
        _built.clear()
        _built[version] = built
    return built


def _build() -> WorkdayCalendar:
    official = set(CalendarYear.objects.filter(published_at__isnull=False).values_list("year", flat=True))
    overrides: dict[dt.date, bool] = {}
    names: dict[dt.date, str] = {}
    days = CalendarDay.objects.filter(calendar_year__published_at__isnull=False)
    for day in days.only("date", "is_working_day", "name"):
        overrides[day.date] = day.is_working_day
        if day.name:
            names[day.date] = day.name
    projected = provisional_years(official)
    if projected:
        pattern = max(official)
        offsets = holiday_offsets(
            pattern,
            {d: w for d, w in overrides.items() if d.year == pattern},
            {d: n for d, n in names.items() if d.year == pattern},
        )
        for year in projected:
            year_overrides, year_names = project_year(year, offsets)
            overrides.update(year_overrides)
            names.update(year_names)
    return WorkdayCalendar(years=official | set(projected), overrides=overrides, names=names, provisional=projected)


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
                year=year,
                source=f"chinese-calendar 数据包（国务院办公厅 {year} 年节假日安排通知）",
                published_at=clock.now(),
            )
            CalendarDay.objects.bulk_create(
                CalendarDay(calendar_year=calendar_year, date=d, is_working_day=w, name=names.get(d, ""))
                for d, w in sorted(overrides.items())
            )
            added += 1
        transaction.on_commit(calendar_changed)
    return added
