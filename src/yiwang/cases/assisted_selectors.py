"""Reads of 帮办代办 (ADR 0029) for the workbench and the applicant's pages: the person being
helped, the helper's assisted applications, the items they may help with, and the "由窗口工作人员
X 帮办" line shown on a case. Every read checks the one policy (cases.policy.assist_permission)."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiwang.accounts.models import NaturalPerson, User
from yiwang.cases.assisted_workflow import OPEN_STATES
from yiwang.cases.models import AssistedApplication, Case
from yiwang.cases.policy import helper_posts, may_assist, require_assist
from yiwang.cases.selectors import MaterialNeed, _material_needs
from yiwang.cases.services.assisted import helper_label
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.core import clock
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.core.identifiers import mask_phone

_NOT_A_HELPER = "您无权帮办代办：需要窗口受理或帮办员岗位。"


def _require_helper(user: User) -> None:
    if not may_assist(user):
        raise PermissionDenied(_NOT_A_HELPER, rule="policy")


@dataclass(frozen=True)
class PersonFound:
    """The person a helper found, as the helper's screen shows them (masked)."""

    user: User
    masked_name: str
    masked_id_number: str
    masked_phone: str


def person_find(user: User, *, real_name: str, id_number: str) -> PersonFound | None:
    """The real-name applicant with exactly this name and 证件号码 (both must match), or None."""
    _require_helper(user)
    name, number = (real_name or "").strip(), (id_number or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 60 or any(ord(c) < 32 for c in name):
        errors["real_name"] = ["姓名：必填，最长 60 个字"]
    if len(number) != 18 or not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        errors["id_number"] = ["证件号码：请输入 18 位居民身份证号码"]
    if errors:
        raise ValidationFailed(errors)
    person = (
        NaturalPerson.objects.select_related("user")
        .filter(real_name=name, id_number=number, user__kind="applicant", user__is_active=True)
        .first()
    )
    if person is None:
        return None
    return PersonFound(
        person.user,
        person.masked_name,
        person.masked_id_number,
        mask_phone(person.user.phone) if person.user.phone else "",
    )


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


def assisted_labels(cases: Iterable[Case]) -> dict[int, str]:
    """`assisted_label` of many cases in one query (lists of 我的办件)."""
    ids = [c.pk for c in cases]
    rows = AssistedApplication.objects.filter(case_id__in=ids, confirmed_at__isnull=False).select_related("helper")
    return {row.case_id: helper_label(row) for row in rows}


def assisted_materials(user: User, assisted: AssistedApplication) -> list[MaterialNeed]:
    """The materials of an assisted draft: whether each is needed, the file stored, the
    免提交 lookups — what the applicant's own draft page shows."""
    require_assist(user, department_id=assisted.helper_department_id)
    return _material_needs(assisted.case)
