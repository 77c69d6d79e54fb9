"""Working-day arithmetic over an explicit, administrator-maintained calendar.

Statutory time limits (承诺时限) are counted in working days: Monday to Friday, minus the
statutory holidays announced each year by the State Council, plus the weekend days declared
working days in exchange (调休). The announcement arrives only a few weeks before each year,
so this module never guesses silently: a year is either configured (official, or
*provisional* — projected by provisional.py and flagged so every date computed from it can
be marked 暂定) or every computation touching it raises :class:`YearNotConfigured`, which is
far better than silently producing a deadline that ignores 春节.

The Django model holding the calendar lives elsewhere; this module is pure so that it can be
cached, tested exhaustively and used by batch jobs. Construction precomputes, per run of
consecutive configured years, the sorted ordinals of all working days, so every query is a
couple of bisections instead of a day-by-day loop.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "SeedDataUnavailable",
    "WorkdayCalendar",
    "YearNotConfigured",
    "holiday_label",
    "seed_from_chinese_calendar",
]


class YearNotConfigured(Exception):
    """A date falls in a year whose holiday arrangement has not been entered."""

    def __init__(self, year: int, message: str | None = None) -> None:
        self.year = year
        super().__init__(
            message
            or f"工作日历未配置 {year} 年：请管理员在工作日历中录入该年度的节假日安排"
            f"（working-day calendar has no data for {year}: an administrator must enter "
            f"that year's holidays in the working-day calendar）"
        )


class SeedDataUnavailable(YearNotConfigured):
    """The bundled ``chinese_calendar`` package has no data for a requested year."""


def _as_date(d: datetime.date) -> datetime.date:
    # datetime is a subclass of date; mixing them would make comparisons raise TypeError.
    return d.date() if isinstance(d, datetime.datetime) else d


@dataclass(slots=True)
class _Segment:
    """A run of consecutive configured years with its precomputed working days."""

    first_year: int
    last_year: int
    first_ord: int
    last_ord: int
    working: list[int] = field(default_factory=list)  # sorted ordinals of working days
    # Non-overlapping holiday runs (first ordinal, last ordinal, name), sorted by date.
    spans: list[tuple[int, int, str | None]] = field(default_factory=list)
    span_ends: list[int] = field(default_factory=list)


class WorkdayCalendar:
    """Immutable working-day calendar for a set of configured years.

    ``overrides`` maps a date to True (a weekend day declared a working day, 调休上班) or
    False (a day off, normally a weekday holiday; False on a weekend is accepted and only
    matters for naming). ``names`` gives holiday names such as "春节" for explanations.
    Overrides and names outside the configured years are ignored: a half-entered year must
    not change results before an administrator marks it as configured. ``provisional``
    names the configured years whose arrangement is projected, not announced: results are
    the same arithmetic, `is_provisional` lets callers mark them 暂定.
    """

    def __init__(
        self,
        years: Iterable[int],
        overrides: Mapping[datetime.date, bool] | None = None,
        names: Mapping[datetime.date, str] | None = None,
        provisional: Iterable[int] = (),
    ) -> None:
        self._years = frozenset(years)
        self._provisional = frozenset(provisional) & self._years
        by_ord = {_as_date(d).toordinal(): bool(v) for d, v in (overrides or {}).items()}
        name_by_ord = {_as_date(d).toordinal(): n for d, n in (names or {}).items()}
        self._segments: list[_Segment] = []
        self._segment_by_year: dict[int, _Segment] = {}
        for first, last in _consecutive_runs(sorted(self._years)):
            seg = _Segment(
                first,
                last,
                datetime.date(first, 1, 1).toordinal(),
                datetime.date(last, 12, 31).toordinal(),
            )
            self._fill(seg, by_ord, name_by_ord)
            self._segments.append(seg)
            self._segment_by_year.update(dict.fromkeys(range(first, last + 1), seg))

    @staticmethod
    def _fill(seg: _Segment, by_ord: dict[int, bool], name_by_ord: dict[int, str]) -> None:
        # One pass over the days of the segment; this is the only per-day loop in the module.
        run: list[int] = []
        notable = False
        for o in range(seg.first_ord, seg.last_ord + 2):  # one extra day flushes the last run
            weekday = (o + 6) % 7 < 5  # date.fromordinal(1) is a Monday
            working = o > seg.last_ord or by_ord.get(o, weekday)
            if working:
                if o <= seg.last_ord:
                    seg.working.append(o)
                if run and notable:
                    labels = list(
                        dict.fromkeys(part for x in run if x in name_by_ord for part in name_by_ord[x].split("、"))
                    )
                    seg.spans.append((run[0], run[-1], "、".join(labels) or None))
                    seg.span_ends.append(run[-1])
                run, notable = [], False
            else:
                run.append(o)
                notable = notable or weekday or o in name_by_ord

    @property
    def years(self) -> frozenset[int]:
        return self._years

    @property
    def provisional_years(self) -> frozenset[int]:
        return self._provisional

    def is_provisional(self, d: datetime.date) -> bool:
        """True when ``d`` lies in a projected year (a date computed there is 暂定)."""
        return d.year in self._provisional

    def _segment(self, d: datetime.date) -> _Segment:
        seg = self._segment_by_year.get(d.year)
        if seg is None:
            raise YearNotConfigured(d.year)
        return seg

    def _segment_covering(self, lo: datetime.date, hi: datetime.date) -> _Segment:
        """The segment containing every day from lo to hi, else name the first missing year."""
        seg = self._segment(lo)
        if hi.toordinal() > seg.last_ord:
            raise YearNotConfigured(seg.last_year + 1)
        return seg

    def is_working_day(self, d: datetime.date) -> bool:
        d = _as_date(d)
        seg = self._segment(d)
        o = d.toordinal()
        i = bisect_left(seg.working, o)
        return i < len(seg.working) and seg.working[i] == o

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after ``start`` (before it when n < 0); n == 0 gives start.

        ``start`` itself is never counted, whether or not it is a working day, matching how
        time limits run from the day after acceptance.
        """
        start = _as_date(start)
        seg = self._segment(start)
        if n == 0:
            return start
        o = start.toordinal()
        if n > 0:
            i = bisect_right(seg.working, o) + n - 1
            if i >= len(seg.working):
                raise YearNotConfigured(seg.last_year + 1)
        else:
            i = bisect_left(seg.working, o) + n
            if i < 0:
                raise YearNotConfigured(seg.first_year - 1)
        return datetime.date.fromordinal(seg.working[i])

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """Count working days d with a < d <= b; the negated count of b < d <= a if b < a.

        With this half-open convention working_days_between(a, add_working_days(a, n)) == n
        for every n >= 0.
        """
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        seg = self._segment_covering(a, b)
        return bisect_right(seg.working, b.toordinal()) - bisect_right(seg.working, a.toordinal())

    def explain_skipped(
        self, start: datetime.date, end: datetime.date
    ) -> list[tuple[datetime.date, datetime.date, str | None]]:
        """Holiday runs inside (start, end], for messages like "春节 2月15日至23日不计算在内".

        A run is a maximal stretch of consecutive days off that contains a weekday off or a
        named day; plain weekends are not worth explaining. Runs are clipped to the range and
        each carries the distinct names of its days joined by "、" (None if unnamed). The
        arguments may be given in either order.
        """
        lo, hi = sorted((_as_date(start), _as_date(end)))
        seg = self._segment_covering(lo, hi)
        lo_o, hi_o = lo.toordinal(), hi.toordinal()
        out: list[tuple[datetime.date, datetime.date, str | None]] = []
        for first, last, name in seg.spans[bisect_right(seg.span_ends, lo_o) :]:
            if first > hi_o:
                break
            out.append(
                (
                    datetime.date.fromordinal(max(first, lo_o + 1)),
                    datetime.date.fromordinal(min(last, hi_o)),
                    name,
                )
            )
        return out


def holiday_label(a: datetime.date, b: datetime.date, name: str | None) -> str:
    """ "春节假期 2026-02-15 至 2026-02-23" (one run of explain_skipped)."""
    label = f"{name}假期" if name else "休息日"
    return f"{label} {a.isoformat()}" if a == b else f"{label} {a.isoformat()} 至 {b.isoformat()}"


def _consecutive_runs(years: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for y in years:
        if runs and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


def seed_from_chinese_calendar(
    years: Iterable[int],
) -> tuple[dict[datetime.date, bool], dict[datetime.date, str]]:
    """Overrides and Chinese holiday names for ``years`` from the ``chinese_calendar`` package.

    Meant to pre-fill the administrator's calendar, not to replace it: the package only
    knows the years announced before its release (2004–2026 in 1.11.0), and each later year
    must be entered by hand from the State Council notice. Every holiday date (including
    weekend days inside a holiday) becomes False with its name, so the admin sees whole
    spans like 春节 2月15日–23日; 调休 weekend working days become True.

    Raises SeedDataUnavailable for any requested year the package does not cover.
    """
    import chinese_calendar  # deferred: only the seeding command needs it

    wanted = set(years)
    covered = {d.year for d in chinese_calendar.holidays}
    missing = sorted(wanted - covered)
    if missing:
        year = missing[0]
        raise SeedDataUnavailable(
            year,
            f"chinese_calendar {chinese_calendar.__version__} 不含 {year} 年的节假日安排"
            f"（只含 {min(covered)}–{max(covered)} 年），请管理员按国务院办公厅通知手工录入"
            f"（chinese_calendar has no holiday data for {year}; enter it by hand）",
        )
    overrides: dict[datetime.date, bool] = {}
    names: dict[datetime.date, str] = {}
    for d, value in chinese_calendar.holidays.items():
        if d.year in wanted:
            overrides[d] = False
            # The dict values are the Holiday enum's value (the English name), e.g.
            # "Spring Festival"; the Chinese name is an attribute of the enum member.
            names[d] = chinese_calendar.Holiday(value).chinese
    for d in chinese_calendar.workdays:
        if d.year in wanted and d.weekday() >= 5:
            overrides[d] = True
    return overrides, names
