"""受理: accept, refuse, 一次性告知补正, and the 5-working-day deemed acceptance."""

import datetime as dt

import pytest

from yiwang.cases import selectors, services
from yiwang.cases.models import CaseEvent, ClockEvent, SupplementRequest
from yiwang.cases.tasks import deemed_acceptance_sweep
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.cases.workflow import CaseStatus
from yiwang.core.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db

D = dt.date


def test_refusal_needs_reason_and_legal_basis_and_shows_them_with_remedies(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version)
        with pytest.raises(ValidationFailed) as info:
            services.case_refuse(actor=user("jn_window"), case=case, reason="", legal_basis=" ")
        assert set(info.value.errors) == {"reason", "legal_basis"}
        services.case_refuse(
            actor=user("jn_window"),
            case=case,
            reason="申请事项不属于本机关职权范围",
            legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        )
    detail = selectors.case_detail_for(user("zhangsan"), case.number or "")
    assert detail.case.status == CaseStatus.REFUSED
    assert detail.outcome is not None
    assert detail.outcome.title == "不予受理"
    assert detail.outcome.opinion == "申请事项不属于本机关职权范围"
    assert "第三十二条" in detail.outcome.basis
    assert any("60 日内" in r and "行政复议" in r for r in detail.outcome.remedies)
    assert any("6 个月内" in r and "行政诉讼" in r for r in detail.outcome.remedies)
    assert detail.timeline[-1].reason == "申请事项不属于本机关职权范围"


def test_supplement_before_acceptance_is_one_complete_list_told_once(world: None) -> None:
    version = ImplementationVersionFactory()
    clerk = user("jn_window")
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, materials=("application", "layout"))
        with pytest.raises(ValidationFailed) as info:
            services.case_supplement_request(actor=clerk, case=case, items=[{"material_key": "business_license"}])
        assert "不得要求申请人重复提交" in info.value.errors["items.0.material_key"][0]
        supplement = services.case_supplement_request(
            actor=clerk,
            case=case,
            items=[
                {"material_key": "layout", "note": "平面图须标明尺寸"},
                {"name": "法定代表人签字", "note": "申请书第 2 页"},
            ],
            message="请一并补正。",
        )
    case = flows.reload(case)
    assert case.status == CaseStatus.SUPPLEMENT_REQUESTED
    assert [i["name"] for i in supplement.items] == ["设备布局和工艺流程图", "法定代表人签字"]
    assert not ClockEvent.objects.filter(case=case).exists()  # the clock has not started
    with flows.on(D(2026, 3, 5)):
        with pytest.raises(ValidationFailed) as info:
            services.case_supplement_answer(actor=user("zhangsan"), case=case)
        assert set(info.value.errors) == {"materials.layout", "note"}
        services.case_material_upload(
            actor=user("zhangsan"), case=case, material_key="layout", upload=flows.pdf("layout-v2.pdf")
        )
        case = services.case_supplement_answer(actor=user("zhangsan"), case=case, note="已签字")
    assert case.status == CaseStatus.SUBMITTED
    assert case.received_on == D(2026, 3, 5)  # the complete application arrives today
    with flows.on(D(2026, 3, 6)), pytest.raises(Conflict) as info2:
        services.case_supplement_request(actor=clerk, case=case, items=[{"name": "其他"}])
    assert "一次性告知" in info2.value.message


def test_supplement_after_acceptance_pauses_the_clock_and_moves_the_due_date(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
    assert case.due_date == D(2026, 3, 30)
    review_due = flows.open_task(case, "review").due_date
    with flows.on(D(2026, 3, 5)):
        services.case_supplement_request(actor=user("jn_reviewer"), case=case, items=[{"material_key": "layout"}])
    case = flows.reload(case)
    assert case.status == CaseStatus.SUPPLEMENT_PENDING and case.due_date is None
    with flows.on(D(2026, 3, 10)):
        paused = selectors.case_detail_for(user("zhangsan"), case.number or "").clock
        assert paused.statutory.state == "paused" and paused.statutory.used_days == 3
        assert "补正材料自 2026-03-05 起暂停计时" in paused.explanation
    with flows.on(D(2026, 3, 12)):
        services.case_material_upload(actor=user("zhangsan"), case=case, material_key="layout", upload=flows.pdf())
        case = services.case_supplement_answer(actor=user("zhangsan"), case=case)
    assert case.status == CaseStatus.IN_REVIEW
    # Paused from 3/5 to 3/12: 5 working days not counted, so the deadline moves by 5 working days.
    assert case.due_date == D(2026, 4, 7)
    task = flows.open_task(case, "review")
    assert task.due_date is not None and review_due is not None and task.due_date > review_due
    assert (
        "补正材料 2026-03-05 至 2026-03-12 暂停计时（5 个工作日不计入）"
        in selectors.case_detail_for(user("zhangsan"), case.number or "").clock.explanation
    )


def test_supplement_upload_must_be_for_a_requested_material(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
        services.case_supplement_request(actor=user("jn_window"), case=case, items=[{"material_key": "layout"}])
        with pytest.raises(ValidationFailed) as info:
            services.case_material_upload(actor=user("zhangsan"), case=case, material_key="rules", upload=flows.pdf())
    assert info.value.errors["material_key"] == ["材料“食品安全管理制度”不在本次补正清单中，无需上传"]


def test_deemed_acceptance_after_five_working_days(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):  # Monday
        case = flows.submit(version)
    with flows.on(D(2026, 3, 9)):  # the 5th working day: the window may still act
        assert deemed_acceptance_sweep.call() == 0
        assert selectors.case_detail_for(user("zhangsan"), case.number or "").clock.statutory.state == "not_started"
    with flows.on(D(2026, 3, 10)):
        # Before the job runs, the derivation already shows the law's acceptance.
        view = selectors.case_detail_for(user("zhangsan"), case.number or "").clock
        assert view.statutory.started_on == D(2026, 3, 2) and view.statutory.deemed
        assert view.due_date == D(2026, 3, 30)
        assert view.explanation.startswith("2026-03-02 收到申请，5 个工作日内未受理也未告知补正，依法视为当日受理")
        with pytest.raises(Conflict):
            services.case_refuse(actor=user("jn_window"), case=case, reason="x", legal_basis="y")
        with pytest.raises(Conflict):
            services.case_supplement_request(actor=user("jn_window"), case=case, items=[{"name": "x"}])
        assert deemed_acceptance_sweep.call() == 1
        assert deemed_acceptance_sweep.call() == 0  # idempotent
    case = flows.reload(case)
    assert case.status == CaseStatus.IN_REVIEW and case.deemed_accepted
    assert case.accepted_on == D(2026, 3, 2) and case.due_date == D(2026, 3, 30)
    start = ClockEvent.objects.get(case=case, task__isnull=True, kind="start")
    assert start.on == D(2026, 3, 2) and start.cause == "deemed_acceptance"
    assert flows.open_task(case, "review") is not None


def test_clerk_accepting_after_the_window_records_the_deemed_date(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version)
    with flows.on(D(2026, 3, 12)):
        case = services.case_accept(actor=user("jn_window"), case=case)
    assert case.accepted_on == D(2026, 3, 2) and case.deemed_accepted
    assert CaseEvent.objects.filter(case=case, verb="accept", actor=user("jn_window")).exists()


def test_supplement_request_before_acceptance_stops_the_deemed_acceptance(world: None) -> None:
    version = ImplementationVersionFactory()
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version)
    with flows.on(D(2026, 3, 6)):
        services.case_supplement_request(actor=user("jn_window"), case=case, items=[{"material_key": "layout"}])
    with flows.on(D(2026, 3, 20)):
        assert deemed_acceptance_sweep.call() == 0
        assert selectors.case_detail_for(user("zhangsan"), case.number or "").clock.statutory.state == "not_started"
    assert SupplementRequest.objects.filter(case=case).count() == 1
