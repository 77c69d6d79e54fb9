"""Who may do what in 电子监察 and 考评 (the one check services and pages share).

- **The monitoring dashboard**, its drill-down and the monthly evaluation: staff holding a
  supervisor post (监督人员), for the regions at and below the post's region. A supervisor of
  济南市 sees every district of 济南; a provincial supervisor the whole province. Nobody else:
  the dashboard lists cases of every department, which only supervision may read across
  departments.
- **The public data page** (政务服务数据公开) needs no login: counts and rates only, never a case.
  A supervisor with posts in several separate regions (济南市 and 泰安市) sees their union,
  never a region between or beside them.
- **Manage rules** (create one, draft a version, publish it): a supervisor (监督人员) post
  anywhere — a rule watches every case of the platform, or of the region it is scoped to,
  which must be one the supervisor covers; each version is written to the ledger. Four eyes:
  a version is published by a supervisor other than the one who drafted it.
- **See hits, send 督办, close or reopen one**: a supervisor whose post's region covers the
  hit's or the 督办's region (their region and every region below it). A free-standing 督办
  goes only to a department of such a region.
- **考评 schemes** (draft, retire a version): a supervisor post anywhere; **publish** a
  version: a supervisor other than the one who drafted it (four eyes).
- **See and answer 督办**: the staff of the department it is sent to see it; its head
  (机关负责人) or an approver (审批决定) answers it. Nobody else sees hits or 督办: not other
  departments, not applicants.
"""

from django.db.models import Q, QuerySet

from yiwang.accounts.models import Department, Region, Role, User
from yiwang.accounts.selectors import roles_held
from yiwang.cases.policy import Post, posts_of
from yiwang.core.errors import PermissionDenied
from yiwang.supervision.eval_models import SchemeVersion
from yiwang.supervision.rule_models import RuleVersion, SupervisionNotice
from yiwang.supervision.rule_workflow import (
    NOTICE_TRANSITIONS,
    VERSION_TRANSITIONS,
    NoticeAction,
    NoticeStatus,
    VersionAction,
    VersionStatus,
)

ANSWER_ROLES = frozenset({Role.HEAD, Role.APPROVER})


def supervisor_posts(user: User) -> list[Post]:
    return [p for p in posts_of(user) if p.role == Role.SUPERVISOR]


def is_supervisor(user: User) -> bool:
    return Role.SUPERVISOR in roles_held(user)


def supervises(user: User, region: Region) -> bool:
    return any(region.code.startswith(p.region_prefix) for p in supervisor_posts(user))


def supervised_prefixes(user: User) -> list[str]:
    """Every region-code prefix `user` supervises, none below another (a post in 济南市 and
    one in 历下区: 济南's only), broadest first, then by code (none: not a supervisor). The
    scope of such a supervisor is the union of them all."""
    prefixes = {p.region_prefix for p in supervisor_posts(user)}
    broadest = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    return sorted(broadest, key=lambda p: (len(p), p))


def supervised_departments(user: User) -> QuerySet[Department]:
    """The departments a supervisor may send a 督办 to: those of their regions and below."""
    within = Q(pk__in=[])
    for prefix in supervised_prefixes(user):
        within |= Q(region__code__startswith=prefix)
    return Department.objects.filter(within).select_related("region").order_by("region__code", "name")


def supervised_regions(user: User) -> QuerySet[Region]:
    """The regions a rule may be scoped to by `user`: theirs and every region below them down
    to the county level (the levels the dashboard filters by)."""
    within = Q(pk__in=[])
    for prefix in supervised_prefixes(user):
        within |= Q(code__startswith=prefix)
    return Region.objects.filter(within, level__in=["province", "prefecture", "county"]).order_by("code")


def require_supervisor(user: User) -> list[str]:
    """The prefixes of the dashboard's regions for `user`, or PermissionDenied."""
    prefixes = supervised_prefixes(user)
    if not prefixes:
        raise PermissionDenied("监察看板仅对监督人员开放。")
    return prefixes


def require_rule_manager(user: User, region: Region | None = None) -> None:
    """A supervisor; for a rule scoped to `region`, one who covers that region."""
    if not is_supervisor(user):
        raise PermissionDenied("只有监督人员可以管理监察规则。")
    if region is not None and not supervises(user, region):
        raise PermissionDenied(f"只有负责{region.name}的监督人员可以设置该区划的监察规则。")


def is_second_person(user: User, version: RuleVersion | SchemeVersion) -> bool:
    """Four eyes on a rule's or a 考评 scheme's version: whoever publishes did not draft it
    (a version the platform drafted has no drafter)."""
    return version.drafted_by_id is None or version.drafted_by_id != user.pk


def may_publish(user: User, version: RuleVersion) -> bool:
    """A supervisor other than the drafter (four eyes), covering the rule's region if it has one."""
    region = version.rule.region
    allowed = is_supervisor(user) and (region is None or supervises(user, region))
    return allowed and is_second_person(user, version)


def require_publisher(user: User, version: RuleVersion) -> None:
    require_rule_manager(user, version.rule.region)
    if not is_second_person(user, version):
        raise PermissionDenied("发布须由起草人以外的监督人员进行（双人复核）。")


def may_send_notice(user: User) -> bool:
    """The 督办 list offers "发出督办" (the service checks the department's region)."""
    return is_supervisor(user)


def require_supervisor_of(user: User, region: Region) -> None:
    if not supervises(user, region):
        raise PermissionDenied(f"只有负责{region.name}的监督人员可以办理该督办。")


def may_answer(user: User, department: Department | int) -> bool:
    department_id = department if isinstance(department, int) else department.pk
    return any(p.role in ANSWER_ROLES and p.department_id == department_id for p in posts_of(user))


def require_answerer(user: User, notice: SupervisionNotice) -> None:
    if not may_answer(user, notice.department_id):
        raise PermissionDenied(f"只有{notice.department.name}的机关负责人或审批决定人员可以答复督办。")


def hit_filter(user: User) -> Q:
    visible = Q(pk__in=[])
    for post in supervisor_posts(user):
        visible |= Q(region__code__startswith=post.region_prefix)
    return visible


def notice_filter(user: User) -> Q:
    """督办 a user may see: in the regions they supervise, and those sent to their departments."""
    visible = Q(pk__in=[])
    for post in posts_of(user):
        if post.role == Role.SUPERVISOR:
            visible |= Q(region__code__startswith=post.region_prefix)
        else:
            visible |= Q(department_id=post.department_id)
    return visible


def notice_actions_for(user: User, notice: SupervisionNotice) -> frozenset[str]:
    """The page's actions on a 督办 now: answer (the department), close / reopen (a supervisor
    of its region), each only where the transition table allows it."""
    current = NoticeStatus(notice.status)
    allowed: set[str] = set()
    if may_answer(user, notice.department_id) and (current, NoticeAction.ANSWER) in NOTICE_TRANSITIONS:
        allowed.add("answer")
    if supervises(user, notice.region):
        for name, step in (("close", NoticeAction.CLOSE), ("reopen", NoticeAction.REOPEN)):
            if (current, step) in NOTICE_TRANSITIONS:
                allowed.add(name)
    return frozenset(allowed)


def workbench_links(user: User) -> list[tuple[str, str]]:
    """The workbench nav entries of 电子监察 (title, url name), from the posts read once per request: rules and hits
    for supervisors, 督办 for them and for the posts that answer 督办."""
    if not user.is_authenticated:
        return []
    roles = roles_held(user) & {Role.SUPERVISOR, *ANSWER_ROLES}
    links: list[tuple[str, str]] = []
    if Role.SUPERVISOR in roles:
        links += [("监察看板", "supervision"), ("月度考评", "supervision_evaluation")]
        links += [("监察规则", "supervision_rules"), ("规则命中", "supervision_hits")]
    if roles:
        links.append(("督办", "supervision_notices"))
    return links


# --- 考评 schemes (issue 15): who drafts, publishes and retires a scheme version -----------------
# Any supervisor manages the schemes (they rank every region, like the rules watch every
# case); publication needs a second supervisor, not the version's drafter (four eyes).


def require_scheme_manager(user: User) -> None:
    if not is_supervisor(user):
        raise PermissionDenied("只有监督人员可以管理考评方案。")


def require_second_person(user: User, version: SchemeVersion) -> None:
    if not is_second_person(user, version):
        raise PermissionDenied("考评方案版本须由起草人以外的另一位监督人员发布（双人复核）。")


def scheme_actions_for(user: User, version: SchemeVersion) -> frozenset[str]:
    """The page's buttons on a scheme version: publish (a supervisor other than its drafter)
    and retire (before its first month), each only where the transition table allows it."""
    if not is_supervisor(user):
        return frozenset()
    current = VersionStatus(version.status)
    allowed: set[str] = set()
    if (current, VersionAction.PUBLISH) in VERSION_TRANSITIONS and is_second_person(user, version):
        allowed.add("publish")
    if (current, VersionAction.RETIRE) in VERSION_TRANSITIONS and not version.has_begun:
        allowed.add("retire")
    return frozenset(allowed)
