"""The platform's working-day calendar as a data-sharing source (`platform:calendar`,
registered in `ExchangeConfig.ready`): subject = a year "YYYY", the record its published
holiday arrangement (workcalendar.selectors.published_year).

Fields: `year`, `source` (依据), `holidays` ("元旦 2026-01-01至2026-01-03；春节 …", each run of
consecutive days off with its name), `days_off` and `adjusted_working_days` (ISO dates,
comma-separated) and `working_days` (how many the year has).
"""

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from yiwang.exchange.models import DataResource
from yiwang.exchange.providers import ProviderFailed
from yiwang.workcalendar.selectors import published_year

YEAR = re.compile(r"^[12][0-9]{3}$")


def _holidays(days_off: list[tuple[dt.date, str]]) -> str:
    """Runs of consecutive days off, each with its names (an unnamed run: 休息日)."""
    runs: list[list[tuple[dt.date, str]]] = []
    for day, name in days_off:
        if runs and runs[-1][-1][0] + dt.timedelta(days=1) == day:
            runs[-1].append((day, name))
        else:
            runs.append([(day, name)])
    parts = []
    for run in runs:
        name = "、".join(dict.fromkeys(part for _, n in run if n for part in n.split("、"))) or "休息日"
        start, end = run[0][0].isoformat(), run[-1][0].isoformat()
        parts.append(f"{name} {start}" if start == end else f"{name} {start}至{end}")
    return "；".join(parts)


def calendar_source(resource: DataResource, subject_id: str, fields: Sequence[str]) -> dict[str, Any]:
    subject_id = subject_id.strip()
    arrangement = published_year(int(subject_id)) if YEAR.match(subject_id) else None
    if arrangement is None:
        raise ProviderFailed("not_found", f"没有 {subject_id[:10]} 年已发布的节假日安排（主体应为四位年份）")
    return {
        "year": arrangement.year,
        "source": arrangement.source,
        "holidays": _holidays(arrangement.days_off),
        "days_off": ",".join(day.isoformat() for day, _ in arrangement.days_off),
        "adjusted_working_days": ",".join(day.isoformat() for day, _ in arrangement.working_weekends),
        "working_days": arrangement.working_days,
    }
