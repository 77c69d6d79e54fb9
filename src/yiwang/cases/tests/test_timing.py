"""Special procedures, the head's extension, and 预警 (deadline warnings)."""

import datetime as dt

import pytest

from yiwang.cases import selectors, services
from yiwang.cases.models import CaseEvent, ClockEvent, Task
from yiwang.cases.tasks import deadline_sweep
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.cases.workflow import CaseStatus
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.notifications.models import Message

pytestmark = pytest.mark.django_db

D = dt.date


def test_special_procedure_time_is_excluded_from_the_limit(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
    with flows.on(D(2026, 3, 4)):
        with pytest.raises(ValidationFailed) as info:
            services.case_suspend(
                actor=user("jn_reviewer"), case=case, procedure="expert_review", reason="x", expected_days=0
            )
        assert "expected_days" in info.value.errors
        services.case_suspend(
            actor=user("jn_reviewer"), case=case, procedure="expert_review", reason="需组织专家论证", expected_days=10
        )
    case = flows.reload(case)
    assert case.status == CaseStatus.SUSPENDED
    note = Message.objects.filter(recipient=user("zhangsan"), subject__contains="专家评审", channel="in_app").get()
    assert "预计需要 10 个工作日" in note.body and "不计入办理时限" in note.body
    with flows.on(D(2026, 3, 18)):
        text = selectors.case_detail_for(user("zhangsan"), case.number or "").clock.explanation
        assert "专家评审自 2026-03-04 起暂停计时，预计需要 10 个工作日" in text
        case = services.case_resume(actor=user("jn_reviewer"), case=case)
    # 3/4 → 3/18 is 10 working days not counted: 3/30 becomes 4/14 (清明 4/4–4/6 skipped on the way).
    assert case.status == CaseStatus.IN_REVIEW
    assert case.due_date == D(2026, 4, 14)
    task_pauses = ClockEvent.objects.filter(case=case, task__isnull=False, kind__in=["pause", "resume"]).count()
    assert task_pauses == 2  # the open review task was suspended too


def test_extension_once_only_by_head_plus_ten(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
    with flows.on(D(2026, 3, 20)):
        for who in ("jn_approver", "jn_window", "jn_reviewer", "zhangsan"):
            with pytest.raises(PermissionDenied):
                services.case_extend(actor=user(who), case=case, reason="情况复杂")
        with pytest.raises(ValidationFailed):
            services.case_extend(actor=user("jn_head"), case=case, reason="")
        case = services.case_extend(actor=user("jn_head"), case=case, reason="需现场核查")
        assert case.due_date == D(2026, 4, 14)  # 3/30 + 10 working days (清明 4/4–4/6 skipped)
        with pytest.raises(Conflict) as info:
            services.case_extend(actor=user("jn_head"), case=case, reason="再延一次")
    assert "不能再次延长" in info.value.message
    event = CaseEvent.objects.get(case=case, verb="extend")
    assert event.payload == {"days": 10, "joint": False, "due_date": "2026-04-14"}


def test_extension_is_fifteen_days_for_joint_handling(world: None) -> None:
    version = ImplementationVersionFactory(parallel=True, statutory_limit_days=45, committed_limit_days=30)
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
        before = case.due_date
        case = services.case_extend(actor=user("jn_head"), case=case, reason="多部门联合审查")
    assert before is not None and case.due_date is not None
    from yiwang.core.calendar import working_calendar

    assert working_calendar().working_days_between(before, case.due_date) == 15
    assert CaseEvent.objects.get(case=case, verb="extend").payload["joint"] is True


def test_deadline_sweep_warns_once_per_threshold(world: None) -> None:
    version = ImplementationVersionFactory(committed_limit_days=10)
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
    assert case.committed_due_date == D(2026, 3, 16)
    assert case.warning_date == D(2026, 3, 12)  # 8 of 10 working days

    def case_notices() -> list[str]:
        rows = Message.objects.filter(recipient=user("jn_approver"), subject__contains="】办件")
        return list(rows.order_by("id").values_list("subject", flat=True))

    with flows.on(D(2026, 3, 11)):
        deadline_sweep.call()
        assert case_notices() == []
    with flows.on(D(2026, 3, 12)):
        deadline_sweep.call()
        deadline_sweep.call()
        assert case_notices() == [f"【{case.number}】办件临期预警"]
    with flows.on(D(2026, 3, 17)):
        deadline_sweep.call()
        deadline_sweep.call()
        assert selectors.case_detail_for(user("zhangsan"), case.number or "").clock.level == "overdue"
    assert case_notices() == [f"【{case.number}】办件临期预警", f"【{case.number}】办件超期"]
    assert Message.objects.filter(recipient=user("jn_head"), subject=f"【{case.number}】办件超期").exists()
    assert CaseEvent.objects.filter(case=case, verb__startswith="deadline_").count() == 2


def test_task_warnings_go_to_the_assignee(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
        task = flows.open_task(case, "review")
        services.task_claim(actor=user("jn_reviewer"), task=task)
    task = Task.objects.get(pk=task.pk)
    assert task.due_date == D(2026, 3, 12) and task.warning_date is not None
    with flows.on(task.warning_date):
        deadline_sweep.call()
    assert Message.objects.filter(recipient=user("jn_reviewer"), subject__contains="任务临期预警").count() == 1
