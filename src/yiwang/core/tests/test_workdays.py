"""Tests for yiwang.core.workdays against the State Council arrangements for 2025 and 2026.

The property tests compare the bisect-based calendar with a deliberately naive day-by-day
reference that reads the seeded overrides directly, so both the precomputation and the
index arithmetic are checked.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.core.workdays import (
    SeedDataUnavailable,
    WorkdayCalendar,
    YearNotConfigured,
    seed_from_chinese_calendar,
)

YEARS = {2025, 2026}
OVERRIDES, NAMES = seed_from_chinese_calendar(range(2025, 2027))
CAL = WorkdayCalendar(YEARS, OVERRIDES, NAMES)
DATES = st.dates(date(2025, 1, 1), date(2026, 12, 31))


class _OutOfRange(Exception):
    pass


def _naive_working(d: date) -> bool:
    if d.year not in YEARS:
        raise _OutOfRange
    return OVERRIDES.get(d, d.weekday() < 5)


def _naive_add(start: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    d = start
    for _ in range(abs(n)):
        d += step
        while not _naive_working(d):
            d += step
    return d


def _naive_between(a: date, b: date) -> int:
    sign = 1 if a <= b else -1
    lo, hi = min(a, b), max(a, b)
    days = (lo + timedelta(days=i) for i in range(1, (hi - lo).days + 1))
    return sign * sum(_naive_working(d) for d in days)


# --- Examples from the specification ---------------------------------------------------------


def test_spring_festival_2026() -> None:
    assert CAL.add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 16)


def test_national_day_2025() -> None:
    assert CAL.add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)


def test_adjusted_weekends_and_holidays() -> None:
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday, 调休上班 before 春节
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, 调休上班 after 国庆
    assert CAL.is_working_day(date(2025, 9, 28))  # Sunday, 调休上班
    assert not CAL.is_working_day(date(2026, 1, 1))
    assert not CAL.is_working_day(date(2026, 2, 16))  # Monday in 春节
    assert not CAL.is_working_day(date(2026, 3, 7))  # ordinary Saturday
    assert CAL.is_working_day(date(2026, 3, 9))


def test_zero_and_negative_steps() -> None:
    assert CAL.add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 15)
    assert CAL.add_working_days(date(2026, 3, 16), -20) == date(2026, 2, 10)
    assert CAL.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 20), -1) == date(2026, 2, 14)


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2026, 2, 10), date(2026, 3, 16)) == 20
    assert CAL.working_days_between(date(2026, 3, 16), date(2026, 2, 10)) == -20
    assert CAL.working_days_between(date(2026, 2, 15), date(2026, 2, 23)) == 0
    assert CAL.working_days_between(date(2026, 5, 6), date(2026, 5, 6)) == 0


def test_datetime_arguments_are_treated_as_dates() -> None:
    at = datetime.datetime(2026, 2, 10, 16, 30)
    assert CAL.add_working_days(at, 20) == date(2026, 3, 16)
    assert CAL.working_days_between(at, date(2026, 3, 16)) == 20


# --- Unconfigured years ----------------------------------------------------------------------


def test_year_2027_is_not_configured() -> None:
    with pytest.raises(YearNotConfigured) as info:
        CAL.is_working_day(date(2027, 1, 4))
    assert info.value.year == 2027
    assert "2027" in str(info.value) and "工作日历未配置 2027 年" in str(info.value)
    assert "请管理员在工作日历中录入该年度的节假日安排" in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.add_working_days(date(2027, 3, 1), 0),
        lambda: CAL.add_working_days(date(2026, 12, 20), 20),
        lambda: CAL.working_days_between(date(2026, 12, 1), date(2027, 1, 5)),
        lambda: CAL.working_days_between(date(2027, 1, 5), date(2026, 12, 1)),
        lambda: CAL.explain_skipped(date(2026, 12, 1), date(2027, 1, 5)),
    ],
)
def test_crossing_into_2027_raises(call: Callable[[], object]) -> None:
    with pytest.raises(YearNotConfigured, match="2027"):
        call()


def test_backwards_into_2024_raises() -> None:
    with pytest.raises(YearNotConfigured, match="2024"):
        CAL.add_working_days(date(2025, 1, 10), -10)


def test_gap_year_between_configured_years_raises() -> None:
    overrides, names = seed_from_chinese_calendar([2024, 2026])
    cal = WorkdayCalendar({2024, 2026}, overrides, names)
    assert cal.is_working_day(date(2024, 12, 31))
    with pytest.raises(YearNotConfigured, match="2025"):
        cal.add_working_days(date(2024, 12, 20), 30)
    with pytest.raises(YearNotConfigured, match="2025"):
        cal.working_days_between(date(2024, 12, 20), date(2026, 1, 5))
    with pytest.raises(YearNotConfigured, match="2025"):
        cal.add_working_days(date(2026, 1, 5), -5)


def test_seed_refuses_years_the_package_lacks() -> None:
    with pytest.raises(SeedDataUnavailable, match="2027") as info:
        seed_from_chinese_calendar(range(2026, 2028))
    assert isinstance(info.value, YearNotConfigured) and info.value.year == 2027


# --- Overrides and explanations --------------------------------------------------------------


def test_override_changes_result() -> None:
    closed = WorkdayCalendar(YEARS, {**OVERRIDES, date(2026, 3, 16): False}, NAMES)
    assert closed.add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 17)
    opened = WorkdayCalendar(YEARS, {**OVERRIDES, date(2026, 3, 14): True}, NAMES)
    assert opened.add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 14)


def test_overrides_outside_configured_years_are_ignored() -> None:
    cal = WorkdayCalendar({2026}, {date(2027, 1, 4): False, date(2026, 3, 7): True})
    assert cal.is_working_day(date(2026, 3, 7))
    with pytest.raises(YearNotConfigured):
        cal.is_working_day(date(2027, 1, 4))


def test_seed_contents() -> None:
    assert OVERRIDES[date(2026, 2, 14)] is True
    assert OVERRIDES[date(2026, 2, 16)] is False
    assert NAMES[date(2026, 2, 16)] == "春节"
    assert NAMES[date(2025, 10, 1)] == "国庆节"
    assert all(d.year in YEARS for d in OVERRIDES)
    assert all(d.weekday() >= 5 for d, working in OVERRIDES.items() if working)


def test_explain_skipped() -> None:
    assert CAL.explain_skipped(date(2026, 2, 10), date(2026, 3, 16)) == [(date(2026, 2, 15), date(2026, 2, 23), "春节")]
    assert CAL.explain_skipped(date(2025, 9, 26), date(2025, 10, 10)) == [
        (date(2025, 10, 1), date(2025, 10, 8), "国庆节、中秋")
    ]
    # Clipped to the range, arguments in either order, plain weekends not listed.
    assert CAL.explain_skipped(date(2026, 2, 20), date(2026, 2, 17)) == [(date(2026, 2, 18), date(2026, 2, 20), "春节")]
    assert CAL.explain_skipped(date(2026, 3, 1), date(2026, 3, 31)) == []
    unnamed = WorkdayCalendar(YEARS, {date(2026, 3, 13): False})
    assert unnamed.explain_skipped(date(2026, 3, 1), date(2026, 3, 31)) == [
        (date(2026, 3, 13), date(2026, 3, 15), None)
    ]


# --- Properties against the naive reference --------------------------------------------------


@given(DATES, st.integers(-80, 80))
def test_add_working_days_matches_naive(start: date, n: int) -> None:
    try:
        expected = _naive_add(start, n)
    except _OutOfRange:
        with pytest.raises(YearNotConfigured):
            CAL.add_working_days(start, n)
        return
    assert CAL.add_working_days(start, n) == expected


@given(DATES, st.integers(-80, 80))
def test_between_inverts_add(start: date, n: int) -> None:
    try:
        end = CAL.add_working_days(start, n)
    except YearNotConfigured:
        return
    between = CAL.working_days_between(start, end)
    if n >= 0:
        assert between == n
    else:
        # Going back, the result is a working day and start itself is not counted, so the
        # half-open (end, start] holds -n working days minus end plus start.
        assert CAL.is_working_day(end)
        assert -between == -n - 1 + CAL.is_working_day(start)


@given(DATES, DATES)
def test_between_matches_naive(a: date, b: date) -> None:
    assert CAL.working_days_between(a, b) == _naive_between(a, b)


@given(DATES)
def test_is_working_day_matches_naive(d: date) -> None:
    assert CAL.is_working_day(d) == _naive_working(d)
