"""Reading a day a person typed (filters of the public pages and the dashboard): 年-月-日 only,
between EARLIEST and a year from today, or a Chinese message naming the field — never an
exception further down (a date near 9999-12-31 overflows the first `+ 1 day`)."""

import datetime as dt

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
