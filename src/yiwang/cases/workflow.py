"""The case engine's transition tables: what may happen to a case (and a task) in each state.

Read it as the rule book. `CASE_TRANSITIONS[(state, action)]` is the state after the action;
a pair that is not in the table is forbidden, and `case_next_status` says so in Chinese.
Tasks (`TASK_TRANSITIONS`, `task_next_status`) and stages (`STAGE_TRANSITIONS`,
`stage_next_status`) have a table of their own; no status changes any other way
(tests/test_status_transitions.py reads the source for it).
`ACTION_ACTORS` declares who may take each action (applicant, a staff role, the system);
`yiwang.cases.policy` adds where the role must be held (department, region, task, ownership)
and is the one check services and interfaces share. A test walks every (state, action)
pair of the tables; another every (persona × action) of the policy through the API.

Compound service calls chain actions: a 秒批 submission is submit → accept → approve
(→ conclude for electronic delivery), all in one transaction, each with its own event.

| state                 | 中文               | legal clock                        |
|-----------------------|--------------------|------------------------------------|
| draft                 | 草稿               | —                                  |
| intake_pending        | 异地收件，待移交   | the intake window's hand-over term |
| intake_supplement     | 待补正（异地收件） | —                                  |
| handed_over           | 已移交，待接收     | — (transit of the originals)       |
| submitted             | 已提交，待受理     | 5-working-day acceptance window    |
| supplement_requested  | 待补正（受理前）   | not started                        |
| in_review             | 已受理，审查中     | running                            |
| supplement_pending    | 补正中，暂停计时   | paused                             |
| suspended             | 特别程序，中止计时 | paused                             |
| decided_approved      | 准予许可           | stopped (result to deliver)        |
| decided_denied        | 不予许可           | stopped (result to deliver)        |
| concluded             | 已办结             | stopped                            |
| refused               | 不予受理           | — (terminal)                       |
| withdrawn             | 已撤回             | stopped (terminal)                 |
| revoked               | 已撤销             | — (terminal; failed 核查 of 告知承诺) |
"""

from django.db.models import TextChoices

from yiwang.core.errors import Conflict


def _forbidden(noun: str, state: TextChoices, verb: TextChoices) -> Conflict:
    """What every table says of a pair it does not hold, in Chinese."""
    return Conflict(f"{noun}当前状态为“{state.label}”，不能{verb.label}。", rule="workflow")


class CaseStatus(TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交，待受理"
    INTAKE_PENDING = "intake_pending", "异地收件，待移交"
    INTAKE_SUPPLEMENT = "intake_supplement", "待补正（异地收件）"
    HANDED_OVER = "handed_over", "已移交，待接收"
    SUPPLEMENT_REQUESTED = "supplement_requested", "待补正（受理前）"
    IN_REVIEW = "in_review", "已受理，审查中"
    SUPPLEMENT_PENDING = "supplement_pending", "补正中，暂停计时"
    SUSPENDED = "suspended", "特别程序中，中止计时"
    DECIDED_APPROVED = "decided_approved", "准予许可"
    DECIDED_DENIED = "decided_denied", "不予许可"
    CONCLUDED = "concluded", "已办结"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"
    REVOKED = "revoked", "已撤销"


# How a state reads at a glance (the badge tone every case list and page uses).
STATUS_TONES: dict[str, str] = {
    CaseStatus.DRAFT: "neutral",
    CaseStatus.SUBMITTED: "info",
    CaseStatus.INTAKE_PENDING: "info",
    CaseStatus.INTAKE_SUPPLEMENT: "warning",
    CaseStatus.HANDED_OVER: "info",
    CaseStatus.SUPPLEMENT_REQUESTED: "warning",
    CaseStatus.IN_REVIEW: "info",
    CaseStatus.SUPPLEMENT_PENDING: "warning",
    CaseStatus.SUSPENDED: "warning",
    CaseStatus.DECIDED_APPROVED: "success",
    CaseStatus.DECIDED_DENIED: "danger",
    CaseStatus.CONCLUDED: "success",
    CaseStatus.REFUSED: "danger",
    CaseStatus.WITHDRAWN: "neutral",
    CaseStatus.REVOKED: "danger",
}


def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "neutral")


class CaseAction(TextChoices):
    SAVE_DRAFT = "save_draft", "保存草稿"
    UPLOAD_MATERIAL = "upload_material", "上传材料"
    SUBMIT = "submit", "提交申请"
    WITHDRAW = "withdraw", "撤回申请"
    ACCEPT = "accept", "受理"
    DEEM_ACCEPT = "deem_accept", "视为受理"
    REFUSE = "refuse", "不予受理"
    REQUEST_SUPPLEMENT = "request_supplement", "一次性告知补正"
    ANSWER_SUPPLEMENT = "answer_supplement", "提交补正材料"
    WORK_TASK = "work_task", "办理审查任务"
    SUSPEND = "suspend", "启动特别程序"
    RESUME = "resume", "结束特别程序"
    EXTEND = "extend", "延长办理时限"
    APPROVE = "approve", "作出准予许可决定"
    DENY = "deny", "作出不予许可决定"
    CONCLUDE = "conclude", "送达结果并办结"
    CHECK_COMMITMENT = "check_commitment", "核查承诺"
    REVOKE = "revoke", "撤销许可"
    SUBMIT_ELSEWHERE = "submit_elsewhere", "提交申请（异地收件）"
    HAND_OVER = "hand_over", "移交实施机关"
    RECEIVE_HANDOVER = "receive_handover", "确认接收移交"


S, A = CaseStatus, CaseAction

CASE_TRANSITIONS: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    # The applicant prepares the application.
    (S.DRAFT, A.SAVE_DRAFT): S.DRAFT,
    (S.DRAFT, A.UPLOAD_MATERIAL): S.DRAFT,
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,  # a discarded draft
    # 异地代收代办 (收受分离): the applicant hands in at a window of another region, which
    # checks completeness (一次性告知补正) and hands the application over; the implementing
    # authority confirms receipt, and from then on the case is an ordinary submitted one.
    (S.DRAFT, A.SUBMIT_ELSEWHERE): S.INTAKE_PENDING,
    (S.INTAKE_PENDING, A.HAND_OVER): S.HANDED_OVER,
    (S.INTAKE_PENDING, A.REQUEST_SUPPLEMENT): S.INTAKE_SUPPLEMENT,
    (S.INTAKE_PENDING, A.WITHDRAW): S.WITHDRAWN,
    (S.INTAKE_SUPPLEMENT, A.UPLOAD_MATERIAL): S.INTAKE_SUPPLEMENT,
    (S.INTAKE_SUPPLEMENT, A.ANSWER_SUPPLEMENT): S.INTAKE_PENDING,
    (S.INTAKE_SUPPLEMENT, A.WITHDRAW): S.WITHDRAWN,
    (S.HANDED_OVER, A.RECEIVE_HANDOVER): S.SUBMITTED,
    (S.HANDED_OVER, A.WITHDRAW): S.WITHDRAWN,
    # The window decides on acceptance within 5 working days (else: deemed accepted).
    (S.SUBMITTED, A.ACCEPT): S.IN_REVIEW,
    (S.SUBMITTED, A.DEEM_ACCEPT): S.IN_REVIEW,
    (S.SUBMITTED, A.REFUSE): S.REFUSED,
    (S.SUBMITTED, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    # 补正 before acceptance: the clock has not started.
    (S.SUPPLEMENT_REQUESTED, A.UPLOAD_MATERIAL): S.SUPPLEMENT_REQUESTED,
    (S.SUPPLEMENT_REQUESTED, A.ANSWER_SUPPLEMENT): S.SUBMITTED,
    (S.SUPPLEMENT_REQUESTED, A.REFUSE): S.REFUSED,
    (S.SUPPLEMENT_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    # Accepted: stages and tasks run, the legal clock runs.
    (S.IN_REVIEW, A.WORK_TASK): S.IN_REVIEW,
    (S.IN_REVIEW, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_PENDING,
    (S.IN_REVIEW, A.SUSPEND): S.SUSPENDED,
    (S.IN_REVIEW, A.EXTEND): S.IN_REVIEW,
    (S.IN_REVIEW, A.APPROVE): S.DECIDED_APPROVED,
    (S.IN_REVIEW, A.DENY): S.DECIDED_DENIED,
    (S.IN_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    # 补正 after acceptance: the clock is paused until the applicant answers.
    (S.SUPPLEMENT_PENDING, A.UPLOAD_MATERIAL): S.SUPPLEMENT_PENDING,
    (S.SUPPLEMENT_PENDING, A.ANSWER_SUPPLEMENT): S.IN_REVIEW,
    (S.SUPPLEMENT_PENDING, A.WITHDRAW): S.WITHDRAWN,
    # Special procedure (听证、检验、专家评审…): the clock is suspended.
    (S.SUSPENDED, A.RESUME): S.IN_REVIEW,
    (S.SUSPENDED, A.WITHDRAW): S.WITHDRAWN,
    # Decided: deliver the result; a 告知承诺 approval stays open to its follow-up check.
    (S.DECIDED_APPROVED, A.CONCLUDE): S.CONCLUDED,
    (S.DECIDED_APPROVED, A.CHECK_COMMITMENT): S.DECIDED_APPROVED,
    (S.DECIDED_APPROVED, A.REVOKE): S.REVOKED,
    (S.DECIDED_DENIED, A.CONCLUDE): S.CONCLUDED,
    (S.CONCLUDED, A.CHECK_COMMITMENT): S.CONCLUDED,
    (S.CONCLUDED, A.REVOKE): S.REVOKED,
}

# States in which the case's legal clock counts working days.
CLOCK_RUNNING = frozenset({S.IN_REVIEW})
# States in which the clock has started but is paused.
CLOCK_PAUSED = frozenset({S.SUPPLEMENT_PENDING, S.SUSPENDED})
# Before a decision (the applicant may still withdraw; staff queues).
OPEN_STATES = frozenset(
    {
        S.INTAKE_PENDING,
        S.INTAKE_SUPPLEMENT,
        S.HANDED_OVER,
        S.SUBMITTED,
        S.SUPPLEMENT_REQUESTED,
        S.IN_REVIEW,
        S.SUPPLEMENT_PENDING,
        S.SUSPENDED,
    }
)
# 异地代收代办 before the implementing authority has received the application.
INTAKE_STATES = frozenset({S.INTAKE_PENDING, S.INTAKE_SUPPLEMENT, S.HANDED_OVER})
TERMINAL_STATES = frozenset({S.REFUSED, S.WITHDRAWN, S.REVOKED})

APPLICANT = "applicant"
SYSTEM = "system"

# Who may take each action: the applicant (owner or an agent of the enterprise), the
# system (periodic jobs, 秒批), or staff holding one of these roles in scope.
ACTION_ACTORS: dict[CaseAction, frozenset[str]] = {
    A.SAVE_DRAFT: frozenset({APPLICANT}),
    A.UPLOAD_MATERIAL: frozenset({APPLICANT}),
    A.SUBMIT: frozenset({APPLICANT}),
    A.SUBMIT_ELSEWHERE: frozenset({APPLICANT}),
    A.HAND_OVER: frozenset({"window_clerk"}),  # of the intake window (policy: "intake")
    A.RECEIVE_HANDOVER: frozenset({"window_clerk"}),
    A.WITHDRAW: frozenset({APPLICANT}),
    A.ANSWER_SUPPLEMENT: frozenset({APPLICANT}),
    A.ACCEPT: frozenset({"window_clerk", SYSTEM}),
    A.DEEM_ACCEPT: frozenset({SYSTEM}),
    A.REFUSE: frozenset({"window_clerk"}),
    A.REQUEST_SUPPLEMENT: frozenset({"window_clerk", "reviewer", "approver"}),
    A.WORK_TASK: frozenset({"reviewer", "approver", "expert"}),
    A.SUSPEND: frozenset({"reviewer", "approver"}),
    A.RESUME: frozenset({"reviewer", "approver"}),
    A.EXTEND: frozenset({"head"}),
    # A 即办件 is approved on the spot as part of its acceptance (accept → approve, authorised
    # by ACCEPT); 秒批 and 告知承诺 by the system; otherwise by the holder of the decision task.
    A.APPROVE: frozenset({"approver", SYSTEM}),
    A.DENY: frozenset({"approver"}),
    A.CONCLUDE: frozenset({"window_clerk", SYSTEM}),
    A.CHECK_COMMITMENT: frozenset({"reviewer"}),
    A.REVOKE: frozenset({"reviewer"}),  # as the outcome of a failed 核查
}


def case_next_status(status: str, action: str) -> CaseStatus:
    """The state after `action`, or Conflict naming the state and the action in Chinese."""
    try:
        state, verb = CaseStatus(status), CaseAction(action)
    except ValueError as exc:
        raise Conflict(f"未知的办件状态或动作：{status} / {action}") from exc
    target = CASE_TRANSITIONS.get((state, verb))
    if target is None:
        raise _forbidden("办件", state, verb)
    return target


def case_allowed_actions(status: str) -> list[CaseAction]:
    """Actions the table allows in `status` (before any actor or scope check)."""
    return [action for (state, action) in CASE_TRANSITIONS if state == status]


class TaskKind(TextChoices):
    REVIEW = "review", "审查"
    DECISION = "decision", "审批决定"
    INSPECTION = "inspection", "告知承诺核查"


class TaskStatus(TextChoices):
    OPEN = "open", "待领取"
    CLAIMED = "claimed", "办理中"
    APPROVED = "approved", "审查通过"
    REJECTED = "rejected", "审查不通过"
    DECIDED = "decided", "已作出决定"
    PASSED = "passed", "核查通过"
    FAILED = "failed", "核查不通过"
    CANCELLED = "cancelled", "已取消"


class TaskAction(TextChoices):
    CLAIM = "claim", "领取"
    RELEASE = "release", "退回待领取"
    APPROVE = "approve", "审查通过"
    REJECT = "reject", "审查不通过"
    DECIDE = "decide", "作出决定"
    PASS = "pass", "核查通过"
    FAIL = "fail", "核查不通过"
    CANCEL = "cancel", "取消"


T, TA = TaskStatus, TaskAction

TASK_TRANSITIONS: dict[tuple[TaskStatus, TaskAction], TaskStatus] = {
    (T.OPEN, TA.CLAIM): T.CLAIMED,
    (T.OPEN, TA.CANCEL): T.CANCELLED,
    (T.CLAIMED, TA.RELEASE): T.OPEN,
    (T.CLAIMED, TA.APPROVE): T.APPROVED,
    (T.CLAIMED, TA.REJECT): T.REJECTED,
    (T.CLAIMED, TA.DECIDE): T.DECIDED,
    (T.CLAIMED, TA.PASS): T.PASSED,
    (T.CLAIMED, TA.FAIL): T.FAILED,
    (T.CLAIMED, TA.CANCEL): T.CANCELLED,
}

# Which completing actions belong to which kind of task.
KIND_ACTIONS: dict[TaskKind, frozenset[TaskAction]] = {
    TaskKind.REVIEW: frozenset({TA.APPROVE, TA.REJECT}),
    TaskKind.DECISION: frozenset({TA.DECIDE}),
    TaskKind.INSPECTION: frozenset({TA.PASS, TA.FAIL}),
}
TASK_OPEN_STATES = frozenset({T.OPEN, T.CLAIMED})


def task_next_status(kind: str, status: str, action: str) -> TaskStatus:
    state, verb, task_kind = TaskStatus(status), TaskAction(action), TaskKind(kind)
    target = TASK_TRANSITIONS.get((state, verb))
    completing = verb not in (TA.CLAIM, TA.RELEASE, TA.CANCEL)
    if target is None or (completing and verb not in KIND_ACTIONS[task_kind]):
        raise _forbidden("任务", state, verb)
    return target


class StageStatus(TextChoices):
    PENDING = "pending", "未开始"
    ACTIVE = "active", "进行中"
    APPROVED = "approved", "通过"
    REJECTED = "rejected", "不通过"
    SKIPPED = "skipped", "跳过"
    CANCELLED = "cancelled", "已取消"


class StageAction(TextChoices):
    ACTIVATE = "activate", "开始"
    APPROVE = "approve", "通过"
    REJECT = "reject", "不通过"
    SKIP = "skip", "跳过"
    CANCEL = "cancel", "取消"


G, GA = StageStatus, StageAction

# The stages of a case are created pending when it is accepted; the engine (services/_engine)
# moves them on only through this table.
STAGE_TRANSITIONS: dict[tuple[StageStatus, StageAction], StageStatus] = {
    # Acceptance opens the first stage; a stage's outcome opens the next one.
    (G.PENDING, GA.ACTIVATE): G.ACTIVE,
    # A rejection goes straight to the decision stage, passing the reviews in between.
    (G.PENDING, GA.SKIP): G.SKIPPED,
    # The decision or a withdrawal closes the stages not reached.
    (G.PENDING, GA.CANCEL): G.CANCELLED,
    # The join of its tasks (or the decision) ends a running stage.
    (G.ACTIVE, GA.APPROVE): G.APPROVED,
    (G.ACTIVE, GA.REJECT): G.REJECTED,
    (G.ACTIVE, GA.CANCEL): G.CANCELLED,
}
STAGE_OPEN_STATES = frozenset({G.PENDING, G.ACTIVE})


def stage_next_status(status: str, action: str) -> StageStatus:
    """The stage's state after `action`, or Conflict naming both in Chinese."""
    target = STAGE_TRANSITIONS.get((StageStatus(status), StageAction(action)))
    if target is None:
        raise _forbidden("环节", StageStatus(status), StageAction(action))
    return target


def stage_outcome(join: str, quorum: int | None, statuses: list[str]) -> StageAction | None:
    """How a running stage ends, from its tasks' statuses, or None while it is undecided.

    A rejection ends the stage as rejected whatever the join (the catalog's rule: "a
    rejected task cancels its siblings"). Otherwise: all — every task approved; any — one;
    quorum — `quorum` of them.
    """
    if T.REJECTED in statuses:
        return StageAction.REJECT
    approved = sum(1 for s in statuses if s in (T.APPROVED, T.DECIDED))
    needed = {"all": len(statuses), "any": 1, "quorum": quorum or len(statuses)}[join]
    return StageAction.APPROVE if approved >= needed else None
