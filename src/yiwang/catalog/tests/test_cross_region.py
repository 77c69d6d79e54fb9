"""跨域通办 elements: scope, modes and intake regions agree; the guide says them in plain Chinese."""

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from yiwang.accounts.models import Department, Region, StaffRole, User
from yiwang.catalog import selectors, services
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.catalog.tests.helpers import FOOD, food_draft
from yiwang.core.errors import ValidationFailed

NONE = {"cross_region_scope": "", "cross_region_modes": [], "cross_region_intake": ""}  # the demo's food offers 通办
PROXY = {**NONE, "cross_region_scope": "province", "cross_region_modes": ["proxy"]}

RULES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "modes without a scope",
        {**NONE, "cross_region_modes": ["online"]},
        "cross_region_scope",
        "选择了通办方式时必填",
    ),
    ("a scope without modes", {**NONE, "cross_region_scope": "province"}, "cross_region_modes", "至少选择一种"),
    (
        "全程网办 below depth IV",
        {"cross_region_scope": "national", "cross_region_modes": ["online"], "online_depth": 3},
        "cross_region_modes",
        "网上办理深度为 Ⅳ 级",
    ),
    ("代收 without regions", PROXY, "cross_region_intake", "选择“异地代收代办”时必填"),
    (
        "regions without 代收",
        {"cross_region_scope": "province", "cross_region_modes": ["online"], "cross_region_intake": "370900"},
        "cross_region_intake",
        "应留空",
    ),
    ("a code that is not one", {**PROXY, "cross_region_intake": "37-09"}, "cross_region_intake", "不是 6 位区划代码"),
    ("an unknown region", {**PROXY, "cross_region_intake": "379999"}, "cross_region_intake", "379999 不存在"),
    (
        "a region outside the scope",
        {"cross_region_scope": "city", "cross_region_modes": ["proxy"], "cross_region_intake": "370900"},
        "cross_region_intake",
        "370900 超出通办范围“市内通办（跨县）”",
    ),
]


@pytest.mark.parametrize(("rule", "elements", "field", "words"), RULES, ids=[r[0] for r in RULES])
def test_submission_refuses_incoherent_cross_region_elements(
    drafter: User, rule: str, elements: dict[str, Any], field: str, words: str
) -> None:
    draft = food_draft(drafter, **elements)
    with pytest.raises(ValidationFailed) as caught:
        services.implementation_version_submit(actor=drafter, version=draft)
    assert any(words in message for message in caught.value.errors.get(field, [])), caught.value.errors


def test_an_unknown_mode_is_refused_when_drafted(drafter: User) -> None:
    with pytest.raises(ValidationFailed) as caught:
        food_draft(drafter, cross_region_modes=["teleport"], cross_region_scope="全省通办")
    assert caught.value.errors == {
        "cross_region_modes": ["通办方式：不认识的取值 teleport"],
        "cross_region_scope": ["通办范围：请从给定选项中选择"],
    }


def _decide_in(department: Department) -> dict[str, Any]:
    task = {"key": "t", "name": "审批决定", "department": department.credit_code, "role": "approver", "limit_days": 5}
    return {"key": "decide", "name": "决定", "limit_days": 5, "decides": True, "tasks": [task]}


def test_multi_region_handling_may_route_a_stage_to_another_region(drafter: User, reviewer: User) -> None:
    """多地联办: a 济南 item's process names a 泰安 department — refused without the mode, published with it."""
    taian = Department.objects.get(name="泰安市行政审批服务局")
    StaffRole.objects.get_or_create(user=User.objects.get(username="jn_approver"), department=taian, role="approver")
    process = {"stages": [_decide_in(taian)]}
    plain = food_draft(drafter, process=process, committed_limit_days=5)
    with pytest.raises(ValidationFailed) as caught:
        services.implementation_version_submit(actor=drafter, version=plain)
    assert any("在本区划不存在" in m for m in caught.value.errors["process"])
    joint = services.implementation_version_update(
        actor=drafter,
        version=plain,
        elements={
            "cross_region_scope": "province",
            "cross_region_modes": ["joint", "proxy"],
            "cross_region_intake": "370900",
        },
    )
    services.implementation_version_submit(actor=drafter, version=joint)
    services.implementation_version_publish(actor=reviewer, version=joint)
    assert ImplementationVersion.objects.get(pk=joint.pk).status == VersionStatus.PUBLISHED

    html = Client().get(f"/guide/{FOOD}/").content.decode()
    assert "省内通办（跨市）" in html
    assert "可在泰安市的政务服务窗口递交申请材料" in html
    assert "多地联办：您只需在一地申请，“决定”由泰安市行政审批服务局办理" in html
    assert [d.name for d in selectors.intake_windows(joint)] == ["泰安市行政审批服务局"]


@pytest.mark.usefixtures("world")
def test_the_old_free_text_scope_becomes_structured() -> None:
    """The data migration: "全省通办" on a Ⅳ级 version reads as 省内通办 by 全程网办; unknown text
    goes to the remarks rather than being lost."""
    migration = importlib.import_module("yiwang.catalog.migrations.0007_cross_region_elements")
    versions = list(ImplementationVersion.objects.filter(online_depth=4)[:2])
    ImplementationVersion.objects.filter(pk=versions[0].pk).update(cross_region_scope="全省通办", cross_region_modes=[])
    ImplementationVersion.objects.filter(pk=versions[1].pk).update(cross_region_scope="周边通办", remarks="")
    migration.structure_scope(apps, None)
    first, second = (ImplementationVersion.objects.get(pk=v.pk) for v in versions)
    assert (first.cross_region_scope, first.cross_region_modes) == ("province", ["online"])
    assert (second.cross_region_scope, second.remarks) == ("", "原通办范围：周边通办")
    assert Region.objects.filter(code="370000000000").exists()
