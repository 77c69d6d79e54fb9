"""Account writes: every change of people, enterprises, departments and roles.

Each function is one durable transaction that validates, writes, records an
`AccountEvent` and appends a ledger entry in which personal data appears only as salted
commitments. Callers: the demo loader, admin actions, the portal and the API.
"""

import datetime as dt
import re
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from yiwang.accounts.models import (
    AccountEvent,
    Department,
    Enterprise,
    EnterpriseAgent,
    ExternalIdentity,
    NaturalPerson,
    PortalMode,
    Region,
    Role,
    StaffRole,
    User,
    UserKind,
)
from yiwang.accounts.selectors import forget_staff_roles
from yiwang.core import clock
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.core.identifiers import (
    IdentifierError,
    mask_resident_id,
    validate_credit_code,
    validate_region_code,
    validate_resident_id,
)
from yiwang.core.text import control_char_error
from yiwang.ledger.events import AccountVerb, Domain, event_type
from yiwang.ledger.services import ledger_append


def _record(
    *,
    verb: AccountVerb,
    actor: User | None,
    subject: str,
    payload: dict[str, Any],
    personal: dict[str, str] | None = None,
) -> AccountEvent:
    kind = event_type(Domain.ACCOUNTS, verb).kind  # an uncatalogued verb fails before anything is written
    entry = ledger_append(kind=kind, subject=subject, payload=payload, personal=personal or {})
    return AccountEvent.objects.create(
        verb=verb, actor=actor, subject=subject, payload=payload, at=clock.now(), ledger_entry_id=entry.pk
    )


def _require_admin(actor: User | None) -> None:
    """Back-office changes need a platform administrator (None = the system itself, e.g. the demo loader)."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("只有平台管理员可以维护组织和账户数据。")


def _check_identifier(errors: dict[str, list[str]], key: str, label: str, check: Any, value: str) -> str:
    """Validate one identifier; on failure file the Chinese message under the form field `key`."""
    try:
        return str(check(value, field=label))
    except IdentifierError as exc:
        errors.setdefault(key, []).append(exc.message)
        return value


def region_create(*, actor: User | None, code: str, name: str, parent: Region | None = None) -> Region:
    errors: dict[str, list[str]] = {}
    try:
        parsed = validate_region_code(code, field="区划代码")
    except IdentifierError as exc:
        raise ValidationFailed({"code": [exc.message]}) from exc
    parent_code = parsed.parent_code()
    if parent is None and parent_code is not None:
        errors["parent"] = [f"区划代码 {parsed.code} 的上级 {parent_code} 尚未建立。"]
    if parent is not None and parent.code != parent_code:
        errors["parent"] = [f"上级区划应为 {parent_code}，而不是 {parent.code}。"]
    if not name.strip():
        errors["name"] = ["名称：必填。"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        region = Region.objects.create(
            code=parsed.code, name=name.strip(), level=parsed.level.name.lower(), parent=parent
        )
        _record(
            verb=AccountVerb.REGION_CREATED,
            actor=actor,
            subject=f"region:{region.code}",
            payload={"code": region.code, "name": region.name},
        )
    return region


def department_create(
    *, actor: User | None, name: str, kind: str, region: Region, credit_code: str, phone: str = "", address: str = ""
) -> Department:
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    credit_code = _check_identifier(errors, "credit_code", "统一社会信用代码", validate_credit_code, credit_code)
    if not name.strip():
        errors["name"] = ["名称：必填。"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        department = Department.objects.create(
            name=name.strip(), kind=kind, region=region, credit_code=credit_code, phone=phone, address=address
        )
        _record(
            verb=AccountVerb.DEPARTMENT_CREATED,
            actor=actor,
            subject=f"department:{department.pk}",
            payload={"name": department.name, "kind": kind, "region": region.code, "credit_code": credit_code},
        )
    return department


def person_register(
    *, username: str, password: str, real_name: str, id_number: str, phone: str = "", region: Region | None = None
) -> User:
    """Register an applicant with a real-name identity. Writes the user and person rows."""
    errors: dict[str, list[str]] = {}
    id_number = _check_identifier(errors, "id_number", "居民身份证号", validate_resident_id, id_number)
    if not real_name.strip():
        errors["real_name"] = ["姓名：必填。"]
    try:
        validate_password(password, User(username=username))
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if User.objects.filter(username=username).exists():
        errors["username"] = ["用户名：已被使用，请换一个。"]
    if NaturalPerson.objects.filter(id_number=id_number).exists():
        errors["id_number"] = ["居民身份证号：该身份证号已注册，请直接登录。"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        user = User.objects.create_user(
            username=username, password=password, kind=UserKind.APPLICANT, display_name=real_name.strip(), phone=phone
        )
        NaturalPerson.objects.create(
            user=user, real_name=real_name.strip(), id_number=id_number, region=region, verified_at=clock.now()
        )
        _record(
            verb=AccountVerb.PERSON_REGISTERED,
            actor=user,
            subject=f"user:{user.pk}",
            payload={"user": user.pk},
            personal={"real_name": real_name.strip(), "id_number": id_number},
        )
    return user


def enterprise_register(
    *, actor: User | None, name: str, credit_code: str, legal_representative: str, region: Region, address: str = ""
) -> Enterprise:
    errors: dict[str, list[str]] = {}
    credit_code = _check_identifier(errors, "credit_code", "统一社会信用代码", validate_credit_code, credit_code)
    if not name.strip():
        errors["name"] = ["企业名称：必填。"]
    if not legal_representative.strip():
        errors["legal_representative"] = ["法定代表人：必填。"]
    if Enterprise.objects.filter(credit_code=credit_code).exists():
        errors["credit_code"] = ["统一社会信用代码：该企业已登记。"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        enterprise = Enterprise.objects.create(
            name=name.strip(),
            credit_code=credit_code,
            legal_representative=legal_representative.strip(),
            region=region,
            address=address,
        )
        # An enterprise's name and code are public register data; its representative is a person.
        _record(
            verb=AccountVerb.ENTERPRISE_REGISTERED,
            actor=actor,
            subject=f"enterprise:{enterprise.credit_code}",
            payload={"name": enterprise.name, "credit_code": credit_code, "region": region.code},
            personal={"legal_representative": enterprise.legal_representative},
        )
    return enterprise


def agent_authorise(
    *,
    actor: User | None,
    enterprise: Enterprise,
    person: NaturalPerson,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    is_legal_representative: bool = False,
) -> EnterpriseAgent:
    """Authorise a person to act for an enterprise (by its legal representative or an admin)."""
    if actor is not None and not actor.is_superuser and not _is_legal_representative(actor, enterprise):
        raise PermissionDenied("只有企业法定代表人或平台管理员可以授权经办人。")
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed({"valid_until": ["授权截止：不能早于授权起始日期。"]})
    with transaction.atomic(durable=True):
        try:
            agent = EnterpriseAgent.objects.create(
                enterprise=enterprise,
                person=person,
                valid_from=valid_from,
                valid_until=valid_until,
                is_legal_representative=is_legal_representative,
            )
        except IntegrityError as exc:
            raise ValidationFailed({"person": ["经办人：该人员已获本企业授权。"]}) from exc
        _record(
            verb=AccountVerb.AGENT_AUTHORISED,
            actor=actor,
            subject=f"enterprise:{enterprise.credit_code}",
            payload={
                "agent": agent.pk,
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat() if valid_until else None,
            },
            personal={"person_id_number": person.id_number},
        )
    return agent


def _is_legal_representative(user: User, enterprise: Enterprise) -> bool:
    return EnterpriseAgent.objects.filter(
        enterprise=enterprise, person__user=user, is_legal_representative=True, revoked_at__isnull=True
    ).exists()


def staff_create(*, actor: User | None, username: str, password: str, display_name: str, phone: str = "") -> User:
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    try:
        validate_password(password, User(username=username))
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if User.objects.filter(username=username).exists():
        errors["username"] = ["用户名：已被使用。"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        user = User.objects.create_user(
            username=username, password=password, kind=UserKind.STAFF, display_name=display_name, phone=phone
        )
        _record(verb=AccountVerb.STAFF_CREATED, actor=actor, subject=f"user:{user.pk}", payload={"user": user.pk})
    return user


def staff_role_grant(*, actor: User | None, user: User, role: Role | str, department: Department) -> StaffRole:
    _require_admin(actor)
    if user.kind != UserKind.STAFF:
        raise ValidationFailed({"user": ["工作人员：只能给工作人员账号授予岗位角色。"]})
    with transaction.atomic(durable=True):
        staff_role, created = StaffRole.objects.get_or_create(user=user, role=role, department=department)
        forget_staff_roles(user)
        if created:
            _record(
                verb=AccountVerb.STAFF_ROLE_GRANTED,
                actor=actor,
                subject=f"user:{user.pk}",
                payload={"role": str(role), "department": department.pk, "region": department.region.code},
            )
    return staff_role


class SignInRefused(Exception):
    """The identity platform vouched for someone this platform will not sign in (a Chinese reason)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")


def _verified_mobile(claims: dict[str, Any]) -> str:
    """The provider's phone number, kept only when it says it verified it and it is a mainland
    mobile number (E.164 "+86…" or 11 digits): 帮办代办's consent code is sent to it."""
    raw = _claim_text(claims, "phone_number", limit=20).replace(" ", "").replace("-", "")
    found = _MOBILE.fullmatch(raw)
    return found[1] if found and claims.get("phone_number_verified") is True else ""


def _claim_text(claims: dict[str, Any], key: str, *, limit: int) -> str:
    value = claims.get(key)
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > limit or control_char_error(key, value) is not None:
        raise SignInRefused(f"统一身份认证平台提供的{_CLAIM_LABELS.get(key, key)}格式不正确，无法登录。")
    return value


_CLAIM_LABELS = {"sub": "用户标识", "name": "姓名", "phone_number": "手机号"}


def external_identity_sign_in(
    *, issuer: str, claims: dict[str, Any], id_number_claim: str = "id_number", allow_staff: bool = False
) -> User:
    """The local user for a person the identity platform has verified (ID-token `claims`).

    1. A known (issuer, sub) signs in as the user it is linked to.
    2. Otherwise the platform must assert a 居民身份证号 (`id_number_claim`): the account of
       the person with that number is linked (never by e-mail or name: they prove nothing),
    3. or, if there is none, a citizen account is created with the claimed name and phone and
       the verified real-name profile, and linked.
    Linking is one durable transaction with an `AccountEvent` and a ledger entry (the subject
    and the number only as commitments). Signing in grants no role: staff powers stay
    `StaffRole` rows, and staff accounts sign in this way only when `allow_staff`.
    """
    subject = _claim_text(claims, "sub", limit=255)
    if not subject or not issuer:
        raise SignInRefused("统一身份认证平台未提供用户标识，无法登录。")
    link = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if link is not None:
        return _may_sign_in(link.user, allow_staff)
    raw_number = claims.get(id_number_claim)
    if not isinstance(raw_number, str) or not raw_number.strip():
        raise SignInRefused("统一身份认证平台未提供已核验的居民身份证号，无法登录本平台。请使用账号密码登录。")
    try:
        id_number = str(validate_resident_id(raw_number.strip()[:40], field="居民身份证号"))
    except IdentifierError as exc:
        raise SignInRefused(f"统一身份认证平台提供的居民身份证号无效（{exc.message}），无法登录。") from exc
    name = _claim_text(claims, "name", limit=60)
    phone = _verified_mobile(claims)
    person = NaturalPerson.objects.select_related("user").filter(id_number=id_number).first()
    try:
        with transaction.atomic(durable=True):
            if person is not None:
                user = _may_sign_in(person.user, allow_staff)
                if ExternalIdentity.objects.filter(issuer=issuer, user=user).exists():
                    raise SignInRefused(
                        f"居民身份证号 {mask_resident_id(id_number)} 的账号已关联另一个统一身份认证账号，"
                        "请联系平台管理员。"
                    )
                matched_by = "id_number"
            else:
                if not name:
                    raise SignInRefused("统一身份认证平台未提供姓名，无法为您建立账号。")
                user = User.objects.create_user(
                    username=f"tyrz-{secrets.token_hex(6)}", kind=UserKind.APPLICANT, display_name=name, phone=phone
                )  # no password: this account signs in through the identity platform
                NaturalPerson.objects.create(user=user, real_name=name, id_number=id_number, verified_at=clock.now())
                _record(
                    verb=AccountVerb.PERSON_REGISTERED,
                    actor=user,
                    subject=f"user:{user.pk}",
                    payload={"user": user.pk, "via": "external_identity"},
                    personal={"real_name": name, "id_number": id_number},
                )
                matched_by = "new_account"
            ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject, linked_at=clock.now())
            _record(
                verb=AccountVerb.EXTERNAL_IDENTITY_LINKED,
                actor=user,
                subject=f"user:{user.pk}",
                payload={"user": user.pk, "issuer": issuer, "matched_by": matched_by},
                personal={"subject": subject, "id_number": id_number},
            )
    except IntegrityError:  # the same person's second tab got there first: use its link
        link = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        if link is None:
            raise SignInRefused("账号关联未完成，请重新登录。") from None
        return _may_sign_in(link.user, allow_staff)
    return user


def _may_sign_in(user: User, allow_staff: bool) -> User:
    if not user.is_active:
        raise SignInRefused("该账号已停用，请联系平台管理员。")
    if user.kind == UserKind.STAFF and not allow_staff:
        raise SignInRefused("工作人员账号不能通过统一身份认证登录，请使用账号密码登录。")
    return user


def portal_mode_set(*, actor: User, mode: str) -> User:
    """A person chooses how the portal is shown to them (长辈版 or 标准版, ADR 0030); the choice
    is kept on the account so that it follows them to another device. Choosing the mode they
    already have changes nothing and records nothing."""
    if not actor.is_authenticated:
        raise PermissionDenied("请先登录。")
    if mode not in PortalMode.values:
        raise ValidationFailed({"mode": ["显示模式：请选择长辈版或标准版。"]})
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=actor.pk)
        if user.portal_mode != mode:
            user.portal_mode = mode
            user.save(update_fields=["portal_mode"])
            _record(verb=AccountVerb.PORTAL_MODE_SET, actor=user, subject=f"user:{user.pk}", payload={"mode": mode})
    actor.portal_mode = user.portal_mode
    return user
