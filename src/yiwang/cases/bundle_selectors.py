"""Reads of bundle applications (一件事) for the portal, the workbench and the API.

The applicant (or a current agent of the enterprise applied for) sees the bundle, its parts
and its uploads; staff who may see one part see the bundle's summary: which other parts
exist and how far they are, never another department's materials or forms.
"""

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiwang.accounts.models import User
from yiwang.accounts.selectors import agencies_of
from yiwang.cases.models import BundleCase, BundleCaseEvent, BundleUpload, Case
from yiwang.cases.policy import applicant_may_act
from yiwang.cases.services.bundles import TROUBLE, document_of, part_blocked
from yiwang.cases.workflow import CaseStatus, status_tone
from yiwang.core.errors import NotFound
from yiwang.ledger.events import CaseVerb


@dataclass(frozen=True)
class PartView:
    key: str
    label: str
    case: Case | None
    department: str
    status_label: str
    tone: str
    note: str  # what this part's state means for the bundle (blocked, waiting, 补正 …)


def _own(user: User) -> Q:
    return Q(applicant=user) | Q(enterprise_id__in=[a.enterprise_id for a in agencies_of(user)])


def bundle_cases_of(user: User) -> QuerySet[BundleCase]:
    """The user's bundle applications (drafts included), newest first."""
    if not user.is_authenticated or not user.is_applicant:
        return BundleCase.objects.none()
    return BundleCase.objects.filter(_own(user)).select_related("bundle_version__bundle").order_by("-created_at")


def bundle_case_for(user: User, ref: str) -> BundleCase:
    """One of the user's bundle applications by its ref (UUID) or number."""
    found = bundle_cases_of(user).filter(Q(number=ref) | Q(ref=ref) if _is_uuid(ref) else Q(number=ref)).first()
    if found is None:
        raise NotFound("没有找到这份一件事申请。")
    return found


def bundle_case_by_key(user: User, key: str) -> BundleCase | None:
    """The bundle application this applicant already submitted with idempotency `key`, if any."""
    if not key or not user.is_authenticated:
        return None
    return BundleCase.objects.filter(applicant=user, idempotency_key=key).exclude(number=None).first()


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def bundle_parts(bundle: BundleCase) -> list[PartView]:
    """Every member of the bundle version in order: its part case (None: not included) and what
    its state means for the others."""
    parsed = document_of(bundle.bundle_version)
    parts = {p.bundle_member: p for p in Case.objects.filter(bundle=bundle).select_related("department")}
    views = []
    for member in parsed.members.members:
        case = parts.get(member.key)
        if case is None:
            if bundle.status != "draft":
                views.append(
                    PartView(member.key, member.label, None, "", "不适用", "neutral", "根据您填写的情况无需办理")
                )
            continue
        blocked = part_blocked(case, parts, parsed)
        note = blocked
        if not note and case.status == CaseStatus.DRAFT:
            waits = "、".join((parsed.members.member(k) or member).label for k in member.after)
            note = f"待“{waits}”准予后自动提交"
        elif case.status in TROUBLE:
            dependents = [m.label for m in parsed.members.members if member.key in m.after and m.key in parts]
            note = "请在该事项中处理" + (f"；“{'、'.join(dependents)}”须待本事项准予后才能办理" if dependents else "")
        views.append(
            PartView(
                member.key,
                member.label,
                case,
                case.department.name,
                "待提交" if case.status == CaseStatus.DRAFT else case.get_status_display(),
                "danger" if blocked else status_tone(case.status),
                note,
            )
        )
    return views


def bundle_uploads(bundle: BundleCase) -> dict[str, BundleUpload]:
    return {u.material_key: u for u in BundleUpload.objects.filter(bundle_case=bundle, superseded_at__isnull=True)}


def bundle_events(bundle: BundleCase) -> list[BundleCaseEvent]:
    return list(BundleCaseEvent.objects.filter(bundle_case=bundle).exclude(verb=CaseVerb.BUNDLE_DRAFT_SAVED))


def bundle_of_case(user: User, case: Case) -> tuple[BundleCase, list[PartView]] | None:
    """The bundle a case belongs to, with its parts' progress, for whoever may see the case."""
    if case.bundle_id is None:
        return None
    bundle = BundleCase.objects.select_related("bundle_version__bundle").get(pk=case.bundle_id)
    if not user.is_staff_member and not applicant_may_act(user, case):
        return None
    return bundle, bundle_parts(bundle)
