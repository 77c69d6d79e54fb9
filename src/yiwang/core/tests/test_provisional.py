"""The provisional (暂定) projection of a year without an official notice (ADR 0011)."""

import datetime as dt

import chinese_calendar
import pytest

from yiwang.core.provisional import FESTIVALS, festival_dates, holiday_offsets, project_year
from yiwang.core.workdays import WorkdayCalendar, seed_from_chinese_calendar

D = dt.date
CC_NAMES = {
    "元旦": "元旦",
    "春节": "春节",
    "清明": "清明",
    "劳动节": "劳动节",
    "端午": "端午",
    "中秋": "中秋",
    "国庆节": "国庆节",
}


@pytest.mark.parametrize("year", [2025, 2026])
def test_lunar_python_festival_days_match_the_official_holidays(year: int) -> None:
    """Each festival day computed by lunar-python is a holiday of that name in chinese-calendar 1.11.0."""
    for name, day in festival_dates(year).items():
        assert chinese_calendar.is_holiday(day), (name, day)
        on, holiday_name = chinese_calendar.get_holiday_detail(day)
        assert on and chinese_calendar.Holiday(holiday_name).chinese == CC_NAMES[name], (name, day)


def test_known_festival_dates() -> None:
    assert festival_dates(2027) == {
        "元旦": D(2027, 1, 1),
        "春节": D(2027, 2, 6),
        "清明": D(2027, 4, 5),
        "劳动节": D(2027, 5, 1),
        "端午": D(2027, 6, 9),
        "中秋": D(2027, 9, 15),
        "国庆节": D(2027, 10, 1),
    }


def _official(year: int) -> tuple[dict[dt.date, bool], dict[dt.date, str]]:
    return seed_from_chinese_calendar([year])


def _projected(year: int, pattern_year: int) -> WorkdayCalendar:
    overrides, names = _official(pattern_year)
    offsets = holiday_offsets(pattern_year, overrides, names)
    proj_overrides, proj_names = project_year(year, offsets)
    # The year before is a plain Monday–Friday year here, so counts may start on 31 December.
    return WorkdayCalendar([year - 1, year], proj_overrides, proj_names, provisional=[year])


def test_the_shape_comes_from_the_latest_official_year() -> None:
    overrides, names = _official(2026)
    offsets = holiday_offsets(2026, overrides, names)
    assert offsets == {"元旦": 0, "春节": -2, "清明": -1, "劳动节": 0, "端午": 0, "中秋": 0, "国庆节": 0}


@pytest.mark.parametrize(("year", "pattern"), [(2026, 2025), (2025, 2026)])
def test_a_projected_year_removes_as_many_working_days_as_the_official_one(year: int, pattern: int) -> None:
    """Statutory days falling on a weekend are made up on weekdays, so an official year loses
    exactly the statutory 13 working days: so does the projection, month by month close to it."""
    overrides, names = _official(year)
    official = WorkdayCalendar([year - 1, year], overrides, names)
    projected = _projected(year, pattern)
    first, last = D(year - 1, 12, 31), D(year, 12, 31)
    weekdays = sum(
        1 for o in range(first.toordinal() + 1, last.toordinal() + 1) if dt.date.fromordinal(o).weekday() < 5
    )
    assert weekdays - projected.working_days_between(first, last) == sum(f.statutory_days for f in FESTIVALS) == 13
    assert projected.working_days_between(first, last) == official.working_days_between(first, last)
    for name, day in festival_dates(year).items():
        assert not projected.is_working_day(day) or day.weekday() >= 5, name


def test_projected_2027_from_the_2026_pattern() -> None:
    cal = _projected(2027, 2026)
    runs = cal.explain_skipped(D(2026, 12, 31), D(2027, 12, 31))
    named = [(a, b, name) for a, b, name in runs if name]
    assert named == [
        (D(2027, 1, 1), D(2027, 1, 3), "元旦"),
        (D(2027, 2, 4), D(2027, 2, 9), "春节"),
        (D(2027, 4, 3), D(2027, 4, 5), "清明"),
        (D(2027, 5, 1), D(2027, 5, 4), "劳动节"),
        (D(2027, 6, 9), D(2027, 6, 9), "端午"),
        (D(2027, 9, 15), D(2027, 9, 15), "中秋"),
        (D(2027, 10, 1), D(2027, 10, 5), "国庆节"),
    ]
    # No 调休 working weekend is guessed:
    assert not any(
        cal.is_working_day(D(2027, 1, 1) + dt.timedelta(days=i))
        for i in range(365)
        if (D(2027, 1, 1) + dt.timedelta(days=i)).weekday() >= 5
    )
    assert cal.is_provisional(D(2027, 6, 1))


def test_festivals_falling_together_merge() -> None:
    # 2028: 中秋 is 3 October, inside 国庆; together they still remove 1 + 3 working days.
    cal = _projected(2028, 2026)
    assert cal.working_days_between(D(2028, 9, 30), D(2028, 10, 31)) == 22 - 4
