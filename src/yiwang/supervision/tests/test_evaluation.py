"""考评: points per indicator, the weighted total without the indicators that have no data,
the ranking with ties, and the month's page and Excel file."""

import io

import pytest
from openpyxl import load_workbook

from yiwang.supervision import evaluation, metrics
from yiwang.supervision.tests.test_rollup import scene

NO_RATINGS = metrics.Satisfaction()


def inputs(**figures: int) -> evaluation.Inputs:
    return evaluation.Inputs(metrics.Figures(**figures), NO_RATINGS)


def test_points_and_the_weighted_total_leave_out_what_has_no_data() -> None:
    found = inputs(
        concluded=10,
        concluded_on_time=9,
        concluded_within_commitment=9,
        submitted=20,
        submitted_online=20,
        statutory_days=200,
        committed_days=120,
    )
    one = evaluation.score(evaluation.DEFAULT_SCHEME, found, subject_id=1, label="甲")
    by_key = {part.indicator.key: part for part in one.parts}
    assert by_key["on_time_rate"].points == 90.0 and (
        by_key["on_time_rate"].numerator,
        by_key["on_time_rate"].denominator,
    ) == (9, 10)
    assert by_key["compression"].value == 40.0 and by_key["compression"].points == 80.0  # 40 % of a 50 % target
    assert by_key["online_rate"].points == 100.0
    assert by_key["good_rate"].points is None and by_key["notice_response_rate"].points is None
    # (15×90 + 15×90 + 15×80 + 15×100) / (15 + 15 + 15 + 15)
    assert one.total == 90.0
    assert one.missing == ("好评率", "差评整改率", "督办按时回复率")


def test_compression_above_the_target_is_capped() -> None:
    compression = evaluation.INDICATORS["compression"]
    assert evaluation.points(compression, 75.0, 50.0) == 100.0
    assert evaluation.points(compression, -10.0, 50.0) == 0.0


def test_a_department_without_any_data_has_no_total() -> None:
    one = evaluation.score(evaluation.DEFAULT_SCHEME, inputs(), subject_id=1, label="乙")
    assert one.total is None and len(one.missing) == len(evaluation.DEFAULT_SCHEME.indicators)


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11-01", "abcd-ef", "1999-12"])
def test_a_bad_month_is_refused(month: str) -> None:
    with pytest.raises(ValueError):
        evaluation.month_bounds(month)


@pytest.mark.django_db
def test_the_month_ranks_the_departments_with_activity(world: None) -> None:
    scene()  # all in 济南市行政审批服务局: February 2026 has one concluded on time
    ranked = evaluation.ranking(evaluation.DEFAULT_SCHEME, "2026-02")
    assert [(s.label, s.rank) for s in ranked] == [("济南市行政审批服务局", 1)]
    on_time = next(p for p in ranked[0].parts if p.indicator.key == "on_time_rate")
    assert (on_time.value, on_time.numerator, on_time.denominator) == (100.0, 1, 1)
    march = evaluation.ranking(evaluation.DEFAULT_SCHEME, "2026-03")
    assert next(p for p in march[0].parts if p.indicator.key == "on_time_rate").value == 0.0
    sheet = load_workbook(io.BytesIO(evaluation.ranking_xlsx(evaluation.DEFAULT_SCHEME, "2026-02", ranked))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[2][:3] == ["名次", "部门", "总分"] and rows[3][:2] == [1, "济南市行政审批服务局"]


def test_equal_totals_share_a_rank_and_no_total_comes_last() -> None:
    scores = [
        evaluation.Score(n, label, (), total)
        for n, (label, total) in enumerate([("丁", None), ("甲", 90.0), ("乙", 95.0), ("丙", 90.0)])
    ]
    assert [(s.label, s.rank) for s in evaluation.ranked(scores)] == [("乙", 1), ("丙", 2), ("甲", 2), ("丁", None)]
