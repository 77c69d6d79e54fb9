"""Every (state, action) pair of the case table, driven through the real services.

For each of the 12 states a fresh case is brought into it by services; then the service
behind the action is called by an actor who is allowed to take it, so only the state
decides: an allowed pair must land in the table's target state, a forbidden one must raise
Conflict and change nothing. Pairs whose object does not exist in a state (a task before
acceptance, a 核查 task outside 告知承诺) are covered by the pure table walk in
test_workflow.py and skipped here.
"""

import datetime as dt
import itertools
from collections.abc import Callable

import pytest

from yiwang.cases import services
from yiwang.cases.models import Case, Task
from yiwang.cases.tests import crossflows, flows
from yiwang.cases.tests.factories import (
    COMMITMENT_TEXT,
    GOOD_DATA,
    ImplementationVersionFactory,
    decision_only_process,
    dept,
    user,
)
from yiwang.cases.workflow import CASE_TRANSITIONS, INTAKE_STATES, CaseAction, CaseStatus
from yiwang.core import clock
from yiwang.core.errors import Conflict

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
LATER = dt.date(2026, 3, 16)  # past the 5-working-day acceptance window
S, A = CaseStatus, CaseAction


def _version():  # type: ignore[no-untyped-def]
    return ImplementationVersionFactory(
        process=decision_only_process(commitment_allowed=True, commitment_text=COMMITMENT_TEXT), **crossflows.PROXY
    )


def _submitted(version) -> Case:  # type: ignore[no-untyped-def]
    return flows.submit(version, delivery_method="pickup")


def _in_review(version) -> Case:  # type: ignore[no-untyped-def]
    return services.case_accept(actor=user("jn_window"), case=_submitted(version))


def _approved(version) -> Case:  # type: ignore[no-untyped-def]
    return flows.submit(version, commitment=True, delivery_method="pickup")


def _inspection(case: Case) -> Task:
    return Task.objects.get(case=case, kind="inspection")


BUILD: dict[CaseStatus, Callable[..., Case]] = {
    S.DRAFT: lambda v: flows.draft(v),
    S.SUBMITTED: _submitted,
    S.SUPPLEMENT_REQUESTED: lambda v: (
        services.case_supplement_request(
            actor=user("jn_window"), case=_submitted(v), items=[{"material_key": "layout"}]
        ).case
    ),
    S.IN_REVIEW: _in_review,
    S.INTAKE_PENDING: crossflows.at_intake,
    S.INTAKE_SUPPLEMENT: lambda v: (
        services.case_supplement_request(
            actor=user("ta_window"), case=crossflows.at_intake(v), items=[{"material_key": "layout"}]
        ).case
    ),
    S.HANDED_OVER: crossflows.handed_over,
    S.SUPPLEMENT_PENDING: lambda v: (
        services.case_supplement_request(
            actor=user("jn_window"), case=_in_review(v), items=[{"material_key": "layout"}]
        ).case
    ),
    S.SUSPENDED: lambda v: services.case_suspend(
        actor=user("jn_reviewer"), case=_in_review(v), procedure="testing", reason="送检", expected_days=5
    ),
    S.DECIDED_APPROVED: _approved,
    S.DECIDED_DENIED: lambda v: services.case_decide(
        actor=user("jn_approver"), case=_in_review(v), outcome="deny", opinion="不符合条件"
    ),
    S.CONCLUDED: lambda v: services.case_conclude(actor=user("jn_window"), case=_approved(v), reference="已领取"),
    S.REFUSED: lambda v: services.case_refuse(
        actor=user("jn_window"), case=_submitted(v), reason="不属于本机关职权", legal_basis="行政许可法第三十二条"
    ),
    S.WITHDRAWN: lambda v: services.case_withdraw(actor=user("zhangsan"), case=_submitted(v)),
    S.REVOKED: lambda v: (
        services.task_complete(
            actor=user("jn_reviewer"), task=_inspection(_approved(v)), outcome="fail", opinion="承诺不实"
        ).case
    ),
}


def _answer(case: Case) -> object:
    if case.status in (S.SUPPLEMENT_REQUESTED, S.SUPPLEMENT_PENDING, S.INTAKE_SUPPLEMENT):
        services.case_material_upload(actor=user("zhangsan"), case=case, material_key="layout", upload=flows.pdf())
    return services.case_supplement_answer(actor=user("zhangsan"), case=case)


def _task(case: Case, kind: str) -> Task:
    task = Task.objects.filter(case=case, kind=kind).first()
    if task is None:
        pytest.skip(f"no {kind} task in this state: covered by the table walk")
    return task


CALL: dict[CaseAction, Callable[[Case], object]] = {
    A.SAVE_DRAFT: lambda c: services.case_draft_save(actor=user("zhangsan"), draft=c, form_data=GOOD_DATA),
    A.UPLOAD_MATERIAL: lambda c: services.case_material_upload(
        actor=user("zhangsan"), case=c, material_key="layout", upload=flows.pdf()
    ),
    A.SUBMIT: lambda c: services.case_submit(actor=user("zhangsan"), draft=c, idempotency_key=f"walk-{c.pk}"),
    A.WITHDRAW: lambda c: services.case_withdraw(actor=user("zhangsan"), case=c),
    A.ACCEPT: lambda c: services.case_accept(actor=user("jn_window"), case=c),
    A.DEEM_ACCEPT: lambda c: services.case_deem_accept(case=c),
    A.REFUSE: lambda c: services.case_refuse(actor=user("jn_window"), case=c, reason="理由", legal_basis="依据"),
    A.REQUEST_SUPPLEMENT: lambda c: services.case_supplement_request(
        actor=user("ta_window" if c.status in INTAKE_STATES else "jn_window"),
        case=c,
        items=[{"material_key": "layout"}],
    ),
    A.ANSWER_SUPPLEMENT: _answer,
    A.WORK_TASK: lambda c: services.task_claim(actor=user("jn_approver"), task=_task(c, "decision")),
    A.SUSPEND: lambda c: services.case_suspend(
        actor=user("jn_reviewer"), case=c, procedure="hearing", reason="听证", expected_days=5
    ),
    A.RESUME: lambda c: services.case_resume(actor=user("jn_reviewer"), case=c),
    A.EXTEND: lambda c: services.case_extend(actor=user("jn_head"), case=c, reason="情况复杂"),
    A.APPROVE: lambda c: services.case_decide(actor=user("jn_approver"), case=c, outcome="approve", opinion="同意"),
    A.DENY: lambda c: services.case_decide(actor=user("jn_approver"), case=c, outcome="deny", opinion="不符合"),
    A.CONCLUDE: lambda c: services.case_conclude(actor=user("jn_window"), case=c, reference="已领取"),
    A.SUBMIT_ELSEWHERE: lambda c: services.case_submit(
        actor=user("zhangsan"), draft=c, idempotency_key=f"walk-{c.pk}", intake_department=dept("ta_approval")
    ),
    A.HAND_OVER: lambda c: services.handover_send(actor=user("ta_window"), case=c),
    A.RECEIVE_HANDOVER: lambda c: services.handover_receive(actor=user("jn_window"), case=c),
    A.CHECK_COMMITMENT: lambda c: services.task_complete(
        actor=user("jn_reviewer"), task=_task(c, "inspection"), outcome="pass", opinion=""
    ),
    A.REVOKE: lambda c: services.task_complete(
        actor=user("jn_reviewer"), task=_task(c, "inspection"), outcome="fail", opinion="承诺不实"
    ),
}

PAIRS = list(itertools.product(CaseStatus, CaseAction))


def test_every_state_has_a_builder_and_every_action_a_service() -> None:
    assert set(BUILD) == set(CaseStatus) and set(CALL) == set(CaseAction)


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s.value}-{a.value}" for s, a in PAIRS])
def test_services_obey_the_table(world: None, state: CaseStatus, action: CaseAction) -> None:
    with clock.frozen(DAY):
        case = BUILD[state](_version())
    case = Case.objects.get(pk=case.pk)
    assert case.status == state
    target = CASE_TRANSITIONS.get((state, action))
    with clock.frozen(LATER if action == A.DEEM_ACCEPT else DAY):
        if action == A.DEEM_ACCEPT and target is None:
            assert services.case_deem_accept(case=case) is False  # the system job skips, never fails
        elif target is None:
            with pytest.raises(Conflict):
                CALL[action](case)
        else:
            CALL[action](case)
    after = Case.objects.get(pk=case.pk).status
    assert after == (target if target is not None else state)
