"""考评 per region: 济南市's own departments (本级) and each district below it, scored from the
sums of their roll-up rows, equal to a computation by hand; the department list of a region
adds up to the region's numbers; nothing outside the supervisor's region counts."""

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from yiwang.accounts.models import Department, Region
from yiwang.supervision import eval_regions, eval_schemes, evaluation
from yiwang.supervision.models import ALL_ITEMS, DailyFigures, DailyRatings, MonthlyFigures

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 2, 10)
JINAN = "3701"


def row(department: str, region: str, **counts: int) -> None:
    """The day's row of all items and its month's row (as the observer keeps both)."""
    place = {"department": Department.objects.get(name=department), "region": Region.objects.get(name=region)}
    DailyFigures.objects.create(day=DAY, item_code=ALL_ITEMS, **place, **counts)
    MonthlyFigures.objects.create(month=DAY.replace(day=1), **place, **counts)


def concluded(n: int, on_time: int, within: int, submitted: int, online: int, statutory: int, committed: int) -> Any:
    return {
        "concluded": n,
        "concluded_on_time": on_time,
        "concluded_within_commitment": within,
        "submitted": submitted,
        "submitted_online": online,
        "statutory_days": statutory,
        "committed_days": committed,
    }


@pytest.fixture
def month(world: None) -> None:
    eval_schemes.ensure_default_schemes()
    row("济南市行政审批服务局", "济南市", **concluded(10, 8, 9, 10, 5, 100, 50))
    row("济南市市场监督管理局", "济南市", **concluded(10, 10, 10, 10, 10, 100, 70))
    DailyRatings.objects.create(
        day=DAY,
        department=Department.objects.get(name="济南市行政审批服务局"),
        region=Region.objects.get(name="济南市"),
        item_code=ALL_ITEMS,
        rated=10,
        bad=2,
        put_right=1,
    )
    row("济南市历下区行政审批服务局", "历下区", **concluded(2, 2, 2, 2, 2, 20, 10))
    row("济南市历下区行政审批服务局", "解放路街道", **concluded(2, 1, 1, 2, 0, 20, 10))  # below 历下区
    row("泰安市行政审批服务局", "泰安市", **concluded(5, 5, 5, 5, 5, 50, 10))  # not 济南's


def parts(score: evaluation.Score) -> dict[str, tuple[float | None, int, int, float | None]]:
    return {p.indicator.key: (p.value, p.numerator, p.denominator, p.points) for p in score.parts}


def test_the_region_ranking_equals_the_hand_computation(month: None) -> None:
    scheme = eval_schemes.scheme_for("region", "2026-02")
    assert scheme is not None and scheme.code == "KP-REGION"
    ranked = eval_regions.region_ranking(scheme, "2026-02", prefix=JINAN)
    assert [(s.label, s.rank, s.total) for s in ranked] == [("济南市（本级）", 1, 80.0), ("历下区", 2, 75.0)]
    city, district = ranked
    # 本级: on time 18/20, within commitment 19/20, compression 1 − 120/200 = 40 % of a 50 % target,
    # online 15/20, good 8/10, put right 1/2, no 督办: (15×90 + 15×95 + 15×80 + 15×75 + 20×80 + 10×50) / 90
    assert parts(city) == {
        "on_time_rate": (90.0, 18, 20, 90.0),
        "commitment_rate": (95.0, 19, 20, 95.0),
        "compression": (40.0, 120, 200, 80.0),
        "online_rate": (75.0, 15, 20, 75.0),
        "good_rate": (80.0, 8, 10, 80.0),
        "rectification_rate": (50.0, 1, 2, 50.0),
        "notice_response_rate": (None, 0, 0, None),
    }
    # 历下区 with its 街道: on time 3/4, compression 1 − 20/40 = 50 % (100 points), online 2/4:
    # (15×75 + 15×75 + 15×100 + 15×50) / 60
    assert parts(district)["on_time_rate"] == (75.0, 3, 4, 75.0)
    assert parts(district)["compression"] == (50.0, 20, 40, 100.0)
    assert district.missing == ("好评率", "差评整改率", "督办按时回复率")
    assert district.code == "370102000000"


def test_a_regions_departments_add_up_to_its_numbers(month: None) -> None:
    scheme = eval_schemes.scheme_for("department", "2026-02")
    assert scheme is not None
    units = {u.code: u for u in eval_regions.units(JINAN)}
    assert units["370100000000"].label == "济南市（本级）" and "370112000000" in units  # 历城区, no activity
    own = evaluation.ranking(scheme, "2026-02", **units["370100000000"].scope)
    assert {s.label for s in own} == {"济南市行政审批服务局", "济南市市场监督管理局"}
    assert sum(parts(s)["on_time_rate"][1] for s in own) == 18
    district = evaluation.ranking(scheme, "2026-02", **units["370102000000"].scope)
    assert [(s.label, parts(s)["on_time_rate"][1:3]) for s in district] == [("济南市历下区行政审批服务局", (3, 4))]


def test_the_province_ranks_its_cities_and_the_excel_says_region(month: None) -> None:
    scheme = eval_schemes.scheme_for("region", "2026-02")
    assert scheme is not None
    ranked = eval_regions.region_ranking(scheme, "2026-02", prefix="37")
    assert [(s.label, parts(s)["on_time_rate"][1:3]) for s in ranked] == [("泰安市", (5, 5)), ("济南市", (21, 24))]
    sheet = load_workbook(io.BytesIO(evaluation.ranking_xlsx(scheme, "2026-02", ranked))).active
    assert sheet is not None
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert "KP-REGION 第 1 版，账本条目" in rows[0][1]
    assert rows[2][:4] == ["名次", "区划", "总分", "按期办结率(%)"] and rows[4][:2] == [2, "济南市"]
    assert rows[4][3:6] == [87.5, "21/24", 87.5]
