"""The permission matrix: every (persona × action) through the API, from one table.

For each action a case is brought to the state the action needs; every persona then tries
it through the API. Those the table allows are offered the action (the `actions` of the
case detail the portal and workbench draw their buttons from, or the task's actions) and
the first of them succeeds; everyone else is refused — 404 when the case is not theirs to
see, 403 when it is — with nothing changed and no button shown. The API, the pages and the
services all ask `yiwang.cases.policy`, so this table is the policy's specification.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client

from yiwang.accounts.models import Role, User
from yiwang.accounts.services import staff_create, staff_role_grant
from yiwang.cases import policy, services
from yiwang.cases.models import Case, Task
from yiwang.cases.tests import crossflows, flows
from yiwang.cases.tests.factories import (
    ImplementationVersionFactory,
    committed_process,
    decision_only_process,
    dept,
    parallel_process,
    user,
)
from yiwang.cases.workflow import CaseAction, TaskAction
from yiwang.core import clock

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
BASE = "/api/v1/cases"
PERSONAS = {
    "owner": "zhangsan",
    "stranger": "lisi",
    "window_clerk": "jn_window",
    "reviewer": "jn_reviewer",
    "approver": "jn_approver",
    "head": "jn_head",
    "dual": "dual_post",  # reviewer and approver of the same department (一审一核)
    "supervisor": "jn_supervisor",
    "auditor": "auditor_han",
    "catalog_admin": "jn_catalog",
    "data_steward": "jn_data_steward",
    "expert": "expert_shen",
    "fire_reviewer": "jn_fire_rev",
    "planning_reviewer": "jn_planning_rev",
    "other_region_clerk": "ta_window",
}
# Who sees a case of 济南市行政审批服务局 (the factories' department) once it is submitted.
SEES_CASE = {"owner", "window_clerk", "reviewer", "approver", "head", "dual", "supervisor", "auditor"}


@dataclass
class Row:
    """One action: how to bring a case to it, the API call, and who may take it."""

    build: Callable[[], Case]
    call: Callable[[Client, Case], Any]
    allowed: set[str]
    sees: set[str] = field(default_factory=lambda: set(SEES_CASE))
    offered: Callable[[User, Case], bool] | None = None  # how an interface learns it is allowed
    action: CaseAction | None = None
    held_by_another: set[str] = field(default_factory=set)  # hold the post, but a colleague holds the task: 409


def _version(**kw: Any) -> Any:
    return ImplementationVersionFactory(**kw)


def _submitted() -> Case:
    return flows.submit(_version())


def _in_review() -> Case:
    return flows.accepted(_version())


def _at_decision() -> Case:
    return flows.accepted(_version(process=decision_only_process()))


def _reviewed_by_dual(*, separation: bool = True) -> Case:
    process = committed_process()
    process["separation_of_duties"] = separation
    case = flows.accepted(_version(process=process))
    task = flows.open_task(case, "review")
    services.task_complete(actor=user("dual_post"), task=task, outcome="approve", opinion="符合条件")
    return case


def _parallel_claimed_by_fire() -> Case:
    case = flows.accepted(_version(process=parallel_process(), statutory_limit_days=45))
    services.task_claim(actor=user("jn_fire_rev"), task=flows.open_task(case, "fire"))
    return case


def _supplement(*, accepted: bool, item: dict[str, Any]) -> Case:
    case = _in_review() if accepted else _submitted()
    services.case_supplement_request(actor=user("jn_window"), case=case, items=[item])
    return case


def _suspended() -> Case:
    case = _in_review()
    return services.case_suspend(
        actor=user("jn_reviewer"), case=case, procedure="testing", reason="送检", expected_days=5
    )


def _decided_pickup() -> Case:
    case = flows.submit(_version(instant=True), delivery_method="pickup")
    return services.case_accept(actor=user("jn_window"), case=case)


def _under_inspection() -> Case:
    case = flows.submit(_version(commitment=True), commitment=True)
    return flows.reload(case)


def _draft() -> Case:
    return flows.draft(_version())


def _decided_pickup_at_intake() -> Case:
    """异地代收代办, collected at the 泰安 window: handed over, received, accepted (即办件)."""
    case = crossflows.received(crossflows.proxy_version(instant=True), delivery_method="pickup")
    return services.case_accept(actor=user("jn_window"), case=case)


def _submit_elsewhere(client: Client, case: Case) -> Any:
    body = {"draft_ref": str(case.ref), "intake_department_credit_code": dept("ta_approval").credit_code}
    return client.post(f"{BASE}/submit", body, "application/json", HTTP_IDEMPOTENCY_KEY="matrix")


def _post(path: str, body: dict[str, Any] | None = None) -> Callable[[Client, Case], Any]:
    def call(client: Client, case: Case) -> Any:
        return client.post(f"{BASE}/{case.number}{path}", body or {}, content_type="application/json")

    return call


def _task(case: Case, key: str) -> Task:
    """The case's task of that key (a process task) or kind (the 核查 task has no key)."""
    return Task.objects.select_related("department").get(Q(key=key) | Q(kind=key), case=case)


def _task_call(key: str, verb: str, body: dict[str, Any] | None = None) -> Callable[[Client, Case], Any]:
    def call(client: Client, case: Case) -> Any:
        task = _task(case, key)
        return client.post(f"{BASE}/tasks/{task.pk}/{verb}", body or {}, content_type="application/json")

    return call


def _task_offered(key: str, action: TaskAction) -> Callable[[User, Case], bool]:
    def offered(actor: User, case: Case) -> bool:
        task = _task(case, key)
        return action in policy.task_actions_for(actor, task, case)

    return offered


def _upload(client: Client, case: Case) -> Any:
    return client.post(f"{BASE}/{case.number}/materials", {"material_key": "layout", "file": flows.pdf("平面图.pdf")})


def _save_draft(client: Client, case: Case) -> Any:
    return client.put(f"{BASE}/drafts/{case.ref}", {"form_data": {"shop_name": "泉城小馆"}}, "application/json")


def _submit(client: Client, case: Case) -> Any:
    return client.post(
        f"{BASE}/submit", {"draft_ref": str(case.ref)}, "application/json", HTTP_IDEMPOTENCY_KEY="matrix"
    )


HANDLERS = {"window_clerk", "reviewer", "approver", "dual"}
# A case handed in at the 泰安 window (异地代收代办) is seen by that window's clerks too.
SEES_INTAKE = SEES_CASE | {"other_region_clerk"}
FREE_TEXT = {"name": "经营场所面积说明"}
A = CaseAction
ROWS: dict[str, Row] = {
    "save_draft": Row(_draft, _save_draft, {"owner"}, sees={"owner"}, action=A.SAVE_DRAFT),
    "submit": Row(_draft, _submit, {"owner"}, sees={"owner"}, action=A.SUBMIT),
    "upload_material": Row(
        lambda: _supplement(accepted=False, item={"material_key": "layout"}),
        _upload,
        {"owner"},
        action=A.UPLOAD_MATERIAL,
    ),
    "withdraw": Row(_submitted, _post("/withdraw"), {"owner"}, action=A.WITHDRAW),
    "answer_supplement": Row(
        lambda: _supplement(accepted=True, item=FREE_TEXT),
        _post("/supplement-answer", {"note": "面积为 80 平方米"}),
        {"owner"},
        action=A.ANSWER_SUPPLEMENT,
    ),
    "accept": Row(_submitted, _post("/accept"), {"window_clerk"}, action=A.ACCEPT),
    "refuse": Row(
        _submitted,
        _post("/refuse", {"reason": "不属于本机关职权", "legal_basis": "行政许可法第三十二条"}),
        {"window_clerk"},
        action=A.REFUSE,
    ),
    "request_supplement_before_acceptance": Row(
        _submitted, _post("/supplement-request", {"items": [FREE_TEXT]}), {"window_clerk"}, action=A.REQUEST_SUPPLEMENT
    ),
    "request_supplement_after_acceptance": Row(
        _in_review, _post("/supplement-request", {"items": [FREE_TEXT]}), HANDLERS, action=A.REQUEST_SUPPLEMENT
    ),
    # A parallel reviewer of another department who holds a task of the case may ask too.
    "request_supplement_by_a_task_holder": Row(
        _parallel_claimed_by_fire,
        _post("/supplement-request", {"items": [FREE_TEXT]}),
        HANDLERS | {"fire_reviewer"},
        sees=SEES_CASE | {"fire_reviewer", "planning_reviewer"},
        action=A.REQUEST_SUPPLEMENT,
    ),
    "claim_task": Row(
        _in_review,
        _task_call("review", "claim"),
        {"reviewer", "dual"},
        offered=_task_offered("review", TaskAction.CLAIM),
    ),
    "release_task": Row(
        lambda: _claimed(_in_review(), "review", "jn_reviewer"),
        _task_call("review", "release"),
        {"reviewer"},
        offered=_task_offered("review", TaskAction.RELEASE),
        held_by_another={"dual"},
    ),
    "work_task": Row(
        _in_review,
        _task_call("review", "complete", {"outcome": "approve", "opinion": "符合条件"}),
        {"reviewer", "dual"},
        action=A.WORK_TASK,
    ),
    "suspend": Row(
        _in_review,
        _post("/suspend", {"procedure": "testing", "reason": "送检", "expected_days": 5}),
        {"reviewer", "approver", "dual"},
        action=A.SUSPEND,
    ),
    "resume": Row(
        _suspended, _post("/resume", {"note": "检验完成"}), {"reviewer", "approver", "dual"}, action=A.RESUME
    ),
    "extend": Row(_in_review, _post("/extend", {"reason": "情况复杂"}), {"head"}, action=A.EXTEND),
    "approve": Row(
        _at_decision,
        _post("/decide", {"outcome": "approve", "opinion": "同意"}),
        {"approver", "dual"},
        action=A.APPROVE,
    ),
    "deny": Row(
        _at_decision,
        _post("/decide", {"outcome": "deny", "opinion": "不符合条件"}),
        {"approver", "dual"},
        action=A.DENY,
    ),
    # 一审一核: who completed the review may not decide, though they hold the approver post.
    "approve_after_own_review": Row(
        _reviewed_by_dual, _post("/decide", {"outcome": "approve", "opinion": "同意"}), {"approver"}, action=A.APPROVE
    ),
    "approve_after_own_review_where_the_process_allows_it": Row(
        lambda: _reviewed_by_dual(separation=False),
        _post("/decide", {"outcome": "approve", "opinion": "同意"}),
        {"approver", "dual"},
        action=A.APPROVE,
    ),
    "conclude": Row(_decided_pickup, _post("/conclude", {"reference": "已领取"}), {"window_clerk"}, action=A.CONCLUDE),
    # 异地代收代办: the 泰安 window checks and hands over, the 济南 window receives; the
    # result collected at 泰安 is handed out there.
    "submit_elsewhere": Row(
        lambda: flows.draft(crossflows.proxy_version()),
        _submit_elsewhere,
        {"owner"},
        sees={"owner"},
        action=A.SUBMIT_ELSEWHERE,
    ),
    "hand_over": Row(
        crossflows.at_intake,
        _post("/hand-over", {"mail_reference": "SF1234567890"}),
        {"other_region_clerk"},
        sees=SEES_INTAKE,
        action=A.HAND_OVER,
    ),
    "request_supplement_at_intake": Row(
        crossflows.at_intake,
        _post("/supplement-request", {"items": [FREE_TEXT]}),
        {"other_region_clerk"},
        sees=SEES_INTAKE,
        action=A.REQUEST_SUPPLEMENT,
    ),
    "receive_handover": Row(
        crossflows.handed_over,
        _post("/handover-receive"),
        {"window_clerk"},
        sees=SEES_INTAKE,
        action=A.RECEIVE_HANDOVER,
    ),
    "accept_after_handover": Row(
        crossflows.received, _post("/accept"), {"window_clerk"}, sees=SEES_INTAKE, action=A.ACCEPT
    ),
    "conclude_at_intake": Row(
        _decided_pickup_at_intake,
        _post("/conclude", {"reference": "已领取"}),
        {"other_region_clerk"},
        sees=SEES_INTAKE,
        action=A.CONCLUDE,
    ),
    "check_commitment": Row(
        _under_inspection,
        _task_call("inspection", "complete", {"outcome": "pass", "opinion": "现场核查属实"}),
        {"reviewer", "dual"},
        action=A.CHECK_COMMITMENT,
    ),
    "revoke": Row(
        _under_inspection,
        _task_call("inspection", "complete", {"outcome": "fail", "opinion": "承诺不实"}),
        {"reviewer", "dual"},
        action=A.REVOKE,
    ),
}


def _claimed(case: Case, key: str, username: str) -> Case:
    services.task_claim(actor=user(username), task=flows.open_task(case, key))
    return case


@pytest.fixture
def personas(world: None) -> dict[str, Client]:
    # ta_window: the demo's 泰安市行政审批服务局 window clerk
    dual = staff_create(actor=None, username="dual_post", password="Yiwang-demo-2026", display_name="一人两岗")
    for role in (Role.REVIEWER, Role.APPROVER):
        staff_role_grant(actor=None, user=dual, role=role, department=dept("jn_approval"))
    clients = {}
    for persona, username in PERSONAS.items():
        clients[persona] = Client()
        clients[persona].force_login(User.objects.get(username=username))
    return clients


def _offered(row: Row, persona: str, case: Case) -> bool:
    actor = User.objects.get(username=PERSONAS[persona])
    if row.offered is not None:
        return row.offered(actor, case)
    assert row.action is not None
    return row.action in policy.case_actions_for(actor, flows.reload(case))


def _fingerprint(case: Case) -> tuple[Any, ...]:
    fresh = flows.reload(case)
    tasks = tuple(Task.objects.filter(case=case).order_by("pk").values_list("status", "assignee_id"))
    return fresh.status, fresh.updated_at, tasks, fresh.events.count()


@pytest.mark.parametrize("name", list(ROWS))
def test_permission_matrix(personas: dict[str, Client], name: str) -> None:
    row = ROWS[name]
    assert row.allowed <= set(PERSONAS) and row.allowed <= row.sees
    with clock.frozen(DAY):
        case = row.build()
        before = _fingerprint(case)
        for persona in sorted(set(PERSONAS) - row.allowed):
            response = row.call(personas[persona], case)
            expected = 409 if persona in row.held_by_another else 403 if persona in row.sees else 404
            assert response.status_code == expected, (persona, response.content.decode()[:300])
            assert response["Content-Type"] == "application/problem+json"
            assert not _offered(row, persona, case), persona
            assert _fingerprint(case) == before, persona  # nothing changed
        for persona in sorted(row.allowed):
            assert _offered(row, persona, case), persona
        first = sorted(row.allowed)[0]
        response = row.call(personas[first], case)
        assert response.status_code in (200, 201), (first, response.content.decode()[:300])


def test_the_matrix_covers_every_action() -> None:
    covered = {row.action for row in ROWS.values() if row.action is not None}
    system_only = {a for a, scope in policy.ACTION_SCOPES.items() if scope == "system"}
    assert covered | system_only == set(CaseAction)
    assert system_only == {CaseAction.DEEM_ACCEPT}
    assert set(policy.ACTION_SCOPES) == set(CaseAction)


def test_only_the_system_deems_acceptance(personas: dict[str, Client]) -> None:
    with clock.frozen(DAY):
        case = _submitted()
    for username in PERSONAS.values():
        assert CaseAction.DEEM_ACCEPT not in policy.case_actions_for(User.objects.get(username=username), case)


@pytest.mark.parametrize("persona", ["catalog_admin", "data_steward", "expert", "stranger", "other_region_clerk"])
def test_roles_without_a_need_do_not_see_cases(personas: dict[str, Client], persona: str) -> None:
    """Least privilege: a catalog administrator, a data steward or an expert of the department
    opens none of its cases (ID numbers and materials) — not in lists, not by number."""
    with clock.frozen(DAY):
        case = _in_review()
    client = personas[persona]
    assert client.get(f"{BASE}/{case.number}", {"reason": "查看"}).status_code == 404
    listing = client.get(BASE)
    assert listing.status_code == 200 and case.number not in listing.content.decode()
