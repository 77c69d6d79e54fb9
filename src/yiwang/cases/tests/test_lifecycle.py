"""Whole lives of cases through the services: the committed path, 即办件, 告知承诺, 秒批."""

import datetime as dt
import json
import re

import pytest

from yiwang.cases import selectors, services
from yiwang.cases.models import Case, CaseEvent, ClockEvent, Stage, Task
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.cases.workflow import CaseStatus, TaskStatus
from yiwang.ledger.models import Entry
from yiwang.notifications.models import Message

pytestmark = pytest.mark.django_db

D = dt.date


def test_submitted_case_gets_a_readable_sortable_number_and_a_receipt(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 2, 10)):
        first = flows.submit(version)
        second = flows.submit(version, applicant="lisi")
        receipt = selectors.case_receipt_for(user("zhangsan"), first.number or "")
    assert first.number == "370100-20260210-000001"
    assert second.number == "370100-20260210-000002"
    assert re.fullmatch(r"\d{6}-\d{8}-\d{6}", first.number)
    assert first.status == CaseStatus.SUBMITTED and first.received_on == D(2026, 2, 10)
    assert receipt.item_name == "食品经营许可"
    assert receipt.applicant_label == "张*"
    assert [m.name for m in receipt.materials] == ["食品经营许可申请书", "设备布局和工艺流程图"]
    assert "2026-02-24 前受理或一次性告知" in receipt.acceptance_note  # 5 working days, 春节 skipped
    assert receipt.consultation_phone == "0531-12345"


def test_committed_case_review_decision_and_electronic_delivery(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 2, 10)):
        case = flows.accepted(version)
    assert case.status == CaseStatus.IN_REVIEW and case.accepted_on == D(2026, 2, 10)
    assert case.due_date == D(2026, 3, 16)
    detail = selectors.case_detail_for(user("zhangsan"), case.number or "")
    with flows.on(D(2026, 2, 11)):
        detail = selectors.case_detail_for(user("zhangsan"), case.number or "")
    assert detail.clock.explanation == (
        "2026-02-10 受理；法定 20 个工作日；跳过春节假期 2026-02-15 至 2026-02-23；应于 2026-03-16 前办结"
    )
    review = Task.objects.get(case=case, key="review")
    assert review.status == TaskStatus.OPEN and review.due_date is not None
    with flows.on(D(2026, 2, 12)):
        flows.review_done(case)
        decision = Task.objects.get(case=case, key="decide")
        assert decision.status == TaskStatus.OPEN
        services.case_decide(actor=user("jn_approver"), case=case, outcome="approve", opinion="符合条件")
    case = flows.reload(case)
    assert case.status == CaseStatus.CONCLUDED  # electronic delivery concludes at once
    assert case.decision == "approved" and case.decided_by == user("jn_approver")
    assert list(Stage.objects.filter(case=case).values_list("status", flat=True)) == ["approved", "approved"]
    stop = ClockEvent.objects.get(case=case, task__isnull=True, kind="stop")
    assert stop.on == D(2026, 2, 12)
    timeline = [(e.actor_label, e.summary) for e in selectors.case_timeline(case, for_staff=False)]
    assert timeline[-2:] == [("济南市行政审批服务局", "作出准予许可决定"), ("系统", "审批结果已电子送达，办结")]
    assert ("申请人", f"提交申请，办件编号 {case.number}") in timeline
    assert not any("领取任务" in s or "上传材料" in s for _, s in timeline)  # internal and draft-time steps
    staff_view = [(e.actor_label, e.summary) for e in selectors.case_timeline(case, for_staff=True)]
    assert ("孙立", "作出准予许可决定") in staff_view


def test_every_event_is_mirrored_into_the_ledger_without_personal_data(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
    events = CaseEvent.objects.filter(case=case)
    assert events.count() >= 5
    for event in events:
        entry = Entry.objects.get(pk=event.ledger_entry_id)
        assert entry.subject in (f"case:{case.number}", f"draft:{case.ref}")
        leaf = json.loads(entry.leaf)
        assert leaf["kind"] == f"cases.{event.verb}"
        for secret in ("泉城小馆", "张三", user("zhangsan").person.id_number):
            assert secret not in entry.leaf
    submit = events.get(verb="submit")
    leaf = json.loads(Entry.objects.get(pk=submit.ledger_entry_id).leaf)
    assert set(leaf["commitments"]) == {"form_data", "applicant"}


def test_instant_case_is_decided_at_acceptance(world: None) -> None:
    version = ImplementationVersionFactory(instant=True)
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
    assert case.status == CaseStatus.CONCLUDED
    assert case.decision == "approved" and case.decided_by == user("jn_window")
    assert case.accepted_on == D(2026, 3, 2) and case.decided_at is not None
    assert not Task.objects.filter(case=case).exists()
    verbs = list(CaseEvent.objects.filter(case=case).values_list("verb", flat=True))
    assert verbs[-3:] == ["accept", "approve", "conclude"]


def test_instant_case_with_pickup_waits_for_delivery_at_the_window(world: None) -> None:
    version = ImplementationVersionFactory(instant=True)
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, delivery_method="pickup")
        case = services.case_accept(actor=user("jn_window"), case=case)
        assert case.status == CaseStatus.DECIDED_APPROVED
        case = services.case_conclude(actor=user("jn_window"), case=case, reference="申请人本人签收")
    assert case.status == CaseStatus.CONCLUDED and case.delivery_reference == "申请人本人签收"


def test_commitment_decides_at_once_and_creates_a_check_that_can_revoke(world: None) -> None:
    version = ImplementationVersionFactory(commitment=True)
    with flows.on(D(2026, 3, 2)):
        # With a signed promise the missing layout drawing does not block the submission.
        case = flows.submit(version, commitment=True, materials=("application",))
    assert case.status == CaseStatus.CONCLUDED and case.decision == "approved"
    assert case.commitment_signed_at is not None and "如有虚假" in case.commitment_text
    check = Task.objects.get(case=case, kind="inspection")
    assert check.status == TaskStatus.OPEN and check.limit_days == 20
    assert check.due_date == D(2026, 3, 30)
    assert Message.objects.filter(recipient=user("jn_reviewer"), subject__contains="告知承诺核查").exists()
    with flows.on(D(2026, 3, 20)):
        services.task_complete(actor=user("jn_reviewer"), task=check, outcome="fail", opinion="现场无后厨排烟设施")
    case = flows.reload(case)
    assert case.status == CaseStatus.REVOKED and case.revoked_at is not None
    assert any("行政复议" in r for r in case.decision_remedies)
    outcome = selectors.case_detail_for(user("zhangsan"), case.number or "").outcome
    assert outcome is not None and outcome.title == "许可决定已撤销" and outcome.opinion == "现场无后厨排烟设施"


def test_commitment_check_passing_keeps_the_decision(world: None) -> None:
    version = ImplementationVersionFactory(commitment=True)
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, commitment=True)
        check = Task.objects.get(case=case, kind="inspection")
        services.task_complete(actor=user("jn_reviewer"), task=check, outcome="pass", opinion="")
    assert flows.reload(case).status == CaseStatus.CONCLUDED
    assert Task.objects.get(pk=check.pk).status == TaskStatus.PASSED


def test_commitment_is_refused_where_the_item_does_not_allow_it(world: None) -> None:
    from yiwang.core.errors import ValidationFailed

    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)), pytest.raises(ValidationFailed) as info:
        flows.submit(version, commitment=True)
    assert info.value.errors["commitment_signed"] == ["告知承诺：本事项不适用告知承诺制"]


def test_auto_approval_records_the_rule_that_decided(world: None) -> None:
    version = ImplementationVersionFactory(auto=True)
    data = {"shop_name": "小小茶铺", "area": "60", "has_kitchen": False}
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, data=data)
    assert case.status == CaseStatus.CONCLUDED
    assert case.decided_by is None and case.decided_by_rule == "小型无后厨门店"
    approve = CaseEvent.objects.get(case=case, verb="approve")
    assert approve.actor is None and approve.payload["rule"] == "小型无后厨门店"
    assert "秒批规则“小型无后厨门店”" in approve.summary
    assert not Task.objects.filter(case=case).exists()


def test_auto_approval_does_not_apply_when_a_condition_fails(world: None) -> None:
    version = ImplementationVersionFactory(auto=True)
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, data={"shop_name": "大饭店", "area": "300", "has_kitchen": True})
    assert case.status == CaseStatus.SUBMITTED and case.decided_by_rule == ""


def test_withdraw_before_decision_stops_clock_and_cancels_tasks(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
    with flows.on(D(2026, 3, 4)):
        case = services.case_withdraw(actor=user("zhangsan"), case=case, reason="经营计划调整")
    assert case.status == CaseStatus.WITHDRAWN
    assert Task.objects.get(case=case, key="review").status == TaskStatus.CANCELLED
    assert ClockEvent.objects.filter(case=case, task__isnull=True, kind="stop", on=D(2026, 3, 4)).exists()


def test_draft_keeps_what_was_typed_and_submission_checks_it(world: None) -> None:
    from yiwang.core.errors import ValidationFailed

    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.draft(version, data={"shop_name": "", "area": "-3", "rented": True}, materials=("application",))
        assert selectors.draft_for(user("zhangsan"), str(case.ref)).form_data["area"] == "-3"
        with pytest.raises(ValidationFailed) as info:
            services.case_submit(actor=user("zhangsan"), draft=case, idempotency_key="k1")
    errors = info.value.errors
    assert errors["shop_name"] == ["店铺名称：必填"]
    assert errors["area"] == ["经营面积（平方米）：不能小于 1"]
    assert errors["materials.layout"] == ["材料“设备布局和工艺流程图”：必须上传"]
    assert errors["materials.lease"] == ["材料“场所租赁合同”：必须上传"]  # conditional: rented
    assert "materials.business_license" not in errors  # obtained by data sharing, never asked
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFT and Case.objects.get(pk=case.pk).number is None


def test_a_draft_on_a_superseded_version_cannot_be_submitted_and_is_kept(world: None) -> None:
    from django.utils import timezone

    from yiwang.core.errors import Conflict

    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.draft(version)
    from yiwang.catalog.models import VersionStatus

    version.valid_until = timezone.make_aware(dt.datetime(2026, 3, 3, 0, 0))
    version.status = VersionStatus.SUPERSEDED
    version.save()
    with flows.on(D(2026, 3, 4)), pytest.raises(Conflict) as info:
        services.case_submit(actor=user("zhangsan"), draft=case, idempotency_key="late")
    assert "按最新版本重新填写" in info.value.message
    assert flows.reload(case).status == CaseStatus.DRAFT
