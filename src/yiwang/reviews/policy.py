"""Who may do what with the expert pool and the panels (the one check services and pages share).

- **Keep the pool** (add experts, change their details, availability, declared relations):
  the department's **head** (机关负责人) or **approver** (审批决定) — the posts that answer for
  the department's decisions, not the reviewers who request panels (ADR 0028).
- **Request a panel** on a case: whoever may start a special procedure on it
  (cases.policy, CaseAction.SUSPEND: a reviewer or approver of the case's department).
  **Conclude** or **cancel** it: whoever may end the special procedure (CaseAction.RESUME).
- **Draw**: nobody chooses — the system draws once the seed exists (worker or page load).
- **Answer an invitation, read the chosen materials, sign an opinion**: the invited expert,
  through the account linked to their pool entry; materials and summary only once accepted.
- **Be an expert's login** (the staff account linked to a pool entry, docs/reviews.md "The
  expert's login"): an active staff account linked to no other expert, holding no post that
  answers for or oversees the pool's department — any post in that department but 评审专家,
  a 综合受理窗口 clerk of its region, a supervisor or auditor whose region covers it
  (`login_conflicts`). Per case, the draw recuses an expert whose login handled the case.
- **See a panel in full** (who is invited, opinions): the case's staff (cases.policy
  `staff_may_see`) and the pool keepers; the **applicant** sees that a review is under way and
  its expected end, never who the experts are before it concludes; the **public** reads the
  draw record (commitments, masked exclusions; openings after conclusion).
"""

from collections.abc import Iterable

from yiwang.accounts.models import Department, Role, StaffRole, User
from yiwang.accounts.selectors import departments_with_roles, roles_held
from yiwang.cases.models import Case
from yiwang.cases.policy import READ_ONLY_ROLES, Post, case_permission, staff_may_see
from yiwang.cases.workflow import CaseAction
from yiwang.core.errors import PermissionDenied
from yiwang.reviews.models import Expert, Invitation, Panel
from yiwang.reviews.workflow import InvitationStatus

POOL_KEEPERS = frozenset({Role.HEAD, Role.APPROVER})


def pool_departments(user: User) -> list[int]:
    """The departments whose pool `user` keeps."""
    if not user.is_authenticated or not user.is_staff_member:
        return []
    return departments_with_roles(user, POOL_KEEPERS)


def require_pool_keeper(user: User, department_id: int) -> None:
    if department_id not in pool_departments(user):
        raise PermissionDenied("只有该部门的机关负责人或审批决定人员可以管理专家库。", rule="policy")


def may_request(user: User, case: Case) -> bool:
    return bool(case_permission(user, CaseAction.SUSPEND, case))


def may_conclude(user: User, case: Case) -> bool:
    return bool(case_permission(user, CaseAction.RESUME, case))


def require_concluder(user: User, panel: Panel) -> None:
    if not may_conclude(user, panel.case):
        raise PermissionDenied("只有该办件所属部门的审查或审批决定人员可以形成评审结论。", rule="policy")


def expert_of(user: User) -> Expert | None:
    if not user.is_authenticated:
        return None
    return Expert.objects.filter(user=user).first()


def require_invitee(user: User, invitation: Invitation) -> None:
    if invitation.expert.user_id is None or invitation.expert.user_id != user.pk:
        raise PermissionDenied("只有受邀专家本人可以答复邀请或提交评审意见。", rule="policy")


def may_read_materials(user: User, invitation: Invitation) -> bool:
    return invitation.expert.user_id == user.pk and invitation.status in (
        InvitationStatus.ACCEPTED,
        InvitationStatus.SIGNED,
    )


def may_see_panel(user: User, panel: Panel) -> bool:
    """Staff of the case, or the pool keepers of the panel's pool."""
    if not user.is_authenticated or not user.is_staff_member:
        return False
    return staff_may_see(user, panel.case) or panel.department_id in pool_departments(user)


def sees_reviews(user: User) -> bool:
    """The 专家评审 entry of the workbench: the posts that request panels or keep the pool
    (reviewer, approver, head) and the experts (an expert post or a pool entry). The posts
    are read once per request; the pool is asked only when none of them answers."""
    if not user.is_authenticated or not user.is_staff_member:
        return False
    if roles_held(user) & {Role.REVIEWER, Role.APPROVER, Role.HEAD, Role.EXPERT}:
        return True
    return Expert.objects.filter(user=user).exists()


def _post_conflict(post: Post, department: Department) -> str:
    """Why holding `post` unfits an account to review for `department`'s pool ("" if it does
    not): the expert would judge their own department's files, or files they oversee."""
    label = Role(post.role).label
    if post.role == Role.EXPERT:
        return ""
    if post.department_id == department.pk:
        return f"该账号在本部门任“{label}”岗位"
    if post.is_region_window and post.region_id == department.region_id:
        return "该账号是本区划综合受理窗口人员，受理本部门的申请"
    if post.role in READ_ONLY_ROLES and department.region.code.startswith(post.region_prefix):
        return f"该账号任“{label}”岗位，负责监督本部门"
    return ""


def login_conflicts(department: Department, user_ids: Iterable[int]) -> dict[int, str]:
    """Of `user_ids`, the accounts that may not be the login of an expert of `department`'s
    pool because of a post they hold, each with the first reason found (one query)."""
    found: dict[int, str] = {}
    rows = StaffRole.objects.filter(user_id__in=list(user_ids)).select_related("department__region")
    for sr in rows.order_by("user_id", "pk"):
        why = _post_conflict(Post.of(sr), department)
        if why and sr.user_id not in found:
            found[sr.user_id] = why
    return found
