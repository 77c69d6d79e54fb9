"""Who sees which case (architecture rule 7); who may do what is test_policy_matrix."""

import datetime as dt

import pytest

from yiwang.accounts.models import Enterprise, EnterpriseAgent
from yiwang.cases import inbox, selectors, services
from yiwang.cases.models import Case, CaseAccessLog
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.cases.workflow import CaseStatus
from yiwang.core import clock
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def other_region_clerk(world: None) -> None:
    """ta_window: the demo world's 泰安市行政审批服务局 window clerk (demo.world)."""


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
