"""Reads of 帮办代办 (ADR 0029) for the workbench and the applicant's pages: the log of the
helpers' searches for people (the search itself is `services.assisted_lookup`), the helper's
assisted applications, the items they may help with, and the "由窗口工作人员 X 帮办" line shown
on a case. Every read checks the one policy (cases.policy.assist_permission)."""

import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q, QuerySet

from yiwang.accounts.models import User
from yiwang.accounts.selectors import person_of
from yiwang.cases.assisted_workflow import OPEN_STATES
from yiwang.cases.models import AssistedApplication, AssistedLookup, Case
from yiwang.cases.policy import helper_posts, lookup_log_scope, may_assist, require_assist
from yiwang.cases.rows import CaseRow
from yiwang.cases.selectors import MaterialNeed, _material_needs
from yiwang.cases.services.assisted import helper_label
from yiwang.cases.services.assisted_lookup import number_digest
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.core import clock
from yiwang.core.errors import NotFound, PermissionDenied

_NOT_A_HELPER = "您无权帮办代办：需要窗口受理或帮办员岗位。"


def _require_helper(user: User) -> None:
    if not may_assist(user):
        raise PermissionDenied(_NOT_A_HELPER, rule="policy")


def applicant_found_before(user_id: int) -> User | None:
    """The active applicant a session's earlier search found (by its id), if still one."""
    return User.objects.filter(pk=user_id, kind="applicant", is_active=True).first()


def lookups_about(user: User) -> QuerySet[AssistedLookup]:
    """The helpers' searches for `user`'s own 证件号码 (found or not), newest first: what
    我的数据使用记录 lists beside the shared-data reads."""
    person = person_of(user)
    if person is None or not person.id_number:
        return AssistedLookup.objects.none()
    return AssistedLookup.objects.filter(number_digest=number_digest(person.id_number)).select_related(
        "helper_department"
    )


def lookups_visible_to(user: User) -> QuerySet[AssistedLookup]:
    """The searches a supervisor or auditor may read (their region and below), newest first."""
    scope = lookup_log_scope(user)
    if scope is None:
        raise PermissionDenied("帮办查询记录仅对监督人员和审计人员开放。", rule="policy")
    return AssistedLookup.objects.filter(scope).select_related("helper", "helper_department", "person__person")


HELP_LIST_LIMIT = 100  # items listed at once on 新建帮办; more are found by name (`q`)


def _versions_in_scope(user: User) -> QuerySet[ImplementationVersion]:
    """Implementation versions in force that `user` may help with (their department's items,
    or their region's for a 帮办员 or the region's window), by name."""
    _require_helper(user)
    scope = Q(pk__in=[])
    for post in helper_posts(user):
        scope |= Q(implementation__department_id=post.department_id)
        if post.helps_region:
            scope |= Q(implementation__region_id=post.region_id)
    now = clock.now()
    return (
        ImplementationVersion.objects.filter(scope, status=VersionStatus.PUBLISHED, valid_from__lte=now)
        .exclude(valid_until__lte=now)
        .exclude(item_version__suspended=True)
        .select_related("item_version", "implementation__department")
        .order_by("item_version__name", "pk")
    )


def versions_to_help(user: User, q: str = "") -> list[ImplementationVersion]:
    """The first HELP_LIST_LIMIT items `user` may help with, by name, whose name contains `q`."""
    rows = _versions_in_scope(user)
    q = (q or "").strip()[:60]
    if q:
        rows = rows.filter(item_version__name__icontains=q)
    return list(rows[:HELP_LIST_LIMIT])


def version_to_help(user: User, pk: str | int) -> ImplementationVersion:
    """The item `pk` if `user` may help with it (wherever it sorts in their list), else NotFound."""
    text = str(pk).strip()
    found = (
        _versions_in_scope(user).filter(pk=int(text)).first()
        if text.isascii() and text.isdigit() and len(text) < 12
        else None
    )
    if found is None:
        raise NotFound("该事项不存在、已停止办理，或不在您可帮办的范围内。")
    return found


def assisted_open_of(user: User) -> list[AssistedApplication]:
    """我的帮办: the open assisted applications of the helper's departments, newest first."""
    _require_helper(user)
    departments = {p.department_id for p in helper_posts(user)}
    return list(
        AssistedApplication.objects.filter(helper_department_id__in=departments, status__in=list(OPEN_STATES))
        .select_related("person__person", "helper", "case__implementation_version__item_version")
        .order_by("-updated_at", "-id")[:200]
    )


ENDED_DAYS = 7


def assisted_ended_of(user: User) -> list[AssistedApplication]:
    """我的帮办, 近期结束: the helper's departments' assisted applications that ended in the last
    ENDED_DAYS days — confirmed, submitted by the person themselves, cancelled or expired."""
    _require_helper(user)
    departments = {p.department_id for p in helper_posts(user)}
    since = clock.now() - timedelta(days=ENDED_DAYS)
    return list(
        AssistedApplication.objects.filter(helper_department_id__in=departments, updated_at__gte=since)
        .exclude(status__in=list(OPEN_STATES))
        .select_related("person__person", "case__implementation_version__item_version")
        .order_by("-updated_at", "-id")[:100]
    )


def assisted_get(user: User, ref: str) -> AssistedApplication:
    """One assisted application the helper may work on (NotFound otherwise: no probing)."""
    _require_helper(user)
    found = (
        AssistedApplication.objects.filter(ref=ref)
        .select_related(
            "person__person",
            "helper",
            "helper_department",
            "case__implementation_version__item_version",
            "case__implementation_version__implementation__department",
        )
        .first()
        if _is_uuid(ref)
        else None
    )
    if found is None:
        raise NotFound("找不到这份帮办申请。")
    try:
        require_assist(user, department_id=found.helper_department_id)
    except PermissionDenied as exc:
        raise NotFound("找不到这份帮办申请。") from exc
    return found


def _is_uuid(ref: str) -> bool:
    try:
        uuid.UUID(str(ref))
    except ValueError:
        return False
    return True


def assisted_label(case: Case) -> str:
    """ "由窗口工作人员 X 帮办" for a case submitted with help, else ""."""
    found = AssistedApplication.objects.filter(case_id=case.pk, confirmed_at__isnull=False).select_related("helper")
    row = found.first()
    return helper_label(row) if row is not None else ""


def assisted_labels(cases: Iterable[Case] | Iterable[CaseRow]) -> dict[int, str]:
    """`assisted_label` of many cases in one query (lists of 我的办件)."""
    ids = [c.pk for c in cases]
    rows = AssistedApplication.objects.filter(case_id__in=ids, confirmed_at__isnull=False).select_related("helper")
    return {row.case_id: helper_label(row) for row in rows}


def assisted_materials(user: User, assisted: AssistedApplication) -> list[MaterialNeed]:
    """The materials of an assisted draft: whether each is needed, the file stored, the
    免提交 lookups — what the applicant's own draft page shows."""
    require_assist(user, department_id=assisted.helper_department_id)
    return _material_needs(assisted.case)
