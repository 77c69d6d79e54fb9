"""Who may do what (role × action), and who sees which case (architecture rule 7)."""

import datetime as dt
from collections.abc import Callable

import pytest

from yiwang.accounts.models import Enterprise, EnterpriseAgent, Role
from yiwang.accounts.services import staff_create, staff_role_grant
from yiwang.cases import inbox, selectors, services
from yiwang.cases.models import Case, CaseAccessLog
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, decision_only_process, dept, user
from yiwang.cases.workflow import CaseStatus
from yiwang.core import clock
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
PERSONAS = [
    "owner",
    "stranger",
    "window_clerk",
    "reviewer",
    "approver",
    "head",
    "supervisor",
    "other_dept_reviewer",
    "other_region_clerk",
]
USERNAMES = {
    "owner": "zhangsan",
    "stranger": "lisi",
    "window_clerk": "jn_window",
    "reviewer": "jn_reviewer",
    "approver": "jn_approver",
    "head": "jn_head",
    "supervisor": "jn_supervisor",
    "other_dept_reviewer": "jn_fire_rev",
    "other_region_clerk": "ta_window",
}


def _submitted() -> Case:
    return flows.submit(ImplementationVersionFactory())


def _in_review() -> Case:
    return flows.accepted(ImplementationVersionFactory())


def _at_decision() -> Case:
    return flows.accepted(ImplementationVersionFactory(process=decision_only_process()))


def _decided_pickup() -> Case:
    case = flows.submit(ImplementationVersionFactory(instant=True), delivery_method="pickup")
    return services.case_accept(actor=user("jn_window"), case=case)


# action -> (case builder, call, personas allowed)
ACTIONS: dict[str, tuple[Callable[[], Case], Callable[..., object], set[str]]] = {
    "withdraw": (_submitted, lambda u, c: services.case_withdraw(actor=u, case=c), {"owner"}),
    "accept": (_submitted, lambda u, c: services.case_accept(actor=u, case=c), {"window_clerk"}),
    "refuse": (
        _submitted,
        lambda u, c: services.case_refuse(
            actor=u, case=c, reason="不属于本机关职权", legal_basis="行政许可法第三十二条"
        ),
        {"window_clerk"},
    ),
    "request_supplement_before_acceptance": (
        _submitted,
        lambda u, c: services.case_supplement_request(actor=u, case=c, items=[{"material_key": "layout"}]),
        {"window_clerk"},
    ),
    "request_supplement_after_acceptance": (
        _in_review,
        lambda u, c: services.case_supplement_request(actor=u, case=c, items=[{"material_key": "layout"}]),
        {"window_clerk", "reviewer", "approver"},
    ),
    "claim_review_task": (
        _in_review,
        lambda u, c: services.task_claim(actor=u, task=flows.open_task(c, "review")),
        {"reviewer"},
    ),
    "suspend": (
        _in_review,
        lambda u, c: services.case_suspend(actor=u, case=c, procedure="testing", reason="送检", expected_days=5),
        {"reviewer", "approver"},
    ),
    "extend": (_in_review, lambda u, c: services.case_extend(actor=u, case=c, reason="情况复杂"), {"head"}),
    "decide": (
        _at_decision,
        lambda u, c: services.case_decide(actor=u, case=c, outcome="approve", opinion="同意"),
        {"approver"},
    ),
    "conclude": (
        _decided_pickup,
        lambda u, c: services.case_conclude(actor=u, case=c, reference="已领取"),
        {"window_clerk"},
    ),
}

MATRIX = [(persona, action) for action in ACTIONS for persona in PERSONAS]


@pytest.fixture
def other_region_clerk(world: None) -> None:
    clerk = staff_create(actor=None, username="ta_window", password="Yiwang-demo-2026", display_name="泰安窗口")
    staff_role_grant(actor=None, user=clerk, role=Role.WINDOW_CLERK, department=dept("ta_approval"))


@pytest.mark.parametrize(("persona", "action"), MATRIX, ids=[f"{a}-{p}" for p, a in MATRIX])
def test_role_action_matrix(other_region_clerk: None, persona: str, action: str) -> None:
    build, call, allowed = ACTIONS[action]
    with clock.frozen(DAY):
        case = build()
        actor = user(USERNAMES[persona])
        if persona in allowed:
            call(actor, case)
        else:
            status = Case.objects.get(pk=case.pk).status
            with pytest.raises(PermissionDenied) as info:
                call(actor, case)
            assert info.value.message.startswith("您无权")
            assert Case.objects.get(pk=case.pk).status == status  # nothing changed


@pytest.fixture
def enterprise_case(world: None) -> Case:
    enterprise = Enterprise.objects.get()
    with clock.frozen(DAY):
        return flows.submit(ImplementationVersionFactory(), applicant="wangwu", enterprise=enterprise)


def test_an_agent_sees_and_acts_on_the_enterprise_cases(enterprise_case: Case) -> None:
    with clock.frozen(DAY):
        assert selectors.case_list_visible_to(user("lisi")).filter(pk=enterprise_case.pk).exists()
        detail = selectors.case_detail_for(user("lisi"), enterprise_case.number or "")
        assert detail.actions == ["withdraw"]
        assert not selectors.case_list_visible_to(user("zhangsan")).filter(pk=enterprise_case.pk).exists()
        with pytest.raises(NotFound):
            selectors.case_detail_for(user("zhangsan"), enterprise_case.number or "")
        services.case_withdraw(actor=user("lisi"), case=enterprise_case, reason="企业决定暂缓")
    assert Case.objects.get(pk=enterprise_case.pk).status == CaseStatus.WITHDRAWN


def test_a_revoked_agent_loses_the_enterprise_cases(enterprise_case: Case) -> None:
    EnterpriseAgent.objects.filter(person__user__username="lisi").update(revoked_at=clock.now())
    with clock.frozen(DAY):
        assert not selectors.case_list_visible_to(user("lisi")).filter(pk=enterprise_case.pk).exists()
        with pytest.raises(PermissionDenied):
            services.case_withdraw(actor=user("lisi"), case=enterprise_case)


def test_only_agents_apply_for_an_enterprise_and_drafts_stay_private(world: None) -> None:
    enterprise = Enterprise.objects.get()
    version = ImplementationVersionFactory()
    with clock.frozen(DAY):
        with pytest.raises(PermissionDenied) as info:
            flows.draft(version, applicant="zhangsan", enterprise=enterprise)
        assert "授权经办人" in info.value.message
        draft = flows.draft(version, applicant="wangwu", enterprise=enterprise, materials=())
        assert not selectors.case_list_visible_to(user("lisi")).filter(pk=draft.pk).exists()
        with pytest.raises(NotFound):
            selectors.draft_for(user("lisi"), str(draft.ref))
        with pytest.raises(PermissionDenied):
            services.case_draft_save(actor=user("lisi"), draft=draft, form_data={})
        with pytest.raises(PermissionDenied):
            services.case_submit(actor=user("jn_window"), draft=draft, idempotency_key="x")


def test_staff_see_only_cases_in_scope(other_region_clerk: None) -> None:
    with clock.frozen(DAY):
        case = flows.submit(ImplementationVersionFactory())
        flows.draft(ImplementationVersionFactory(), materials=())

        def sees(username: str) -> bool:
            listed = selectors.case_list_visible_to(user(username)).filter(pk=case.pk).exists()
            assert selectors.may_see(user(username), case) == listed  # the one-case check agrees
            return listed

        assert sees("jn_window") and sees("jn_reviewer") and sees("jn_approver") and sees("jn_head")
        assert sees("jn_supervisor")  # read-only, region-wide
        assert not sees("jn_fire_rev") and not sees("ta_window") and not sees("lisi")
        assert all(c.status != CaseStatus.DRAFT for c in selectors.case_list_visible_to(user("jn_window")))
        assert [c.pk for c in selectors.intake_queue_for(user("jn_window"))] == [case.pk]
        assert list(selectors.intake_queue_for(user("ta_window"))) == []


def test_the_supervisor_only_reads(world: None) -> None:
    with clock.frozen(DAY):
        case = flows.submit(ImplementationVersionFactory())
        detail = selectors.case_detail_for(user("jn_supervisor"), case.number or "", reason="电子监察抽查")
    assert detail.actions == []


def test_every_staff_view_of_a_case_is_logged_with_its_reason(world: None) -> None:
    with clock.frozen(DAY):
        case = flows.submit(ImplementationVersionFactory())
        with pytest.raises(ValidationFailed) as info:
            selectors.case_detail_for(user("jn_window"), case.number or "")
        assert info.value.errors == {"reason": ["查看事由：工作人员查看办件须说明事由"]}
        detail = selectors.case_detail_for(user("jn_window"), case.number or "", reason="受理审查")
        selectors.case_detail_for(user("zhangsan"), case.number or "")  # applicants are not logged
    assert set(detail.actions) == {"accept", "refuse", "request_supplement"}
    logs = list(CaseAccessLog.objects.filter(case=case).values_list("user__username", "reason", "target"))
    assert logs == [("jn_window", "受理审查", "detail")]


def test_tasks_inbox_by_role_and_department(world: None) -> None:
    with clock.frozen(DAY):
        case = flows.accepted(ImplementationVersionFactory())
    assert [t.key for t in inbox.task_inbox_for(user("jn_reviewer"))] == ["review"]
    assert list(inbox.task_inbox_for(user("jn_approver"))) == []
    assert list(inbox.task_inbox_for(user("jn_fire_rev"))) == []
    with clock.frozen(DAY):
        flows.review_done(case)
    assert [t.key for t in inbox.task_inbox_for(user("jn_approver"))] == ["decide"]
    assert list(inbox.task_inbox_for(user("jn_reviewer"))) == []
