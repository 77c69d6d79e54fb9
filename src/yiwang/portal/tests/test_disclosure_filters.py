"""阳光审批公示 searched and filtered (issue 15): item, department, region (and below), decision
day, 办件编号 or enterprise name. Selection happens in the case tables; what is shown still
comes from each ledger leaf, and a row the leaf contradicts is not served."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import Department, Enterprise
from yiwang.cases import disclosure as selection
from yiwang.cases import services
from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationFactory, ImplementationVersionFactory, dept, user
from yiwang.catalog.models import ImplementationVersion

pytestmark = pytest.mark.django_db

D = dt.date


@dataclass
class Decisions:
    food_jn: Case  # 食品经营许可, 济南市行政审批服务局, the enterprise, 2026-03-02
    hygiene_jn: Case  # 公共场所卫生许可, 济南市卫生健康委员会, a person, 2026-03-10
    food_ta: Case  # 食品经营许可, 泰安市行政审批服务局, a person, 2026-03-20
    food: ImplementationVersion
    hygiene: ImplementationVersion


def _instant_case(version: ImplementationVersion, day: dt.date, **kw: Any) -> Case:
    """An instant case (即办件): decided (准予许可) at acceptance, through the services."""
    clerk = "ta_window" if version.implementation.department.name.startswith("泰安") else "jn_window"
    with flows.on(day):
        case = flows.submit(version, **kw)
        services.case_accept(actor=user(clerk), case=case)
    return flows.reload(case)


@pytest.fixture
def decisions(world: None) -> Decisions:
    # ta_window: the demo's 泰安市行政审批服务局 window clerk
    food = ImplementationVersionFactory(instant=True)
    hygiene = ImplementationVersionFactory(
        instant=True,
        implementation__department=dept("jn_health"),
        item_version__name="公共场所卫生许可",
        result_name="公共场所卫生许可证",
    )
    food_in_taian = ImplementationVersionFactory(
        instant=True,
        implementation=ImplementationFactory(item=food.implementation.item, department=dept("ta_approval")),
        item_version=food.item_version,
    )
    enterprise = Enterprise.objects.get(name="济南泉城餐饮管理有限公司")
    return Decisions(
        food_jn=_instant_case(food, D(2026, 3, 2), applicant="lisi", enterprise=enterprise),
        hygiene_jn=_instant_case(hygiene, D(2026, 3, 10)),
        food_ta=_instant_case(food_in_taian, D(2026, 3, 20)),
        food=food,
        hygiene=hygiene,
    )


def _get(status: int = 200, **query: str) -> str:
    response = Client().get("/disclosure/", query)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


def _listed(html: str) -> set[str]:
    """The case numbers in the table (the leaf's case_number column)."""
    return set(re.findall(r"<td>(\d{6}-\d{8}-\d{6})</td>", html))


def _count(html: str) -> int:
    found = re.search(r"共 <strong class=\"num\">(\d+)</strong> 条", html)
    assert found, "the page says how many matched"
    return int(found.group(1))


def _numbers(*cases: Case) -> set[str]:
    return {str(case.number) for case in cases}


def test_without_filters_every_decision_is_listed(decisions: Decisions) -> None:
    html = _get()
    assert _listed(html) == _numbers(decisions.food_jn, decisions.hygiene_jn, decisions.food_ta)
    assert _count(html) == 3 and "全部公示" in html
    assert 'id="filter-department"' in html and "济南市卫生健康委员会" in html  # the form's choices


def test_department_narrows_to_its_decisions(decisions: Decisions) -> None:
    health = Department.objects.get(name="济南市卫生健康委员会")
    html = _get(department=health.credit_code)
    assert _listed(html) == _numbers(decisions.hygiene_jn) and _count(html) == 1
    assert "查询结果：济南市卫生健康委员会" in html


def test_item_narrows_to_its_decisions_in_every_department(decisions: Decisions) -> None:
    food_code = decisions.food.implementation.item.basic_code
    html = _get(item=food_code)
    assert _listed(html) == _numbers(decisions.food_jn, decisions.food_ta)
    assert _listed(_get(item=decisions.hygiene.implementation.item.basic_code)) == _numbers(decisions.hygiene_jn)


def test_region_takes_the_region_and_below(decisions: Decisions) -> None:
    assert _listed(_get(region="370900000000")) == _numbers(decisions.food_ta)  # 泰安市
    assert _listed(_get(region="370100000000")) == _numbers(decisions.food_jn, decisions.hygiene_jn)  # 济南市
    assert _listed(_get(region="370000000000")) == _numbers(
        decisions.food_jn, decisions.hygiene_jn, decisions.food_ta
    )  # 山东省: everything below it
    empty = _get(region="370102000000")  # 历下区: no decision there
    assert _listed(empty) == set() and "没有符合条件的审批决定" in empty and _count(empty) == 0


def test_decision_days_are_inclusive(decisions: Decisions) -> None:
    assert _listed(_get(since="2026-03-05", until="2026-03-15")) == _numbers(decisions.hygiene_jn)
    assert _listed(_get(until="2026-03-02")) == _numbers(decisions.food_jn)
    assert _listed(_get(since="2026-03-20")) == _numbers(decisions.food_ta)


def test_filters_combine(decisions: Decisions) -> None:
    food_code = decisions.food.implementation.item.basic_code
    assert _listed(_get(item=food_code, region="370100000000")) == _numbers(decisions.food_jn)
    assert _listed(_get(item=food_code, since="2026-03-03")) == _numbers(decisions.food_ta)


def test_search_by_case_number_or_enterprise_name(decisions: Decisions) -> None:
    assert _listed(_get(q=str(decisions.hygiene_jn.number))) == _numbers(decisions.hygiene_jn)
    assert _listed(_get(q=" 泉城餐饮 ")) == _numbers(decisions.food_jn)
    # A natural person is never named on the page, and cannot be found by name either.
    assert _listed(_get(q="张三")) == set()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"item": "999999999999"}, "item", "事项：没有这个已发布的事项"),
        ({"item": "../../etc"}, "item", "事项：没有这个已发布的事项"),
        ({"department": "9" * 19}, "department", "部门：没有这个部门"),
        ({"department": "91370100MA3C0000X0"}, "department", "部门：没有这个部门"),
        ({"region": "37abc"}, "region", "区划：没有这个区划"),
        ({"region": "３７０１００"}, "region", "区划：没有这个区划"),  # full-width digits
        ({"since": "2026-13-01"}, "since", "决定日期（起）：请按 年-月-日 填写"),
        ({"since": "２０２６-03-01"}, "since", "决定日期（起）：请按 年-月-日 填写"),
        ({"since": "1900-01-01"}, "since", "决定日期（起）：须在 2000-01-01 至"),
        ({"until": "9999-12-31"}, "until", "决定日期（止）：须在 2000-01-01 至"),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "until", "决定日期（止）：不能早于决定日期（起）"),
        ({"q": "泉" * 41}, "q", "办件编号或企业名称：最多 40 个字"),
        ({"q": "泉城\t餐饮"}, "q", "办件编号或企业名称：含有不可见的控制字符"),
        ({"q": "泉城\u200b餐饮"}, "q", "办件编号或企业名称：含有不可见的控制字符"),
        ({"q": "泉"}, "q", "至少 2 个字"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(
    decisions: Decisions, query: dict[str, str], field: str, message: str
) -> None:
    html = _get(400, **query)
    assert message in html
    assert f'id="filter-{field}"' in html and f'href="#filter-{field}"' in html  # summary links the control
    assert 'aria-invalid="true"' in html
    assert _listed(html) == set()  # nothing guessed


def test_pagination_links_keep_the_filters(decisions: Decisions, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selection, "PER_PAGE", 1)
    food_code = decisions.food.implementation.item.basic_code
    first = _get(item=food_code)
    assert _listed(first) == _numbers(decisions.food_ta)  # newest first
    assert _count(first) == 2
    assert f"?item={food_code}&amp;page=2" in first
    second = _get(item=food_code, page="2")
    assert _listed(second) == _numbers(decisions.food_jn)


def test_a_broad_filter_counts_up_to_a_cap_and_lists_the_newest(
    decisions: Decisions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selection, "COUNT_CAP", 2)
    html = _get(region="370000000000")
    assert '超过 <strong class="num">2</strong> 条' in html and "只列出最新的 2 条" in html
    assert _listed(html) == _numbers(decisions.food_ta, decisions.hygiene_jn)


def test_rows_are_read_from_the_leaves_not_the_case_tables(decisions: Decisions) -> None:
    health = Department.objects.get(name="济南市卫生健康委员会")
    Department.objects.filter(pk=health.pk).update(name="改名后的部门")  # the tables change, the leaf does not
    html = _get(department=health.credit_code)
    assert _listed(html) == _numbers(decisions.hygiene_jn)
    assert "<td>济南市卫生健康委员会</td>" in html and "<td>改名后的部门</td>" not in html


def test_an_event_pointed_at_another_entry_is_not_served(decisions: Decisions) -> None:
    """A forged `ledger_entry_id` selects a row, but the leaf has the last word."""
    case = decisions.hygiene_jn
    decision = CaseEvent.objects.get(case=case, verb="approve")
    accept = CaseEvent.objects.get(case=case, verb="accept")
    other = CaseEvent.objects.get(case=decisions.food_ta, verb="approve")
    health = Department.objects.get(name="济南市卫生健康委员会").credit_code

    CaseEvent.objects.filter(pk=decision.pk).update(ledger_entry_id=accept.ledger_entry_id)  # not disclosed
    html = _get(department=health)
    assert _listed(html) == set() and "受理" not in re.findall(r"<td>(.*?)</td>", html)

    CaseEvent.objects.filter(pk=decision.pk).update(ledger_entry_id=other.ledger_entry_id)  # another case's
    assert _listed(_get(department=health)) == set()


def test_other_disclosed_records_are_said_to_need_no_filter(
    decisions: Decisions, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "其他公示记录" not in _get()  # today every disclosed kind is a case decision
    monkeypatch.setattr(selection, "disclosed_kinds_outside_cases", lambda: ["licenses.revoked"])
    assert "撤销电子证照等其他公示记录不属于某个办件，请清除条件后查看" in _get()
