"""跨域通办 in the case engine: 全程网办 from another region, 异地代收代办 (收受分离) with its
hand-over record and clock rules (docs/cross-region.md), and 多地联办."""

import datetime as dt

import pytest
from django.test import Client, override_settings

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Region, User
from yiwang.cases import handovers, selectors, services
from yiwang.cases.models import Case, CaseEvent, Task
from yiwang.cases.policy import case_actions_for, staff_case_filter
from yiwang.cases.tests import crossflows, flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, decision_only_process, dept, stage, task, user
from yiwang.cases.workflow import CaseAction, CaseStatus
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.demo.world import resident_id
from yiwang.ledger.models import Entry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

D = dt.date
MON, TUE, FRI = D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 6)


def _zhaoliu() -> User:
    """赵六, registered in 泰安市泰山区."""
    return accounts.person_register(
        username="zhaoliu",
        password="Yiwang-demo-2026",
        real_name="赵六",
        id_number=resident_id("370902", "19920315", "451"),
        region=Region.objects.get(code="370902000000"),
    )


def test_a_taian_resident_applies_online_to_a_jinan_item() -> None:
    """全程网办: nothing in submission asks where the applicant lives; the case is 济南's."""
    _zhaoliu()
    version = ImplementationVersionFactory(cross_region_scope="province", cross_region_modes=["online"])
    with clock.frozen(MON):
        case = flows.submit(version, applicant="zhaoliu")
    assert (case.status, case.region.code, case.intake_department_id) == ("submitted", "370100000000", None)
    assert case in selectors.intake_queue_for(user("jn_window"))
    assert not selectors.intake_queue_for(user("ta_window"))


def test_a_window_the_item_does_not_allow_is_refused() -> None:
    version = ImplementationVersionFactory(cross_region_scope="province", cross_region_modes=["online"])
    draft = flows.draft(version)
    with pytest.raises(ValidationFailed) as caught:
        services.case_submit(
            actor=user("zhangsan"), draft=draft, idempotency_key="k", intake_department=dept("ta_approval")
        )
    assert caught.value.errors["intake_department"] == ["收件地：本事项不支持在泰安市行政审批服务局异地代收"]
    assert flows.reload(draft).status == CaseStatus.DRAFT


def _pks(lists: tuple[list[handovers.HandoverRow], ...]) -> tuple[list[int], ...]:
    return tuple([row.pk for row in rows] for rows in lists)


def test_a_long_queue_to_hand_over_does_not_hide_the_applications_to_receive() -> None:
    clerk = user("ta_window")  # also a clerk of 济南's window: both lists are theirs
    accounts.staff_role_grant(actor=None, user=clerk, role="window_clerk", department=dept("jn_approval"))
    with clock.frozen(MON):
        waiting = [crossflows.at_intake() for _ in range(4)]  # older than the one to receive
    with clock.frozen(TUE):
        arriving = crossflows.handed_over()
    Case.objects.filter(pk=arriving.pk).update(intake_department=dept("lx_approval"))  # another window sent it
    awaiting, received = _pks(handovers.handover_inbox(clerk, limit=1))
    assert awaiting == [c.pk for c in waiting[:2]]  # one shown, one more says "more"
    assert received == [arriving.pk]


def test_the_hand_over_is_one_signed_act_of_each_window() -> None:
    with clock.frozen(MON):
        case = crossflows.at_intake()
    assert case.status == CaseStatus.INTAKE_PENDING and case.received_on is None
    assert _pks(handovers.handover_inbox(user("ta_window"), limit=10)) == ([case.pk], [])
    with pytest.raises(PermissionDenied):
        services.case_accept(actor=user("ta_window"), case=case)
    with pytest.raises(PermissionDenied):  # the authority waits for the hand-over
        services.handover_send(actor=user("jn_window"), case=case)
    with clock.frozen(TUE):
        sent = services.handover_send(actor=user("ta_window"), case=case, mail_reference="SF1234567890")
    assert _pks(handovers.handover_inbox(user("jn_window"), limit=10)) == ([], [case.pk])
    assert _pks(handovers.handover_inbox(user("ta_window"), limit=10)) == ([], [])
    with clock.frozen(FRI):
        services.handover_receive(actor=user("jn_window"), case=case)
    view = handovers.handover_view(flows.reload(case))
    assert view is not None
    assert (view.intake_department, view.handling_department) == ("泰安市行政审批服务局", "济南市行政审批服务局")
    assert view.sent_by == "孔收" and view.received_by == "赵敏" and view.level == "sent"
    assert sorted(m["key"] for m in view.materials) == ["application", "layout"]
    assert all(len(m["sha256"]) == 64 for m in view.materials) and view.digest == sent.digest
    send, receive = (
        CaseEvent.objects.get(case=case, verb=verb) for verb in (CaseAction.HAND_OVER, CaseAction.RECEIVE_HANDOVER)
    )
    assert (send.ledger_entry_id, receive.ledger_entry_id) == (view.sent_entry_id, view.received_entry_id)
    for event in (send, receive):
        leaf = Entry.objects.get(pk=event.ledger_entry_id).leaf  # the signed leaf carries both
        assert view.digest in leaf and dept("ta_approval").credit_code in leaf


def test_the_intake_window_returns_an_incomplete_application_once() -> None:
    with clock.frozen(MON):
        case = crossflows.at_intake()
        services.case_supplement_request(actor=user("ta_window"), case=case, items=[{"material_key": "layout"}])
        assert flows.reload(case).status == CaseStatus.INTAKE_SUPPLEMENT
    with clock.frozen(FRI):
        services.case_material_upload(actor=user("zhangsan"), case=case, material_key="layout", upload=flows.pdf())
        services.case_supplement_answer(actor=user("zhangsan"), case=case)
        case = flows.reload(case)
        assert case.status == CaseStatus.INTAKE_PENDING
        view = handovers.handover_view(case)
        assert view is not None and (view.intake_on, view.due_on) == (FRI, D(2026, 3, 9))  # the term starts again


# --- the clock rules of 收受分离 (one test per rule) ------------------------------------------


def test_the_intake_window_hands_over_within_one_working_day() -> None:
    """Received on a Friday: due the Monday (the weekend is not counted), overdue the Tuesday."""
    with clock.frozen(FRI):
        case = crossflows.at_intake()
    levels = {}
    for day in (FRI, D(2026, 3, 8), D(2026, 3, 9), D(2026, 3, 10)):
        with clock.frozen(day):
            view = handovers.handover_view(case)
            assert view is not None and view.due_on == D(2026, 3, 9)
            levels[day.day] = view.level
    assert levels == {6: "normal", 8: "normal", 9: "warning", 10: "overdue"}


@override_settings(CROSS_REGION_HANDOVER_DAYS=2)
def test_the_hand_over_term_is_a_setting_and_skips_holidays() -> None:
    """Two working days from Friday 4/3 2026: 清明 4/4–4/6 is skipped, due Wednesday 4/8."""
    with clock.frozen(D(2026, 4, 3)):
        case = crossflows.at_intake()
    view = handovers.handover_view(case)
    assert view is not None and view.due_on == D(2026, 4, 8)


def test_the_acceptance_window_runs_from_the_authoritys_receipt() -> None:
    """Handed in Monday, received Friday: deemed accepted only after 5 working days from Friday."""
    with clock.frozen(MON):
        case = crossflows.at_intake()
        services.handover_send(actor=user("ta_window"), case=case)
    with clock.frozen(FRI):
        services.handover_receive(actor=user("jn_window"), case=case)
    assert flows.reload(case).received_on == FRI
    last_day = working_calendar().add_working_days(FRI, 5)
    assert last_day == D(2026, 3, 13)
    with clock.frozen(last_day):
        assert services.case_deem_accept(case=case) is False
    with clock.frozen(D(2026, 3, 16)):
        assert services.case_deem_accept(case=case) is True
    case = flows.reload(case)
    assert case.accepted_on == FRI and case.deemed_accepted  # on the day of receipt, not of intake


def test_the_transit_of_the_originals_counts_against_no_one() -> None:
    """Sent Friday, received the next Wednesday: the intake window's term stopped when it sent,
    the authority's window has not started, the legal clock neither."""
    with clock.frozen(FRI):
        case = crossflows.at_intake()
        services.handover_send(actor=user("ta_window"), case=case, mail_reference="EMS0001")
    with clock.frozen(D(2026, 3, 11)):
        view = handovers.handover_view(case)
        assert view is not None and view.level == "sent"
        case = flows.reload(case)
        assert case.received_on is None and case.due_date is None and not case.clock_events.exists()
        assert services.case_deem_accept(case=case) is False
        services.handover_receive(actor=user("jn_window"), case=case)
        receipt = selectors.receipt_of(flows.reload(case))
        assert receipt.received_on == D(2026, 3, 11) and "2026-03-18 前受理" in receipt.acceptance_note


def test_the_statutory_limit_starts_at_the_authoritys_acceptance() -> None:
    version = crossflows.proxy_version(statutory_limit_days=10, committed_limit_days=5)
    with clock.frozen(MON):
        case = crossflows.handed_over(version)
    with clock.frozen(FRI):
        services.handover_receive(actor=user("jn_window"), case=case)
    with clock.frozen(D(2026, 3, 9)):
        services.case_accept(actor=user("jn_window"), case=case)
    case = flows.reload(case)
    assert case.accepted_on == D(2026, 3, 9)
    assert case.due_date == working_calendar().add_working_days(D(2026, 3, 9), 10) == D(2026, 3, 23)


def test_a_result_collected_at_the_intake_window_is_handed_out_there() -> None:
    """The delivery counts as usual (the legal clock stopped at the decision); the 泰安 window
    records the hand-out, the 济南 window may not."""
    version = crossflows.proxy_version(instant=True)
    with clock.frozen(MON):
        case = crossflows.received(version, delivery_method="pickup")
        services.case_accept(actor=user("jn_window"), case=case)
    case = flows.reload(case)
    assert case.status == CaseStatus.DECIDED_APPROVED
    with clock.frozen(FRI):
        assert CaseAction.CONCLUDE not in case_actions_for(user("jn_window"), case)
        with pytest.raises(PermissionDenied):
            services.case_conclude(actor=user("jn_window"), case=case, reference="已领取")
        services.case_conclude(actor=user("ta_window"), case=case, reference="本人领取")
    assert flows.reload(case).status == CaseStatus.CONCLUDED


def test_both_windows_follow_the_case_but_only_the_authority_reviews() -> None:
    with clock.frozen(MON):
        case = crossflows.received(crossflows.proxy_version(process=decision_only_process()))
        services.case_accept(actor=user("jn_window"), case=case)
    ta = Client()
    ta.force_login(user("ta_window"))
    page = ta.get(f"/api/v1/cases/{case.number}", {"reason": "查看进度"})
    assert page.status_code == 200 and page.json()["status"] == "in_review"
    assert page.json()["actions"] == []
    task = Task.objects.get(case=case, kind="decision")
    assert ta.post(f"/api/v1/cases/tasks/{task.pk}/claim").status_code in (403, 404)
    assert Case.objects.filter(pk=case.pk).exists()


# --- 多地联办 ---------------------------------------------------------------------------------


def test_a_two_region_process_is_handled_stage_by_stage_in_each_region() -> None:
    """多地联办: 济南 reviews, 泰安 decides. The engine gives each stage's task to its region's
    department; its staff see the case through their task; the pages name the department."""
    approver = accounts.staff_create(
        actor=None, username="ta_approver", password="Yiwang-demo-2026", display_name="泰审"
    )
    accounts.staff_role_grant(actor=None, user=approver, role="approver", department=dept("ta_approval"))
    process = {
        "case_kind": "committed",
        "stages": [
            stage("review", "审查", [task("review", "材料审查", "jn_approval", "reviewer", 3)], limit=3),
            stage("decide", "决定", [task("decide", "审批决定", "ta_approval", "approver", 2)], limit=2, decides=True),
        ],
    }
    version = ImplementationVersionFactory(
        process=process, cross_region_scope="province", cross_region_modes=["joint"], committed_limit_days=5
    )
    with clock.frozen(MON):
        case = flows.accepted(version)
        assert case not in Case.objects.filter(staff_case_filter(approver))  # no task of theirs yet
        flows.review_done(case)
        decision = Task.objects.get(case=case, kind="decision")
        assert case in Case.objects.filter(staff_case_filter(approver))
        assert decision.department.region.name == "泰安市"
        services.task_claim(actor=approver, task=decision)
        services.case_decide(actor=approver, case=case, outcome="approve", opinion="同意")
    assert flows.reload(case).status in (CaseStatus.DECIDED_APPROVED, CaseStatus.CONCLUDED)
    client = Client()
    client.force_login(user("zhangsan"))
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "泰安市行政审批服务局 · 审批决定" in page  # the stage handled in another region names its department
