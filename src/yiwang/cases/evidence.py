"""免提交: materials the platform supplies itself instead of asking the applicant again.

A catalog material names where it comes from (`Material.source`). For a source with a
provider here, the platform looks the material up for the applicant — on the application
page, to tell them before they submit, and in the submission's transaction, where the
result is recorded on the case as a `CaseEvidence` row with a typed event and a ledger
entry (`services._evidence`). When the provider cannot supply it, the applicant is told why
and uploads the material instead: `selectors.material_needed` (the one rule of which
material the applicant must give) asks this module.

Providers, one per source (`PROVIDERS`):
- `license`: the platform's own e-licenses (`LicenseProvider`); `source_reference` is the
  license type code, the holder the applicant or the enterprise the case is for.
- `sharing`: data another department holds (`SharingProvider`); `source_reference` is the
  data resource's code, read under the grant of the department implementing the item
  (exchange.reads.shared_read), the subject the enterprise the case is for or else the
  applicant. Reading talks to another system, so it happens *before* the submission's
  transaction (`fetch_shared`), never on a page view: before submission the page says the
  platform will fetch it. A failed fetch is recorded on the draft (a `CaseEvidence` row) and
  the applicant may upload instead, or submit again to retry. A department without a grant
  in force obtains the material outside the platform, as the catalog says (not asked).
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from django.db import transaction

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.accounts.selectors import agencies_of
from yiwang.cases.models import Case, CaseEvidence, EvidenceFailure
from yiwang.catalog.models import ImplementationVersion, Material, MaterialSource, Necessity
from yiwang.core import clock
from yiwang.core.errors import PermissionDenied
from yiwang.exchange import reads as exchange_reads
from yiwang.exchange import selectors as exchange_selectors
from yiwang.exchange.models import DataRead, DataResource
from yiwang.exchange.providers import ProviderFailed
from yiwang.licenses.models import License
from yiwang.licenses.selectors import license_type_named, licenses_held_of_type
from yiwang.licenses.workflow import LicenseStatus


@dataclass(frozen=True)
class Supply:
    """What a provider can supply for one material of one applicant — or why it cannot.

    Before submission it is a fresh lookup; afterwards it is read from the case's
    `evidence` row (`evidence` set), so pages show what was attached, not what would be now.
    """

    material_key: str
    source: str
    message: str  # the sentence the applicant (and the window) reads
    failure: str = ""  # an EvidenceFailure value; "" when supplied
    reference: str = ""  # the source record's identifier (an e-license's 电子证照标识)
    number: str = ""
    title: str = ""
    issuer_name: str = ""
    sha256: str = ""  # of the signed record (an e-license's QR note)
    license: License | None = None
    evidence: CaseEvidence | None = None
    fetched_at: dt.datetime | None = None
    pending: bool = False  # shared data the submission will fetch (nothing read yet)
    record: dict[str, Any] = field(default_factory=dict)  # shared data: the granted fields read
    labels: dict[str, str] = field(default_factory=dict)  # shared data: field key -> label
    read: DataRead | None = None

    @property
    def supplied(self) -> bool:
        return not self.failure

    @property
    def shared_facts(self) -> list[tuple[str, Any]]:
        """The shared record as (label, value) pairs, in the order read."""
        return [(self.labels.get(key, key), value) for key, value in self.record.items()]

    @property
    def failure_label(self) -> str:
        return EvidenceFailure(self.failure).label if self.failure else ""

    @property
    def license_status_label(self) -> str:
        """The license's status *now* (a license revoked after the case used it says so); a
        license still marked valid past its last day reads 已过期 before the daily job runs."""
        if self.license is None:
            return ""
        return self.license.effective_status_label

    @property
    def license_valid_now(self) -> bool:
        return self.license_status_label == LicenseStatus.VALID.label


class EvidenceProvider(Protocol):
    """Looks a material up for an applicant (and the enterprise they apply for)."""

    def supply(
        self, material: Material, *, applicant: User, enterprise: Enterprise | None, draft: Case | None = None
    ) -> Supply | None:
        """What it supplies for `material`, or why it cannot; None when the material is not
        one it serves (e.g. a license type another system issues). `draft` is the
        application it is for, once saved."""


_FAILURE_OF_STATUS = {
    LicenseStatus.SUSPENDED.value: EvidenceFailure.SUSPENDED,
    LicenseStatus.REVOKED.value: EvidenceFailure.REVOKED,
    LicenseStatus.CANCELLED.value: EvidenceFailure.CANCELLED,
    LicenseStatus.EXPIRED.value: EvidenceFailure.EXPIRED,
    "not_yet_valid": EvidenceFailure.NOT_YET_VALID,
}


class LicenseProvider:
    """The platform's own e-licenses: the holder's license of the type the material names,
    usable when it is valid today (licenses.selectors.licenses_held_of_type). A material
    naming no license type of the platform (e.g. "不动产权证书（电子证照）", issued elsewhere)
    is not served: the department obtains it as before."""

    def supply(
        self, material: Material, *, applicant: User, enterprise: Enterprise | None, draft: Case | None = None
    ) -> Supply | None:
        license_type = license_type_named(material.source_reference.strip())
        if license_type is None:
            return None
        found = licenses_held_of_type(type_code=license_type.code, holder=applicant, enterprise=enterprise)
        whose = f"“{enterprise.name}”" if enterprise is not None else "您"
        if found.usable is not None:
            license = found.usable
            name = license.license_type.name
            return Supply(
                material_key=material.key,
                source=MaterialSource.LICENSE,
                message=f"将自动调取{whose}的电子证照：{name}（编号 {license.number}，有效）",
                reference=license.identifier,
                number=license.number,
                title=name,
                issuer_name=license.issuer.name,
                sha256=hashlib.sha256(license.note.encode()).hexdigest(),
                license=license,
            )
        if found.latest is None:
            name = license_type.name
            return Supply(
                material_key=material.key,
                source=MaterialSource.LICENSE,
                failure=EvidenceFailure.NOT_FOUND,
                message=f"未找到{whose}有效的{name}电子证照，请上传“{material.name}”",
                title=name,
            )
        latest = found.latest
        failure = _FAILURE_OF_STATUS[found.unusable_status]
        return Supply(
            material_key=material.key,
            source=MaterialSource.LICENSE,
            failure=failure,
            message=(
                f"{whose}的{latest.license_type.name}电子证照（编号 {latest.number}）{failure.label}，"
                f"不能用于本次申请，请上传“{material.name}”"
            ),
            reference=latest.identifier,
            number=latest.number,
            title=latest.license_type.name,
            issuer_name=latest.issuer.name,
            license=latest,
        )


_FAILURE_OF_PROVIDER = {"not_found": EvidenceFailure.NOT_FOUND, "invalid": EvidenceFailure.INVALID}


def _labels(resource: DataResource) -> dict[str, str]:
    return {f["key"]: f.get("label") or f["key"] for f in resource.fields}


def _shared_resource(material: Material) -> DataResource | None:
    """The published resource the material names, when the implementing department holds a
    grant in force on it; else None (the department obtains the material outside the
    platform, as before)."""
    department_id = material.version.implementation.department_id
    basis = exchange_selectors.grant_for_material(department_id, material.source_reference)
    return basis.resource if basis.grant is not None else None


def _source_name(resource: DataResource) -> str:
    return f"{resource.provider.name}“{resource.name}”"


class SharingProvider:
    """Data another department holds, read under a grant (exchange.reads). Never read on a
    page view: before submission it says what will be fetched (`pending`), or why the last
    attempt on this draft failed so the applicant may upload instead."""

    def supply(
        self, material: Material, *, applicant: User, enterprise: Enterprise | None, draft: Case | None = None
    ) -> Supply | None:
        resource = _shared_resource(material)
        if resource is None:
            return None
        if draft is not None:
            last = (
                CaseEvidence.objects.filter(case=draft, material_key=material.key)
                .select_related("data_read__resource")
                .order_by("-fetched_at", "-id")
                .first()
            )
            if last is not None and not last.fetched:
                return supply_of(last)
        return Supply(
            material_key=material.key,
            source=MaterialSource.SHARING,
            message=f"将通过数据共享从{_source_name(resource)}调取",
            reference=resource.code,
            title=resource.name,
            issuer_name=resource.provider.name,
            pending=True,
        )


def _subject(applicant: User, enterprise: Enterprise | None) -> str:
    return enterprise.credit_code if enterprise is not None else applicant.person.id_number


def fetch_shared(
    materials: Iterable[Material],
    *,
    consumer: Department,
    applicant: User,
    enterprise: Enterprise | None,
    draft: Case | None,
    purpose: str,
) -> dict[str, Supply]:
    """Read, before the submission's transaction, each shared material of `materials` that
    `consumer` (the implementing department) has a grant for: a supplied `Supply` with the
    record, or a failed one whose reason the applicant reads (recorded on `draft` so its form
    offers the upload). Without a grant the material is skipped (the department's to obtain)."""
    found: dict[str, Supply] = {}
    if not acts_for(applicant, enterprise):
        return found
    for material in materials:
        code = material.source_reference.strip() if material.source == MaterialSource.SHARING else ""
        resource = exchange_selectors.resource_published_by_code(code)
        if resource is None:
            continue
        common: dict[str, Any] = {
            "material_key": material.key,
            "source": MaterialSource.SHARING,
            "reference": resource.code,
            "title": resource.name,
            "issuer_name": resource.provider.name,
            "labels": _labels(resource),
        }
        name = _source_name(resource)
        try:  # shared_read checks the grant (once) before it reads anything
            shared = exchange_reads.shared_read(
                consumer=consumer,
                resource_code=resource.code,
                subject_id=_subject(applicant, enterprise),
                purpose=f"{purpose}：核验“{material.name}”，申请人免于提交",
                reference=f"draft:{draft.pk}" if draft is not None else "",
                actor=applicant,
                subject_user=applicant if enterprise is None else None,
                subject_enterprise=enterprise,
            )
        except PermissionDenied:  # no grant in force: not served (nothing was read)
            continue
        except ProviderFailed as exc:
            supply = Supply(
                **common,
                failure=_FAILURE_OF_PROVIDER.get(exc.code, EvidenceFailure.UNAVAILABLE),
                message=(
                    f"暂未能从{name}调取“{material.name}”（{exc.message[:80]}），"
                    f"请上传“{material.name}”，或稍后重新提交以再次调取"
                ),
                read=exc.read,
            )
            found[material.key] = _failure_kept(draft, material, supply) if draft is not None else supply
            continue
        found[material.key] = Supply(
            **common,
            message=f"已通过数据共享从{name}调取",
            sha256=shared.digest,
            record=shared.record,
            read=shared.read,
            fetched_at=shared.read.at,
        )
    return found


def shared_facts_of(supplies: Mapping[str, Supply]) -> dict[str, Any]:
    """The data read by sharing, as `<material key>.<field>` facts 秒批 rules may test."""
    return {
        f"{key}.{name}": value
        for key, supply in supplies.items()
        if supply.supplied and supply.source == MaterialSource.SHARING
        for name, value in supply.record.items()
    }


def not_fetched(supply: Supply) -> Supply:
    """A shared material the submission was to fetch but did not (its form changed since):
    the applicant is asked to submit again or upload it."""
    return replace(
        supply,
        pending=False,
        failure=EvidenceFailure.UNAVAILABLE,
        message=f"尚未调取“{supply.title}”，请重新提交以调取，或上传该材料",
    )


def _failure_kept(draft: Case, material: Material, supply: Supply) -> Supply:
    """Record a failed fetch on the draft (its own transaction: the submission that follows
    is refused), so the form offers the upload and the case keeps why."""
    with transaction.atomic():
        row = CaseEvidence.objects.create(
            case=draft,
            material=material,
            material_key=material.key,
            material_name=material.name,
            source=supply.source,
            failure=supply.failure,
            message=supply.message[:300],
            reference=supply.reference,
            title=supply.title[:100],
            issuer_name=supply.issuer_name[:200],
            data_read=supply.read,
            fetched_at=supply.read.at if supply.read is not None else clock.now(),
        )
    return supply_of(row)


PROVIDERS: dict[str, EvidenceProvider] = {
    MaterialSource.LICENSE: LicenseProvider(),
    MaterialSource.SHARING: SharingProvider(),
}


def provider_for(material: Material) -> EvidenceProvider | None:
    return PROVIDERS.get(material.source)


def fetch_wanted(material: Material, form_data: Mapping[str, Any]) -> bool:
    """Whether submission fetches `material`: a provider supplies its source and it is not
    a conditional material whose condition the form leaves unmet."""
    if provider_for(material) is None:
        return False
    if material.necessity == Necessity.CONDITIONAL:
        return bool(material.condition_field and form_data.get(material.condition_field))
    return True


def acts_for(applicant: User, enterprise: Enterprise | None) -> bool:
    """Whether `applicant` may have the enterprise's records looked up (a current agent)."""
    return enterprise is None or any(a.enterprise_id == enterprise.pk for a in agencies_of(applicant))


def supplies_for(
    materials: Iterable[Material],
    *,
    applicant: User,
    enterprise: Enterprise | None,
    draft: Case | None = None,
    fetched: Mapping[str, Supply] | None = None,
    agent_checked: bool = False,
) -> dict[str, Supply]:
    """A fresh lookup, by material key, of every material a provider serves (supplied or not;
    a material no provider serves has no key); `fetched` (fetch_shared's reads) answers for
    the shared materials it holds. An enterprise the applicant no longer acts for is not
    looked up at all: a former agent's old draft learns nothing of its licenses.
    `agent_checked`: the caller has refused, in this transaction, an applicant who is not a
    current agent of `enterprise` (the submission's check), so it is not read again."""
    if not agent_checked and not acts_for(applicant, enterprise):
        return {}
    found = {}
    for material in materials:
        if fetched is not None and material.key in fetched:
            found[material.key] = fetched[material.key]
            continue
        provider = provider_for(material)
        if provider is None:
            continue
        supply = provider.supply(material, applicant=applicant, enterprise=enterprise, draft=draft)
        if supply is not None:
            found[material.key] = supply
    return found


def supply_of(row: CaseEvidence) -> Supply:
    """What a recorded fetch supplied (or why not), with its license as it is now."""
    return Supply(
        material_key=row.material_key,
        source=row.source,
        message=row.message,
        failure=row.failure,
        reference=row.reference,
        number=row.number,
        title=row.title,
        issuer_name=row.issuer_name,
        sha256=row.sha256,
        license=row.license,
        evidence=row,
        fetched_at=row.fetched_at,
        record=dict(row.record),
        labels=_labels(row.data_read.resource) if row.data_read is not None else {},
        read=row.data_read,
    )


def case_supplies(case: Case, materials: Iterable[Material]) -> dict[str, Supply]:
    """What supplies the case's 免提交 materials: for a draft a fresh lookup (what submitting
    now would attach), for a submitted case what its submission recorded (the latest row per
    material), with the license's current status."""
    if case.submitted_at is None:
        return supplies_for(materials, applicant=case.applicant, enterprise=case.enterprise, draft=case)
    rows = (
        CaseEvidence.objects.filter(case=case)
        .select_related("license", "data_read__resource")
        .order_by("fetched_at", "id")
    )
    return {row.material_key: supply_of(row) for row in rows}


def material_supplies_for(
    user: User, version: ImplementationVersion, enterprise_id: int | None = None
) -> dict[str, Supply]:
    """What the platform would supply of `version`'s materials if `user` applied now, for
    themself or for the enterprise they are a current agent of (the blank application page;
    an enterprise they do not act for is looked up as no enterprise at all)."""
    enterprise = None
    if enterprise_id is not None:
        enterprise = next((a.enterprise for a in agencies_of(user) if a.enterprise_id == enterprise_id), None)
    return supplies_for(version.materials.all(), applicant=user, enterprise=enterprise)
