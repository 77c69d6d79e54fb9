"""The working-day calendar as administrators and services see it (database-backed)."""

import datetime as dt

import pytest
from django.utils import timezone

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


def test_years_after_the_last_official_one_are_provisional_then_fail_loudly(calendar: None) -> None:
    cal = working_calendar()
    assert cal.provisional_years == {2027, 2028}  # CALENDAR_PROVISIONAL_YEARS after 2026
    due = cal.add_working_days(dt.date(2026, 12, 20), 20)
    assert due.year == 2027 and cal.is_provisional(due) and not cal.is_provisional(dt.date(2026, 12, 20))
    with pytest.raises(YearNotConfigured, match="2029"):
        cal.add_working_days(dt.date(2028, 12, 20), 20)


def test_a_day_entered_in_a_published_year_changes_the_result(calendar: None) -> None:
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


def test_a_draft_year_is_not_in_force_until_published(calendar: None) -> None:
    year = CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    CalendarDay.objects.create(calendar_year=year, date=dt.date(2027, 3, 1), is_working_day=False, name="测试假日")
    calendar_changed()
    assert working_calendar().is_working_day(dt.date(2027, 3, 1))  # the draft's day is ignored
    assert 2027 in working_calendar().provisional_years
    year.published_at = timezone.now()
    year.save()
    calendar_changed()
    assert not working_calendar().is_working_day(dt.date(2027, 3, 1))
    assert working_calendar().provisional_years == {2028, 2029}


def test_without_any_official_year_nothing_is_projected() -> None:
    with pytest.raises(YearNotConfigured, match="2027"):
        working_calendar().add_working_days(dt.date(2027, 1, 4), 5)


def test_seeding_twice_adds_nothing(calendar: None) -> None:
    days = CalendarDay.objects.count()
    assert calendar_seed(years=range(2025, 2027)) == 0
    assert CalendarDay.objects.count() == days
