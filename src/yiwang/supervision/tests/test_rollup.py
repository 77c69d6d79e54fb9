"""The roll-ups follow every case event, give the figures of the formulas, and equal a rebuild."""

import datetime as dt
import importlib
from collections import Counter

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db.models import Count

from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import GOOD_DATA, ImplementationVersionFactory, user
from yiwang.cases.workflow import CaseStatus
from yiwang.supervision import dashboard, metrics
from yiwang.supervision.models import ALL_ITEMS, DailyFigures, MonthlyFigures, StatusCount
from yiwang.supervision.rollup import rebuild

pytestmark = pytest.mark.django_db

D = dt.date
FEBRUARY = metrics.Scope(since=D(2026, 2, 1), until=D(2026, 3, 31))


def decided(case: Case, day: dt.date) -> Case:
    with flows.on(day):
        flows.review_done(case)
        services.case_decide(actor=user("jn_approver"), case=case, outcome="approve", opinion="符合条件")
    return flows.reload(case)


def scene() -> dict[str, Case]:
    """One case on time (2 working days), one late (due 03-16, decided 03-20), one refused,
    one sent back for 补正 before acceptance, one still in review."""
    version = ImplementationVersionFactory()  # 食品经营许可: 20 statutory, 15 committed working days
    with flows.on(D(2026, 2, 10)):
        on_time, late, refused, supplement, running = (flows.submit(version) for _ in range(5))
        for case in (on_time, late, running):
            services.case_accept(actor=user("jn_window"), case=case)
        services.case_refuse(
            actor=user("jn_window"), case=refused, reason="不属于本机关职权", legal_basis="行政许可法第三十二条"
        )
        services.case_supplement_request(
            actor=user("jn_window"), case=supplement, items=[{"material_key": "layout", "note": "看不清"}]
        )
    return {
        "on_time": decided(on_time, D(2026, 2, 12)),
        "late": decided(late, D(2026, 3, 20)),
        "refused": refused,
        "supplement": supplement,
        "running": running,
    }


def test_each_event_adds_to_the_figures_of_its_day(world: None) -> None:
    scene()
    figures = metrics.figures(FEBRUARY)
    assert (figures.submitted, figures.submitted_online, figures.accepted, figures.refused) == (5, 5, 3, 1)
    assert (figures.supplement_requests, figures.approved, figures.concluded) == (1, 2, 2)
    assert (figures.concluded_on_time, figures.concluded_late, figures.concluded_within_commitment) == (1, 1, 1)
    assert figures.on_time_rate == 50.0 and figures.refusal_rate == 25.0 and figures.supplement_rate == 20.0
    # 02-10 → 02-12: 2 working days; 02-10 → 03-20 over 春节 (02-15 … 02-23): 24 working days.
    assert figures.days_used == 2 + 24 and figures.average_days == 13.0 and figures.p90_days == 24
    assert figures.compression == 25.0  # 1 − 15/20
    assert figures.zero_visit_rate == 100.0  # no visit required, delivered electronically
    by_day = metrics.figures_by(FEBRUARY, "day")
    assert by_day[D(2026, 2, 10)].submitted == 5 and by_day[D(2026, 3, 20)].concluded == 1
    assert metrics.figures(metrics.Scope(since=D(2026, 2, 11), until=D(2026, 2, 28))).submitted == 0


def test_open_cases_by_state_and_the_red_card(world: None) -> None:
    scene()
    open_now = metrics.open_by_state(FEBRUARY)
    assert open_now[CaseStatus.IN_REVIEW] == 1 and open_now[CaseStatus.SUPPLEMENT_REQUESTED] == 1
    assert open_now[CaseStatus.SUBMITTED] == 0
    running = Case.objects.get(status=CaseStatus.IN_REVIEW)
    committed_due, warned_from = running.committed_due_date, running.warning_date
    assert committed_due is not None and warned_from is not None and committed_due < D(2026, 3, 16)
    # 红牌 and 黄牌 follow the committed limit (as the engine's reminders do), 超法定时限 the law's.
    assert metrics.open_overdue(FEBRUARY, today=committed_due).count() == 0
    assert metrics.open_overdue(FEBRUARY, today=committed_due + dt.timedelta(days=1)).count() == 1
    assert metrics.open_warned(FEBRUARY, today=warned_from).count() == 1
    assert metrics.open_warned(FEBRUARY, today=committed_due + dt.timedelta(days=1)).count() == 0
    assert metrics.open_beyond_statutory(FEBRUARY, today=D(2026, 3, 16)).count() == 0  # due that day
    assert metrics.open_beyond_statutory(FEBRUARY, today=D(2026, 3, 17)).count() == 1


def test_every_figure_drills_down_to_as_many_cases_as_it_counts(world: None) -> None:
    cases = scene()
    figures = metrics.figures(FEBRUARY)
    behind = {drill: metrics.cases_behind(FEBRUARY, drill) for drill in metrics.DRILLS}
    assert behind["submitted"].count() == figures.submitted
    assert behind["concluded"].count() == figures.concluded
    assert list(behind["concluded_late"]) == [cases["late"]]
    assert behind["concluded_beyond_commitment"].count() == figures.concluded_beyond_commitment == 1
    assert list(behind["refused"]) == [cases["refused"]]
    assert list(behind[f"state:{CaseStatus.IN_REVIEW}"]) == [cases["running"]]
    with pytest.raises(KeyError):
        metrics.cases_behind(FEBRUARY, "everything")


def test_status_counts_equal_the_case_table_and_a_rebuild_changes_nothing(world: None) -> None:
    scene()
    grouped = Case.objects.values_list("status").annotate(n=Count("id")).order_by()
    counted = Counter({status: n for status, n in StatusCount.objects.values_list("state", "cases") if n})
    assert counted == Counter(dict(grouped))
    kept = sorted(
        DailyFigures.objects.values_list("day", "submitted", "concluded", "concluded_on_time", "days_histogram")
    )
    read, written = rebuild()
    rows = DailyFigures.objects.count() + MonthlyFigures.objects.count() + StatusCount.objects.count()
    assert read > 0 and written == rows
    assert (
        sorted(DailyFigures.objects.values_list("day", "submitted", "concluded", "concluded_on_time", "days_histogram"))
        == kept
    )
    assert Counter({s: n for s, n in StatusCount.objects.values_list("state", "cases") if n}) == counted


def test_the_rebuild_command_reports_its_progress(world: None, capsys: pytest.CaptureFixture[str]) -> None:
    scene()
    call_command("supervision", "rebuild")
    out = capsys.readouterr().out
    assert "已读办件事件" in out and "统计汇总已重建" in out


@pytest.mark.parametrize(
    ("histogram", "share", "expected"),
    [({}, 0.9, None), ({3: 1}, 0.9, 3), ({1: 9, 30: 1}, 0.9, 1), ({1: 8, 30: 2}, 0.9, 30), ({2: 5, 4: 5}, 0.5, 2)],
)
def test_percentile_is_the_nearest_rank(histogram: dict[int, int], share: float, expected: int | None) -> None:
    assert metrics.percentile(Counter(histogram), share) == expected


def test_a_case_submitted_without_a_draft_counts_once(world: None) -> None:
    """The API may submit without a stored draft: no draft row may go negative."""
    version = ImplementationVersionFactory(materials=[])
    with flows.on(D(2026, 2, 10)):
        flows.submit(version, materials=())
        direct = services.case_submit(
            actor=user("lisi"),
            implementation_version=version,
            form_data=GOOD_DATA,
            idempotency_key="direct-1",
        )
    assert direct.status == CaseStatus.SUBMITTED
    counted = dict(StatusCount.objects.values_list("state", "cases"))
    assert counted == {CaseStatus.SUBMITTED: 2}


def test_a_region_row_drills_to_that_region_only(world: None) -> None:
    scene()
    region_id = Case.objects.values_list("region_id", flat=True).first()
    exact = metrics.Scope(since=FEBRUARY.since, until=FEBRUARY.until, region_id=region_id)
    per_region = metrics.figures_by(FEBRUARY, "region")[region_id]
    assert metrics.cases_behind(exact, "submitted").count() == per_region.submitted == 5


def _months_of_the_days() -> dict[tuple[int, int, dt.date], dict[str, object]]:
    """The daily rows of all items summed per department, region and calendar month."""
    months: dict[tuple[int, int, dt.date], dict[str, object]] = {}
    for row in DailyFigures.objects.filter(item_code=ALL_ITEMS).values():
        month = months.setdefault(
            (row["department_id"], row["region_id"], row["day"].replace(day=1)),
            {name: 0 for name in metrics.COUNTERS} | {"days_histogram": Counter()},
        )
        for name in metrics.COUNTERS:
            month[name] += row[name]  # type: ignore[operator]
        month["days_histogram"].update(row["days_histogram"])  # type: ignore[attr-defined]
    return months


def _monthly_rows() -> dict[tuple[int, int, dt.date], dict[str, object]]:
    return {
        (row["department_id"], row["region_id"], row["month"]): {name: row[name] for name in metrics.COUNTERS}
        | {"days_histogram": Counter(row["days_histogram"])}
        for row in MonthlyFigures.objects.values()
    }


def test_the_months_hold_the_sums_of_their_days_after_the_events_and_after_a_rebuild(world: None) -> None:
    cases = scene()
    with flows.on(D(2026, 2, 10)):
        twin = flows.accepted(ImplementationVersionFactory())
    decided(twin, D(2026, 2, 12))  # a second conclusion of 2 working days on the same day and month
    february = MonthlyFigures.objects.get(month=D(2026, 2, 1), department_id=cases["late"].department_id)
    assert (february.submitted, february.concluded, february.days_histogram) == (6, 2, {"2": 2})
    assert _monthly_rows() == _months_of_the_days()
    rebuild()
    assert _monthly_rows() == _months_of_the_days()
    assert MonthlyFigures.objects.get(month=D(2026, 3, 1)).days_histogram == {"24": 1}


def test_a_partial_month_is_read_from_the_fewer_rows() -> None:
    assert metrics.plan(D(2026, 2, 11), D(2026, 3, 19)) == metrics.Plan(
        months=[D(2026, 2, 1), D(2026, 3, 1)],
        added=[],
        taken=[(D(2026, 2, 1), D(2026, 2, 10)), (D(2026, 3, 20), D(2026, 3, 31))],
    )
    assert metrics.plan(D(2026, 2, 20), D(2026, 3, 9)) == metrics.Plan(
        months=[], added=[(D(2026, 2, 20), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 3, 9))], taken=[]
    )


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (D(2026, 2, 1), D(2026, 3, 31)),  # whole months only
        (D(2026, 1, 15), D(2026, 3, 25)),  # February whole, partial January and March
        (D(2026, 2, 11), D(2026, 3, 19)),  # each month less the days outside: 02-10's and 03-20's events
        (D(2026, 2, 5), D(2026, 2, 14)),  # the days: 02-10's applications, 02-12's conclusion
        (D(2026, 2, 12), D(2026, 2, 12)),  # one day
    ],
)
def test_a_period_reads_the_same_figures_from_months_and_days_as_from_its_days(
    world: None, since: dt.date, until: dt.date
) -> None:
    scene()
    scope = metrics.Scope(since=since, until=until)
    days = DailyFigures.objects.filter(item_code=ALL_ITEMS, day__gte=since, day__lte=until)
    expected = {name: sum(getattr(row, name) for row in days) for name in metrics.COUNTERS}
    histogram: Counter[int] = Counter()
    for row in days:
        histogram.update({int(k): n for k, n in row.days_histogram.items()})
    found = metrics.figures(scope)
    assert {name: getattr(found, name) for name in metrics.COUNTERS} == expected
    assert found.p90_days == metrics.percentile(histogram, 0.9)
    by_department = metrics.figures_by(scope, "department")
    assert sum(one.submitted for one in by_department.values()) == expected["submitted"]
    assert sum(one.concluded for one in by_department.values()) == expected["concluded"]


def test_a_rebuild_of_some_months_replaces_their_rows_only(world: None, capsys: pytest.CaptureFixture[str]) -> None:
    scene()
    kept = sorted(DailyFigures.objects.values_list("day", "item_code", "submitted", "concluded", "days_histogram"))
    # February's rows lose what they counted, March's too; a rebuild of February alone puts
    # February's back and leaves March's as they were.
    DailyFigures.objects.update(submitted=0)
    MonthlyFigures.objects.update(concluded=0)
    with flows.on(D(2026, 3, 31)):
        call_command("supervision", "rebuild", "--since", "2026-02", "--until", "2026-02")
    out = capsys.readouterr().out
    assert "2026-02：已读办件事件" in out and "2026-02：已重建" in out
    february = [row for row in kept if row[0].month == 2]
    assert (
        sorted(
            DailyFigures.objects.filter(day__month=2).values_list(
                "day", "item_code", "submitted", "concluded", "days_histogram"
            )
        )
        == february
    )
    assert MonthlyFigures.objects.get(month=D(2026, 2, 1)).concluded == 1
    assert MonthlyFigures.objects.get(month=D(2026, 3, 1)).concluded == 0
    assert set(DailyFigures.objects.filter(day__month=3).values_list("submitted", flat=True)) == {0}
    with flows.on(D(2026, 3, 31)):
        call_command("supervision", "rebuild", "--since", "2026-02", "--until", "2026-03")
    assert _monthly_rows() == _months_of_the_days()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("supervision", "rebuild", "--since", "2026-13")


@pytest.mark.parametrize("by", ["department", "region", "item"])
def test_the_board_totals_equal_the_figures_of_its_scope(world: None, by: str) -> None:
    """The board sums its department or region rows for the totals (the same roll-up rows)."""
    scene()
    scope = metrics.Scope(since=D(2026, 2, 11), until=D(2026, 3, 19))
    view = dashboard.board(dashboard.Filters(scope, by))
    assert view.totals == metrics.figures(scope) and view.totals.concluded == 1
    assert view.satisfaction == metrics.satisfaction(scope)
    assert view.overdue_now == metrics.open_overdue(scope).count()


def test_the_standing_counts_in_one_pass_equal_the_case_lists(world: None) -> None:
    scene()
    running = Case.objects.get(status=CaseStatus.IN_REVIEW)
    assert running.warning_date is not None and running.committed_due_date is not None
    for today in (running.warning_date, running.committed_due_date + dt.timedelta(days=1), D(2026, 3, 17)):
        counted = metrics.standing_by(FEBRUARY, "department_id", today=today)
        totals = {name: sum(counts[name] for counts in counted.values()) for name in ("overdue", "warned")}
        assert totals == {
            "overdue": metrics.open_overdue(FEBRUARY, today=today).count(),
            "warned": metrics.open_warned(FEBRUARY, today=today).count(),
        }
        beyond = sum(counts["beyond_statutory"] for counts in counted.values())
        assert beyond == metrics.open_beyond_statutory(FEBRUARY, today=today).count()
    assert metrics.standing_by(FEBRUARY, "department_id", today=D(2026, 3, 17))[running.department_id] == {
        "overdue": 1,
        "warned": 0,
        "beyond_statutory": 1,
    }


def test_the_migration_writes_the_months_of_the_days_already_there(world: None) -> None:
    scene()
    expected = _monthly_rows()
    MonthlyFigures.objects.all().delete()
    migration = importlib.import_module("yiwang.supervision.migrations.0005_monthly_figures")
    migration.months_of_the_days(django_apps, None)
    assert _monthly_rows() == expected == _months_of_the_days()
