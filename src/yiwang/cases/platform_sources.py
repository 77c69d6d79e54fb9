"""The platform's own decisions and e-licenses as data-sharing sources (查询互认).

Registered in `CasesConfig.ready` as `platform:decisions` and `platform:licenses`: cases sits
above both exchange and licenses, the two independent siblings, so it composes them (ADR
0015) — licenses never imports exchange. A resource naming one of these serves only what its
providing department itself decided or issued (a department publishes the data it holds).

- `decisions`: subject = the applicant's 统一社会信用代码 (an enterprise) or 居民身份证号 (a
  person applying in their own name); the record is their latest decision by the provider
  (准予许可 / 不予许可, decided or concluded; a revoked or withdrawn case is not a decision in
  force).
- `licenses`: subject = an 电子证照标识 (that license and its current status, whatever it is),
  or the holder's credit code / ID number (their newest license in force today).

Each answers the record, or raises `ProviderFailed("not_found", …)`; `PlatformProvider` keeps
the asked fields and checks them against the resource like an HTTP answer.
"""

from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone

from yiwang.accounts.models import Enterprise, User
from yiwang.cases.models import Case, Decision
from yiwang.cases.workflow import CaseStatus
from yiwang.exchange.models import DataResource
from yiwang.exchange.providers import ProviderFailed, register_platform_source
from yiwang.licenses.models import License
from yiwang.licenses.selectors import license_for_check, license_number_of_case

DECIDED = (CaseStatus.DECIDED_APPROVED, CaseStatus.DECIDED_DENIED, CaseStatus.CONCLUDED)


def _holder(user: User, enterprise: Enterprise | None) -> tuple[str, str | None]:
    """(name, credit code) of who a decision or license is for: the enterprise, or the person."""
    if enterprise is not None:
        return enterprise.name, enterprise.credit_code
    person = getattr(user, "person", None)
    return (person.real_name if person is not None else str(user)), None


def latest_decision(*, department_id: int, subject_id: str) -> Case | None:
    """The subject's latest decision by the department: for the enterprise of the credit code,
    or for the person of the ID number applying in their own name."""
    subject_id = subject_id.strip().upper()
    of_subject = Q(enterprise__credit_code=subject_id) | Q(
        applicant__person__id_number=subject_id, enterprise__isnull=True
    )
    return (
        Case.objects.filter(of_subject, department_id=department_id, status__in=DECIDED)
        .exclude(decision="")
        .exclude(decided_at__isnull=True)
        .select_related("implementation_version__item_version", "enterprise", "applicant__person")
        .order_by("-decided_at", "-id")
        .first()
    )


def decisions_source(resource: DataResource, subject_id: str, fields: Sequence[str]) -> dict[str, Any]:
    case = latest_decision(department_id=resource.provider_id, subject_id=subject_id)
    if case is None or case.decided_at is None:
        raise ProviderFailed("not_found", f"{resource.provider.name}没有该主体的行政许可决定")
    name, credit_code = _holder(case.applicant, case.enterprise)
    return {
        "case_number": case.number,
        "item_name": case.implementation_version.item_version.name,
        "holder_name": name,
        "holder_credit_code": credit_code,
        "decision": Decision(case.decision).label,
        "decided_on": timezone.localdate(case.decided_at).isoformat(),
        "license_number": license_number_of_case(case.pk) if case.decision == Decision.APPROVED else None,
        "contact_phone": case.applicant.phone or None,
    }


def license_record(license: License) -> dict[str, Any]:
    name, credit_code = _holder(license.holder, license.enterprise)
    return {
        "identifier": license.identifier,
        "number": license.number,
        "type_name": license.license_type.name,
        "issuer": license.issuer.name,
        "holder_name": name,
        "holder_credit_code": credit_code,
        "valid_from": license.valid_from.isoformat(),
        "valid_until": license.valid_until.isoformat() if license.valid_until else None,
        "status": license.effective_status_label,
    }


def licenses_source(resource: DataResource, subject_id: str, fields: Sequence[str]) -> dict[str, Any]:
    license = license_for_check(issuer_id=resource.provider_id, subject_id=subject_id)
    if license is None:
        raise ProviderFailed("not_found", f"{resource.provider.name}没有签发该电子证照，或该主体没有有效的电子证照")
    return license_record(license)


def register() -> None:
    register_platform_source("decisions", decisions_source)
    register_platform_source("licenses", licenses_source)
