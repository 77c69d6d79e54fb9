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
- **See a panel in full** (who is invited, opinions): the case's staff (cases.policy
  `staff_may_see`) and the pool keepers; the **applicant** sees that a review is under way and
  its expected end, never who the experts are before it concludes; the **public** reads the
  draw record (commitments, masked exclusions; openings after conclusion).
"""

from yiwang.accounts.models import Role, User
from yiwang.accounts.selectors import departments_with_roles, roles_held
from yiwang.cases.models import Case
from yiwang.cases.policy import case_permission, staff_may_see
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
