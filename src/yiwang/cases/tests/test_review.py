"""并联审批 and the decision: per-department tasks and deadlines, join policies, rejection."""

import datetime as dt

import pytest

from yiwang.cases import inbox, selectors, services
from yiwang.cases.models import Stage, Task
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, parallel_process, user
from yiwang.cases.workflow import CaseStatus, StageStatus, TaskStatus
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

D = dt.date
REVIEWERS = {
    "planning": "jn_planning_rev",
    "fire": "jn_fire_rev",
    "air_defence": "jn_airdef_rev",
    "transport": "jn_transport_rev",
}


def _parallel_case(join: str = "all", quorum: int | None = None):  # type: ignore[no-untyped-def]
    version = ImplementationVersionFactory(process=parallel_process(join, quorum), statutory_limit_days=45)
    with flows.on(D(2026, 3, 2)):
        return flows.accepted(version)


def _review(case, key: str, outcome: str = "approve", opinion: str = "同意") -> None:  # type: ignore[no-untyped-def]
    services.task_complete(
        actor=user(REVIEWERS[key]), task=flows.open_task(case, key), outcome=outcome, opinion=opinion
    )


def _statuses(case) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(Task.objects.filter(case=case, stage__key="joint").values_list("key", "status"))


def test_parallel_stage_gives_each_department_its_own_task_and_deadline(world: None) -> None:
    case = _parallel_case()
    tasks = {t.key: t for t in Task.objects.filter(case=case, stage__key="joint").select_related("department")}
    assert {k: t.department.name for k, t in tasks.items()} == {
        "planning": "济南市自然资源和规划局",
        "fire": "济南市消防救援支队",
        "air_defence": "济南市人民防空办公室",
        "transport": "济南市交通运输局",
    }
    assert tasks["planning"].due_date == D(2026, 3, 16)  # 10 working days
    assert tasks["transport"].due_date == D(2026, 3, 10)  # 6 working days
    # Each department sees only its own task; the case becomes visible to it.
    queue = inbox.task_inbox_for(user("jn_fire_rev"))
    assert [t.key for t in queue] == ["fire"]
    assert selectors.case_list_visible_to(user("jn_fire_rev")).filter(pk=case.pk).exists()
    assert selectors.case_by_number_for(user("jn_fire_rev"), case.number).pk == case.pk  # by its task
    with pytest.raises(PermissionDenied):
        services.task_claim(actor=user("jn_fire_rev"), task=tasks["planning"])


def test_join_all_waits_for_every_department(world: None) -> None:
    case = _parallel_case("all")
    with flows.on(D(2026, 3, 3)):
        for key in ("planning", "fire", "air_defence"):
            _review(case, key)
            assert Stage.objects.get(case=case, key="joint").status == StageStatus.ACTIVE
        _review(case, "transport")
    assert Stage.objects.get(case=case, key="joint").status == StageStatus.APPROVED
    assert flows.open_task(case, "decide").status == TaskStatus.OPEN


def test_join_any_completes_on_the_first_approval_and_cancels_the_rest(world: None) -> None:
    case = _parallel_case("any")
    with flows.on(D(2026, 3, 3)):
        _review(case, "fire")
    assert Stage.objects.get(case=case, key="joint").status == StageStatus.APPROVED
    statuses = _statuses(case)
    assert statuses.pop("fire") == TaskStatus.APPROVED
    assert set(statuses.values()) == {TaskStatus.CANCELLED}
    assert flows.open_task(case, "decide") is not None


def test_join_quorum_completes_when_enough_approve(world: None) -> None:
    case = _parallel_case("quorum", 3)
    with flows.on(D(2026, 3, 3)):
        _review(case, "planning")
        _review(case, "fire")
        assert Stage.objects.get(case=case, key="joint").status == StageStatus.ACTIVE
        _review(case, "transport")
    assert Stage.objects.get(case=case, key="joint").status == StageStatus.APPROVED
    assert _statuses(case)["air_defence"] == TaskStatus.CANCELLED


def test_a_rejection_cancels_siblings_and_the_approver_decides(world: None) -> None:
    case = _parallel_case("all")
    with flows.on(D(2026, 3, 3)):
        _review(case, "planning")
        with pytest.raises(ValidationFailed):
            _review(case, "fire", outcome="reject", opinion="")
        _review(case, "fire", outcome="reject", opinion="消防通道宽度不足 4 米")
    assert Stage.objects.get(case=case, key="joint").status == StageStatus.REJECTED
    assert _statuses(case) == {
        "planning": TaskStatus.APPROVED,
        "fire": TaskStatus.REJECTED,
        "air_defence": TaskStatus.CANCELLED,
        "transport": TaskStatus.CANCELLED,
    }
    with flows.on(D(2026, 3, 4)):
        with pytest.raises(ValidationFailed):
            services.case_decide(actor=user("jn_approver"), case=case, outcome="deny", opinion="")
        services.case_decide(
            actor=user("jn_approver"),
            case=case,
            outcome="deny",
            opinion="消防审查不通过：消防通道宽度不足 4 米",
            legal_basis="《建设工程消防设计审查验收管理暂行规定》",
        )
    case = flows.reload(case)
    assert case.status == CaseStatus.CONCLUDED and case.decision == "denied"
    detail = selectors.case_detail_for(user("zhangsan"), case.number or "")
    assert detail.outcome is not None and detail.outcome.title == "不予许可"
    assert len(detail.outcome.remedies) == 2
    assert any(e.summary == "“并联审查”环节审查不通过，转审批决定" for e in detail.timeline)
    fire_event = next(e for e in detail.timeline if "消防审查" in e.summary and "不通过" in e.summary)
    assert fire_event.actor_label == "济南市消防救援支队" and fire_event.reason == ""  # opinions stay internal


def test_decision_waits_for_the_reviews(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
        with pytest.raises(Conflict) as info:
            services.case_decide(actor=user("jn_approver"), case=case, outcome="approve", opinion="")
    assert "当前处于“审查”环节" in info.value.message


def test_a_task_claimed_by_one_cannot_be_taken_by_another(world: None) -> None:
    from yiwang.accounts.models import Role
    from yiwang.accounts.services import staff_create, staff_role_grant
    from yiwang.cases.tests.factories import dept

    second = staff_create(actor=None, username="jn_reviewer2", password="Yiwang-demo-2026", display_name="钱二")
    staff_role_grant(actor=None, user=second, role=Role.REVIEWER, department=dept("jn_approval"))
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
        task = flows.open_task(case, "review")
        services.task_claim(actor=user("jn_reviewer"), task=task)
        services.task_claim(actor=user("jn_reviewer"), task=task)  # claiming one's own task again is harmless
        with pytest.raises(Conflict) as info:
            services.task_claim(actor=second, task=task)
        assert info.value.message == "任务“材料审查”已由钱进领取办理，请刷新后查看。"
        with pytest.raises(Conflict):
            services.task_complete(actor=second, task=task, outcome="approve", opinion="")
        with pytest.raises(Conflict):
            services.task_release(actor=second, task=task)
        services.task_release(actor=user("jn_reviewer"), task=task)
        services.task_complete(actor=second, task=task, outcome="approve", opinion="同意")
    assert Task.objects.get(pk=task.pk).assignee == second


def test_decision_tasks_are_completed_by_deciding_and_outcomes_fit_the_task_kind(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
        with pytest.raises(Conflict) as info:  # 核查 outcomes do not fit a review task
            services.task_complete(
                actor=user("jn_reviewer"), task=flows.open_task(case, "review"), outcome="pass", opinion=""
            )
        assert info.value.message == "任务当前状态为“办理中”，不能核查通过。"
        flows.review_done(case)
        with pytest.raises(Conflict) as info:
            services.task_complete(
                actor=user("jn_approver"), task=flows.open_task(case, "decide"), outcome="approve", opinion=""
            )
        assert "作出决定" in info.value.message
