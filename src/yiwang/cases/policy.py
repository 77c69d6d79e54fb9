"""The one authority for who may do what on a case or a task (architecture rules 7 and 10).

Services call `require_case_action` / `require_task_action` as their check, inside their
transaction and on the rows they locked; the portal, the workbench and the API call
`case_actions_for` / `task_actions_for` to show only what these allow; selectors filter with
`staff_case_filter` / `staff_may_see`. All of them read the same rules:

- **Who** takes each action is declared in `workflow.ACTION_ACTORS` (the applicant, a staff
  role, or the system); `ACTION_SCOPES` below says where the role must be held.
- **Case scope**: a staff role counts for a case when it is held in the case's implementing
  department, or — for window clerks only — in an 行政审批服务局 of the case's region (the
  综合受理窗口 that takes in applications for every department of its region).
- **Intake scope** (异地代收代办): the window clerks of the window an applicant chose to hand in
  at (`Case.intake_department`, another region's 行政审批服务局) see the case throughout, ask for
  a 补正 and hand it over while it is theirs, and hand out the result when it is collected
  there; they never act on acceptance, review or decision.
- **Task scope**: a task is worked by holders of the task's role in the task's department (a
  parallel stage gives other departments their own tasks), while it is open or theirs. Whoever
  holds a claimed task of a case may also ask the applicant for a 补正 (a parallel reviewer who
  finds something missing), under the task's role.
- **Least privilege**: only the case-handling roles (窗口受理, 审查, 审批决定, 机关负责人) see
  their department's cases, with ID numbers and materials. Supervisors and auditors read (never
  act on) the cases of their region and below. Experts see only the cases of expert tasks given
  to them or open in their department. Catalog administrators and data stewards see no case.
- **Separation of duties (一审一核)**: unless the case's process definition says otherwise
  (`separation_of_duties: false`, e.g. an item one person may handle alone), whoever completed
  a review task of a case may not claim its decision task nor decide it.
- **帮办代办** (ADR 0029): window clerks and 帮办员 (`HELPER_ROLES`) may fill in an application
  for a person — for an item of their department, or of their region when they sit at the
  region's 行政审批服务局 window or are a 帮办员 — and work on the assisted drafts of their own
  department. Nothing is submitted until the person confirms with the code sent to them.
- Applicants act on the cases they filed, and on the cases of an enterprise they are a
  currently authorised agent of (drafts stay private to whoever started them).
Refusals are PermissionDenied with a Chinese message that says which post may act.
"""

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Literal

from django.db.models import Q

from yiwang.accounts.models import DepartmentKind, EnterpriseAgent, Region, Role, StaffRole, User, region_code_prefix
from yiwang.accounts.selectors import staff_roles_of
from yiwang.cases.models import Case, Task
from yiwang.cases.workflow import (
    ACTION_ACTORS,
    APPLICANT,
    INTAKE_STATES,
    KIND_ACTIONS,
    TASK_OPEN_STATES,
    CaseAction,
    CaseStatus,
    TaskAction,
    TaskKind,
    TaskStatus,
    case_allowed_actions,
)
from yiwang.catalog.crossregion import intake_regions
from yiwang.catalog.models import ImplementationVersion
from yiwang.catalog.selectors import pinned_version
from yiwang.core import clock
from yiwang.core.errors import PermissionDenied

READ_ONLY_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR})
CASE_ROLES = frozenset({Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.HEAD})

# Where the role of ACTION_ACTORS must be held for each action a person can take.
Scope = Literal[
    "applicant", "case", "handler", "intake", "delivery", "review_task", "decision_task", "inspection_task", "system"
]
ACTION_SCOPES: dict[CaseAction, Scope] = {
    CaseAction.SAVE_DRAFT: "applicant",
    CaseAction.UPLOAD_MATERIAL: "applicant",
    CaseAction.SUBMIT: "applicant",
    CaseAction.WITHDRAW: "applicant",
    CaseAction.ANSWER_SUPPLEMENT: "applicant",
    CaseAction.ACCEPT: "case",
    CaseAction.DEEM_ACCEPT: "system",
    CaseAction.REFUSE: "case",
    CaseAction.REQUEST_SUPPLEMENT: "handler",
    CaseAction.WORK_TASK: "review_task",
    CaseAction.SUSPEND: "case",
    CaseAction.RESUME: "case",
    CaseAction.EXTEND: "case",
    CaseAction.APPROVE: "decision_task",
    CaseAction.DENY: "decision_task",
    CaseAction.CONCLUDE: "delivery",
    CaseAction.CHECK_COMMITMENT: "inspection_task",
    CaseAction.REVOKE: "inspection_task",
    CaseAction.SUBMIT_ELSEWHERE: "applicant",
    CaseAction.HAND_OVER: "intake",
    CaseAction.RECEIVE_HANDOVER: "case",
}
_TASK_KIND_OF_SCOPE = {
    "review_task": TaskKind.REVIEW,
    "decision_task": TaskKind.DECISION,
    "inspection_task": TaskKind.INSPECTION,
}


@dataclass(frozen=True)
class Post:
    """One staff role held in one department, with what scope checks need of it."""

    role: str
    department_id: int
    department_kind: str
    region_id: int
    region_code: str
    region_level: str

    @classmethod
    def of(cls, held: StaffRole) -> "Post":
        """The post a StaffRole row holds (read with its department and region)."""
        d = held.department
        return cls(held.role, held.department_id, d.kind, d.region_id, d.region.code, d.region.level)

    @property
    def is_region_window(self) -> bool:
        """The 综合受理窗口 rule: a window clerk of an 行政审批服务局 takes in applications for
        every department of its region, not only for its own department."""
        return self.role == Role.WINDOW_CLERK and self.department_kind == DepartmentKind.APPROVAL_SERVICE

    def covers(self, case: Case) -> bool:
        """Whether the case is in this post's place: its department, or its region's window."""
        return case.department_id == self.department_id or (self.is_region_window and case.region_id == self.region_id)

    def case_scope(self) -> Q:
        """`covers` as a filter over Case."""
        scope = Q(department_id=self.department_id)
        return scope | Q(region_id=self.region_id) if self.is_region_window else scope

    def is_intake_window_of(self, case: Case) -> bool:
        """Whether this post is a clerk of the window the case was handed in at (异地代收代办)."""
        return self.role == Role.WINDOW_CLERK and case.intake_department_id == self.department_id

    @property
    def helps_region(self) -> bool:
        """A 帮办员, or a clerk of the region's 综合受理窗口, helps with any item of the region."""
        return self.role == Role.ASSISTANT or self.is_region_window

    @staticmethod
    def covering(case: Case) -> Q:
        """The reverse of `covers`: the StaffRole rows whose post covers `case` (its department's,
        and its region's 行政审批服务局 window clerks')."""
        window = Q(role=Role.WINDOW_CLERK, department__kind=DepartmentKind.APPROVAL_SERVICE)
        return Q(department_id=case.department_id) | (window & Q(department__region_id=case.region_id))

    @property
    def region_prefix(self) -> str:
        """What the codes of the post's region and every region below it start with."""
        return region_code_prefix(self.region_code, self.region_level)


@dataclass(frozen=True)
class Verdict:
    """The answer to "may this user do this": the role it is done under, or why not."""

    allowed: bool
    role: str = ""
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def posts_of(user: User) -> list[Post]:
    """The staff posts of `user` (none for applicants and anonymous visitors): one query per
    request (accounts.selectors.staff_roles_of)."""
    if not user.is_authenticated or not user.is_staff_member:
        return []
    return [Post.of(sr) for sr in staff_roles_of(user)]  # read once per request


def is_current_agent(user: User, enterprise_id: int) -> bool:
    today = clock.today()
    return (
        EnterpriseAgent.objects.filter(
            enterprise_id=enterprise_id,
            person__user=user,
            revoked_at__isnull=True,
            valid_from__lte=today,
        )
        .exclude(valid_until__lt=today)
        .exists()
    )


def applicant_may_act(user: User, case: Case) -> bool:
    if not user.is_authenticated or not user.is_applicant:
        return False
    if case.applicant_id == user.pk:
        return True
    return (
        case.status != CaseStatus.DRAFT
        and case.enterprise_id is not None
        and is_current_agent(user, case.enterprise_id)
    )


def _in_case_scope(post: Post, case: Case) -> bool:
    return post.role in CASE_ROLES and post.covers(case)


def case_roles(posts: Iterable[Post], case: Case) -> set[str]:
    """The roles of `posts` that count for `case` (its department, or the region's window)."""
    return {p.role for p in posts if _in_case_scope(p, case)}


def separation_of_duties(case: Case) -> bool:
    """Whether the case's process keeps review and decision apart (一审一核; the default)."""
    process = pinned_version(case.implementation_version_id).process or {}
    return bool(process.get("separation_of_duties", True))


def _reviewed(user: User, case: Case) -> Task | None:
    return Task.objects.filter(
        case_id=case.pk,
        kind=TaskKind.REVIEW,
        assignee_id=user.pk,
        status__in=[TaskStatus.APPROVED, TaskStatus.REJECTED],
    ).first()


def _sod_refusal(user: User, case: Case) -> str:
    if not separation_of_duties(case):
        return ""
    reviewed = _reviewed(user, case)
    if reviewed is None:
        return ""
    return (
        f"审查与决定须由不同人员办理（一审一核）：您已办理本件的审查任务“{reviewed.name}”，"
        "不能再领取或作出审批决定，请由其他审批人员办理。"
    )


def _roles_label(roles: Iterable[str]) -> str:
    return "、".join(Role(r).label for r in sorted(roles) if r in Role.values)


def _holds_task_post(posts: Iterable[Post], task: Task) -> bool:
    return any(p.role == task.role and p.department_id == task.department_id for p in posts)


def may_work_task(user: User, task: Task) -> bool:
    """Whether `user` holds the post `task` is given to (its role in its department)."""
    return _holds_task_post(posts_of(user), task)


def task_permission(
    user: User, action: TaskAction, task: Task, case: Case, *, posts: list[Post] | None = None
) -> Verdict:
    """May `user` take `action` on `task` (of `case`) — who, not the task's state: whether it
    is open, whose it is and which outcomes its kind has are the workflow's (Conflict)."""
    posts = posts_of(user) if posts is None else posts
    if not _holds_task_post(posts, task):
        department = getattr(task, "department", None)
        where = department.name if department is not None else "该任务所属部门"
        return Verdict(False, reason=f"您无权办理任务“{task.name}”：需要{where}的{Role(task.role).label}岗位。")
    if task.kind == TaskKind.DECISION and action != TaskAction.RELEASE:
        refusal = _sod_refusal(user, case)
        if refusal:
            return Verdict(False, reason=refusal)
    return Verdict(True, task.role)


def case_permission(
    user: User, action: CaseAction, case: Case, *, task: Task | None = None, posts: list[Post] | None = None
) -> Verdict:
    """May `user` take `action` on `case` — who, not the case's state (see workflow).

    Task-bound actions (work a review, decide, check a commitment) need the `task`."""
    action = CaseAction(action)
    scope = ACTION_SCOPES[action]
    label = action.label
    if scope == "applicant":
        if applicant_may_act(user, case):
            return Verdict(True, APPLICANT)
        return Verdict(False, reason="您无权办理该申请：只有申请人本人或申请企业授权的经办人可以操作。")
    if scope == "system":
        return Verdict(False, reason=f"“{label}”由系统依法自动办理，不能由人员操作。")
    posts = posts_of(user) if posts is None else posts
    roles = set(ACTION_ACTORS[action]) - {APPLICANT, "system"}
    if scope == "delivery":
        scope = "intake" if picked_up_at_intake(case) else "case"
    if scope == "intake" or (scope == "handler" and case.status in INTAKE_STATES):
        if any(p.is_intake_window_of(case) for p in posts):
            return Verdict(True, Role.WINDOW_CLERK)
        where = case.intake_department.name if case.intake_department is not None else "收件窗口"
        return Verdict(False, reason=f"您无权{label}：需要{where}的窗口受理岗位（本件的异地收件窗口）。")
    if scope == "handler" and case.status == CaseStatus.SUBMITTED:
        roles = {Role.WINDOW_CLERK}  # 受理前的补正 is the window's
    if scope in ("case", "handler"):
        held = sorted(case_roles(posts, case) & roles)
        if held:
            return Verdict(True, held[0])
        if scope == "handler" and case.status != CaseStatus.SUBMITTED:
            claimed = Task.objects.filter(case_id=case.pk, assignee_id=user.pk, status=TaskStatus.CLAIMED).first()
            if claimed is not None:
                return Verdict(True, claimed.role)
            return Verdict(
                False,
                reason=f"您无权{label}：需要本办件实施部门的{_roles_label(roles)}岗位，或本件任务的办理人。",
            )
        return Verdict(False, reason=f"您无权{label}：需要本办件实施部门的{_roles_label(roles)}岗位。")
    kind = _TASK_KIND_OF_SCOPE[scope]
    if task is None or task.kind != kind or task.role not in roles:
        return Verdict(False, reason=f"您无权{label}：本件没有由您办理的{kind.label}任务。")
    task_action = {
        CaseAction.WORK_TASK: TaskAction.APPROVE,
        CaseAction.APPROVE: TaskAction.DECIDE,
        CaseAction.DENY: TaskAction.DECIDE,
        CaseAction.CHECK_COMMITMENT: TaskAction.PASS,
        CaseAction.REVOKE: TaskAction.FAIL,
    }[action]
    return task_permission(user, task_action, task, case, posts=posts)


# --- 帮办代办 -------------------------------------------------------------------------------

HELPER_ROLES = frozenset({Role.WINDOW_CLERK, Role.ASSISTANT})
_NOT_A_HELPER = "您无权帮办代办：需要窗口受理或帮办员岗位。"


def helper_posts(user: User, *, posts: list[Post] | None = None) -> list[Post]:
    """The posts of `user` under which they may help people apply (帮办代办)."""
    posts = posts_of(user) if posts is None else posts
    return [p for p in posts if p.role in HELPER_ROLES]


def may_assist(user: User) -> bool:
    """Whether `user` gets 帮办代办 at all (the workbench menu)."""
    return bool(helper_posts(user))


def lookup_log_scope(user: User) -> Q | None:
    """Which helpers' person searches (AssistedLookup) `user` may read: a supervisor's or
    auditor's, of departments in their region and below; None for everyone else."""
    scope = [
        Q(helper_department__region__code__startswith=p.region_prefix)
        for p in posts_of(user)
        if p.role in READ_ONLY_ROLES
    ]
    return reduce(operator.or_, scope) if scope else None


def assist_permission(
    user: User,
    *,
    version: ImplementationVersion | None = None,
    department_id: int | None = None,
    posts: list[Post] | None = None,
) -> Verdict:
    """May `user` help a person apply — for `version` (an item of their department, or of their
    region for a 帮办员 or the region's window), or on an assisted application kept by
    `department_id` (a helper post in that department). The role is the one it is done under."""
    helping = helper_posts(user, posts=posts)
    if not helping:
        return Verdict(False, reason=_NOT_A_HELPER)
    if department_id is not None:
        held = sorted(p.role for p in helping if p.department_id == department_id)
        if not held:
            return Verdict(False, reason="您无权办理这份帮办申请：它由其他部门的工作人员帮办。")
        return Verdict(True, held[0])
    if version is not None:
        implementation = version.implementation
        held = sorted(
            p.role
            for p in helping
            if p.department_id == implementation.department_id
            or (p.helps_region and p.region_id == implementation.region_id)
        )
        if not held:
            return Verdict(
                False, reason="您无权帮办该事项：只能帮办本部门的事项，或本区划的事项（帮办员、综合受理窗口）。"
            )
        return Verdict(True, held[0])
    return Verdict(True, sorted(p.role for p in helping)[0])


def require_assist(
    user: User, *, version: ImplementationVersion | None = None, department_id: int | None = None
) -> tuple[str, int]:
    """The role and department `user` helps under, or PermissionDenied saying who may."""
    helping = helper_posts(user)
    verdict = assist_permission(user, version=version, department_id=department_id, posts=helping)
    if not verdict:
        raise PermissionDenied(verdict.reason, rule="policy")
    if department_id is None:
        department_id = next(
            p.department_id
            for p in helping
            if p.role == verdict.role
            and (
                version is None
                or p.department_id == version.implementation.department_id
                or (p.helps_region and p.region_id == version.implementation.region_id)
            )
        )
    return verdict.role, department_id


def may_hand_in_elsewhere(case: Case) -> bool:
    """Whether the case's item offers 异地代收代办 (the applicant may choose a 收件地)."""
    return bool(intake_regions(pinned_version(case.implementation_version_id)))


def picked_up_at_intake(case: Case) -> bool:
    """The result of a case handed in at another region's window is collected there: that
    window hands it out (records the delivery), not the implementing authority's."""
    return case.intake_department_id is not None and case.delivery_method == "pickup"


def require_case_action(user: User, action: CaseAction, case: Case, *, task: Task | None = None) -> str:
    """The role `user` takes `action` on `case` under, or PermissionDenied saying who may."""
    verdict = case_permission(user, action, case, task=task)
    if not verdict:
        raise PermissionDenied(verdict.reason, rule="policy")
    return verdict.role


def require_task_action(user: User, action: TaskAction, task: Task, case: Case) -> str:
    verdict = task_permission(user, action, task, case)
    if not verdict:
        raise PermissionDenied(verdict.reason, rule="policy")
    return verdict.role


# The actions that complete a review or a 核查 (a decision task is completed by deciding).
COMPLETING = frozenset({TaskAction.APPROVE, TaskAction.REJECT, TaskAction.PASS, TaskAction.FAIL})


@dataclass(frozen=True)
class TaskControls:
    """The controls one person gets on one task (what `task_actions_for` allows, grouped as
    the case page shows them: claim, release, and complete with an outcome of its kind)."""

    claim: bool = False
    release: bool = False
    complete: bool = False

    @property
    def any(self) -> bool:
        return self.claim or self.release or self.complete


def task_controls_for(user: User, task: Task, case: Case, *, posts: list[Post] | None = None) -> TaskControls:
    may = task_actions_for(user, task, case, posts=posts)
    return TaskControls(
        claim=TaskAction.CLAIM in may, release=TaskAction.RELEASE in may, complete=bool(may & COMPLETING)
    )


def task_actions_for(user: User, task: Task, case: Case, *, posts: list[Post] | None = None) -> frozenset[TaskAction]:
    """What `user` may do with `task` now (its state and the policy): claim, release, and the
    completing actions of its kind (decision tasks are completed by deciding the case)."""
    if task.status not in TASK_OPEN_STATES:
        return frozenset()
    if task.assignee_id not in (None, user.pk):
        return frozenset()
    posts = posts_of(user) if posts is None else posts
    candidates = [TaskAction.CLAIM] if task.status == TaskStatus.OPEN else [TaskAction.RELEASE]
    if task.kind != TaskKind.DECISION:
        candidates += sorted(KIND_ACTIONS[TaskKind(task.kind)])
    return frozenset(a for a in candidates if task_permission(user, a, task, case, posts=posts))


def case_actions_for(user: User, case: Case) -> list[CaseAction]:
    """The actions `user` may take on `case` now, to show as buttons: the transition table's
    actions in the case's state that `case_permission` allows (services check again, under a
    row lock). Task-bound actions count when one of the case's open tasks allows them."""
    if not user.is_authenticated:
        return []
    allowed = case_allowed_actions(case.status)
    if not user.is_staff_member:
        if not applicant_may_act(user, case):
            return []
        actions = [a for a in allowed if ACTION_SCOPES[a] == "applicant"]
        if case.status != CaseStatus.DRAFT:
            submitting = (CaseAction.SAVE_DRAFT, CaseAction.SUBMIT, CaseAction.SUBMIT_ELSEWHERE)
            actions = [a for a in actions if a not in submitting]
        elif not may_hand_in_elsewhere(case):
            actions = [a for a in actions if a != CaseAction.SUBMIT_ELSEWHERE]
        return actions
    posts = posts_of(user)
    if not posts:
        return []
    open_tasks = list(
        Task.objects.filter(case_id=case.pk, status__in=list(TASK_OPEN_STATES)).select_related("department")
    )
    result: list[CaseAction] = []
    for action in allowed:
        scope = ACTION_SCOPES[action]
        if scope in ("applicant", "system"):
            continue
        if scope in ("case", "handler", "intake", "delivery"):
            if case_permission(user, action, case, posts=posts):
                result.append(action)
            continue
        kind = _TASK_KIND_OF_SCOPE[scope]
        if any(
            t.kind == kind
            and t.assignee_id in (None, user.pk)
            and case_permission(user, action, case, task=t, posts=posts)
            for t in open_tasks
        ):
            result.append(action)
    if CaseAction.EXTEND in result and case.clock_events.filter(task__isnull=True, kind="extend").exists():
        result.remove(CaseAction.EXTEND)  # the law allows one extension
    return result


def _expert_tasks(user: User, departments: list[int]) -> Q:
    return Q(role=Role.EXPERT) & (
        Q(assignee=user) | Q(department_id__in=departments, assignee__isnull=True, status=TaskStatus.OPEN)
    )


def staff_case_branches(user: User) -> list[Q]:
    """What a staff member may see, as separate filters over Case whose union is the whole
    (nothing when they hold no role). Each is one index's range — a department's, a region's,
    an intake window's, a department's tasks (a semi-join on the task's case), or a region
    tree's — so a list ordered by submission reads each branch's newest rows through its index
    and merges them (cases.case_list); ORed together, PostgreSQL read and sorted every visible
    row instead (1.1–4.2 s for one page at 1,000,000 cases)."""
    branches: list[Q] = []
    working: list[int] = []
    expert_in: list[int] = []
    for post in posts_of(user):
        if post.role in READ_ONLY_ROLES:
            # Literal ids: with the subquery PostgreSQL guessed 2 regions for 11 and sorted 722k rows.
            tree = Region.objects.filter(code__startswith=post.region_prefix).values_list("id", flat=True)
            branches.append(Q(region_id__in=sorted(tree)))
        elif post.role == Role.EXPERT:
            expert_in.append(post.department_id)
        elif post.role in CASE_ROLES:
            branches.append(Q(department_id=post.department_id))
            if post.is_region_window:
                branches.append(Q(region_id=post.region_id))
            if post.role == Role.WINDOW_CLERK:
                branches.append(Q(intake_department_id=post.department_id))
            if post.department_id not in working:
                working.append(post.department_id)
    # Cases of tasks given to their departments: a subquery, not a join, so the rows need no
    # DISTINCT (which made PostgreSQL plan for ~9 ms over the wide joined rows).
    branches += [Q(pk__in=Task.objects.filter(department_id=d).values("case_id")) for d in working]
    if expert_in:
        branches.append(Q(pk__in=Task.objects.filter(_expert_tasks(user, expert_in)).values("case_id")))
    return list(dict.fromkeys(branches))


def staff_case_filter(user: User) -> Q:
    """A Q over Case selecting what a staff member may see (nothing when they hold no role):
    the union of `staff_case_branches`."""
    visible = Q(pk__in=[])
    for branch in staff_case_branches(user):
        visible |= branch
    return visible


def staff_may_see(user: User, case: Case) -> bool:
    """`staff_case_filter` for one case already read (no query unless only a task can tell).

    The same rules, kept apart on purpose: filtering the list by this one case's pk measured
    93-118 ms at 1,000,000 cases for reviewers (the task subquery is built for the whole
    department), this ~0.1 ms. Change both together; test_permissions covers both."""
    working: list[int] = []
    expert_in: list[int] = []
    for post in posts_of(user):
        if post.role in READ_ONLY_ROLES:
            if case.region.code.startswith(post.region_prefix):
                return True
        elif post.role == Role.EXPERT:
            expert_in.append(post.department_id)
        elif _in_case_scope(post, case) or post.is_intake_window_of(case):
            return True
        elif post.role in CASE_ROLES:
            working.append(post.department_id)
    tasks = Task.objects.filter(case_id=case.pk)
    if working and tasks.filter(department_id__in=working).exists():
        return True
    return bool(expert_in) and tasks.filter(_expert_tasks(user, expert_in)).exists()
