"""Due dates derived from the clock ledger and the official calendar (domain.md §3, §4)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.cases.clock import ClockEntry, deemed_acceptance_after, derive, explain, with_deemed_acceptance
from yiwang.core.workdays import WorkdayCalendar, seed_from_chinese_calendar

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    overrides, names = seed_from_chinese_calendar(range(2025, 2027))
    return WorkdayCalendar(years=range(2025, 2027), overrides=overrides, names=names)


def start(day: dt.date, days: int, cause: str = "acceptance") -> ClockEntry:
    return ClockEntry("start", day, days, cause=cause)


def test_accepted_on_feb_10_with_20_working_days_is_due_march_16_skipping_spring_festival(cal: WorkdayCalendar) -> None:
    state = derive([start(D(2026, 2, 10), 20)], calendar=cal, today=D(2026, 2, 11))
    assert state.due_date == D(2026, 3, 16)
    assert explain(state, calendar=cal) == (
        "2026-02-10 受理；法定 20 个工作日；跳过春节假期 2026-02-15 至 2026-02-23；应于 2026-03-16 前办结"
    )


def test_a_case_across_national_day_2025(cal: WorkdayCalendar) -> None:
    # 9/28 (Sun) and 10/11 (Sat) are 调休 working days; 10/1–10/8 are off.
    state = derive([start(D(2025, 9, 26), 5)], calendar=cal, today=D(2025, 9, 26))
    assert state.due_date == D(2025, 10, 10)
    text = explain(state, calendar=cal)
    assert "国庆节" in text and "2025-10-01 至 2025-10-08" in text
    assert text.endswith("应于 2025-10-10 前办结")


def test_a_pause_moves_the_due_date_by_the_paused_working_days(cal: WorkdayCalendar) -> None:
    entries = [
        start(D(2026, 3, 2), 20),
        ClockEntry("pause", D(2026, 3, 5), cause="supplement"),
        ClockEntry("resume", D(2026, 3, 12), cause="supplement"),
    ]
    plain = derive(entries[:1], calendar=cal, today=D(2026, 3, 12)).due_date
    paused = derive(entries, calendar=cal, today=D(2026, 3, 12))
    assert plain is not None and paused.due_date is not None
    moved = cal.working_days_between(D(2026, 3, 5), D(2026, 3, 12))
    assert moved == 5
    assert cal.working_days_between(plain, paused.due_date) == moved
    assert paused.used_days == 3 + 0  # 3/3, 3/4, 3/5 used; nothing since the resume on 3/12
    assert "补正材料 2026-03-05 至 2026-03-12 暂停计时（5 个工作日不计入）" in explain(paused, calendar=cal)


def test_while_paused_there_is_no_due_date_and_the_sentence_says_so(cal: WorkdayCalendar) -> None:
    entries = [
        start(D(2026, 3, 2), 20),
        ClockEntry("pause", D(2026, 3, 5), cause="special_procedure", note="专家评审", expected_days=15),
    ]
    state = derive(entries, calendar=cal, today=D(2026, 3, 20))
    assert state.state == "paused" and state.due_date is None
    assert state.used_days == 3 and state.remaining_days == 17
    text = explain(state, calendar=cal)
    assert "专家评审自 2026-03-05 起暂停计时，预计需要 15 个工作日" in text
    assert "尚余 17 个工作日" in text


def test_extension_adds_to_the_limit_and_stop_freezes_the_days_used(cal: WorkdayCalendar) -> None:
    entries = [
        start(D(2026, 3, 2), 20),
        ClockEntry("extend", D(2026, 3, 20), 10, cause="extension", note="需现场核查"),
        ClockEntry("stop", D(2026, 4, 10), cause="decision"),
    ]
    state = derive(entries, calendar=cal, today=D(2026, 5, 1))
    assert state.limit_days == 30
    assert state.due_date == cal.add_working_days(D(2026, 3, 2), 30)
    assert state.used_days == cal.working_days_between(D(2026, 3, 2), D(2026, 4, 10))
    assert state.state == "stopped" and not state.overdue
    text = explain(state, calendar=cal)
    assert "2026-03-20 经机关负责人批准延长 10 个工作日" in text
    assert "2026-04-10 停止计时" in text


def test_reset_counts_again_from_its_day(cal: WorkdayCalendar) -> None:
    entries = [start(D(2026, 3, 2), 20), ClockEntry("reset", D(2026, 3, 16))]
    state = derive(entries, calendar=cal, today=D(2026, 3, 16))
    assert state.used_days == 0
    assert state.due_date == cal.add_working_days(D(2026, 3, 16), 20)
    assert explain(state, calendar=cal).startswith("2026-03-16 起重新计算")


def test_committed_limit_replaces_the_statutory_one_on_the_same_ledger(cal: WorkdayCalendar) -> None:
    state = derive([start(D(2026, 2, 10), 20)], calendar=cal, today=D(2026, 2, 10), limit_days=15)
    assert state.due_date == cal.add_working_days(D(2026, 2, 10), 15)
    assert "承诺 15 个工作日" in explain(state, calendar=cal, limit_label="承诺")


def test_warning_date_is_when_the_share_of_the_limit_is_used(cal: WorkdayCalendar) -> None:
    state = derive([start(D(2026, 3, 2), 20)], calendar=cal, today=D(2026, 3, 2), warning_share=0.8)
    assert state.warning_date == cal.add_working_days(D(2026, 3, 2), 16)
    assert state.level == "normal"
    later = derive([start(D(2026, 3, 2), 20)], calendar=cal, today=state.warning_date, warning_share=0.8)
    assert later.level == "warning"
    late = derive([start(D(2026, 3, 2), 20)], calendar=cal, today=D(2026, 4, 30), warning_share=0.8)
    assert late.level == "overdue" and late.overdue


def test_deemed_acceptance_starts_the_clock_on_the_day_of_receipt_after_five_working_days(cal: WorkdayCalendar) -> None:
    received = D(2026, 3, 2)  # Monday
    last = deemed_acceptance_after(received, cal)
    assert last == D(2026, 3, 9)
    kwargs = {"received_on": received, "awaiting_acceptance": True, "limit_days": 20, "calendar": cal}
    assert with_deemed_acceptance([], today=last, **kwargs) == []
    entries = with_deemed_acceptance([], today=last + dt.timedelta(days=1), **kwargs)
    state = derive(entries, calendar=cal, today=D(2026, 3, 10))
    assert state.started_on == received and state.deemed
    assert state.due_date == cal.add_working_days(received, 20)
    assert "依法视为当日受理" in explain(state, calendar=cal)


def test_a_year_missing_from_the_calendar_is_reported_not_guessed(cal: WorkdayCalendar) -> None:
    state = derive([start(D(2026, 12, 10), 20)], calendar=cal, today=D(2026, 12, 11))
    assert state.due_date is None
    assert "2027" in state.calendar_error
    assert "暂无法计算办结日期" in explain(state, calendar=cal)


def test_not_started(cal: WorkdayCalendar) -> None:
    state = derive([], calendar=cal, today=D(2026, 3, 2))
    assert state.state == "not_started"
    assert explain(state, calendar=cal).startswith("尚未受理")


@settings(max_examples=60, deadline=None)
@given(
    start_offset=st.integers(0, 200),
    limit=st.integers(1, 40),
    pause_after=st.integers(0, 30),
    pause_length=st.integers(0, 30),
)
def test_property_a_pause_always_moves_the_due_date_by_its_working_days(
    cal: WorkdayCalendar, start_offset: int, limit: int, pause_after: int, pause_length: int
) -> None:
    began = D(2025, 3, 1) + dt.timedelta(days=start_offset)
    paused_on = began + dt.timedelta(days=pause_after)
    resumed_on = paused_on + dt.timedelta(days=pause_length)
    plain = derive([start(began, limit)], calendar=cal, today=resumed_on)
    assert plain.due_date is not None
    if paused_on >= plain.due_date:
        return  # paused after the deadline had passed: nothing to move
    entries = [start(began, limit), ClockEntry("pause", paused_on), ClockEntry("resume", resumed_on)]
    moved = derive(entries, calendar=cal, today=resumed_on)
    assert moved.due_date is not None
    excluded = cal.working_days_between(paused_on, resumed_on)
    assert cal.working_days_between(plain.due_date, moved.due_date) == excluded
