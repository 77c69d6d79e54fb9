"""专家库: the pool services (one durable transaction each) and the recusal rules."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from yiwang.accounts.models import Department, NaturalPerson, Region, User
from yiwang.cases.models import Case, CaseEvent, Task
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.core.identifiers import IdentifierError, validate_credit_code
from yiwang.ledger.events import Domain, ReviewVerb, event_type
from yiwang.ledger.services import ledger_append
from yiwang.reviews import keys, policy
from yiwang.reviews.models import Expert, Invitation, Panel, ReviewEvent
from yiwang.reviews.workflow import InvitationStatus

CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
EXPERT_CODE = re.compile(r"^[A-Z]{1,4}-\d{1,8}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

RECUSAL_REASONS = {
    "unavailable": "暂不能参加评审",
    "employer": "与申请人或其代理机构为同一单位",
    "declared": "申报与申请人有利害关系",
    "handler": "其登录账号经办过本办件",
    "post": "其登录账号在本部门任职或负责监督本部门",
    "recent": "近期评审过同一申请人的办件",
}


def event(
    verb: ReviewVerb, *, subject: str, actor: User | None, summary: str, payload: dict[str, Any], panel: Panel | None
) -> int:
    """Write the ReviewEvent and its ledger entry (public payload: no personal data)."""
    entry = ledger_append(kind=event_type(Domain.REVIEWS, verb).kind, subject=subject, payload=payload)
    ReviewEvent.objects.create(
        verb=verb,
        actor=actor,
        subject=subject,
        panel=panel,
        summary=summary[:300],
        payload=payload,
        at=entry.created_at,
        ledger_entry_id=entry.pk,
    )
    return int(entry.pk)


def text(value: object, field: str, label: str, *, limit: int, required: bool = True) -> str:
    """A bounded single- or multi-line text without control characters (newlines allowed)."""
    if not isinstance(value, str):
        raise ValidationFailed({field: [f"{label}：请填写文字"]})
    cleaned = value.strip()
    if required and not cleaned:
        raise ValidationFailed({field: [f"{label}：必填"]})
    if len(cleaned) > limit:
        raise ValidationFailed({field: [f"{label}：不超过 {limit} 个字"]})
    if _CONTROL.search(cleaned.replace("\n", "").replace("\r", "").replace("\t", "")):
        raise ValidationFailed({field: [f"{label}：含有不允许的控制字符"]})
    return cleaned


def clean_specialties(values: object, field: str = "specialties") -> list[str]:
    if not isinstance(values, list | tuple) or len(values) > 10:
        raise ValidationFailed({field: ["专业：最多 10 项"]})
    found = [text(v, field, "专业", limit=30) for v in values if isinstance(v, str) and v.strip()]
    return list(dict.fromkeys(found))


def clean_conflicts(values: object) -> list[str]:
    if not isinstance(values, list | tuple) or len(values) > 50:
        raise ValidationFailed({"conflicts": ["利害关系：最多 50 项"]})
    found: list[str] = []
    for raw in values:
        value = str(raw).strip().upper()
        if not value:
            continue
        if not (CREDIT_CODE.match(value) or ID_NUMBER.match(value)):
            raise ValidationFailed({"conflicts": [f"利害关系：“{value[:20]}”不是统一社会信用代码或身份证号"]})
        found.append(value)
    return list(dict.fromkeys(found))


def clean_employer_code(value: object) -> str:
    """The employer's 统一社会信用代码, checked as everywhere else (GB 32100, check character)."""
    try:
        return validate_credit_code(value if isinstance(value, str) else "", "工作单位统一社会信用代码")
    except IdentifierError as exc:
        raise ValidationFailed({"employer_credit_code": [exc.message]}) from None


FIELD_LABELS = {
    "available": "可参加评审",
    "conflicts": "利害关系",
    "specialties": "专业",
    "name": "姓名",
    "employer_name": "工作单位",
    "employer_credit_code": "工作单位统一社会信用代码",
    "qualifications": "职称/执业资格",
    "region": "所在区划",
    "user": "登录账号",
}


class _Keep:
    """`expert_update`'s "leave this field as it is"."""


KEEP: Any = _Keep()


def expert_add(
    *,
    actor: User,
    department: Department,
    code: str,
    name: str,
    region: Region,
    employer_name: str,
    employer_credit_code: str,
    specialties: list[str],
    qualifications: str = "",
    conflicts: list[str] | None = None,
    user: User | None = None,
    available: bool = True,
) -> Expert:
    """专家入库 by a pool keeper of `department`. Side effects: ReviewEvent, ledger (the code,
    the specialties and the public key: what lets anyone check signed opinions)."""
    errors: dict[str, list[str]] = {}
    code = code.strip().upper()
    if not EXPERT_CODE.match(code):
        errors["code"] = ["专家编号：如 ZJ-0001"]
    try:
        employer_credit_code = clean_employer_code(employer_credit_code)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    cleaned = {
        "name": text(name, "name", "姓名", limit=60),
        "employer_name": text(employer_name, "employer_name", "工作单位", limit=200),
        "qualifications": text(qualifications, "qualifications", "职称/执业资格", limit=300, required=False),
        "specialties": clean_specialties(specialties),
        "conflicts": clean_conflicts(conflicts or []),
    }
    if not cleaned["specialties"]:
        raise ValidationFailed({"specialties": ["专业：至少填写一项"]})
    with transaction.atomic(durable=True):
        policy.require_pool_keeper(actor, department.pk)
        if user is not None:
            check_login(user, department, expert_pk=None)
        try:
            with transaction.atomic():
                expert = Expert.objects.create(
                    code=code,
                    department=department,
                    region=region,
                    employer_credit_code=employer_credit_code,
                    user=user,
                    available=available,
                    public_key=keys.public_key_of(code),
                    created_at=clock.now(),
                    **cleaned,
                )
        except IntegrityError as exc:
            raise Conflict(f"专家编号 {code} 已存在，或该账号已关联其他专家。") from exc
        event(
            ReviewVerb.EXPERT_ADDED,
            subject=f"expert:{code}",
            actor=actor,
            summary=f"专家 {code} 入库",
            payload={
                "expert": code,
                "department": department.credit_code,
                "specialties": expert.specialties,
                "public_key": expert.public_key,
            },
            panel=None,
        )
    return expert


def expert_update(
    *,
    actor: User,
    expert: Expert,
    available: bool | None = None,
    conflicts: list[str] | None = None,
    specialties: list[str] | None = None,
    name: str | None = None,
    employer_name: str | None = None,
    employer_credit_code: str | None = None,
    region: Region | None = None,
    qualifications: str | None = None,
    user: User | None = KEEP,
) -> Expert:
    """Change an expert's details (pool keeper of the expert's department). `None` (`KEEP`
    for `user`, where `None` unlinks the login) leaves a field as it is. The code and the
    signing key never change. Side effects: ReviewEvent + ledger naming the changed fields
    (never their values: personal data stays out of the public ledger)."""
    new: dict[str, Any] = {}
    if conflicts is not None:
        new["conflicts"] = clean_conflicts(conflicts)
    if specialties is not None:
        new["specialties"] = clean_specialties(specialties)
        if not new["specialties"]:
            raise ValidationFailed({"specialties": ["专业：至少填写一项"]})
    if name is not None:
        new["name"] = text(name, "name", "姓名", limit=60)
    if employer_name is not None:
        new["employer_name"] = text(employer_name, "employer_name", "工作单位", limit=200)
    if employer_credit_code is not None:
        new["employer_credit_code"] = clean_employer_code(employer_credit_code)
    if qualifications is not None:
        new["qualifications"] = text(qualifications, "qualifications", "职称/执业资格", limit=300, required=False)
    if available is not None:
        new["available"] = bool(available)
    if region is not None:
        new["region_id"] = region.pk
    if user is not KEEP:
        new["user_id"] = user.pk if user is not None else None
    with transaction.atomic(durable=True):
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        policy.require_pool_keeper(actor, expert.department_id)
        changed = [field for field, value in new.items() if getattr(expert, field) != value]
        if not changed:
            return expert
        if "user_id" in changed and user is not None:
            check_login(user, expert.department, expert_pk=expert.pk)
        for field in changed:
            setattr(expert, field, new[field])
        try:
            with transaction.atomic():
                expert.save(update_fields=changed)
        except IntegrityError as exc:
            raise Conflict("该登录账号已关联其他专家。") from exc
        names = [field.removesuffix("_id") for field in changed]
        event(
            ReviewVerb.EXPERT_UPDATED,
            subject=f"expert:{expert.code}",
            actor=actor,
            summary=f"更新专家 {expert.code}：{'、'.join(FIELD_LABELS.get(n, n) for n in names)}",
            payload={"expert": expert.code, "changed": names, "available": expert.available},
            panel=None,
        )
    return expert


def check_login(user: User, department: Department, *, expert_pk: int | None) -> None:
    """Refuse linking `user` as the login of an expert (`expert_pk`, None when new) of
    `department`'s pool unless it is an active staff account, linked to no other expert,
    holding no post that answers for or oversees the department (policy.login_conflicts)."""
    if not (user.is_active and user.is_staff_member):
        raise ValidationFailed({"account": ["登录账号：只能关联在用的工作人员账号"]})
    others = Expert.objects.filter(user_id=user.pk)
    if expert_pk is not None:
        others = others.exclude(pk=expert_pk)
    if others.exists():
        name = user.username[:30]
        raise ValidationFailed({"account": [f"登录账号：“{name}”已关联其他专家，一个账号只能对应一名专家"]})
    why = policy.login_conflicts(department, [user.pk]).get(user.pk)
    if why:
        raise ValidationFailed({"account": [f"登录账号：{why}，不能作为本部门专家的登录账号（回避）"]})


def staff_account(username: str) -> User | None:
    """The staff account an expert logs in with, by its username ("" for none)."""
    username = text(username, "account", "登录账号", limit=150, required=False)
    if not username:
        return None
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None or not found.is_staff_member:
        raise ValidationFailed({"account": [f"登录账号：没有用户名为“{username[:30]}”的工作人员账号"]})
    return found


@dataclass(frozen=True)
class Candidate:
    expert: Expert
    reason: str  # "" when eligible, else a key of RECUSAL_REASONS


def case_parties(case: Case) -> set[str]:
    """Credit codes and ID numbers of the case's parties: the applicant (person and enterprise)
    and any organisation the form names by credit code (an agent, a design institute)."""
    found: set[str] = set()
    if case.enterprise is not None:
        found.add(case.enterprise.credit_code.upper())
    person = NaturalPerson.objects.filter(user_id=case.applicant_id).values_list("id_number", flat=True).first()
    if person:
        found.add(person.upper())
    for value in (case.form_data or {}).values():
        if isinstance(value, str) and CREDIT_CODE.match(value.strip().upper()):
            found.add(value.strip().upper())
    return found


def handlers(case: Case) -> set[int]:
    """The accounts that handled `case`: acted on it (any case event of theirs), held one of
    its tasks, or decided it. Their judgement is in the file already (回避)."""
    found = set(CaseEvent.objects.filter(case_id=case.pk, actor__isnull=False).values_list("actor_id", flat=True))
    found |= set(Task.objects.filter(case_id=case.pk, assignee__isnull=False).values_list("assignee_id", flat=True))
    if case.decided_by_id is not None:
        found.add(case.decided_by_id)
    return found


def candidates(case: Case, department_id: int, specialties: list[str]) -> list[Candidate]:
    """The pool's experts with one of `specialties` (all when empty), each eligible or with
    the recusal reason that keeps them out (the first that applies, in RECUSAL_REASONS order)."""
    parties = case_parties(case)
    since = clock.now() - dt.timedelta(days=int(settings.REVIEW_RECUSAL_DAYS))
    same_applicant = (
        {"panel__case__enterprise_id": case.enterprise_id}
        if case.enterprise_id
        else {"panel__case__applicant_id": case.applicant_id, "panel__case__enterprise__isnull": True}
    )
    recent = set(
        Invitation.objects.filter(
            status__in=[InvitationStatus.ACCEPTED, InvitationStatus.SIGNED],
            panel__requested_at__gte=since,
            **same_applicant,
        ).values_list("expert_id", flat=True)
    )
    wanted = set(specialties)
    experts = list(Expert.objects.filter(department_id=department_id).select_related("department__region"))
    logins = {e.user_id for e in experts if e.user_id is not None}
    handled = handlers(case) & logins
    posted = set(policy.login_conflicts(experts[0].department, logins)) if logins else set()
    found: list[Candidate] = []
    for expert in sorted(experts, key=lambda e: e.code):
        if wanted and not wanted & set(expert.specialties):
            continue
        if not expert.available:
            reason = "unavailable"
        elif expert.employer_credit_code.upper() in parties:
            reason = "employer"
        elif parties & {c.upper() for c in expert.conflicts}:
            reason = "declared"
        elif expert.user_id in handled:
            reason = "handler"
        elif expert.user_id in posted:
            reason = "post"
        elif expert.pk in recent:
            reason = "recent"
        else:
            reason = ""
        found.append(Candidate(expert, reason))
    return found
