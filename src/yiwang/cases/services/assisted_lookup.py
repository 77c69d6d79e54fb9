"""帮办 step 1 (ADR 0029): a helper finds the person by exact name and 证件号码 — counted and
logged, because a search confirms who holds a number.

Each search that runs — hit or miss — leaves an `AssistedLookup` row and a ledger entry
(`cases.assisted_lookup`) in one durable transaction, and the helper's limit
(ASSISTED_LOOKUP_LIMIT per LOOKUP_WINDOW_SECONDS, a sliding window) is counted from those rows
*before* the search, in the same transaction, under a lock on the helper's user row: parallel
searches are counted one after another, on any cache (Django's DatabaseCache has no atomic
increment), and the count is exact because it is the log itself. A refused search searches
nothing and leaves no row.

The public leaf carries the helper's department and post and whether someone was found; the
typed name and number only as salted commitments. A miss says nothing more to the
helper than "no one with both": whether the number belongs to someone under another name is
neither shown nor distinguishable by the error. The number's holder sees every search for it
on 我的数据使用记录, supervisors and auditors of the region on the workbench
(`assisted_selectors.lookups_about`, `lookups_visible_to`).
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from yiwang.accounts.models import Department, NaturalPerson, User
from yiwang.cases.models import AssistedLookup
from yiwang.cases.policy import require_assist
from yiwang.core import clock
from yiwang.core.errors import TooManyAttempts, ValidationFailed
from yiwang.core.identifiers import mask_phone
from yiwang.ledger.events import CaseVerb, Domain, event_type
from yiwang.ledger.services import ledger_append

LOOKUP_WINDOW_SECONDS = 600


def lookup_limit() -> int:
    return int(settings.ASSISTED_LOOKUP_LIMIT)


@dataclass(frozen=True)
class PersonFound:
    """The person a helper found, as the helper's screen shows them (masked)."""

    user: User
    masked_name: str
    masked_id_number: str
    masked_phone: str


def number_digest(number: str) -> str:
    """HMAC of an 18-digit ID number (SECRET_KEY): how a search is matched to its holder."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"assisted-lookup:{number.upper()}".encode(), hashlib.sha256).hexdigest()


def _parsed(real_name: str, id_number: str) -> tuple[str, str]:
    name, number = (real_name or "").strip(), (id_number or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 60 or any(ord(c) < 32 for c in name):
        errors["real_name"] = ["姓名：必填，最长 60 个字"]
    if len(number) != 18 or not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        errors["id_number"] = ["证件号码：请输入 18 位居民身份证号码"]
    if errors:
        raise ValidationFailed(errors)
    return name, number


def _require_under_limit(user: User) -> None:
    """Inside the lookup's transaction: the helper's searches of the last LOOKUP_WINDOW_SECONDS,
    counted from the log under a lock on the helper's user row (so two parallel searches are
    counted one after the other: each sees the other's row once it is committed);
    TooManyAttempts at the limit."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    since = clock.now() - timedelta(seconds=LOOKUP_WINDOW_SECONDS)
    if AssistedLookup.objects.filter(helper=user, at__gt=since).count() >= lookup_limit():
        minutes = LOOKUP_WINDOW_SECONDS // 60
        raise TooManyAttempts(
            f"查询申请人：每 {minutes} 分钟最多查询 {lookup_limit()} 次，已达上限，请稍后再试。",
            field="id_number",
            rule="assisted_lookup_limit",
        )


def person_lookup(*, actor: User, real_name: str, id_number: str) -> PersonFound | None:
    """The active real-name applicant with exactly this name and 证件号码 (both must match), or
    None. Side effects: checks the helper's limit (TooManyAttempts at it, nothing searched),
    then writes an AssistedLookup row and its ledger entry, hit or miss."""
    role, department_id = require_assist(actor)
    name, number = _parsed(real_name, id_number)
    department = Department.objects.get(pk=department_id)
    with transaction.atomic(durable=True):
        _require_under_limit(actor)
        person = (
            NaturalPerson.objects.select_related("user")
            .filter(real_name=name, id_number=number, user__kind="applicant", user__is_active=True)
            .first()
        )
        entry = ledger_append(
            kind=event_type(Domain.CASES, CaseVerb.ASSISTED_LOOKUP).kind,
            subject=f"department:{department.credit_code}",
            payload={"helper_role": role, "helper_department": department.credit_code, "found": person is not None},
            personal={"real_name": name, "id_number": number},
        )
        AssistedLookup.objects.create(
            helper=actor,
            helper_role=role,
            helper_department=department,
            at=entry.created_at,
            found=person is not None,
            person=person.user if person is not None else None,
            number_digest=number_digest(number),
            ledger_entry_id=entry.pk,
        )
    return shown(person.user) if person is not None else None


def shown(user: User) -> PersonFound:
    """A person already found, as the helper's screen shows them (masked)."""
    person = user.person
    return PersonFound(user, person.masked_name, person.masked_id_number, mask_phone(user.phone) if user.phone else "")


def search_key(real_name: str, id_number: str) -> str:
    """What a page may keep to recognise the same search again (an HMAC, not the number)."""
    name, number = (real_name or "").strip(), (id_number or "").strip().upper()
    return number_digest(f"{number}|{name}")
