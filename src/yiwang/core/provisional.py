"""A provisional (暂定) holiday arrangement for a year the State Council has not announced.

The notice for year Y arrives in November or December of Y-1, yet a 20-working-day case
accepted in December already needs a due date in Y. Instead of leaving it without one, the
platform projects Y and marks every date computed from it 暂定 (ADR 0011):

- weekends are days off (the WorkdayCalendar default);
- each statutory festival (《全国年节及纪念日放假办法》, 2024 revision) is placed on its
  date in Y: 元旦 1/1, 劳动节 5/1, 国庆节 10/1 (fixed); 春节, 端午, 中秋 (lunar) and 清明
  (solar term) from lunar-python;
- the *shape* of each holiday comes from the latest official year: the span starts as many
  days before (or after) the festival day as it did there (2026: 春节 starts two days
  before 初一, 清明 one day before the solar term);
- from that start (moved later if it would leave the festival day itself a working day),
  consecutive days are days off until the festival's statutory number of
  *weekdays* is used up (元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆节 3: the net
  working days every official year removes, since a statutory day on a weekend is made up
  on a weekday); weekends inside the span are named with the holiday.
- No 调休 working weekend is projected: where the notice puts them depends on how the week
  falls and cannot be defended in advance. So the projected year removes exactly as many
  working days per festival as an official one; a deadline reaching past a whole holiday
  and its make-up days lands on the official date, one ending inside it may move by a day
  or two when the notice is entered (the re-derivation job tells those concerned).

Pure: no database. `project_year` takes the latest official year's days as plain mappings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lunar_python import Lunar


def _lunar(month: int, day: int) -> Callable[[int], dt.date]:
    def on(year: int) -> dt.date:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())

    return on


def _fixed(month: int, day: int) -> Callable[[int], dt.date]:
    return lambda year: dt.date(year, month, day)


def qingming(year: int) -> dt.date:
    """The solar term 清明 of `year` (it always falls on 4 or 5 April)."""
    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@dataclass(frozen=True)
class Festival:
    name: str  # the name shown (as chinese-calendar and the notices spell it)
    keyword: str  # how an administrator's day name is recognised as this festival
    statutory_days: int  # net working days off (全国年节及纪念日放假办法, 2024 revision)
    on: Callable[[int], dt.date]


FESTIVALS: tuple[Festival, ...] = (
    Festival("元旦", "元旦", 1, _fixed(1, 1)),
    Festival("春节", "春节", 4, _lunar(1, 1)),
    Festival("清明", "清明", 1, qingming),
    Festival("劳动节", "劳动", 2, _fixed(5, 1)),
    Festival("端午", "端午", 1, _lunar(5, 5)),
    Festival("中秋", "中秋", 1, _lunar(8, 15)),
    Festival("国庆节", "国庆", 3, _fixed(10, 1)),
)
_PATTERN_WINDOW = dt.timedelta(days=20)  # how far from its festival day a holiday's days may lie


def festival_dates(year: int) -> dict[str, dt.date]:
    """The festival days themselves in `year` (春节 = 初一, 清明 = the solar term)."""
    return {f.name: f.on(year) for f in FESTIVALS}


def holiday_offsets(
    pattern_year: int, overrides: Mapping[dt.date, bool], names: Mapping[dt.date, str]
) -> dict[str, int]:
    """Per festival, how many days its holiday started before (<0) its festival day in `pattern_year`.

    Only days off named with the festival's keyword count; a festival with none (e.g. a
    hand-entered year without names) starts on its day (offset 0).
    """
    offsets: dict[str, int] = {}
    for f in FESTIVALS:
        anchor = f.on(pattern_year)
        named = [
            d
            for d, name in names.items()
            if f.keyword in name and not overrides.get(d, False) and abs(d - anchor) <= _PATTERN_WINDOW
        ]
        offsets[f.name] = (min(named) - anchor).days if named else 0
    return offsets


def project_year(year: int, offsets: Mapping[str, int]) -> tuple[dict[dt.date, bool], dict[dt.date, str]]:
    """Overrides (days off only) and names for the provisional `year` (see the module doc)."""
    overrides: dict[dt.date, bool] = {}
    names: dict[dt.date, str] = {}
    for f in FESTIVALS:
        anchor = f.on(year)
        start = anchor + dt.timedelta(days=min(offsets.get(f.name, 0), 0))
        span = _span(start, f.statutory_days, overrides)
        while anchor not in span:  # the pattern's lead must not leave the festival day itself working
            start += dt.timedelta(days=1)
            span = _span(start, f.statutory_days, overrides)
        for day in span:
            overrides[day] = False
            names[day] = "、".join(dict.fromkeys([*filter(None, [names.get(day)]), f.name]))
    return overrides, names


def _span(start: dt.date, weekdays: int, taken: Mapping[dt.date, bool]) -> list[dt.date]:
    """Consecutive days from `start` (within its year) until `weekdays` weekdays not already
    taken by another festival are used up."""
    days: list[dt.date] = []
    day, left = max(start, dt.date(start.year, 1, 1)), weekdays
    while left > 0 and day.year == start.year:
        if day.weekday() < 5 and day not in taken:
            left -= 1
        days.append(day)
        day += dt.timedelta(days=1)
    return days
