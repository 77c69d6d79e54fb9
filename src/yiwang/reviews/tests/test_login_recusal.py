"""Which staff account may be an expert's login (回避), at linking and again at each draw."""

from typing import Any

import pytest

from yiwang.accounts.models import Role, StaffRole
from yiwang.cases.models import Task
from yiwang.cases.tests.factories import dept, user
from yiwang.core.errors import ValidationFailed
from yiwang.reviews import pool, selectors
from yiwang.reviews.models import Expert
from yiwang.reviews.tests import scene


def _add(code: str, account: Any) -> Expert:
    return pool.expert_add(
        actor=user("jn_planning_app"),
        department=dept("jn_planning"),
        code=code,
        name="林评审",
        region=scene.Region.objects.get(code="370100000000"),
        employer_name="单位",
        employer_credit_code=scene.EMPLOYERS[0],
        specialties=[scene.SPECIALTY],
        user=account,
    )


@pytest.mark.parametrize(
    ("username", "why"),
    [
        ("jn_planning_rev", "在本部门任“审查”岗位"),  # judges the department's own files
        ("jn_planning_app", "在本部门任“审批决定”岗位"),
        ("jn_window", "本区划综合受理窗口人员"),  # takes in the department's applications
        ("jn_supervisor", "任“监督人员”岗位，负责监督本部门"),  # the city's 电子监察
        ("sd_supervisor", "负责监督本部门"),  # the province's covers the city
        ("zhangsan", "只能关联在用的工作人员账号"),  # an applicant's account
    ],
)
def test_an_account_holding_a_post_over_the_department_cannot_be_an_experts_login(
    world: None, username: str, why: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _add("ZJ-0100", user(username))
    assert why in refused.value.errors["account"][0]
    assert not Expert.objects.filter(code="ZJ-0100").exists()


def test_an_account_serves_one_expert_and_staff_of_other_departments_may_serve(world: None) -> None:
    first = _add("ZJ-0100", user("expert_shen"))
    with pytest.raises(ValidationFailed) as refused:
        _add("ZJ-0101", user("expert_shen"))
    assert "已关联其他专家" in refused.value.errors["account"][0]
    second = _add("ZJ-0101", None)
    with pytest.raises(ValidationFailed):
        pool.expert_update(actor=user("jn_planning_app"), expert=second, user=user("expert_shen"))
    with pytest.raises(ValidationFailed) as refused:
        pool.expert_update(actor=user("jn_planning_app"), expert=second, user=user("jn_planning_rev"))
    assert "回避" in refused.value.errors["account"][0]
    # A reviewer of another department (the fire brigade) may review planning files.
    pool.expert_update(actor=user("jn_planning_app"), expert=second, user=user("jn_fire_rev"))
    assert Expert.objects.get(pk=second.pk).user == user("jn_fire_rev")
    # Saving the first expert again with its own login is no conflict with itself.
    pool.expert_update(actor=user("jn_planning_app"), expert=first, user=user("expert_shen"), name="林评审二")
    assert Expert.objects.get(pk=first.pk).name == "林评审二"


def test_the_draw_recuses_an_expert_whose_login_handled_the_case_or_took_a_post_since(world: None) -> None:
    experts = scene.pool(6)
    case = scene.in_review()
    handler, posted = experts[1], experts[2]
    # ZJ-0002's login held the case's review task (a joint review across departments, say).
    Task.objects.filter(case=case).update(assignee=handler.user)
    # ZJ-0003's login became a reviewer of the planning department after it was linked.
    StaffRole.objects.create(user=posted.user, role=Role.REVIEWER, department=dept("jn_planning"))
    found = {c.expert.code: c.reason for c in pool.candidates(case, dept("jn_planning").pk, [scene.SPECIALTY])}
    assert {code: reason for code, reason in found.items() if reason} == {"ZJ-0002": "handler", "ZJ-0003": "post"}
    assert len(found) == 6
    panel = scene.drawn(scene.request(case, size=2))
    reasons = {code: reason for code, _, reason in selectors.excluded_for_staff(panel)}
    assert reasons == {"ZJ-0002": "其登录账号经办过本办件", "ZJ-0003": "其登录账号在本部门任职或负责监督本部门"}
