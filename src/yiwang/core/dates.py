"""Days a person chooses: reading one they typed (filters of the public pages and the
dashboard: 年-月-日 only, between EARLIEST and a year from today, or a Chinese message naming
the field — never an exception further down: a date near 9999-12-31 overflows the first
`+ 1 day`), and the moments a day or a period of days begins and ends in the platform's time
zone (DateTimeFields are stored in UTC; a day is Asia/Shanghai's)."""

import datetime as dt

from django.utils import timezone

from yiwang.core import clock

EARLIEST = dt.date(2000, 1, 1)
AHEAD_DAYS = 366


def parse_day(raw: str, *, key: str, label: str, errors: dict[str, list[str]]) -> dt.date | None:
    """The day in `raw` (None when empty), or None with `errors[key]` saying what is wrong."""
    if not raw:
        return None
    try:
        if len(raw) != 10 or not raw.isascii():
            raise ValueError(raw)
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors[key] = [f"{label}：请按 年-月-日 填写，例如 2026-01-31"]
        return None
    latest = clock.today() + dt.timedelta(days=AHEAD_DAYS)
    if not EARLIEST <= day <= latest:
        errors[key] = [f"{label}：须在 {EARLIEST.isoformat()} 至 {latest.isoformat()} 之间"]
        return None
    return day


def day_start(day: dt.date) -> dt.datetime:
    """00:00 of `day` in the platform's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def period(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the days `since` … `until` (inclusive) in the platform's time zone."""
    return day_start(since), day_start(until + dt.timedelta(days=1))


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=1) + dt.timedelta(days=31)).replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return next_month(day) - dt.timedelta(days=1)
