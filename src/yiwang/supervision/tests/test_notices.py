"""督办: sent from a hit with a working-day deadline, answered by the department, closed or
reopened by the supervisor, escalated by the sweep to the region above; the policy matrix;
the transition table walked."""

import itertools

import pytest

from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import user
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.notifications.models import Message
from yiwang.supervision import evaluation, notices, policy
from yiwang.supervision.rule_models import RuleHit, SupervisionNotice
from yiwang.supervision.rule_workflow import NOTICE_TRANSITIONS, NoticeAction, NoticeStatus, notice_next_status
from yiwang.supervision.tests.scene import D, decided, rules, version, window_also_decides

pytestmark = pytest.mark.django_db


def _hit() -> RuleHit:
    rules()
    window_also_decides()
    with flows.on(D(2026, 3, 3)):
        case = flows.accepted(version())
    with flows.on(D(2026, 3, 5)):
        decided(case, by="jn_window")
    return RuleHit.objects.get(rule__code="JC-01")


def _sent(hit: RuleHit) -> SupervisionNotice:
    with flows.on(D(2026, 3, 6)):
        return notices.notice_send(actor=user("jn_supervisor"), hit_id=hit.pk, text="请说明受理与决定为同一人的原因")


def test_a_notice_from_a_hit_reaches_the_department_with_its_deadline(world: None) -> None:
    notice = _sent(_hit())
    assert notice.status == NoticeStatus.SENT and notice.case is not None
    assert notice.deadline == working_calendar().add_working_days(D(2026, 3, 6), 3)  # JC-01 v1: 3 days
    told = {m.recipient.username for m in Message.objects.filter(subject__contains="【督办】")}
    assert told == {"jn_head", "jn_approver", "jn_window"}  # heads and approvers of the department


def test_round_trip_answer_reopen_answer_close(world: None) -> None:
    notice = _sent(_hit())
    with flows.on(D(2026, 3, 9)):
        notices.notice_answer(actor=user("jn_head"), notice_id=notice.pk, answer="已调整岗位，受理与决定分设")
        assert Message.objects.filter(recipient=user("jn_supervisor"), subject__contains="已答复").exists()
        reopened = notices.notice_reopen(
            actor=user("jn_supervisor"), notice_id=notice.pk, reason="请附岗位调整文件", response_days=2
        )
        assert reopened.status == NoticeStatus.SENT
        assert reopened.deadline == working_calendar().add_working_days(D(2026, 3, 9), 2)
        notices.notice_answer(actor=user("jn_approver"), notice_id=notice.pk, answer="文件已上传")
        closed = notices.notice_close(actor=user("jn_supervisor"), notice_id=notice.pk, note="同意")
    assert closed.status == NoticeStatus.CLOSED
    verbs = list(closed.events.order_by("at", "id").values_list("verb", flat=True))
    assert verbs == ["notice_sent", "notice_answered", "notice_reopened", "notice_answered", "notice_closed"]
    assert all(e.ledger_entry_id for e in closed.events.all())
    with pytest.raises(Conflict):
        notices.notice_close(actor=user("jn_supervisor"), notice_id=notice.pk)


def test_the_evaluation_judges_a_notice_by_its_first_answer(world: None) -> None:
    """Answered late, reopened, answered again in time: still late for 督办按时回复率."""
    notice = _sent(_hit())  # 2026-03-06, due in 3 working days: 03-11
    with flows.on(D(2026, 3, 16)):
        notices.notice_answer(actor=user("jn_head"), notice_id=notice.pk, answer="已调整岗位")
        notices.notice_reopen(actor=user("jn_supervisor"), notice_id=notice.pk, reason="请附文件", response_days=2)
        notices.notice_answer(actor=user("jn_head"), notice_id=notice.pk, answer="文件已上传")
    assert evaluation.notice_counts(D(2026, 3, 1), D(2026, 3, 31))[notice.department_id] == (1, 0)
    on_time = _sent(RuleHit.objects.get(pk=notice.hit_id))
    with flows.on(D(2026, 3, 10)):
        notices.notice_answer(actor=user("jn_head"), notice_id=on_time.pk, answer="已整改")
    assert evaluation.notice_counts(D(2026, 3, 1), D(2026, 3, 31))[notice.department_id] == (2, 1)


def test_unanswered_past_the_deadline_escalates_once_to_the_province(world: None) -> None:
    notice = _sent(_hit())
    with clock.frozen(notice.deadline):
        assert notices.notices_escalate_overdue() == 0
    later = working_calendar().add_working_days(notice.deadline, 1)
    with clock.frozen(later):
        assert notices.notices_escalate_overdue() == 1
        assert notices.notices_escalate_overdue() == 0
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ESCALATED and notice.escalated_to is not None
    assert notice.escalated_to.name == "山东省"
    assert Message.objects.filter(recipient=user("sd_supervisor"), subject__contains="逾期升级").exists()
    with clock.frozen(later):
        answered = notices.notice_answer(actor=user("jn_head"), notice_id=notice.pk, answer="已整改")
    assert answered.status == NoticeStatus.ANSWERED
    assert answered.events.get(verb="notice_answered").payload["late"] is True


def test_policy_matrix(world: None) -> None:
    hit = _hit()
    for who in ("jn_head", "jn_window", "zhangsan", "jn_planning_app"):
        with pytest.raises(PermissionDenied):
            notices.notice_send(actor=user(who), hit_id=hit.pk, text="督办")
    notice = _sent(hit)
    for who in ("jn_supervisor", "jn_planning_app", "jn_reviewer", "zhangsan"):
        with pytest.raises(PermissionDenied):
            notices.notice_answer(actor=user(who), notice_id=notice.pk, answer="答复")
    with pytest.raises(PermissionDenied):
        notices.notice_reopen(actor=user("jn_head"), notice_id=notice.pk, reason="x")
    seen_hits = {
        who: RuleHit.objects.filter(policy.hit_filter(user(who))).count()
        for who in ("jn_supervisor", "sd_supervisor", "jn_head", "zhangsan")
    }
    assert seen_hits == {"jn_supervisor": 1, "sd_supervisor": 1, "jn_head": 0, "zhangsan": 0}
    seen = {
        who: SupervisionNotice.objects.filter(policy.notice_filter(user(who))).count()
        for who in ("jn_supervisor", "jn_head", "jn_reviewer", "jn_planning_app", "zhangsan")
    }
    assert seen == {"jn_supervisor": 1, "jn_head": 1, "jn_reviewer": 1, "jn_planning_app": 0, "zhangsan": 0}
    assert policy.notice_actions_for(user("jn_head"), notice) == {"answer"}
    assert policy.notice_actions_for(user("jn_supervisor"), notice) == {"reopen"}
    assert policy.notice_actions_for(user("jn_reviewer"), notice) == frozenset()


def test_text_and_days_are_checked(world: None) -> None:
    hit = _hit()
    with pytest.raises(ValidationFailed) as info:
        notices.notice_send(actor=user("jn_supervisor"), hit_id=hit.pk, text="督办\x00")
    assert "控制字符" in info.value.errors["text"][0]
    with pytest.raises(ValidationFailed) as info:
        notices.notice_send(actor=user("jn_supervisor"), hit_id=hit.pk, text="督办", response_days=99)
    assert "1 到 30 个工作日" in info.value.errors["response_days"][0]


def test_the_notice_transition_table_walked() -> None:
    for state, action in itertools.product([None, *NoticeStatus], NoticeAction):
        target = NOTICE_TRANSITIONS.get((state, action))
        if target is None:
            with pytest.raises(Conflict):
                notice_next_status(state, action)
        else:
            assert notice_next_status(state, action) == target
