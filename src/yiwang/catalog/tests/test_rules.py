"""Publication rules: an incoherent implementation version is refused with every message at once."""

from typing import Any

import pytest

from yiwang.accounts.models import Department, StaffRole, User
from yiwang.catalog import services
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.catalog.tests.helpers import food_draft
from yiwang.core.errors import ValidationFailed


def _taian_code() -> str:
    return Department.objects.get(name="泰安市行政审批服务局").credit_code


def _jinan(name: str) -> str:
    return Department.objects.get(name=name).credit_code


def _stage(department: str, role: str = "approver", days: int = 5, key: str = "decide") -> dict[str, Any]:
    return {
        "key": key,
        "name": "决定",
        "limit_days": days,
        "decides": role == "approver",
        "tasks": [{"key": "t", "name": "审批决定", "department": department, "role": role, "limit_days": days}],
    }


RULES: list[tuple[str, Any, str, str]] = [
    # (rule, elements (or a callable giving them), field, words the message must contain)
    ("committed > statutory", {"committed_limit_days": 12}, "committed_limit_days", "超过法定办结时限 10"),
    ("visits without reason", {"required_visits": 1, "online_depth": 3}, "visits_reason", "须说明原因"),
    ("depth IV with visits", {"required_visits": 1, "visits_reason": "核验原件"}, "required_visits", "应为 0 次"),
    ("no visit, offline, no mail", {"handling_forms": ["window"]}, "handling_forms", "必须提供快递申请"),
    ("fee without basis", {"fee_required": True, "fee_items": [{"name": "工本费"}]}, "fee_basis", "收费依据"),
    ("fee without items", {"fee_required": True, "fee_basis": "某文件"}, "fee_items", "收费项目"),
    (
        "same phones",
        {"consultation_phone": "12345", "complaint_phone": "12345"},
        "complaint_phone",
        "不能与咨询电话相同",
    ),
    (
        "stages longer than committed",
        lambda: {"process": {"stages": [_stage(_jinan("济南市行政审批服务局"), days=6)]}, "committed_limit_days": 5},
        "process",
        "各环节时限合计 6 个工作日，超过承诺时限 5",
    ),
    (
        "department outside the region",
        lambda: {"process": {"stages": [_stage(_taian_code())]}},
        "process",
        "在本区划不存在",
    ),
    (
        "role nobody holds in the department",
        lambda: {"process": {"stages": [_stage(_jinan("济南市交通运输局"))]}},
        "process",
        "“审批决定”岗位在济南市交通运输局不存在",
    ),
    (
        "auto-approval on an undefined field",
        lambda: {
            "process": {
                "stages": [_stage(_jinan("济南市行政审批服务局"))],
                "auto_approval": [{"name": "秒批", "conditions": [{"field": "income", "op": "lt", "value": 5}]}],
            }
        },
        "process",
        "未定义的字段 income",
    ),
    (
        "form field of an unknown type",
        {"form_schema": {"fields": [{"name": "x", "label": "甲", "type": "money"}]}},
        "form_schema",
        "第 1 个字段 › 类型：取值应为",
    ),
]


@pytest.mark.parametrize(("rule", "elements", "field", "words"), RULES, ids=[r[0] for r in RULES])
def test_submission_refuses_each_incoherence(drafter: User, rule: str, elements: Any, field: str, words: str) -> None:
    draft = food_draft(drafter, **(elements() if callable(elements) else elements))
    with pytest.raises(ValidationFailed) as caught:
        services.implementation_version_submit(actor=drafter, version=draft)
    assert field in caught.value.errors, caught.value.errors
    assert any(words in message for message in caught.value.errors[field]), caught.value.errors[field]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_an_element_of_the_wrong_shape_is_refused_when_drafted(drafter: User) -> None:
    """The element specification checks shape and bounds at once; completeness waits for submission."""
    with pytest.raises(ValidationFailed) as caught:
        food_draft(drafter, form_schema="{fields: [", required_visits=21, handling_forms=["fax"])
    assert caught.value.errors == {
        "form_schema": ["申请表：应为对象 { … }"],
        "required_visits": ["到办事现场次数：应在 0 到 20 之间"],
        "handling_forms": ["办理形式：不认识的取值 fax"],
    }


def test_control_characters_are_refused_in_every_kind_of_text_element(drafter: User) -> None:
    """A NUL would make PostgreSQL's JSON refuse the row (a 500); every invisible control
    character is refused by name, inside lists and documents too; a list has a bound."""
    with pytest.raises(ValidationFailed) as caught:
        food_draft(
            drafter,
            address="济南市\x00历下区",
            acceptance_conditions="第一条\n第二条\x07",
            faq=[{"q": "要带什么？", "a": "身份证\x1b"}],
            fee_items=[{"name": f"项目{n}"} for n in range(201)],
        )
    errors = caught.value.errors
    assert errors["address"] == ["办理地点：含有不可见的控制字符（U+0000），请删除后重新输入；不允许控制字符"]
    assert errors["acceptance_conditions"][0].startswith("受理条件：含有不可见的控制字符（U+0007）")
    assert errors["faq"][0].startswith("常见问题：含有不可见的控制字符（U+001B）")
    assert errors["fee_items"] == ["收费项目：最多 200 项"]
    food_draft(drafter, acceptance_conditions="第一条\n\t第二条")  # line breaks and tabs are text


def test_a_material_conditional_on_an_undefined_field_is_refused(drafter: User) -> None:
    draft = food_draft(drafter)
    services.implementation_version_update(
        actor=drafter,
        version=draft,
        elements={},
        materials=[
            {
                "key": "lease",
                "name": "租赁合同",
                "necessity": "conditional",
                "condition": "租用场地的",
                "condition_field": "rented",
            }
        ],
    )
    with pytest.raises(ValidationFailed) as caught:
        services.implementation_version_submit(actor=drafter, version=draft)
    assert caught.value.errors["materials"] == ["申请材料“租赁合同”：引用了申请表中未定义的字段 rented"]


def test_every_problem_is_reported_at_once(drafter: User) -> None:
    draft = food_draft(
        drafter,
        committed_limit_days=30,
        complaint_phone="0531-66601019",
        fee_required=True,
        handling_forms=["window"],
        online_depth=2,
    )
    with pytest.raises(ValidationFailed) as caught:
        services.implementation_version_submit(actor=drafter, version=draft)
    assert {"committed_limit_days", "complaint_phone", "fee_basis", "fee_items", "handling_forms"} <= set(
        caught.value.errors
    )


def test_publication_checks_again(drafter: User, reviewer: User) -> None:
    """The approver's post is abolished between submission and review: publishing refuses."""
    draft = food_draft(drafter, committed_limit_days=6)
    services.implementation_version_submit(actor=drafter, version=draft)
    StaffRole.objects.filter(role="approver", department__name="济南市行政审批服务局").delete()
    with pytest.raises(ValidationFailed) as caught:
        services.implementation_version_publish(actor=reviewer, version=draft)
    assert any("“审批决定”岗位在济南市行政审批服务局不存在" in m for m in caught.value.errors["process"])
    assert ImplementationVersion.objects.get(pk=draft.pk).status == VersionStatus.IN_REVIEW


def test_item_version_needs_its_basic_elements(drafter: User) -> None:
    draft = services.item_version_draft(
        actor=drafter, basic_code="000999000001", change_kind="add", change_reason="新增"
    )
    with pytest.raises(ValidationFailed) as caught:
        services.item_version_submit(actor=drafter, version=draft)
    assert caught.value.errors["name"] == ["事项名称：必填"]
    assert caught.value.errors["legal_basis"] == ["设定依据：必填"]
    assert "服务对象" in caught.value.errors["service_objects"][0]
