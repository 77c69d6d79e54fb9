"""What the licenses domain refuses and what it reports as of today: the effective status past
the last valid day, the license type code, the catalog's reference to a type, and the facts
of a re-issue."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from yiwang.cases.tests.factories import user
from yiwang.catalog import services as catalog
from yiwang.catalog.models import ImplementationVersion
from yiwang.catalog.tests.helpers import food_draft
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.demo.licenses import FOOD as DEMO_FOOD
from yiwang.licenses import services
from yiwang.licenses.models import License, LicenseEvent, LicenseType
from yiwang.licenses.tests.helpers import FOOD, food_type, issue
from yiwang.licenses.workflow import LicenseStatus, effective_status

pytestmark = pytest.mark.django_db
S = LicenseStatus
UNCHANGED = "没有变更任何字段；换发新版本须至少变更一项证照内容"
LAST_DAY = dt.date(2031, 3, 1)  # a 5-year license of 2026-03-02 is valid through this day


# --- the effective status -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "until", "today", "expected"),
    [
        (S.VALID, LAST_DAY, LAST_DAY, S.VALID),
        (S.VALID, LAST_DAY, LAST_DAY + dt.timedelta(days=1), S.EXPIRED),
        (S.SUSPENDED, LAST_DAY, LAST_DAY + dt.timedelta(days=1), S.EXPIRED),
        (S.VALID, None, dt.date(2099, 1, 1), S.VALID),
        (S.REVOKED, LAST_DAY, dt.date(2032, 1, 1), S.REVOKED),
        (S.SUPERSEDED, LAST_DAY, dt.date(2032, 1, 1), S.SUPERSEDED),
    ],
)
def test_effective_status(status: S, until: dt.date | None, today: dt.date, expected: S) -> None:
    assert effective_status(status, until, today) == expected


def test_public_status_and_wallet_say_expired_before_the_job_runs(login_as: Callable[[str], Client]) -> None:
    license = issue()
    url = f"/api/v1/licenses/status/{license.identifier}"
    # 23:30 Beijing time on the last valid day: still valid (UTC is already 15:30 that day).
    with clock.frozen(dt.datetime(2031, 3, 1, 23, 30)):
        assert Client().get(url).json()["status"] == "valid"
    # 00:10 Beijing time the next day (still 1 March in UTC): expired, though nothing ran.
    with clock.frozen(dt.datetime(2031, 3, 2, 0, 10)):
        body = Client().get(url).json()
        assert (body["status"], body["status_label"]) == ("expired", "已过期")
        assert body["since"].startswith("2031-03-02T00:00:00+08:00")
        mine = login_as("zhangsan").get("/api/v1/licenses/mine").json()["items"]
        assert [(m["identifier"], m["status"]) for m in mine] == [(license.identifier, "expired")]
        # An approver cannot suspend what has lapsed; the job still records the expiry.
        with pytest.raises(Conflict, match="已过期"):
            services.license_suspend(actor=user("jn_approver"), license_id=license.pk, reason="检查")
        assert License.objects.get(pk=license.pk).status == S.VALID
        assert services.licenses_expire_due() == 1
    assert LicenseEvent.objects.filter(license=license, verb="expired").count() == 1
    assert Client().get(url).json()["status"] == "expired"


# --- the license type code ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("11370000MB2858150P00", "应为21位，实际为20位"),
        ("11370000MB2858150P0045", "应为21位，实际为22位"),
        ("11370000MB2858150P0-4", "只能包含数字和大写字母"),
        ("11370000mb2858150p004", "大写字母"),
    ],
)
def test_a_license_type_code_is_21_digits_or_capitals(db: None, code: str, message: str) -> None:
    fields = [{"key": "name", "label": "名称", "source": "holder:name"}]
    with pytest.raises(ValidationError, match=message):
        LicenseType(code=code, name="测试证照", fields=fields).full_clean()
    LicenseType(code="11370000MB2858150P004", name="测试证照", fields=fields).full_clean()


def _submitted(drafter_name: str, code: str) -> ImplementationVersion:
    drafter = user(drafter_name)
    draft = food_draft(drafter, reason="签发电子证照", license_type_code=code)
    return catalog.implementation_version_submit(actor=drafter, version=draft)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "11370000MB2858150P999",
            "电子证照类型代码：11370000MB2858150P999 不是已登记的电子证照类型，准予许可时将无法签发证照"
            "（请核对代码，或先由平台运营者登记该证照类型）",
        ),
        ("ABC", "电子证照类型代码：应为21位，实际为3位（GB/T 36904 证照类型代码）"),
    ],
)
def test_submission_naming_an_unknown_license_type_is_refused(world: None, code: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _submitted("sd_catalog", code)
    assert refused.value.errors["license_type_code"] == [message]


def test_publication_is_refused_when_the_named_type_is_gone(world: None) -> None:
    version = _submitted("sd_catalog", DEMO_FOOD)
    LicenseType.objects.filter(code=DEMO_FOOD).delete()  # e.g. withdrawn by the operator meanwhile
    with pytest.raises(ValidationFailed) as refused:
        catalog.implementation_version_publish(actor=user("jn_catalog"), version=version, note="同意")
    assert refused.value.errors["license_type_code"][0].startswith(f"电子证照类型代码：{DEMO_FOOD} 不是已登记的")
    assert ImplementationVersion.objects.get(pk=version.pk).status == "in_review"


def test_publication_of_a_known_type_goes_through(world: None) -> None:
    version = _submitted("sd_catalog", DEMO_FOOD)
    published = catalog.implementation_version_publish(actor=user("jn_catalog"), version=version, note="同意")
    assert published.status == "published" and published.license_type_code == DEMO_FOOD


# --- the facts of a re-issue ------------------------------------------------------------------


def _reissue(license: License, facts: object, reason: str = "经营面积变更") -> License:
    return services.license_reissue(actor=user("jn_approver"), license_id=license.pk, facts=facts, reason=reason)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "errors"),
    [
        ({"owner": "x"}, {"facts": ["证照内容：不认识的字段 owner"]}),
        ({"area": "9" * 1001}, {"facts.area": ["经营面积：最多 1000 个字符"]}),
        (
            {"shop_name": "泉城\x00小馆"},
            {
                "facts.shop_name": [
                    "经营者名称：含有不可见的控制字符（U+0000），请删除后重新输入；不允许控制字符（换行和制表符除外）"
                ]
            },
        ),
        ({"shop_name": "  "}, {"facts.shop_name": ["经营者名称：必填（现行版本有此项内容）"]}),
        ({"area": ["80"]}, {"facts.area": ["经营面积：应为文本"]}),
        ({"case_number": "370100-20990101-000009"}, {"facts.case_number": ["办件编号：由办件确定，换发时不能变更"]}),
        ({"area": "80", "shop_name": "泉城小馆"}, {"facts": [f"证照内容：{UNCHANGED}"]}),
        ("area=120", {"facts": ["证照内容：应为字段与取值的对照"]}),
    ],
)
def test_reissue_facts_are_checked_against_the_type(world: None, facts: object, errors: dict[str, list[str]]) -> None:
    license = issue()
    with pytest.raises(ValidationFailed) as refused:
        _reissue(license, facts)
    assert refused.value.errors == errors
    license.refresh_from_db()
    assert license.status == S.VALID and not License.objects.filter(supersedes=license).exists()


def test_reissue_keeps_integer_facts_integers(world: None) -> None:
    food_type()
    LicenseType.objects.filter(code=FOOD).update(
        fields=[
            {"key": "shop_name", "label": "经营者名称", "source": "form:shop_name"},
            {"key": "area", "label": "经营面积", "source": "form:area"},
        ]
    )
    license = issue()
    License.objects.filter(pk=license.pk).update(facts={"shop_name": "泉城小馆", "area": 80})
    license.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        _reissue(license, {"area": "一百二十"})
    assert refused.value.errors == {"facts.area": ["经营面积：应为整数"]}
    new = _reissue(license, {"area": " 120 ", "shop_name": "泉城小馆"})
    assert new.facts == {"shop_name": "泉城小馆", "area": 120} and new.version == 2


def test_revocation_needs_a_legal_basis(world: None) -> None:
    license = issue()
    with pytest.raises(ValidationFailed) as refused:
        services.license_revoke(actor=user("jn_approver"), license_id=license.pk, reason="违法经营", legal_basis=" ")
    assert refused.value.errors == {"legal_basis": ["法律依据：必填"]}
    services.license_revoke(
        actor=user("jn_approver"), license_id=license.pk, reason="违法经营", legal_basis="《食品安全法》第一百三十五条"
    )
    event = LicenseEvent.objects.get(license=license, verb="revoked")
    assert (event.reason, event.legal_basis) == ("违法经营", "《食品安全法》第一百三十五条")
