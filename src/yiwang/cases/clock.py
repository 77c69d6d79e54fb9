"""Due dates, derived — never stored once and forgotten (architecture rule 5).

Every case and every task has a clock ledger: `ClockEvent` rows of kind start, pause,
resume, extend, reset and stop. `derive` folds them with the working-day calendar into a
`ClockState` (started when, limit, working days used, due date, pauses, extensions) and
`explain` turns that into the sentence the applicant reads:

    2026-02-10 受理；法定 20 个工作日；跳过春节假期 2026-02-15 至 2026-02-23；应于 2026-03-16 前办结

Counting conventions (the calendar's half-open (a, b] rule):
- A limit of n working days from a start on day S ends on `add_working_days(S, n)`: the
  start day itself is not counted (time runs from the day after acceptance).
- A pause on day P counts P as used; the resume on day R does not count R: the working days
  in (P, R] are excluded, so the due date moves by exactly `working_days_between(P, R)`.
- `extend` adds days to the limit (at whatever moment it is granted); `reset` starts the
  count again from its day with its own limit (default: the original limit); `stop` ends
  the count (decision, withdrawal) and freezes "working days used".
- Deemed acceptance (受理期限届满视为受理): a case received on day D that nobody accepted,
  refused or sent back for 补正 within 5 working days counts as accepted on D. The periodic
  job writes a start event dated D; until it runs, `with_deemed_acceptance` adds the same
  event virtually, so what everyone sees is right on the sixth working day already.

Nothing here touches the database: the module is pure and tested exhaustively.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from yiwang.core.workdays import WorkdayCalendar, YearNotConfigured, holiday_label

PROVISIONAL_MARK = "（暂定）"
ACCEPTANCE_WINDOW_DAYS = 5  # 行政许可法第三十二条: 补正 must be notified within 5 working days

ClockKind = Literal["start", "pause", "resume", "extend", "reset", "stop"]
State = Literal["not_started", "running", "paused", "stopped"]

CAUSE_LABELS = {
    "acceptance": "受理",
    "deemed_acceptance": "视为受理",
    "supplement": "补正材料",
    "special_procedure": "特别程序",
    "extension": "延长审批",
    "decision": "作出决定",
    "withdrawal": "撤回申请",
    "cancelled": "任务取消",
    "completed": "任务完成",
    "activation": "任务开始",
}


@dataclass(frozen=True)
class ClockEntry:
    kind: ClockKind
    on: dt.date
    days: int | None = None
    cause: str = ""
    note: str = ""
    expected_days: int | None = None


@dataclass(frozen=True)
class Pause:
    start: dt.date
    end: dt.date | None
    cause: str
    note: str
    expected_days: int | None
    working_days: int  # excluded so far (to today for an open pause)


@dataclass(frozen=True)
class Extension:
    on: dt.date
    days: int
    note: str


@dataclass(frozen=True)
class ClockState:
    state: State
    started_on: dt.date | None = None
    deemed: bool = False
    restarted: bool = False
    base_days: int = 0
    limit_days: int = 0
    used_days: int = 0
    due_date: dt.date | None = None
    warning_date: dt.date | None = None
    stopped_on: dt.date | None = None
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    today: dt.date | None = None
    calendar_error: str = ""
    provisional: bool = False  # the due or warning date falls in a projected year: show 暂定
    segments: tuple[tuple[dt.date, dt.date | None], ...] = field(default=(), repr=False)

    @property
    def remaining_days(self) -> int:
        return self.limit_days - self.used_days

    @property
    def overdue(self) -> bool:
        """Running past its due date, or stopped later than it."""
        if self.due_date is None:
            return False
        if self.state == "stopped":
            return self.stopped_on is not None and self.stopped_on > self.due_date
        return self.state == "running" and self.today is not None and self.today > self.due_date

    @property
    def level(self) -> str:
        """normal / warning / overdue for a running clock; otherwise its state."""
        if self.state != "running":
            return self.state
        if self.overdue:
            return "overdue"
        if self.warning_date is not None and self.today is not None and self.today >= self.warning_date:
            return "warning"
        return "normal"


def derive(
    entries: Iterable[ClockEntry],
    *,
    calendar: WorkdayCalendar,
    today: dt.date,
    limit_days: int | None = None,
    warning_share: float | None = None,
) -> ClockState:
    """Fold clock `entries` (in the order they happened) into a ClockState as of `today`.

    `limit_days` replaces the limit of the start event (used to derive the committed due
    date from the same ledger as the statutory one). `warning_share` (e.g. 0.8) gives
    `warning_date`, the day on which that share of the limit is used up.
    A year missing from the working-day calendar does not guess: the state carries
    `calendar_error` and no due date. A due or warning date in a provisional (projected)
    year sets `provisional`: every page, notice and API field shows it as 暂定.
    """
    state: State = "not_started"
    started_on: dt.date | None = None
    deemed = restarted = False
    base = 0
    extensions: list[Extension] = []
    pauses: list[Pause] = []
    segments: list[tuple[dt.date, dt.date | None]] = []
    run_from: dt.date | None = None
    stopped_on: dt.date | None = None
    for e in entries:
        if e.kind in ("start", "reset"):
            if e.kind == "start" or e.days is not None:
                base = int(e.days or 0)
            started_on, deemed, restarted = e.on, e.cause == "deemed_acceptance", e.kind == "reset"
            segments, pauses, extensions = [], [], []
            run_from, state, stopped_on = e.on, "running", None
        elif e.kind == "pause" and state == "running" and run_from is not None:
            segments.append((run_from, e.on))
            pauses.append(Pause(e.on, None, e.cause, e.note, e.expected_days, 0))
            run_from, state = None, "paused"
        elif e.kind == "resume" and state == "paused":
            last = pauses[-1]
            pauses[-1] = Pause(last.start, e.on, last.cause, last.note, last.expected_days, 0)
            run_from, state = e.on, "running"
        elif e.kind == "extend" and state in ("running", "paused"):
            extensions.append(Extension(e.on, int(e.days or 0), e.note))
        elif e.kind == "stop" and state in ("running", "paused"):
            if state == "running" and run_from is not None:
                segments.append((run_from, e.on))
            elif pauses and pauses[-1].end is None:
                last = pauses[-1]
                pauses[-1] = Pause(last.start, e.on, last.cause, last.note, last.expected_days, 0)
            run_from, state, stopped_on = None, "stopped", e.on
    if state == "running" and run_from is not None:
        segments.append((run_from, None))
    limit = (base if limit_days is None else limit_days) + sum(x.days for x in extensions)
    if state == "not_started":
        return ClockState(state=state, today=today)
    try:
        counted = [(a, b, _span(calendar, a, b, today)) for a, b in segments]
        used = sum(n for _, _, n in counted)
        due = _date_when_used(calendar, counted, limit)
        if due is None and state == "stopped" and segments:
            # Stopped before the limit ran out: the deadline in force when it stopped.
            due = calendar.add_working_days(segments[-1][1] or today, limit - used)
        warning = None
        if warning_share is not None and state == "running":
            warning = _date_when_used(calendar, counted, max(0, math.ceil(warning_share * limit)))
        pauses = [
            Pause(p.start, p.end, p.cause, p.note, p.expected_days, _pause_days(calendar, p, today)) for p in pauses
        ]
    except YearNotConfigured as exc:
        return ClockState(
            state=state,
            started_on=started_on,
            deemed=deemed,
            restarted=restarted,
            base_days=base if limit_days is None else limit_days,
            limit_days=limit,
            stopped_on=stopped_on,
            pauses=tuple(pauses),
            extensions=tuple(extensions),
            today=today,
            calendar_error=str(exc).split("（")[0],
            segments=tuple(segments),
        )
    return ClockState(
        state=state,
        started_on=started_on,
        deemed=deemed,
        restarted=restarted,
        base_days=base if limit_days is None else limit_days,
        limit_days=limit,
        used_days=used,
        due_date=due,
        warning_date=warning,
        stopped_on=stopped_on,
        pauses=tuple(pauses),
        extensions=tuple(extensions),
        today=today,
        provisional=any(calendar.is_provisional(d) for d in (due, warning) if d is not None),
        segments=tuple(segments),
    )


def _span(calendar: WorkdayCalendar, a: dt.date, b: dt.date | None, today: dt.date) -> int:
    end = b if b is not None else today
    return calendar.working_days_between(a, end) if end > a else 0


def _pause_days(calendar: WorkdayCalendar, pause: Pause, today: dt.date) -> int:
    return _span(calendar, pause.start, pause.end, today)


def _date_when_used(
    calendar: WorkdayCalendar, counted: Sequence[tuple[dt.date, dt.date | None, int]], n: int
) -> dt.date | None:
    """The day on which the n-th working day is used, walking the running segments."""
    used = 0
    for a, b, span in counted:
        if b is None or used + span >= n:
            return calendar.add_working_days(a, n - used)
        used += span
    return None


def with_deemed_acceptance(
    entries: Sequence[ClockEntry],
    *,
    received_on: dt.date | None,
    awaiting_acceptance: bool,
    limit_days: int,
    calendar: WorkdayCalendar,
    today: dt.date,
) -> list[ClockEntry]:
    """`entries` plus the virtual start of a deemed acceptance, when the law says so.

    Applies to a case still awaiting acceptance (no start event) whose 5-working-day window
    after `received_on` has passed: it counts as accepted on `received_on`.
    """
    if not awaiting_acceptance or received_on is None or any(e.kind == "start" for e in entries):
        return list(entries)
    if today > deemed_acceptance_after(received_on, calendar):
        return [*entries, ClockEntry("start", received_on, limit_days, cause="deemed_acceptance")]
    return list(entries)


def deemed_acceptance_after(received_on: dt.date, calendar: WorkdayCalendar) -> dt.date:
    """The last day of the acceptance window; from the next day on the case counts as accepted."""
    return calendar.add_working_days(received_on, ACCEPTANCE_WINDOW_DAYS)


def handover_due(intake_on: dt.date, days: int, calendar: WorkdayCalendar) -> dt.date:
    """异地代收代办: the last day the intake window may hand over an application it received on
    `intake_on` (`days` working days later; the receiving day itself is not counted)."""
    return calendar.add_working_days(intake_on, days)


def handover_level(due_on: dt.date | None, *, today: dt.date, sent: bool) -> str:
    """sent / normal / warning (the last day) / overdue, like the other clocks' levels."""
    if sent:
        return "sent"
    if due_on is None or today < due_on:
        return "normal"
    return "warning" if today == due_on else "overdue"


def _fmt(day: dt.date) -> str:
    return day.isoformat()


def explain(
    clock: ClockState,
    *,
    calendar: WorkdayCalendar,
    limit_label: str = "法定",
    start_word: str = "受理",
    end_word: str = "办结",
) -> str:
    """The clock in one plain-Chinese sentence (parts separated by "；")."""
    if clock.state == "not_started" or clock.started_on is None:
        return f"尚未{start_word}，自{start_word}之日起计算办理时限"
    parts: list[str] = []
    if clock.deemed:
        parts.append(
            f"{_fmt(clock.started_on)} 收到申请，{ACCEPTANCE_WINDOW_DAYS} 个工作日内未受理也未告知补正，"
            "依法视为当日受理"
        )
    elif clock.restarted:
        parts.append(f"{_fmt(clock.started_on)} 起重新计算")
    else:
        parts.append(f"{_fmt(clock.started_on)} {start_word}")
    parts.append(f"{limit_label} {clock.base_days} 个工作日")
    for ext in clock.extensions:
        parts.append(f"{_fmt(ext.on)} 经机关负责人批准延长 {ext.days} 个工作日")
    for pause in clock.pauses:
        label = pause.note or CAUSE_LABELS.get(pause.cause, pause.cause)
        if pause.end is not None:
            parts.append(
                f"{label} {_fmt(pause.start)} 至 {_fmt(pause.end)} 暂停计时（{pause.working_days} 个工作日不计入）"
            )
        else:
            expected = f"，预计需要 {pause.expected_days} 个工作日" if pause.expected_days else ""
            parts.append(f"{label}自 {_fmt(pause.start)} 起暂停计时{expected}")
    if clock.calendar_error:
        parts.append(f"{clock.calendar_error}，暂无法计算{end_word}日期")
        return "；".join(parts)
    horizon = clock.due_date or clock.stopped_on or clock.today
    if horizon is not None and horizon > clock.started_on:
        try:
            runs = calendar.explain_skipped(clock.started_on, horizon)
        except YearNotConfigured:
            runs = []
        if runs:
            parts.append("跳过" + "、".join(holiday_label(a, b, name) for a, b, name in runs))
    mark = PROVISIONAL_MARK if clock.provisional else ""
    if clock.provisional and clock.due_date is not None:
        years = "、".join(str(y) for y in sorted(calendar.provisional_years) if y <= clock.due_date.year)
        parts.append(f"{years} 年节假日安排尚未发布，按暂定日历推算，官方安排录入后将重新计算")
    if clock.state == "running" and clock.due_date is not None:
        parts.append(f"应于 {_fmt(clock.due_date)}{mark} 前{end_word}")
    elif clock.state == "paused":
        parts.append(
            f"已用 {clock.used_days} 个工作日，尚余 {max(clock.remaining_days, 0)} 个工作日，"
            f"恢复计时后重新计算{end_word}日期"
        )
    elif clock.state == "stopped" and clock.stopped_on is not None:
        verdict = ""
        if clock.due_date is not None:
            due = f"{_fmt(clock.due_date)}{mark}"
            verdict = f"，超过期限 {due}" if clock.overdue else f"，在期限 {due} 内"
        parts.append(f"{_fmt(clock.stopped_on)} 停止计时，用时 {clock.used_days} 个工作日{verdict}")
    return "；".join(parts)
