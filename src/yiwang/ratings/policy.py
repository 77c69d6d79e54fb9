"""Who may do what with ratings (the one check services and interfaces share).

- **Rate** (一事一评 online, once per case): a party of the case — its applicant, or a person
  currently acting for its enterprise — once the case has a result (decided, concluded or
  refused). The one-time link of the conclusion notice and the hall tablet's link stand for
  the applicant (no login). A **supervisor** covering the case's region records a rating
  taken by the 12345 hotline, for the applicant, marked as such.
- **Add to a rating** (追评) and **rate the rectification**: the rater, themselves.
- **Answer a bad review** (fix at once, rectify, explain, close a rectification, revisit):
  the handling department's head (机关负责人) or window clerks, or the region's
  行政审批服务局 window (the posts that cover the case).
- **Appeal** a rating: the department's head. **Decide** an appeal: a supervisor covering the
  case's region who holds no other post in the rated department (separation of duties; the
  监督 post itself may sit there, as 电子监察 often does).
- **Issue the hall tablet's link**: a window clerk covering the case, right after serving.
- **Open, answer or drop an improvement** (服务改进): a catalog administrator of the
  implementation's region or a region above it (who maintains its versions).
- **See**: the rater their own ratings; the department's staff and the region's supervisors
  the department's ratings in full; the public only figures and anonymised examples.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Q

from yiwang.accounts.models import Role, User
from yiwang.accounts.selectors import roles_held
from yiwang.cases.models import Case
from yiwang.cases.policy import Post, applicant_may_act, posts_of
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.models import Implementation
from yiwang.catalog.selectors import admin_regions
from yiwang.core.errors import PermissionDenied
from yiwang.ratings.models import Rating
from yiwang.ratings.workflow import HANDLING_TRANSITIONS, PUT_RIGHT, AppealStatus, Handling, HandlingAction

RATEABLE = frozenset({CaseStatus.DECIDED_APPROVED, CaseStatus.DECIDED_DENIED, CaseStatus.CONCLUDED, CaseStatus.REFUSED})
RESPONDER_ROLES = frozenset({Role.HEAD, Role.WINDOW_CLERK})


def rateable(case: Case) -> bool:
    return case.status in RATEABLE


def require_rateable(case: Case) -> None:
    if not rateable(case):
        raise PermissionDenied(f"办件 {case.number} 尚未办结（{case.get_status_display()}），办结后才能评价。")


def require_rater(user: User, case: Case) -> None:
    require_rateable(case)
    if not applicant_may_act(user, case):
        raise PermissionDenied("只有办件的申请人（或企业的现任经办人）可以评价该办件。")


def _covers_region(post: Post, case: Case) -> bool:
    return case.region.code.startswith(post.region_prefix)


def is_supervisor_of(user: User, case: Case) -> bool:
    return any(p.role == Role.SUPERVISOR and _covers_region(p, case) for p in posts_of(user))


def require_hotline_recorder(user: User, case: Case) -> None:
    require_rateable(case)
    if not is_supervisor_of(user, case):
        raise PermissionDenied("只有负责该区划的监督人员可以代录 12345 热线评价。")


def require_own_rating(user: User, rating: Rating) -> None:
    if rating.rater_id != user.pk:
        raise PermissionDenied("只有评价人本人可以追加评价或评价整改结果。")


def may_respond(user: User, case: Case) -> bool:
    return any(p.role in RESPONDER_ROLES and p.covers(case) for p in posts_of(user))


def require_responder(user: User, rating: Rating) -> None:
    if not may_respond(user, rating.case):
        raise PermissionDenied(f"只有{rating.department.name}的负责人或窗口人员可以处理该差评。")


def require_window_clerk(user: User, case: Case) -> None:
    if not any(p.role == Role.WINDOW_CLERK and p.covers(case) for p in posts_of(user)):
        raise PermissionDenied("只有办理该办件的窗口人员可以生成现场评价码。")


def require_appellant(user: User, rating: Rating) -> None:
    if not any(p.role == Role.HEAD and p.department_id == rating.department_id for p in posts_of(user)):
        raise PermissionDenied(f"只有{rating.department.name}的机关负责人可以对评价提出申诉。")


def require_appeal_judge(user: User, rating: Rating) -> None:
    posts = posts_of(user)
    if not any(p.role == Role.SUPERVISOR and _covers_region(p, rating.case) for p in posts):
        raise PermissionDenied("只有负责该区划的监督人员可以复核评价申诉。")
    # The supervising post itself may sit in the rated department (电子监察 is often placed in
    # the 行政审批服务局, as in the demo world); any other post there disqualifies.
    if any(p.department_id == rating.department_id and p.role != Role.SUPERVISOR for p in posts):
        raise PermissionDenied("被评价部门的工作人员不能复核本部门的评价申诉（职责分离）。")


def require_catalog_admin_of(user: User, implementation: Implementation) -> None:
    if implementation.region not in admin_regions(user):
        raise PermissionDenied(
            f"只有{implementation.region.name}或其上级区划的事项管理员可以办理该实施清单的服务改进。"
        )


def staff_rating_filter(user: User) -> Q:
    """The ratings a staff member may see: their departments' (posts covering the case), and
    every rating in the regions they supervise."""
    visible = Q(pk__in=[])
    for post in posts_of(user):
        if post.role == Role.SUPERVISOR:
            visible |= Q(region__code__startswith=post.region_prefix)
        elif post.role in RESPONDER_ROLES:
            scope = Q(department_id=post.department_id)
            visible |= scope | Q(region_id=post.region_id) if post.is_region_window else scope
    return visible


def staff_may_see(user: User, rating: Rating) -> bool:
    return Rating.objects.filter(staff_rating_filter(user), pk=rating.pk).exists()


# --- what the workbench offers (the pages show only what these allow; services still check) ---

SEES_RATINGS_ROLES = frozenset({Role.HEAD, Role.WINDOW_CLERK, Role.SUPERVISOR})
# The page's action names and the handling step each one takes (workflow.HANDLING_TRANSITIONS).
ANSWERS = {
    "fix": HandlingAction.FIX,
    "rectify": HandlingAction.RECTIFY,
    "explain": HandlingAction.EXPLAIN,
    "close": HandlingAction.CLOSE,
}


def sees_ratings(user: User) -> bool:
    """Whether the workbench links 好差评 for `user`: the posts that answer bad reviews or
    supervise them (one query by post; which ratings they see is `staff_rating_filter`'s)."""
    return bool(roles_held(user) & SEES_RATINGS_ROLES)


def may_record_hotline(user: User) -> bool:
    """Whether `user` holds a supervisor post (the case's region is checked per case)."""
    return Role.SUPERVISOR in roles_held(user)


def may_issue_hall_link(user: User, case: Case) -> bool:
    """The 生成现场评价码 button: a window clerk covering a case with a result and no
    on-site rating yet (一次一评)."""
    return (
        rateable(case)
        and any(p.role == Role.WINDOW_CLERK and p.covers(case) for p in posts_of(user))
        and not Rating.objects.filter(case=case, family="onsite").exists()
    )


def _passes(check: Callable[[], None]) -> bool:
    try:
        check()
    except PermissionDenied:
        return False
    return True


def actions_for(user: User, rating: Rating) -> frozenset[str]:
    """The workbench actions `user` may take on `rating` now: fix, rectify, explain, close,
    revisit (the handling department), appeal (its head), decide (a supervisor, on the open
    appeal someone else filed)."""
    allowed: set[str] = set()
    if may_respond(user, rating.case):
        current = Handling(rating.handling)
        allowed |= {name for name, step in ANSWERS.items() if (current, step) in HANDLING_TRANSITIONS}
        if rating.is_bad:
            allowed.add("revisit")
    open_appeal = next((a for a in rating.appeals.all() if a.status == AppealStatus.FILED), None)
    if open_appeal is None and not rating.excluded and _passes(lambda: require_appellant(user, rating)):
        allowed.add("appeal")
    if (
        open_appeal is not None
        and open_appeal.filed_by_id != user.pk
        and _passes(lambda: require_appeal_judge(user, rating))
    ):
        allowed.add("decide")
    return frozenset(allowed)


# --- predicates for pages (portal): what to offer, the require_* checks above still decide -------


def may_rate(user: User, case: Case) -> bool:
    """Whether to offer `user` the rating form of `case` (once per case is the service's check)."""
    return rateable(case) and applicant_may_act(user, case)


def addition_open(rating: Rating, now: dt.datetime) -> bool:
    """Whether the rater may still add to the rating (追评 within RATINGS_ADDITION_DAYS)."""
    return now <= rating.rated_at + dt.timedelta(days=settings.RATINGS_ADDITION_DAYS)


def rectification_rateable(rating: Rating) -> bool:
    """Whether the rater may rate what was done about the bad review (once, after it was put right)."""
    return rating.handling in PUT_RIGHT and rating.second_grade is None
