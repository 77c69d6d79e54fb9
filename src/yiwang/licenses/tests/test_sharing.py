"""用证授权 through the real services: grant, use, refusals, withdraw, expiry, throttling, ledger."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import override_settings

from yiwang.accounts.selectors import person_of
from yiwang.cases.tests.factories import user
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.ledger.canonical import commit_personal
from yiwang.ledger.license_note import holder_commitment
from yiwang.ledger.models import Entry
from yiwang.licenses import services, sharing
from yiwang.licenses.models import LicenseAuthorisation, LicenseEvent, LicenseUse
from yiwang.licenses.sharing_workflow import (
    AUTHORISATION_TRANSITIONS,
    AuthorisationAction,
    AuthorisationStatus,
    authorisation_next_status,
)
from yiwang.licenses.tests.helpers import issue
from yiwang.notifications.models import Message

pytestmark = pytest.mark.django_db
IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def grant(license_id: int, **kwargs: object) -> sharing.Granted:
    values: dict[str, object] = {"recipient": "中国银行济南分行", "purpose": "办理经营贷款", **kwargs}
    return sharing.authorisation_grant(actor=user("zhangsan"), license_id=license_id, **values)  # type: ignore[arg-type]


def use(**kwargs: str) -> sharing.Disclosure:
    values = {"organisation": "中国银行济南分行", "purpose": "贷前核验营业资质", "channel": "code", "client_ip": IP}
    return sharing.authorisation_use(**{**values, **kwargs})


def test_one_time_code_is_used_once_seen_by_the_holder_and_the_link_dies_on_withdrawal(world: None) -> None:
    license = issue()
    granted = grant(license.pk)
    assert len(granted.code) == 11 and granted.code[5] == "-" and len(granted.token) >= 22
    row = LicenseAuthorisation.objects.get(pk=granted.authorisation.pk)
    assert granted.code.replace("-", "") not in json.dumps(row.__dict__, default=str)  # only hashes stored
    assert row.code_hash == sharing.secret_digest("code", granted.code.replace("-", ""))

    shown = use(code=granted.code.lower().replace("-", " "))  # typed loosely
    assert shown.holder_name == "张三" and shown.type_name == "食品经营许可证"
    assert ("经营者名称", "泉城小馆") in shown.facts and shown.status_label == "有效"
    assert shown.note == license.note and shown.holder_id is None and shown.uses_left == 0

    with pytest.raises(Conflict, match="已全部用完"):
        use(code=granted.code)
    with pytest.raises(Conflict, match="已全部用完"):
        use(token=granted.token, channel="link")

    [seen] = LicenseUse.objects.filter(authorisation__license=license)
    assert (seen.organisation, seen.purpose, seen.client_ip) == ("中国银行济南分行", "贷前核验营业资质", "203.0.113.*")
    notice = Message.objects.get(recipient=user("zhangsan"), channel="in_app", subject__contains="用证记录")
    assert "贷前核验营业资质" in notice.body and seen.number in notice.body

    second = grant(license.pk, max_uses=3)
    use(token=second.token, channel="link")
    sharing.authorisation_withdraw(actor=user("zhangsan"), authorisation_id=second.authorisation.pk)
    with pytest.raises(Conflict, match="已被持证人撤回"):
        use(token=second.token, channel="link")
    assert LicenseAuthorisation.objects.get(pk=second.authorisation.pk).use_count == 1


def test_the_holder_may_disclose_the_id_that_opens_the_qr_commitment(world: None) -> None:
    license = issue()
    shown = use(code=grant(license.pk, disclose_holder_id=True).code)
    assert shown.holder_id == person_of(user("zhangsan")).id_number  # type: ignore[union-attr]
    assert holder_commitment(shown.holder_id, bytes.fromhex(shown.holder_salt or "")) in license.note


def test_the_window_expires_and_the_expiry_is_recorded(world: None) -> None:
    license = issue()
    granted = grant(license.pk, max_uses=5)
    use(code=granted.code)
    with clock.frozen(clock.now() + dt.timedelta(days=7, minutes=1)), pytest.raises(Conflict, match="过期"):
        use(code=granted.code)
    row = LicenseAuthorisation.objects.get(pk=granted.authorisation.pk)
    assert row.status == AuthorisationStatus.EXPIRED and row.use_count == 1
    assert LicenseEvent.objects.filter(license=license, verb="authorisation_expired").count() == 1

    later = grant(license.pk, valid_until=clock.now() + dt.timedelta(hours=2))
    with clock.frozen(clock.now() + dt.timedelta(hours=3)):
        assert sharing.authorisations_expire_due() == 1
    assert LicenseAuthorisation.objects.get(pk=later.authorisation.pk).status == AuthorisationStatus.EXPIRED


def test_window_and_fields_are_bounded(world: None) -> None:
    license = issue()
    now = clock.now()
    with pytest.raises(ValidationFailed) as caught:
        grant(
            license.pk,
            recipient="",
            purpose="x" * 201,
            valid_until=now + dt.timedelta(days=31),
            max_uses=21,
        )
    assert caught.value.errors == {
        "recipient": ["被授权方：必填"],
        "purpose": ["用途：最多 200 个字符（现为 201 个）"],
        "valid_until": ["授权截止时间：授权期限最长 30 天"],
        "max_uses": ["可使用次数：应为 1–20 之间的整数（1 为一次性授权）"],
    }
    with pytest.raises(ValidationFailed, match="不能早于当前时间"):
        grant(license.pk, valid_from=now - dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="控制字符"):
        grant(license.pk, recipient="银行\x00")
    granted = grant(license.pk)
    with pytest.raises(ValidationFailed, match="用证事由：必填"):
        use(code=granted.code, purpose=" ")
    assert LicenseAuthorisation.objects.get(pk=granted.authorisation.pk).use_count == 0


def test_someone_else_cannot_grant_or_withdraw(world: None) -> None:
    license = issue()
    with pytest.raises(PermissionDenied, match="只有持证人"):
        sharing.authorisation_grant(actor=user("lisi"), license_id=license.pk, recipient="某公司", purpose="核验")
    granted = grant(license.pk)
    for stranger in ("lisi", "jn_approver"):
        with pytest.raises(PermissionDenied):
            sharing.authorisation_withdraw(actor=user(stranger), authorisation_id=granted.authorisation.pk)
    assert LicenseAuthorisation.objects.get(pk=granted.authorisation.pk).status == AuthorisationStatus.ACTIVE


def test_a_license_no_longer_valid_cannot_be_shared_or_used(world: None) -> None:
    license = issue()
    granted = grant(license.pk, max_uses=2)
    services.license_revoke(
        actor=user("jn_approver"), license_id=license.pk, reason="违法经营", legal_basis="《食品安全法》第一百二十二条"
    )
    with pytest.raises(Conflict, match=r"已撤销.*不能用证"):
        use(code=granted.code)
    with pytest.raises(Conflict, match="不能授权他人使用"):
        grant(license.pk)
    assert not LicenseUse.objects.exists()


@override_settings(LICENSE_USE_MAX_FAILURES_PER_ADDRESS=3, LICENSE_USE_MAX_FAILURES_PER_PREFIX=5)
def test_wrong_codes_are_throttled_and_do_not_say_whether_a_code_exists(world: None) -> None:
    license = issue()
    granted = grant(license.pk, max_uses=5)
    real = granted.code.replace("-", "")
    near = real[:-1] + ("2" if real[-1] != "2" else "3")
    messages = set()
    for wrong in (near, "ZZZZZZZZZZ", "not-a-code"):
        with pytest.raises(NotFound) as caught:
            use(code=wrong)
        messages.add(caught.value.message)
    assert messages == {sharing.WRONG_SECRET}  # a near miss reads like nonsense
    with pytest.raises(sharing.throttle.TooManyAttempts, match="错误次数过多"):
        use(code=granted.code)  # even the right code, from this address, for now
    assert use(code=granted.code, client_ip="192.0.2.1").holder_name == "张三"  # another address may
    # Guesses on one prefix from many addresses add up (1 near miss above + 4 here = 5).
    for n in range(4):
        with pytest.raises(NotFound):
            use(code=real[:3] + ("2222222" if real[3:] != "2222222" else "3333333"), client_ip=f"198.51.100.{n}")
    with pytest.raises(sharing.throttle.TooManyAttempts):
        use(code=granted.code, client_ip="198.51.100.99")
    assert LicenseUse.objects.count() == 1


def test_ledger_entries_carry_no_personal_data_in_clear(world: None) -> None:
    license = issue()
    granted = grant(license.pk)
    use(code=granted.code)
    entries = list(Entry.objects.filter(kind__startswith="licenses.authorisation_").order_by("pk"))
    assert [e.kind for e in entries] == ["licenses.authorisation_granted", "licenses.authorisation_used"]
    for entry in entries:
        for secret in ("中国银行", "经营贷款", "贷前核验", "张三", license.identifier, granted.code, granted.token, IP):
            assert secret not in entry.leaf
    leaf = json.loads(entries[0].leaf)
    assert set(leaf["commitments"]) == {"identifier", "recipient", "purpose"}
    salt = bytes.fromhex(entries[0].salt.salts["recipient"])
    assert leaf["commitments"]["recipient"] == commit_personal("中国银行济南分行", salt)
    assert json.loads(entries[1].leaf)["payload"]["status"] == "used_up"


def test_the_transition_table_is_walked_by_the_services(world: None) -> None:
    allowed = set(AUTHORISATION_TRANSITIONS)
    for status in [None, *AuthorisationStatus]:
        for action in AuthorisationAction:
            if (status, action) in allowed:
                assert authorisation_next_status(status, action)
            else:
                with pytest.raises(Conflict, match="用证授权当前状态"):
                    authorisation_next_status(status, action)
    license = issue()
    withdrawn = grant(license.pk)
    sharing.authorisation_withdraw(actor=user("zhangsan"), authorisation_id=withdrawn.authorisation.pk)
    with pytest.raises(Conflict, match=r"已撤回.*不能撤回"):
        sharing.authorisation_withdraw(actor=user("zhangsan"), authorisation_id=withdrawn.authorisation.pk)
    used = grant(license.pk)
    use(code=used.code)
    with pytest.raises(Conflict, match=r"已用完.*不能撤回"):
        sharing.authorisation_withdraw(actor=user("zhangsan"), authorisation_id=used.authorisation.pk)
    statuses = set(LicenseAuthorisation.objects.values_list("status", flat=True))
    assert statuses == {AuthorisationStatus.WITHDRAWN, AuthorisationStatus.USED_UP}
