"""The task and stage tables, walked through the real services (rule 4).

Tasks: for each kind, every state a task of that kind can reach is built by services, then
every action that has a service (claim, release, complete, decide) is taken by the holder of
the task's post: an allowed pair lands in the table's state, a forbidden one raises Conflict
and changes nothing. Cancelling has no service of its own (a withdrawal, a sibling's
rejection or the decision cancels tasks); the table walk in test_workflow.py covers its
pairs and the tests below show each of those services cancelling.

Stages: no interface moves a stage; the engine does, as the services' side effect, through
`stage_transition` / `stages_transition`. Every (state, action) pair is walked through both
on stages brought into that state by services, and one process shows each allowed pair
happening in the service that causes it.
"""

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from django.db import transaction

from yiwang.cases import services
from yiwang.cases.models import Case, Stage, Task
from yiwang.cases.services import _engine as engine
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import (
    COMMITMENT_TEXT,
    ImplementationVersionFactory,
    decision_only_process,
    parallel_process,
    stage,
    task,
    user,
)
from yiwang.cases.workflow import (
    KIND_ACTIONS,
    STAGE_TRANSITIONS,
    TASK_TRANSITIONS,
    StageAction,
    StageStatus,
    TaskAction,
    TaskKind,
    TaskStatus,
)
from yiwang.core.errors import Conflict

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
T, TA, K = TaskStatus, TaskAction, TaskKind
HOLDER = {K.REVIEW: "jn_planning_rev", K.DECISION: "jn_approver", K.INSPECTION: "jn_reviewer"}


def _review_case() -> Case:
    """并联审查 joined by "any": one approval cancels the other departments' tasks."""
    return flows.accepted(ImplementationVersionFactory(process=parallel_process("any"), statutory_limit_days=45))


def _decision_case() -> Case:
    return flows.accepted(ImplementationVersionFactory(process=decision_only_process()))


def _commitment_case() -> Case:
    version = ImplementationVersionFactory(
        process=decision_only_process(commitment_allowed=True, commitment_text=COMMITMENT_TEXT)
    )
    return flows.submit(version, commitment=True, delivery_method="pickup")


MAKE: dict[TaskKind, Callable[[], Case]] = {
    K.REVIEW: _review_case,
    K.DECISION: _decision_case,
    K.INSPECTION: _commitment_case,
}
KEY = {K.REVIEW: "planning", K.DECISION: "decide", K.INSPECTION: "commitment_check"}


def _claim(kind: TaskKind) -> Callable[[Case], object]:
    return lambda c: services.task_claim(actor=user(HOLDER[kind]), task=flows.open_task(c, KEY[kind]))


def _complete(kind: TaskKind, outcome: str, *, key: str = "", holder: str = "") -> Callable[[Case], object]:
    return lambda c: services.task_complete(
        actor=user(holder or HOLDER[kind]),
        task=flows.open_task(c, key or KEY[kind]),
        outcome=outcome,  # type: ignore[arg-type]
        opinion="理由",
    )


def _nothing(case: Case) -> None:
    return None


# (kind, state) → what brings the task of that kind (KEY) into that state after MAKE.
BUILD: dict[tuple[TaskKind, TaskStatus], Callable[[Case], object]] = {
    (K.REVIEW, T.OPEN): _nothing,
    (K.REVIEW, T.CLAIMED): _claim(K.REVIEW),
    (K.REVIEW, T.APPROVED): _complete(K.REVIEW, "approve"),
    (K.REVIEW, T.REJECTED): _complete(K.REVIEW, "reject"),
    # Another department's approval ends the "any" stage and cancels this task.
    (K.REVIEW, T.CANCELLED): lambda c: services.task_complete(
        actor=user("jn_fire_rev"), task=flows.open_task(c, "fire"), outcome="approve", opinion=""
    ),
    (K.DECISION, T.OPEN): _nothing,
    (K.DECISION, T.CLAIMED): _claim(K.DECISION),
    (K.DECISION, T.DECIDED): lambda c: services.case_decide(
        actor=user("jn_approver"), case=c, outcome="approve", opinion="同意"
    ),
    (K.DECISION, T.CANCELLED): lambda c: services.case_withdraw(actor=user("zhangsan"), case=c),
    (K.INSPECTION, T.OPEN): _nothing,
    (K.INSPECTION, T.CLAIMED): _claim(K.INSPECTION),
    (K.INSPECTION, T.PASSED): _complete(K.INSPECTION, "pass"),
    (K.INSPECTION, T.FAILED): _complete(K.INSPECTION, "fail"),
}


def _take(kind: TaskKind, action: TaskAction, task: Task) -> object:
    actor = user(HOLDER[kind])
    if action == TA.CLAIM:
        return services.task_claim(actor=actor, task=task)
    if action == TA.RELEASE:
        return services.task_release(actor=actor, task=task)
    if action == TA.DECIDE:
        return services.case_decide(actor=actor, case=task.case, outcome="approve", opinion="同意")
    return services.task_complete(actor=actor, task=task, outcome=action.value, opinion="理由")  # type: ignore[arg-type]


def _has_service(kind: TaskKind, action: TaskAction) -> bool:
    """Cancel is the side effect of other services; a decision is taken by deciding the case."""
    return action != TA.CANCEL and (action != TA.DECIDE or kind == K.DECISION)


def _reachable(kind: TaskKind) -> set[TaskStatus]:
    moves = {TA.CLAIM, TA.RELEASE, TA.CANCEL, *KIND_ACTIONS[kind]}
    seen, todo = {T.OPEN}, [T.OPEN]
    while todo:
        state = todo.pop()
        for (source, action), target in TASK_TRANSITIONS.items():
            if source == state and action in moves and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _expected(kind: TaskKind, state: TaskStatus, action: TaskAction) -> TaskStatus | None:
    """The table's answer, with what the services add: completing or deciding an open task
    claims it first; claiming one's own claimed task again changes nothing."""
    if action == TA.CLAIM and state == T.CLAIMED:
        return T.CLAIMED
    if action != TA.CLAIM and action != TA.RELEASE and state == T.OPEN:
        state = TASK_TRANSITIONS[(T.OPEN, TA.CLAIM)]
    if action not in (TA.CLAIM, TA.RELEASE, TA.CANCEL) and action not in KIND_ACTIONS[kind]:
        return None
    return TASK_TRANSITIONS.get((state, action))


TRIPLES = [
    (kind, state, action)
    for (kind, state), action in itertools.product(BUILD, TaskAction)
    if _has_service(kind, action)
]


# The table allows it, but no service gets there: a 核查 starts after the decision, when no
# withdrawal or join cancels tasks any more.
UNREACHED = {(K.INSPECTION, T.CANCELLED)}


def test_every_reachable_task_state_is_built_by_services() -> None:
    for kind in TaskKind:
        built = {state for k, state in BUILD if k == kind}
        assert built | {s for k, s in UNREACHED if k == kind} == _reachable(kind), kind


@pytest.mark.parametrize(
    ("kind", "state", "action"), TRIPLES, ids=[f"{k.value}-{s.value}-{a.value}" for k, s, a in TRIPLES]
)
def test_task_services_obey_the_table(world: None, kind: TaskKind, state: TaskStatus, action: TaskAction) -> None:
    with flows.on(DAY):
        case = MAKE[kind]()
        BUILD[(kind, state)](case)
        subject = Task.objects.get(case=case, key=KEY[kind])
        assert (subject.kind, subject.status) == (kind, state)
        expected = _expected(kind, state, action)
        if expected is None:
            with pytest.raises(Conflict):
                _take(kind, action, subject)
        else:
            _take(kind, action, subject)
    assert Task.objects.get(pk=subject.pk).status == (expected or state)


def test_services_cancel_open_and_claimed_tasks(world: None) -> None:
    with flows.on(DAY):
        parallel = _review_case()
        services.task_claim(actor=user("jn_fire_rev"), task=flows.open_task(parallel, "fire"))
        withdrawn = _review_case()
        services.task_claim(actor=user("jn_fire_rev"), task=flows.open_task(withdrawn, "fire"))
        # A sibling's approval ends an "any" stage; a withdrawal ends everything.
        _complete(K.REVIEW, "approve")(parallel)
        services.case_withdraw(actor=user("zhangsan"), case=withdrawn)
    for case in (parallel, withdrawn):
        statuses = dict(Task.objects.filter(case=case, stage__key="joint").values_list("key", "status"))
        assert statuses.pop("fire") == T.CANCELLED  # was claimed
        assert statuses.pop("air_defence") == T.CANCELLED  # was open
    assert Stage.objects.get(case=withdrawn, key="joint").status == StageStatus.CANCELLED


# --- stages ----------------------------------------------------------------------------


def _three_stages_process() -> dict[str, object]:
    return {
        "case_kind": "committed",
        "stages": [
            stage("first", "初审", [task("first", "初审", "jn_approval", "reviewer", 5)], limit=5),
            stage("second", "复审", [task("second", "复审", "jn_approval", "reviewer", 5)], limit=5),
            stage("decide", "决定", [task("decide", "审批决定", "jn_approval", "approver", 5)], limit=5, decides=True),
        ],
    }


def _three_stages() -> Case:
    return flows.accepted(ImplementationVersionFactory(process=_three_stages_process(), statutory_limit_days=20))


def _finish(key: str, outcome: str) -> Callable[[Case], object]:
    return _complete(K.REVIEW, outcome, key=key, holder="jn_reviewer")


STAGE_BUILD: dict[StageStatus, tuple[Callable[[Case], object], str]] = {
    StageStatus.PENDING: (lambda c: None, "second"),
    StageStatus.ACTIVE: (lambda c: None, "first"),
    StageStatus.APPROVED: (_finish("first", "approve"), "first"),
    StageStatus.REJECTED: (_finish("first", "reject"), "first"),
    StageStatus.SKIPPED: (_finish("first", "reject"), "second"),
    StageStatus.CANCELLED: (lambda c: services.case_withdraw(actor=user("zhangsan"), case=c), "first"),
}
STAGE_CASES = [(s, a, many) for s, a in itertools.product(StageStatus, StageAction) for many in (False, True)]


@pytest.mark.parametrize(
    ("state", "action", "many"),
    STAGE_CASES,
    ids=[f"{s.value}-{a.value}-{'many' if m else 'one'}" for s, a, m in STAGE_CASES],
)
def test_stage_transitions_obey_the_table(world: None, state: StageStatus, action: StageAction, many: bool) -> None:
    step, key = STAGE_BUILD[state]
    with flows.on(DAY):
        case = _three_stages()
        step(case)
    subject = Stage.objects.get(case=case, key=key)
    assert subject.status == state
    target = STAGE_TRANSITIONS.get((state, action))

    def move() -> None:
        with transaction.atomic():
            if many:
                engine.stages_transition(Stage.objects.filter(case=case, key=key), action)
            else:
                engine.stage_transition(subject, action)

    with flows.on(DAY):
        if target is None:
            with pytest.raises(Conflict):
                move()
        else:
            move()
    after = Stage.objects.get(pk=subject.pk)
    assert after.status == (target or state)
    if target is not None:
        stamp = after.activated_at if action == StageAction.ACTIVATE else after.completed_at
        assert stamp is not None


def test_each_allowed_stage_pair_happens_in_its_service(world: None) -> None:
    seen: set[tuple[str, str]] = set()

    def watch(case: Case, service: Callable[[], object], *moves: tuple[str, StageStatus, StageAction]) -> None:
        before = dict(Stage.objects.filter(case=case).values_list("key", "status"))
        service()
        after = dict(Stage.objects.filter(case=case).values_list("key", "status"))
        changed = {k for k in after if after[k] != before.get(k, StageStatus.PENDING)}
        assert changed == {k for k, _, _ in moves}
        for key, source, action in moves:
            assert before.get(key, StageStatus.PENDING) == source
            assert after[key] == STAGE_TRANSITIONS[(source, action)]
            seen.add((source, action))

    P, A, GA = StageStatus.PENDING, StageStatus.ACTIVE, StageAction
    with flows.on(DAY):
        # Acceptance: the first stage opens (created pending, activated through the table).
        submitted = flows.submit(ImplementationVersionFactory(process=_three_stages_process(), statutory_limit_days=20))
        watch(
            submitted,
            lambda: services.case_accept(actor=user("jn_window"), case=submitted),
            ("first", P, GA.ACTIVATE),
        )
        # A rejection skips the second review and opens the decision, which denies.
        watch(
            submitted,
            lambda: _finish("first", "reject")(submitted),
            ("first", A, GA.REJECT),
            ("second", P, GA.SKIP),
            ("decide", P, GA.ACTIVATE),
        )
        watch(
            submitted,
            lambda: services.case_decide(actor=user("jn_approver"), case=submitted, outcome="deny", opinion="不符合"),
            ("decide", A, GA.REJECT),
        )
        # An approval opens the next stage; a withdrawal cancels the running and the pending one.
        withdrawn = _three_stages()
        watch(
            withdrawn,
            lambda: _finish("first", "approve")(withdrawn),
            ("first", A, GA.APPROVE),
            ("second", P, GA.ACTIVATE),
        )
        watch(
            withdrawn,
            lambda: services.case_withdraw(actor=user("zhangsan"), case=withdrawn),
            ("second", A, GA.CANCEL),
            ("decide", P, GA.CANCEL),
        )
    assert seen == set(STAGE_TRANSITIONS)
