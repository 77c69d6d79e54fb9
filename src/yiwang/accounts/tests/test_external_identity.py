"""The account rules of 统一身份认证登录 (services.external_identity_sign_in): who a verified
identity becomes here, and what it never does (link on a name or an e-mail, grant a role)."""

import json

import pytest

from yiwang.accounts import services
from yiwang.accounts.models import AccountEvent, ExternalIdentity, NaturalPerson, StaffRole, User, UserKind
from yiwang.accounts.tests.conftest import ZHANGSAN_ID, ZHAOXIN_ID
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db

ISSUER = "https://tyrz.example.gov.cn"


def sign_in(claims: dict[str, object], **options: object) -> User:
    return services.external_identity_sign_in(issuer=ISSUER, claims=claims, **options)  # type: ignore[arg-type]


def test_the_asserted_id_number_links_the_existing_citizen(world: None) -> None:
    user = sign_in({"sub": "s-1", "name": "张三", "id_number": ZHANGSAN_ID})
    assert user.username == "zhangsan"
    assert ExternalIdentity.objects.get(issuer=ISSUER, subject="s-1").user == user
    event = AccountEvent.objects.get(verb="external_identity_linked")
    leaf = Entry.objects.get(pk=event.ledger_entry_id).leaf
    assert "s-1" not in leaf and ZHANGSAN_ID not in leaf
    assert set(json.loads(leaf)["commitments"]) == {"subject", "id_number"}


def test_a_lower_case_check_letter_still_finds_the_person(world: None) -> None:
    person = NaturalPerson.objects.get(user__username="wangwu")
    number = person.id_number
    user = sign_in({"sub": "s-w", "name": "王五", "id_number": number.lower()})
    assert user == person.user


def test_a_matching_name_or_e_mail_alone_links_nobody(world: None) -> None:
    zhangsan = User.objects.get(username="zhangsan")
    zhangsan.email = "zhangsan@example.com"
    zhangsan.save(update_fields=["email"])
    with pytest.raises(services.SignInRefused, match="未提供已核验的居民身份证号"):
        sign_in({"sub": "s-2", "name": "张三", "email": "zhangsan@example.com"})
    other = sign_in({"sub": "s-3", "name": "张三", "email": "zhangsan@example.com", "id_number": ZHAOXIN_ID})
    assert other != zhangsan and other.person.id_number == ZHAOXIN_ID
    assert not ExternalIdentity.objects.filter(user=zhangsan).exists()


def test_a_new_person_gets_an_applicant_account_without_a_password(world: None) -> None:
    claims = {"sub": "s-4", "name": "赵新", "phone_number": "+86 139-1234-5678", "phone_number_verified": True}
    user = sign_in({**claims, "id_number": ZHAOXIN_ID})
    assert user.kind == UserKind.APPLICANT and not user.has_usable_password()
    assert (user.display_name, user.phone, user.person.real_name) == ("赵新", "13912345678", "赵新")
    assert user.person.verified_at is not None and user.person.masked_name == "赵*"
    assert not StaffRole.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("number", "verified"),
    [("13912345678", False), ("13912345678", "true"), ("+1 415 555 0100", True), ("010-12345678", True)],
)
def test_a_phone_the_provider_did_not_verify_or_that_is_no_mobile_is_not_kept(
    world: None, number: str, verified: object
) -> None:
    claims = {"sub": "s-6", "name": "赵新", "phone_number": number, "phone_number_verified": verified}
    assert sign_in({**claims, "id_number": ZHAOXIN_ID}).phone == ""  # 帮办代办 sends its consent code there


def test_a_known_subject_signs_in_without_another_record(world: None) -> None:
    first = sign_in({"sub": "s-5", "name": "张三", "id_number": ZHANGSAN_ID})
    events = AccountEvent.objects.count()
    assert sign_in({"sub": "s-5"}) == first  # later logins need no number: the link decides
    assert AccountEvent.objects.count() == events


def test_a_second_platform_account_for_a_linked_person_is_refused(world: None) -> None:
    sign_in({"sub": "s-6", "name": "张三", "id_number": ZHANGSAN_ID})
    with pytest.raises(services.SignInRefused, match="已关联另一个统一身份认证账号"):
        sign_in({"sub": "s-7", "name": "张三", "id_number": ZHANGSAN_ID})


def test_staff_accounts_sign_in_only_where_configured_and_gain_no_role(world: None) -> None:
    staff = User.objects.filter(kind=UserKind.STAFF, staff_roles__isnull=False).first()
    assert staff is not None
    roles = set(StaffRole.objects.filter(user=staff).values_list("role", "department"))
    ExternalIdentity.objects.create(user=staff, issuer=ISSUER, subject="s-staff", linked_at=staff.date_joined)
    with pytest.raises(services.SignInRefused, match="工作人员账号不能通过统一身份认证登录"):
        sign_in({"sub": "s-staff"})
    assert sign_in({"sub": "s-staff"}, allow_staff=True) == staff
    assert set(StaffRole.objects.filter(user=staff).values_list("role", "department")) == roles


def test_an_invalid_number_a_disabled_account_and_control_characters_are_refused(world: None) -> None:
    with pytest.raises(services.SignInRefused, match="居民身份证号无效"):
        sign_in(
            {"sub": "s-8", "name": "某", "id_number": ZHANGSAN_ID[:-1] + ("1" if ZHANGSAN_ID.endswith("0") else "0")}
        )
    with pytest.raises(services.SignInRefused, match="姓名格式不正确"):
        sign_in({"sub": "s-9", "name": "赵\x00新", "id_number": ZHAOXIN_ID})
    User.objects.filter(username="zhangsan").update(is_active=False)
    with pytest.raises(services.SignInRefused, match="已停用"):
        sign_in({"sub": "s-10", "name": "张三", "id_number": ZHANGSAN_ID})
    assert not ExternalIdentity.objects.exists()
