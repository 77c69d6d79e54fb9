"""Who may see and act on an e-license (the one check services and interfaces share).

- The **holder** sees their licenses: the applicant it was issued to, and the currently
  authorised agents of the holding enterprise. The holder may ask for 注销 (cancel).
- The **issuing department's** case-handling staff see its licenses; its approvers (审批决定)
  and heads (机关负责人) suspend, resume, revoke and re-issue (supersede) them.
- The system issues, expires, and revokes when the case's decision is revoked.
- The holder alone shares a license with a third party (用证授权) and withdraws it
  (`require_share_action`); the third party sees only what an authorisation discloses.
- Nobody else sees a license, except its public status (selectors.license_public_status).
"""

from django.db.models import Q

from yiwang.accounts.models import Role, User
from yiwang.accounts.selectors import agencies_of, departments_with_roles, roles_held
from yiwang.core.errors import PermissionDenied
from yiwang.licenses.models import License
from yiwang.licenses.workflow import LICENSE_TRANSITIONS, LicenseAction, LicenseStatus

STAFF_ROLES = frozenset({Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.HEAD})
DECIDING_ROLES = frozenset({Role.APPROVER, Role.HEAD})
HOLDER_ACTIONS = frozenset({LicenseAction.CANCEL})
DEPARTMENT_ACTIONS = frozenset(
    {LicenseAction.SUSPEND, LicenseAction.RESUME, LicenseAction.REVOKE, LicenseAction.SUPERSEDE}
)


def license_filter(user: User, *, as_holder: bool = False) -> Q:
    """The licenses `user` may see (only those they hold with `as_holder`), as a filter."""
    enterprises = [agency.enterprise_id for agency in agencies_of(user)]
    # An enterprise's license is held by the enterprise: the agent who applied sees it only
    # while still authorised (a former agent keeps no access through having applied).
    held = Q(holder=user, enterprise__isnull=True) | Q(enterprise_id__in=enterprises)
    if as_holder:
        return held
    return held | Q(issuer_id__in=departments_with_roles(user, STAFF_ROLES))


def issued_filter(user: User) -> Q:
    """The licenses issued by the departments where `user` handles cases (the workbench list)."""
    return Q(issuer_id__in=departments_with_roles(user, STAFF_ROLES))


def sees_issued_licenses(user: User) -> bool:
    """Whether the workbench offers `user` the list of their departments' licenses."""
    return bool(roles_held(user) & STAFF_ROLES)


def department_actions_for(user: User, license: License) -> frozenset[LicenseAction]:
    """The department's actions `user` may take on `license` now: who (a deciding post in the
    issuing department) and when (the table, from the effective status). What pages offer."""
    if not user.staff_roles.filter(role__in=DECIDING_ROLES, department_id=license.issuer_id).exists():
        return frozenset()
    status = license.effective_status
    return frozenset(action for action in DEPARTMENT_ACTIONS if (status, action) in LICENSE_TRANSITIONS)


def is_holder(user: User, license: License) -> bool:
    if license.enterprise_id is None:
        return license.holder_id == user.pk
    return any(agency.enterprise_id == license.enterprise_id for agency in agencies_of(user))


def require_license_action(user: User, license: License, action: LicenseAction) -> None:
    """PermissionDenied (Chinese, naming who may act) unless `user` may take `action`."""
    if action in HOLDER_ACTIONS:
        if not is_holder(user, license):
            raise PermissionDenied("只有持证人本人或持证企业的经办人可以申请注销电子证照。")
        return
    if action in DEPARTMENT_ACTIONS:
        if not user.staff_roles.filter(role__in=DECIDING_ROLES, department_id=license.issuer_id).exists():
            raise PermissionDenied(f"只有发证机关（{license.issuer.name}）的审批决定人员可以{action.label}电子证照。")
        return
    raise PermissionDenied(f"电子证照的“{action.label}”由系统办理。")


def require_share_action(user: User, license: License) -> None:
    """用证授权: only the holder (the person, or a current agent of the holding enterprise)
    grants, lists and withdraws authorisations of a license; staff of the issuer do not."""
    if not is_holder(user, license):
        raise PermissionDenied("只有持证人本人或持证企业的经办人可以授权他人使用电子证照或撤回授权。")


def may_act(user: User, license: License, action: LicenseAction) -> bool:
    """Whether the page should offer `action`: `user` may take it and the status allows it."""
    if (LicenseStatus(license.effective_status), action) not in LICENSE_TRANSITIONS:
        return False
    try:
        require_license_action(user, license, action)
    except PermissionDenied:
        return False
    return True
