"""E-license state changes: issue, supersede, suspend, resume, revoke, cancel, expire.

Each is one service with its policy check, a `LicenseEvent` and a ledger entry whose public
payload holds the identifier and the new status (the status endpoint names that entry so a
verifier can prove it). Issuance and the revocation that follows a revoked decision run
inside the case service's transaction (`license_issue`, `licenses_revoke_for_case`): a case
is never approved without its license, nor revoked leaving it valid. The others are durable
transactions of their own.
"""

import datetime as dt
import secrets
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.accounts.selectors import person_of
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.core.identifiers import license_identifier
from yiwang.ledger.events import Domain, LicenseVerb, event_type
from yiwang.ledger.license_note import LicenseNote, content_digest, holder_commitment, sign_license_note
from yiwang.ledger.services import ledger_append
from yiwang.licenses.keys import license_signer
from yiwang.licenses.models import License, LicenseEvent, LicenseSerial, LicenseType
from yiwang.licenses.policy import require_license_action
from yiwang.licenses.workflow import LicenseAction, LicenseStatus, license_next_status

REASON_MAX = 500
_VERBS = {
    LicenseAction.ISSUE: LicenseVerb.ISSUED,
    LicenseAction.SUSPEND: LicenseVerb.SUSPENDED,
    LicenseAction.RESUME: LicenseVerb.RESUMED,
    LicenseAction.REVOKE: LicenseVerb.REVOKED,
    LicenseAction.CANCEL: LicenseVerb.CANCELLED,
    LicenseAction.EXPIRE: LicenseVerb.EXPIRED,
    LicenseAction.SUPERSEDE: LicenseVerb.SUPERSEDED,
}


def _in_caller_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("this license service runs inside the case service's transaction")


def _record(license: License, action: LicenseAction, *, actor: User | None, reason: str = "") -> None:
    """Move `license` through the table, save it, write its event and ledger entry."""
    before = None if license.pk is None else license.status
    license.status = license_next_status(before, action)
    license.status_since = clock.now()
    license.status_reason = reason
    verb = _VERBS[action]
    payload: dict[str, Any] = {"identifier": license.identifier, "status": license.status, "version": license.version}
    entry = ledger_append(
        kind=event_type(Domain.LICENSES, verb).kind,
        subject=license.identifier,
        payload=payload,
        personal={"reason": reason} if reason else {},
    )
    license.status_entry_id = entry.pk
    license.save()
    LicenseEvent.objects.create(
        license=license,
        verb=verb,
        actor=actor,
        payload=payload,
        reason=reason,
        at=license.status_since,
        ledger_entry_id=entry.pk,
    )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": ["理由：必填"]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [f"理由：最多 {REASON_MAX} 个字符"]})
    return reason


def _next_serial(type_code: str, issuer: Department) -> str:
    row, _ = LicenseSerial.objects.get_or_create(key=f"{type_code}{issuer.credit_code}")
    row = LicenseSerial.objects.select_for_update().get(pk=row.pk)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return f"{row.last_value:08d}"


def _valid_until(start: dt.date, years: int) -> dt.date | None:
    if not years:
        return None
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - dt.timedelta(days=1)


def _holder_id(holder: User, enterprise: Enterprise | None) -> str:
    """What the holder commitment commits to: the USCC, or the ID number of a real-name person
    (an account without a real-name identity commits to its platform account id)."""
    if enterprise is not None:
        return enterprise.credit_code
    person = person_of(holder)
    return person.id_number if person else f"user:{holder.pk}"


def holder_name_of(holder: User, enterprise: Enterprise | None) -> str:
    """The name printed as 持证主体: the enterprise's, or the person's real name."""
    if enterprise is not None:
        return enterprise.name
    return getattr(person_of(holder), "real_name", "") or holder.get_username()


def _fact(value: Any) -> str | int | bool:
    """A value canonical JSON encodes the same everywhere: text, integers, booleans (a list of
    choices reads as one line; no floats)."""
    if isinstance(value, bool | str) or (isinstance(value, int) and abs(value) < 2**53):
        return value
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return "" if value is None else str(value)


def licensed_facts(license_type: LicenseType, *, sources: dict[str, Any]) -> dict[str, Any]:
    """The license's fields from its type's declaration and the case (`sources`: form data
    under `form`, and the case facts `case:number`, `case:decided_on`, `holder:name`, …)."""
    form = sources.get("form", {})
    facts: dict[str, Any] = {}
    for spec in license_type.fields:
        source = str(spec["source"])
        value = form.get(source[5:], "") if source.startswith("form:") else sources.get(source, "")
        facts[str(spec["key"])] = _fact(value)
    return facts


def _sign(license: License) -> None:
    salt = bytes.fromhex(license.holder_salt)
    note = LicenseNote(
        identifier=license.identifier,
        type_code=license.license_type.code,
        issuer=license.issuer.credit_code,
        valid_from=license.valid_from,
        valid_until=license.valid_until,
        holder_commitment=holder_commitment(_holder_id(license.holder, license.enterprise), salt),
        content_digest=content_digest(license.facts),
    )
    license.note = sign_license_note(note, license_signer())


def _new_license(
    *,
    license_type: LicenseType,
    holder: User,
    enterprise: Enterprise | None,
    issuer: Department,
    facts: dict[str, Any],
    valid_from: dt.date,
    serial: str,
    version: int,
    case_id: int | None,
    supersedes: License | None,
) -> License:
    identifier = license_identifier(
        type_code=license_type.code, issuer=issuer.credit_code, serial=serial, version=version
    )
    license = License(
        identifier=identifier,
        number=f"{issuer.credit_code[-8:]}{serial}-{version:03d}",
        serial=serial,
        version=version,
        license_type=license_type,
        holder=holder,
        enterprise=enterprise,
        holder_name=holder_name_of(holder, enterprise),
        issuer=issuer,
        case_id=case_id,
        supersedes=supersedes,
        valid_from=valid_from,
        valid_until=_valid_until(valid_from, license_type.validity_years),
        facts=facts,
        holder_salt=secrets.token_hex(32),
        issued_at=clock.now(),
    )
    _sign(license)
    _record(license, LicenseAction.ISSUE, actor=None)
    return license


def license_issue(
    *,
    type_code: str,
    holder: User,
    enterprise: Enterprise | None,
    issuer: Department,
    case_id: int | None,
    sources: dict[str, Any],
    valid_from: dt.date,
) -> License:
    """Issue the license a case's approval names, inside the decision's transaction."""
    _in_caller_transaction()
    license_type = LicenseType.objects.filter(code=type_code).first()
    if license_type is None:
        raise Conflict(f"实施清单所列电子证照类型 {type_code} 不存在，无法签发证照。", rule="license_type")
    facts = licensed_facts(license_type, sources={**sources, "holder:name": holder_name_of(holder, enterprise)})
    return _new_license(
        license_type=license_type,
        holder=holder,
        enterprise=enterprise,
        issuer=issuer,
        facts=facts,
        valid_from=valid_from,
        serial=_next_serial(license_type.code, issuer),
        version=1,
        case_id=case_id,
        supersedes=None,
    )


def _locked(license_id: int) -> License:
    license = License.objects.select_for_update().select_related("issuer", "license_type").filter(pk=license_id).first()
    if license is None:
        raise NotFound("电子证照不存在。")
    return license


def license_reissue(*, actor: User, license_id: int, facts: dict[str, Any], reason: str) -> License:
    """A change of the licensed facts: a new version that supersedes the old (same serial)."""
    with transaction.atomic(durable=True):
        old = _locked(license_id)
        require_license_action(actor, old, LicenseAction.SUPERSEDE)
        reason = _reason(reason)
        unknown = sorted(set(facts) - {str(spec["key"]) for spec in old.license_type.fields})
        if unknown:
            raise ValidationFailed({"facts": [f"证照内容：不认识的字段 {'、'.join(unknown)}"]})
        _record(old, LicenseAction.SUPERSEDE, actor=actor, reason=reason)
        return _new_license(
            license_type=old.license_type,
            holder=old.holder,
            enterprise=old.enterprise,
            issuer=old.issuer,
            facts={**old.facts, **facts},
            valid_from=clock.today(),
            serial=old.serial,
            version=old.version + 1,
            case_id=old.case_id,
            supersedes=old,
        )


def _act(action: LicenseAction, *, actor: User, license_id: int, reason: str) -> License:
    with transaction.atomic(durable=True):
        license = _locked(license_id)
        require_license_action(actor, license, action)
        _record(license, action, actor=actor, reason=_reason(reason))
        return license


def license_suspend(*, actor: User, license_id: int, reason: str) -> License:
    return _act(LicenseAction.SUSPEND, actor=actor, license_id=license_id, reason=reason)


def license_resume(*, actor: User, license_id: int, reason: str) -> License:
    return _act(LicenseAction.RESUME, actor=actor, license_id=license_id, reason=reason)


def license_revoke(*, actor: User, license_id: int, reason: str) -> License:
    return _act(LicenseAction.REVOKE, actor=actor, license_id=license_id, reason=reason)


def license_cancel(*, actor: User, license_id: int, reason: str) -> License:
    """注销 at the holder's request."""
    return _act(LicenseAction.CANCEL, actor=actor, license_id=license_id, reason=reason)


def licenses_revoke_for_case(*, case_id: int, actor: User | None, reason: str) -> int:
    """The case's decision was revoked: revoke its licenses still in force (caller's transaction)."""
    _in_caller_transaction()
    live = [LicenseStatus.VALID, LicenseStatus.SUSPENDED]
    revoked = 0
    for license in License.objects.select_for_update().filter(case_id=case_id, status__in=live):
        _record(license, LicenseAction.REVOKE, actor=actor, reason=f"许可决定已撤销：{reason}"[:REASON_MAX])
        revoked += 1
    return revoked


def licenses_expire_due(*, today: dt.date | None = None, limit: int = 500) -> int:
    """The daily job: licenses whose validity ended become expired, each with its event."""
    day = today or clock.today()
    with transaction.atomic(durable=True):
        due = License.objects.select_for_update().filter(
            status__in=[LicenseStatus.VALID, LicenseStatus.SUSPENDED], valid_until__lt=day
        )
        count = 0
        for license in due.order_by("valid_until", "pk")[:limit]:
            _record(license, LicenseAction.EXPIRE, actor=None, reason="有效期届满")
            count += 1
        return count
