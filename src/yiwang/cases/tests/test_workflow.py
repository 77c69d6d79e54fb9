"""The transition tables, walked pair by pair (architecture rule 4)."""

import itertools

import pytest

from yiwang.cases.workflow import (
    ACTION_ACTORS,
    CASE_TRANSITIONS,
    KIND_ACTIONS,
    STAGE_OPEN_STATES,
    STAGE_TRANSITIONS,
    TASK_OPEN_STATES,
    TASK_TRANSITIONS,
    TERMINAL_STATES,
    CaseAction,
    CaseStatus,
    StageAction,
    StageStatus,
    TaskAction,
    TaskKind,
    TaskStatus,
    case_allowed_actions,
    case_next_status,
    stage_next_status,
    stage_outcome,
    task_next_status,
)
from yiwang.core.errors import Conflict

CASE_PAIRS = list(itertools.product(CaseStatus, CaseAction))


@pytest.mark.parametrize(("state", "action"), CASE_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in CASE_PAIRS])
def test_every_case_state_action_pair(state: CaseStatus, action: CaseAction) -> None:
    expected = CASE_TRANSITIONS.get((state, action))
    if expected is not None:
        assert case_next_status(state, action) == expected
        assert action in case_allowed_actions(state)
    else:
        with pytest.raises(Conflict) as info:
            case_next_status(state, action)
        assert info.value.message == f"办件当前状态为“{state.label}”，不能{action.label}。"
        assert action not in case_allowed_actions(state)


def test_the_table_is_complete_and_coherent() -> None:
    assert len(CASE_PAIRS) == len(CaseStatus) * len(CaseAction) == 315
    targets = {t for t in CASE_TRANSITIONS.values()}
    # Every state but draft is reachable; terminal states have no way out.
    assert targets | {CaseStatus.DRAFT} == set(CaseStatus)
    for state in TERMINAL_STATES:
        assert case_allowed_actions(state) == []
    # Every action is used and has declared actors.
    assert {a for _, a in CASE_TRANSITIONS} == set(CaseAction)
    assert set(ACTION_ACTORS) == set(CaseAction)
    # A decision is final: nothing leads back to review from a decided state.
    decided = {CaseStatus.DECIDED_APPROVED, CaseStatus.DECIDED_DENIED, CaseStatus.CONCLUDED}
    for (state, _), target in CASE_TRANSITIONS.items():
        if state in decided:
            assert target in decided | {CaseStatus.REVOKED}


def test_withdrawal_is_possible_exactly_before_a_decision() -> None:
    can_withdraw = {s for s in CaseStatus if (s, CaseAction.WITHDRAW) in CASE_TRANSITIONS}
    assert can_withdraw == {
        CaseStatus.DRAFT,
        CaseStatus.INTAKE_PENDING,
        CaseStatus.INTAKE_SUPPLEMENT,
        CaseStatus.HANDED_OVER,
        CaseStatus.SUBMITTED,
        CaseStatus.SUPPLEMENT_REQUESTED,
        CaseStatus.IN_REVIEW,
        CaseStatus.SUPPLEMENT_PENDING,
        CaseStatus.SUSPENDED,
    }


def test_unknown_state_or_action_is_a_conflict() -> None:
    with pytest.raises(Conflict):
        case_next_status("nonsense", "submit")


TASK_TRIPLES = list(itertools.product(TaskKind, TaskStatus, TaskAction))


@pytest.mark.parametrize(
    ("kind", "state", "action"), TASK_TRIPLES, ids=[f"{k.value}-{s.value}-{a.value}" for k, s, a in TASK_TRIPLES]
)
def test_every_task_kind_state_action_triple(kind: TaskKind, state: TaskStatus, action: TaskAction) -> None:
    target = TASK_TRANSITIONS.get((state, action))
    completing = action not in (TaskAction.CLAIM, TaskAction.RELEASE, TaskAction.CANCEL)
    allowed = target is not None and (not completing or action in KIND_ACTIONS[kind])
    if allowed:
        assert task_next_status(kind, state, action) == target
    else:
        with pytest.raises(Conflict) as info:
            task_next_status(kind, state, action)
        assert info.value.message == f"任务当前状态为“{state.label}”，不能{action.label}。"


def test_the_task_table_ends_every_open_task_and_reopens_none() -> None:
    # Only open tasks move; each open state can be cancelled; a finished task is final.
    assert {s for s, _ in TASK_TRANSITIONS} == TASK_OPEN_STATES
    assert all((s, TaskAction.CANCEL) in TASK_TRANSITIONS for s in TASK_OPEN_STATES)
    assert set(TaskAction) == {a for _, a in TASK_TRANSITIONS}
    # Every kind's completing actions end the task in a state of its own.
    for actions in KIND_ACTIONS.values():
        assert len({TASK_TRANSITIONS[(TaskStatus.CLAIMED, a)] for a in actions}) == len(actions)


def test_every_stage_state_action_pair() -> None:
    for state, action in itertools.product(StageStatus, StageAction):
        target = STAGE_TRANSITIONS.get((state, action))
        if target is not None:
            assert stage_next_status(state, action) == target
            continue
        with pytest.raises(Conflict) as info:
            stage_next_status(state, action)
        assert info.value.message == f"环节当前状态为“{state.label}”，不能{action.label}。"


def test_the_stage_table_is_complete_and_final() -> None:
    assert len(STAGE_TRANSITIONS) == 6
    # Every state but pending is reached, and only from an open state; an ended stage is final.
    assert set(STAGE_TRANSITIONS.values()) | {StageStatus.PENDING} == set(StageStatus)
    assert {s for s, _ in STAGE_TRANSITIONS} == STAGE_OPEN_STATES
    assert {a for _, a in STAGE_TRANSITIONS} == set(StageAction)


@pytest.mark.parametrize(
    ("join", "quorum", "statuses", "expected"),
    [
        ("all", None, ["approved", "approved", "open"], None),
        ("all", None, ["approved", "approved", "approved"], StageAction.APPROVE),
        ("all", None, ["approved", "rejected", "open"], StageAction.REJECT),
        ("any", None, ["open", "approved", "open"], StageAction.APPROVE),
        ("any", None, ["open", "open"], None),
        ("any", None, ["rejected", "open"], StageAction.REJECT),
        ("quorum", 2, ["approved", "open", "open"], None),
        ("quorum", 2, ["approved", "claimed", "approved"], StageAction.APPROVE),
        ("quorum", 2, ["approved", "rejected", "open"], StageAction.REJECT),
    ],
)
def test_stage_join_policy(join: str, quorum: int | None, statuses: list[str], expected: StageAction | None) -> None:
    assert stage_outcome(join, quorum, statuses) == expected
