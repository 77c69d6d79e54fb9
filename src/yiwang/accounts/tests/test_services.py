"""Account services: validation messages, events and ledger entries without personal data."""

import json

import pytest

from yiwang.accounts import services
from yiwang.accounts.models import AccountEvent, Enterprise, Region
from yiwang.core.errors import PermissionDenied, ValidationFailed
from yiwang.demo.world import DEMO_PASSWORD, credit_code
from yiwang.ledger.models import Entry, EntrySalt

pytestmark = pytest.mark.django_db


def test_person_register_rejects_a_changed_id_character_naming_the_rule(world: None) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.person_register(
            username="newbie", password=DEMO_PASSWORD, real_name="赵六", id_number="110105194912310021"
        )
    message = info.value.errors["id_number"][0]
    assert message.startswith("居民身份证号：")
    assert "校验" in message


def test_person_register_keeps_personal_data_out_of_the_ledger(world: None) -> None:
    user = services.person_register(
        username="newbie", password=DEMO_PASSWORD, real_name="赵六", id_number="11010519491231002X"
    )
    event = AccountEvent.objects.get(verb="person_registered", subject=f"user:{user.pk}")
    entry = Entry.objects.get(pk=event.ledger_entry_id)
    assert "11010519491231002X" not in entry.leaf and "赵六" not in entry.leaf
    leaf = json.loads(entry.leaf)
    assert set(leaf["commitments"]) == {"real_name", "id_number"}
    assert EntrySalt.objects.filter(entry=entry).exists()
    assert user.person.masked_id_number == "110***********002X"


def test_enterprise_with_letter_first_credit_code_is_accepted(world: None) -> None:
    code = credit_code("110108", "MA01ABCD4", authority="N2")
    enterprise = services.enterprise_register(
        actor=None,
        name="某某农民专业合作社",
        credit_code=code,
        legal_representative="钱七",
        region=Region.objects.get(code="370102000000"),
    )
    assert enterprise.credit_code.startswith("N")


def test_enterprise_with_wrong_credit_code_names_field_and_rule(world: None) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.enterprise_register(
            actor=None,
            name="错误公司",
            credit_code="91110000600037341M",
            legal_representative="某",
            region=Region.objects.first(),
        )
    assert info.value.errors["credit_code"][0].startswith("统一社会信用代码：")
    assert not Enterprise.objects.filter(name="错误公司").exists()


def test_staff_cannot_grant_roles(world: None) -> None:
    from yiwang.accounts.models import Department, Role, User

    clerk = User.objects.get(username="jn_window")
    with pytest.raises(PermissionDenied):
        services.staff_role_grant(actor=clerk, user=clerk, role=Role.APPROVER, department=Department.objects.first())


def test_region_code_must_match_parent(world: None) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.region_create(
            actor=None, code="370903000000", name="错误区", parent=Region.objects.get(code="370100000000")
        )
    assert "370900000000" in info.value.errors["parent"][0]


def test_a_role_granted_within_a_request_counts_at_once_and_posts_are_not_kept_after_it(world: None) -> None:
    """The posts are read once per request (core.request_memo): a grant in the request makes
    the next question read them again, and nothing is remembered outside a request."""
    from django.http import HttpRequest, HttpResponse

    from yiwang.accounts.models import Department, Role, StaffRole, User
    from yiwang.accounts.selectors import roles_held
    from yiwang.core.request_memo import RequestMemoMiddleware

    clerk = User.objects.get(username="jn_window")
    department = Department.objects.first()
    assert department is not None
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(Role.DATA_STEWARD in roles_held(clerk))
        services.staff_role_grant(actor=None, user=clerk, role=Role.DATA_STEWARD, department=department)
        seen.append(Role.DATA_STEWARD in roles_held(clerk))
        return HttpResponse()

    RequestMemoMiddleware(view)(HttpRequest())
    assert seen == [False, True]
    StaffRole.objects.filter(user=clerk, role=Role.DATA_STEWARD).delete()
    assert Role.DATA_STEWARD not in roles_held(clerk)  # outside a request: read every time
