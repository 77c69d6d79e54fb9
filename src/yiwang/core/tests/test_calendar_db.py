"""The working-day calendar as administrators and services see it (database-backed)."""

import datetime as dt

import pytest

from yiwang.core.calendar import calendar_changed, calendar_seed, working_calendar
from yiwang.core.models import CalendarDay, CalendarYear
from yiwang.core.workdays import YearNotConfigured

pytestmark = pytest.mark.django_db


def test_seeded_calendar_gives_statutory_results(calendar: None) -> None:
    cal = working_calendar()
    assert cal.add_working_days(dt.date(2026, 2, 10), 20) == dt.date(2026, 3, 16)
    assert cal.add_working_days(dt.date(2025, 9, 26), 5) == dt.date(2025, 10, 10)
    assert cal.is_working_day(dt.date(2026, 2, 14))  # 调休 Saturday before 春节
    assert not cal.is_working_day(dt.date(2026, 10, 1))


def test_unconfigured_year_fails_loudly(calendar: None) -> None:
    with pytest.raises(YearNotConfigured, match="2027"):
        working_calendar().add_working_days(dt.date(2026, 12, 20), 20)


def test_administrators_entry_changes_the_result(calendar: None) -> None:
    start = dt.date(2026, 3, 2)
    before = working_calendar().add_working_days(start, 5)
    CalendarDay.objects.create(
        calendar_year=CalendarYear.objects.get(year=2026),
        date=dt.date(2026, 3, 4),
        is_working_day=False,
        name="临时停工",
    )
    calendar_changed()
    assert working_calendar().add_working_days(start, 5) == before + dt.timedelta(days=1)


def test_administrator_can_add_a_new_year() -> None:
    year = CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    CalendarDay.objects.create(calendar_year=year, date=dt.date(2027, 1, 1), is_working_day=False, name="元旦")
    calendar_changed()
    # 2026 is not configured in this test database, so crossing into it must fail loudly:
    with pytest.raises(YearNotConfigured, match="2026"):
        working_calendar().add_working_days(dt.date(2027, 1, 4), -5)
    assert working_calendar().add_working_days(dt.date(2027, 1, 1), 1) == dt.date(2027, 1, 4)


def test_seeding_twice_adds_nothing(calendar: None) -> None:
    days = CalendarDay.objects.count()
    assert calendar_seed(years=range(2025, 2027)) == 0
    assert CalendarDay.objects.count() == days
