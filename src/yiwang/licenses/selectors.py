"""License reads for the interfaces: the holder's wallet (one license with its versions and
status events, the licenses a case issued), the public status, the workbench, a holder's
license of one type (for the 免提交 materials of a case), and the issuer's licenses another
department checks through data sharing (查询互认; cases serves them as a platform source).

Every status shown is the effective one (`License.effective_status`); the list filters by it
too (`effective_status_q`), so a license past its last valid day is listed as 已过期.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yiwang.accounts.models import Enterprise, NaturalPerson, User
from yiwang.accounts.selectors import person_of
from yiwang.catalog.models import ImplementationVersion
from yiwang.core import clock
from yiwang.core.errors import NotFound
from yiwang.core.identifiers import LICENSE_ROOT, IdentifierError, validate_license_identifier
from yiwang.ledger.events import LicenseVerb
from yiwang.licenses.models import License, LicenseEvent, LicenseType
from yiwang.licenses.policy import department_actions_for, issued_filter, license_filter
from yiwang.licenses.workflow import IN_FORCE, LicenseAction, LicenseStatus

NOT_YOURS = "未找到该电子证照，或您不是它的持证人。"


def _listed(licenses: QuerySet[License]) -> QuerySet[License]:
    return licenses.select_related("license_type", "issuer", "enterprise", "superseded_by", "case").order_by(
        "-issued_at", "-id"
    )


def licenses_of(user: User) -> QuerySet[License]:
    """The licenses `user` holds or may see (policy.license_filter), newest first."""
    return _listed(License.objects.filter(license_filter(user)))


def licenses_held_by(user: User, *, valid_only: bool = False) -> QuerySet[License]:
    """The holder's wallet (证照夹): issued to them or to an enterprise they act for
    (only those in force, 有效, with `valid_only`)."""
    licenses = License.objects.filter(license_filter(user, as_holder=True))
    if valid_only:
        licenses = licenses.filter(effective_status_q(LicenseStatus.VALID, clock.today()))
    return _listed(licenses)


def license_held(user: User, identifier: str) -> License:
    """One license of the wallet by its identifier; NotFound (the same words whether it does
    not exist or is someone else's) for any other."""
    try:
        identifier = validate_license_identifier(identifier)
    except IdentifierError as exc:
        raise NotFound(exc.message) from exc
    license = licenses_held_by(user).select_related("supersedes", "holder").filter(identifier=identifier).first()
    if license is None:
        raise NotFound(NOT_YOURS)
    return license


def identifiers_held_by(user: User, identifiers: Iterable[str]) -> set[str]:
    """Which of `identifiers` name licenses in `user`'s wallet (the message centre links only those)."""
    wanted = {i for i in identifiers if i}
    if not wanted:
        return set()
    held = License.objects.filter(license_filter(user, as_holder=True), identifier__in=wanted)
    return set(held.values_list("identifier", flat=True))


def license_versions(user: User, license: License) -> list[License]:
    """Every version of the license's serial (the supersedes chain) that `user` holds, oldest
    first (a re-issue keeps the holder, so that is all of them for the license's holder)."""
    return list(
        License.objects.filter(
            license_filter(user, as_holder=True),
            license_type_id=license.license_type_id,
            issuer_id=license.issuer_id,
            serial=license.serial,
        ).order_by("version")
    )


def license_events(license: License) -> list[LicenseEvent]:
    """The license's status events (issued, suspended, …), oldest first, each with its ledger entry."""
    return list(LicenseEvent.objects.filter(license=license, verb__in=STATUS_VERBS).order_by("at", "id"))


def licenses_issued_for_case(user: User, case_id: int) -> list[License]:
    """The licenses a case's approval issued (and their re-issues) that `user` holds."""
    return list(licenses_held_by(user).filter(case_id=case_id))


# What the public status reads (a field left out would cost a query of its own per request:
# tests/test_api.py counts them). valid_until: an expiry the daily job has not recorded yet.
PUBLIC_FIELDS = (
    "identifier",
    "status",
    "status_since",
    "status_entry_id",
    "valid_until",
    "license_type__name",
    "issuer__name",
    "superseded_by__identifier",
)


def license_public(identifier: str) -> License:
    """A license by its identifier, for its public status (the API shows no holder data)."""
    try:
        identifier = validate_license_identifier(identifier)
    except IdentifierError as exc:
        raise NotFound(exc.message) from exc
    # Only what the status shows, without an ORDER BY (the identifier is unique): a verifier's
    # every scan lands here, and compiling and decoding the whole rows cost more than the lookup.
    found = list(
        License.objects.filter(identifier=identifier)
        .select_related("license_type", "issuer", "superseded_by")
        .only(*PUBLIC_FIELDS)
        .order_by()[:1]
    )
    if not found:
        raise NotFound("未找到该电子证照。")
    return found[0]


# --- the workbench: licenses of the staff member's departments ------------------------------


def effective_status_q(status: str, today: dt.date) -> Q:
    """Licenses whose effective status on `today` is `status` (workflow.effective_status)."""
    ended = Q(valid_until__lt=today)
    if status == LicenseStatus.EXPIRED:
        return Q(status=status) | (Q(status__in=list(IN_FORCE)) & ended)
    if status in IN_FORCE:
        return Q(status=status) & ~ended
    return Q(status=status)


def license_types() -> QuerySet[LicenseType]:
    return LicenseType.objects.order_by("code")


def licenses_issued_for(user: User, *, q: str = "", status: str = "", type_code: str = "") -> QuerySet[License]:
    """The licenses of `user`'s departments (policy.issued_filter), found by number, holder
    name or identifier, by effective status and by type; newest first."""
    licenses = License.objects.filter(issued_filter(user))
    if q:
        licenses = licenses.filter(
            Q(number__icontains=q) | Q(holder_name__icontains=q) | Q(identifier__icontains=q.upper())
        )
    if status in LicenseStatus.values:
        licenses = licenses.filter(effective_status_q(status, clock.today()))
    if type_code:
        licenses = licenses.filter(license_type__code=type_code)
    return _listed(licenses)


def license_issued_for(user: User, identifier: str) -> License:
    """One license of `user`'s departments by identifier; NotFound for any other (no hint
    whether it exists)."""
    license = (
        License.objects.filter(issued_filter(user), identifier=identifier.strip().upper()[:120])
        .select_related("license_type", "issuer", "enterprise", "holder", "case", "supersedes", "superseded_by")
        .first()
    )
    if license is None:
        raise NotFound("未找到该电子证照，或不属于您所在部门签发。")
    return license


STATUS_VERBS = [
    LicenseVerb.ISSUED,
    LicenseVerb.SUSPENDED,
    LicenseVerb.RESUMED,
    LicenseVerb.REVOKED,
    LicenseVerb.CANCELLED,
    LicenseVerb.EXPIRED,
    LicenseVerb.SUPERSEDED,
]


@dataclass(frozen=True)
class StaffLicenseView:
    """What the workbench license page shows."""

    license: License
    person: NaturalPerson | None  # a person holder's identity (the page masks the ID number)
    facts: list[tuple[str, str, object]]  # (key, label, value) in the type's order
    events: list[LicenseEvent]  # newest first, with their actors
    versions: list[License]  # the whole chain of this serial, oldest first
    actions: frozenset[LicenseAction]  # what this user may do now (policy + table)


def license_staff_view(user: User, identifier: str) -> StaffLicenseView:
    license = license_issued_for(user, identifier)
    versions = list(
        License.objects.filter(
            license_type_id=license.license_type_id, issuer_id=license.issuer_id, serial=license.serial
        ).order_by("version")
    )
    # The status history only: how the holder shares the license is the holder's business.
    events = list(
        LicenseEvent.objects.filter(license=license, verb__in=STATUS_VERBS)
        .select_related("actor")
        .order_by("-at", "-id")
    )
    labels = {str(spec["key"]): str(spec.get("label", spec["key"])) for spec in license.license_type.fields}
    facts = [(key, labels.get(key, key), value) for key, value in license.facts.items()]
    facts.sort(key=lambda row: list(labels).index(row[0]) if row[0] in labels else len(labels))
    return StaffLicenseView(
        license=license,
        person=None if license.enterprise_id else person_of(license.holder),
        facts=facts,
        events=events,
        versions=versions,
        actions=department_actions_for(user, license),
    )


# --- the catalog's question (registered in apps.py) ----------------------------------------


def catalog_license_type_problems(version: ImplementationVersion) -> dict[str, list[str]]:
    """An implementation version may name only a license type that exists (ADR 0014)."""
    code = version.license_type_code
    if code and not LicenseType.objects.filter(code=code).exists():
        return {
            "license_type_code": [
                f"电子证照类型代码：{code} 不是已登记的电子证照类型，准予许可时将无法签发证照"
                "（请核对代码，或先由平台运营者登记该证照类型）"
            ]
        }
    return {}


@dataclass(frozen=True)
class HeldLicense:
    """What a search of one holder's licenses of one type found (licenses_held_of_type).

    `usable` is the license to use (valid today), if any; otherwise `latest` is the newest
    one that is not (suspended, revoked, cancelled, expired, not yet valid), to say why —
    None when the holder has none of that type at all.
    """

    usable: License | None
    latest: License | None

    @property
    def unusable_status(self) -> str:
        """Why `latest` cannot be used: its status, or `expired` / `not_yet_valid` for a
        license still marked valid outside its validity window; "" if none found."""
        if self.latest is None:
            return ""
        status = self.latest.effective_status  # a suspended license past its last day: expired
        if status == LicenseStatus.VALID:  # yet not usable: its validity has not begun
            return "not_yet_valid"
        return str(status)


def licenses_held_of_type(*, type_code: str, holder: User, enterprise: Enterprise | None) -> HeldLicense:
    """The holder's license of type `type_code` usable today (status valid, today within its
    validity): an enterprise's (any of its agents applying) when `enterprise` is given, else
    the person's own. The holder rule is `policy.license_filter(as_holder=True)`'s: a
    person's license never stands in for an enterprise's, nor the other way round.

    Reads only the holder's licenses, for the 免提交 of a case they are applying in (the
    case service records the use); superseded versions are left out."""
    today = clock.today()
    held = License.objects.filter(license_type__code=type_code).exclude(status=LicenseStatus.SUPERSEDED)
    if enterprise is not None:
        held = held.filter(enterprise=enterprise)
    else:
        held = held.filter(holder=holder, enterprise__isnull=True)
    held = held.select_related("license_type", "issuer").order_by("-issued_at", "-id")
    usable = (
        held.filter(status=LicenseStatus.VALID, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .first()
    )
    return HeldLicense(usable=usable, latest=usable or held.first())


def license_type_named(code: str) -> LicenseType | None:
    """The license type with this code (a catalog material names it), if there is one."""
    return LicenseType.objects.filter(code=code).first()


# --- 查询互认: the issuer's licenses, read by another department under a grant ----------------


def _of_subject(subject_id: str) -> Q:
    """Licenses held by the enterprise of this credit code, or by the person of this ID
    number in their own name (never an enterprise's they act for)."""
    return Q(enterprise__credit_code=subject_id) | Q(holder__person__id_number=subject_id, enterprise__isnull=True)


def license_for_check(*, issuer_id: int, subject_id: str) -> License | None:
    """One license `issuer_id` issued, for another department's check: by its identifier
    (电子证照标识) that license whatever its status — a revoked one must read 已撤销 — or, by
    its holder's 统一社会信用代码 / 居民身份证号, the holder's newest license in force today
    (superseded versions left out). None when there is none."""
    subject_id = subject_id.strip().upper()
    licenses = License.objects.filter(issuer_id=issuer_id).select_related(
        "license_type", "issuer", "enterprise", "holder__person"
    )
    if subject_id.startswith(LICENSE_ROOT + "."):
        return licenses.filter(identifier=subject_id).first()
    in_force = effective_status_q(LicenseStatus.VALID, clock.today()) & Q(valid_from__lte=clock.today())
    return licenses.filter(_of_subject(subject_id)).filter(in_force).order_by("-issued_at", "-id").first()


def license_number_of_case(case_id: int) -> str | None:
    """The number of the license a case's approval issued (its newest version), if any."""
    found = License.objects.filter(case_id=case_id).order_by("-issued_at", "-id").values_list("number", flat=True)
    return found.first()
