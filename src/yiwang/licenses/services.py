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

from django.db import connection, transaction

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.accounts.selectors import person_of
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.core.identifiers import license_identifier
from yiwang.core.text import control_char_error
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


REFERENCE_PREFIX = "license:"


REFERENCE_MAX = 80  # notifications.Message.reference


def license_reference(license: License) -> str:
    """What a notice about `license` carries as its reference (notifications.Message.reference),
    or "" when the identifier would not fit it (a serial past 8 digits): the caller then
    links what it would otherwise (the case)."""
    reference = f"{REFERENCE_PREFIX}{license.identifier}"
    return reference if len(reference) <= REFERENCE_MAX else ""


def _in_caller_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("this license service runs inside the case service's transaction")


def _record(
    license: License, action: LicenseAction, *, actor: User | None, reason: str = "", legal_basis: str = ""
) -> None:
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
        personal={k: v for k, v in (("reason", reason), ("legal_basis", legal_basis)) if v},
    )
    license.status_entry_id = entry.pk
    license.save()
    LicenseEvent.objects.create(
        license=license,
        verb=verb,
        actor=actor,
        payload=payload,
        reason=reason,
        legal_basis=legal_basis,
        at=license.status_since,
        ledger_entry_id=entry.pk,
    )


def _text(value: object, field: str, label: str, *, limit: int = REASON_MAX, multiline: bool = True) -> str:
    """A required free text, stripped: bounded, no control characters (errors name the field)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed({field: [f"{label}：必填"]})
    if len(text) > limit:
        raise ValidationFailed({field: [f"{label}：最多 {limit} 个字符"]})
    control = control_char_error(label, text, multiline=multiline)
    if control is not None:
        raise ValidationFailed({field: [control]})
    return text


def _reason(reason: str) -> str:
    return _text(reason, "reason", "理由")


def _next_serial(type_code: str, issuer: Department) -> str:
    """The next serial of this type and issuer, in one `INSERT … ON CONFLICT DO UPDATE …
    RETURNING` statement (as cases.numbering): atomic, and the row stays locked until the
    issuing transaction ends, so concurrent issuers never share a serial."""
    qn = connection.ops.quote_name
    table, key, last = qn(LicenseSerial._meta.db_table), qn("key"), qn("last_value")
    sql = (
        f"INSERT INTO {table} ({key}, {last}) VALUES (%s, 1) "  # noqa: S608 - names from model meta
        f"ON CONFLICT ({key}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"{type_code}{issuer.credit_code}"])
        (value,) = cursor.fetchone()
    return f"{int(value):08d}"


def _valid_until(start: dt.date, years: int) -> dt.date | None:
    if not years:
        return None
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - dt.timedelta(days=1)


def _holder_of(holder: User, enterprise: Enterprise | None) -> tuple[str, str]:
    """(the name printed as 持证主体, what the holder commitment commits to), with at most one
    read: the enterprise's name and USCC, or the real-name person's name and ID number (an
    account without a real-name identity: its username and platform account id)."""
    if enterprise is not None:
        return enterprise.name, enterprise.credit_code
    person = person_of(holder)
    if person is None:
        return holder.get_username(), f"user:{holder.pk}"
    return person.real_name or holder.get_username(), person.id_number


def holder_name_of(holder: User, enterprise: Enterprise | None) -> str:
    """The name printed as 持证主体: the enterprise's, or the person's real name."""
    return _holder_of(holder, enterprise)[0]


def holder_id_of(holder: User, enterprise: Enterprise | None) -> str:
    """What the holder commitment commits to (the USCC or the ID number): revealed only when
    the holder chooses to (用证授权 with disclosure)."""
    return _holder_of(holder, enterprise)[1]


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


FACT_MAX = 1000  # one licensed fact (经营范围 is the longest); the PDF wraps and cuts to fit
EDITABLE_SOURCES = ("form:", "holder:name")  # case facts (number, decision date) never change


def fact_is_editable(spec: dict[str, Any]) -> bool:
    """Whether a re-issue may change this field: the applied-for facts and the holder's name."""
    return str(spec.get("source", "")).startswith(EDITABLE_SOURCES)


def _fact_value(label: str, old: Any, value: Any) -> str | int | bool:
    """A changed fact as typed (text), checked and kept in the old value's JSON type."""
    if isinstance(old, bool):
        if value in (True, False):
            return bool(value)
        if value not in ("是", "否"):
            raise ValueError(f"{label}：请填写“是”或“否”")
        return value == "是"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{label}：应为文本")
    text = str(value).strip()
    if len(text) > FACT_MAX:
        raise ValueError(f"{label}：最多 {FACT_MAX} 个字符")
    control = control_char_error(label, text, multiline=True)
    if control is not None:
        raise ValueError(control)
    if not text and old not in ("", None):
        raise ValueError(f"{label}：必填（现行版本有此项内容）")
    if isinstance(old, int):
        digits = text.removeprefix("-")
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 15):
            raise ValueError(f"{label}：应为整数")
        return int(text)
    return text


def reissue_facts(license_type: LicenseType, current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The facts of a re-issued version: `current` with `changes` applied, each checked
    against the type's fields (known and changeable keys only, text bounded, no control
    characters, integers stay integers). ValidationFailed names each field (`facts.<key>`)."""
    specs = {str(spec["key"]): spec for spec in license_type.fields}
    if not isinstance(changes, dict):
        raise ValidationFailed({"facts": ["证照内容：应为字段与取值的对照"]})
    unknown = sorted(str(key) for key in changes if key not in specs)
    if unknown:
        raise ValidationFailed({"facts": [f"证照内容：不认识的字段 {'、'.join(unknown)}"]})
    errors: dict[str, list[str]] = {}
    facts = dict(current)
    for key, value in changes.items():
        spec = specs[key]
        label = str(spec.get("label") or key)
        try:
            typed = _fact_value(label, current.get(key, ""), value)
        except ValueError as exc:
            errors[f"facts.{key}"] = [str(exc)]
            continue
        if typed == current.get(key, ""):
            continue
        if not fact_is_editable(spec):
            errors[f"facts.{key}"] = [f"{label}：由办件确定，换发时不能变更"]
            continue
        facts[key] = typed
    if errors:
        raise ValidationFailed(errors)
    if facts == current:
        raise ValidationFailed({"facts": ["证照内容：没有变更任何字段；换发新版本须至少变更一项证照内容"]})
    return facts


def _sign(license: License, holder_id: str) -> None:
    salt = bytes.fromhex(license.holder_salt)
    note = LicenseNote(
        identifier=license.identifier,
        type_code=license.license_type.code,
        issuer=license.issuer.credit_code,
        valid_from=license.valid_from,
        valid_until=license.valid_until,
        holder_commitment=holder_commitment(holder_id, salt),
        content_digest=content_digest(license.facts),
    )
    license.note = sign_license_note(note, license_signer())


def _new_license(
    *,
    license_type: LicenseType,
    holder: User,
    enterprise: Enterprise | None,
    holder_name: str,
    holder_id: str,
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
        # 证照编号: the issuer, the type (its 3-digit sequence under its authority), the serial,
        # the version: distinct across the types one department issues.
        number=f"{issuer.credit_code[-8:]}{license_type.code[-3:]}{serial}-{version:03d}",
        serial=serial,
        version=version,
        license_type=license_type,
        holder=holder,
        enterprise=enterprise,
        holder_name=holder_name,
        issuer=issuer,
        case_id=case_id,
        supersedes=supersedes,
        valid_from=valid_from,
        valid_until=_valid_until(valid_from, license_type.validity_years),
        facts=facts,
        holder_salt=secrets.token_hex(32),
        issued_at=clock.now(),
    )
    _sign(license, holder_id)
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
    holder_name, holder_id = _holder_of(holder, enterprise)
    facts = licensed_facts(license_type, sources={**sources, "holder:name": holder_name})
    return _new_license(
        license_type=license_type,
        holder=holder,
        enterprise=enterprise,
        holder_name=holder_name,
        holder_id=holder_id,
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
    """A change of the licensed facts: a new version that supersedes the old (same serial).

    `facts` holds the changed fields by key (reissue_facts checks them against the type)."""
    with transaction.atomic(durable=True):
        old = _locked(license_id)
        require_license_action(actor, old, LicenseAction.SUPERSEDE)
        license_next_status(old.effective_status, LicenseAction.SUPERSEDE)  # past its validity: Conflict
        reason = _reason(reason)
        new_facts = reissue_facts(old.license_type, old.facts, facts)
        _record(old, LicenseAction.SUPERSEDE, actor=actor, reason=reason)
        holder_name, holder_id = _holder_of(old.holder, old.enterprise)
        return _new_license(
            license_type=old.license_type,
            holder=old.holder,
            enterprise=old.enterprise,
            holder_name=holder_name,
            holder_id=holder_id,
            issuer=old.issuer,
            facts=new_facts,
            valid_from=clock.today(),
            serial=old.serial,
            version=old.version + 1,
            case_id=old.case_id,
            supersedes=old,
        )


def _checked(action: LicenseAction, *, actor: User, license: License, reason: str, legal_basis: str) -> tuple[str, str]:
    """Who, when, then what was typed: the reason and (for a revocation) the legal basis."""
    require_license_action(actor, license, action)
    license_next_status(license.effective_status, action)  # past its validity: Conflict
    reason = _reason(reason)
    if action == LicenseAction.REVOKE:
        legal_basis = _text(legal_basis, "legal_basis", "法律依据")
    return reason, legal_basis


def _act(action: LicenseAction, *, actor: User, license_id: int, reason: str, legal_basis: str = "") -> License:
    with transaction.atomic(durable=True):
        license = _locked(license_id)
        reason, legal_basis = _checked(action, actor=actor, license=license, reason=reason, legal_basis=legal_basis)
        _record(license, action, actor=actor, reason=reason, legal_basis=legal_basis)
        return license


def license_suspend(*, actor: User, license_id: int, reason: str) -> License:
    return _act(LicenseAction.SUSPEND, actor=actor, license_id=license_id, reason=reason)


def license_resume(*, actor: User, license_id: int, reason: str) -> License:
    return _act(LicenseAction.RESUME, actor=actor, license_id=license_id, reason=reason)


def license_revoke(*, actor: User, license_id: int, reason: str, legal_basis: str) -> License:
    """撤销 by the issuing department: final, with the reason and the legal basis (both required)."""
    return _act(LicenseAction.REVOKE, actor=actor, license_id=license_id, reason=reason, legal_basis=legal_basis)


def license_revoke_check(*, actor: User, license_id: int, reason: str, legal_basis: str) -> tuple[str, str]:
    """The checks of license_revoke without writing anything (the page's confirmation step):
    the reason and legal basis as they would be recorded, or the error revoking would raise."""
    license = License.objects.select_related("issuer").filter(pk=license_id).first()
    if license is None:
        raise NotFound("电子证照不存在。")
    return _checked(LicenseAction.REVOKE, actor=actor, license=license, reason=reason, legal_basis=legal_basis)


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
