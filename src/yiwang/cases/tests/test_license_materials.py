"""免提交 by e-license: a material the platform's own license supplies is attached at
submission and never asked again; without a usable license the applicant is told why and
uploads it (cases.evidence, services._evidence, selectors.material_needed)."""

import datetime as dt
import hashlib
import json
from functools import partial

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from yiwang.accounts.models import Department, Enterprise
from yiwang.cases import selectors, services
from yiwang.cases.models import CaseAccessLog, CaseEvent, CaseEvidence, CaseMaterial
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import DEFAULT_MATERIALS, ImplementationVersionFactory, user
from yiwang.catalog.models import ImplementationVersion, MaterialSource
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.demo.world import ENTERPRISE
from yiwang.ledger.models import Entry
from yiwang.licenses.models import License, LicenseType
from yiwang.licenses.services import license_issue, license_revoke, license_suspend

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)
BUSINESS = "11370000MB2858150P001"
SHOP = {"shop_name": "泉城小馆", "area": "80", "has_kitchen": True, "rented": False}


def _business_type() -> LicenseType:
    return LicenseType.objects.get_or_create(
        code=BUSINESS,
        defaults={
            "name": "营业执照",
            "validity_years": 0,
            "fields": [{"key": "name", "label": "名称", "source": "holder:name"}],
        },
    )[0]


def _food_version() -> ImplementationVersion:
    """食品经营许可 whose 营业执照 comes from the platform's e-licenses."""
    _business_type()
    materials = [dict(m) for m in DEFAULT_MATERIALS]
    license_material = next(m for m in materials if m["key"] == "business_license")
    license_material.update(source=MaterialSource.LICENSE, source_reference=BUSINESS)
    return ImplementationVersionFactory(materials=materials)


def _enterprise() -> Enterprise:
    return Enterprise.objects.get(credit_code=ENTERPRISE["credit_code"])


def _business_license(*, enterprise: Enterprise | None, valid_from: dt.date = dt.date(2024, 5, 6)) -> License:
    _business_type()
    with transaction.atomic():
        return license_issue(
            type_code=BUSINESS,
            holder=user("wangwu" if enterprise else "zhangsan"),
            enterprise=enterprise,
            issuer=Department.objects.get(staff_roles__user__username="jn_approver"),
            case_id=None,
            sources={},
            valid_from=valid_from,
        )


def _apply(version: ImplementationVersion, *, enterprise: Enterprise | None, materials=("application", "layout")):  # type: ignore[no-untyped-def]
    applicant = "lisi" if enterprise else "zhangsan"
    return flows.draft(version, applicant=applicant, data=SHOP, enterprise=enterprise, materials=materials)


def _submit(draft, applicant: str = "lisi"):  # type: ignore[no-untyped-def]
    return services.case_submit(actor=user(applicant), draft=draft, idempotency_key=f"lic-{draft.pk}")


def _need(case, user_name: str = "lisi", key: str = "business_license") -> selectors.MaterialNeed:  # type: ignore[no-untyped-def]
    if case.submitted_at is None:
        needs = selectors.draft_detail_for(user(user_name), str(case.ref)).materials
    else:
        needs = selectors.case_detail_for(user(user_name), case.number).materials
    return next(n for n in needs if n.material.key == key)


def test_an_enterprise_holding_a_valid_business_license_is_never_asked_for_it(world: None) -> None:
    license = _business_license(enterprise=_enterprise())
    version = _food_version()
    with flows.on(DAY):
        draft = _apply(version, enterprise=_enterprise())
        before = _need(draft)
        assert not before.needed and before.supply is not None and before.supply.supplied
        assert (
            before.supply.message
            == f"将自动调取“{_enterprise().name}”的电子证照：营业执照（编号 {license.number}，有效）"
        )
        case = _submit(draft)

    row = CaseEvidence.objects.get(case=case)
    assert (row.material_key, row.source, row.failure) == ("business_license", "license", "")
    assert row.reference == license.identifier and row.number == license.number and row.license == license
    assert row.sha256 == hashlib.sha256(license.note.encode()).hexdigest()
    assert row.fetched_at == case.submitted_at and row.issuer_name == license.issuer.name
    assert not CaseMaterial.objects.filter(case=case, material_key="business_license").exists()
    event = CaseEvent.objects.get(case=case, verb="fetch_evidence")
    assert event.summary == f"调取免提交材料“营业执照”：营业执照 {license.number}"
    leaf = json.loads(Entry.objects.get(pk=event.ledger_entry_id).leaf)
    assert leaf["kind"] == "cases.fetch_evidence" and leaf["subject"] == f"case:{case.number}"
    assert leaf["payload"]["outcome"] == "fetched"
    # Which license it was and its hash are only commitments in the public leaf.
    assert row.sha256 not in json.dumps(leaf) and license.identifier not in json.dumps(leaf)
    after = _need(case)
    assert not after.needed and after.supply is not None and after.supply.evidence == row


def test_without_a_license_the_applicant_is_told_uploads_it_and_the_reason_is_kept(world: None) -> None:
    version = _food_version()
    with flows.on(DAY):
        draft = _apply(version, enterprise=_enterprise())
        need = _need(draft)
        assert need.needed and need.supply is not None
        assert need.supply.message == f"未找到“{_enterprise().name}”有效的营业执照电子证照，请上传“营业执照”"
        with pytest.raises(ValidationFailed) as refused:
            _submit(draft)
        assert refused.value.errors["materials.business_license"] == [f"材料“营业执照”：{need.supply.message}"]
        services.case_material_upload(
            actor=user("lisi"), case=draft, material_key="business_license", upload=flows.pdf("营业执照.pdf")
        )
        case = _submit(draft)  # what was typed and uploaded before the refusal is all still there

    assert case.form_data["shop_name"] == "泉城小馆"
    assert CaseMaterial.objects.get(case=case, material_key="business_license").original_name == "营业执照.pdf"
    row = CaseEvidence.objects.get(case=case)
    assert row.failure == "not_found" and row.get_failure_display() == "未找到" and row.license is None
    assert CaseEvent.objects.get(case=case, verb="fetch_evidence").summary == "未能调取免提交材料“营业执照”（未找到）"


REVOKE = partial(license_revoke, legal_basis="《中华人民共和国行政许可法》第六十九条")


@pytest.mark.parametrize(("act", "label"), [(license_suspend, "已暂停"), (REVOKE, "已撤销")])
def test_a_suspended_or_revoked_license_is_not_used_and_says_why(world: None, act, label: str) -> None:  # type: ignore[no-untyped-def]
    license = _business_license(enterprise=_enterprise())
    act(actor=user("jn_approver"), license_id=license.pk, reason="经营异常")
    version = _food_version()
    with flows.on(DAY):
        draft = _apply(version, enterprise=_enterprise(), materials=("application", "layout", "business_license"))
        need = _need(draft)
        assert need.needed and need.supply is not None and need.supply.failure_label == label
        assert f"营业执照电子证照（编号 {license.number}）{label}，不能用于本次申请" in need.supply.message
        case = _submit(draft)
    row = CaseEvidence.objects.get(case=case)
    assert row.get_failure_display() == label and row.license == license and row.reference == license.identifier


def test_an_expired_license_counts_as_expired_before_the_daily_job(world: None) -> None:
    license = _business_license(enterprise=None)
    License.objects.filter(pk=license.pk).update(valid_until=dt.date(2026, 1, 31))  # a type with a validity
    with flows.on(DAY):
        need = _need(_apply(_food_version(), enterprise=None), "zhangsan")
    assert need.needed and need.supply is not None and need.supply.failure == "expired"


def test_a_persons_license_does_not_stand_in_for_the_enterprise_nor_the_other_way(world: None) -> None:
    _business_license(enterprise=None)  # zhangsan's own 营业执照 (个体)
    version = _food_version()
    with flows.on(DAY):
        mine = _need(_apply(version, enterprise=None), "zhangsan")
        theirs = _need(_apply(version, enterprise=_enterprise()))
    assert not mine.needed and mine.supply is not None and mine.supply.supplied
    assert theirs.needed and theirs.supply is not None and theirs.supply.failure == "not_found"


def test_a_license_the_platform_supplies_cannot_be_uploaded_instead(world: None) -> None:
    license = _business_license(enterprise=_enterprise())
    with flows.on(DAY):
        draft = _apply(_food_version(), enterprise=_enterprise(), materials=())
        with pytest.raises(ValidationFailed) as refused:
            services.case_material_upload(
                actor=user("lisi"), case=draft, material_key="business_license", upload=flows.pdf()
            )
    assert f"编号 {license.number}，有效）" in refused.value.errors["material_key"][0]
    assert refused.value.errors["material_key"][0].endswith("无需上传")


def _window(number: str) -> Client:
    client = Client()
    client.force_login(user("jn_window"))
    client.get(reverse("workbench:case", args=[number]), {"reason": "accept"})
    return client


def test_the_window_sees_the_license_and_its_current_status(world: None) -> None:
    license = _business_license(enterprise=_enterprise())
    with flows.on(DAY):
        case = _submit(_apply(_food_version(), enterprise=_enterprise()))
    client = _window(case.number)
    page = client.get(reverse("workbench:case", args=[case.number])).content.decode()
    assert f"电子证照（平台核发）：营业执照 {license.number}" in page and "有效" in page
    row = CaseEvidence.objects.get(case=case)
    url = reverse("workbench:case_evidence", args=[case.number, row.pk])
    assert url in page
    opened = client.get(url)
    assert opened.status_code == 200 and "no-store" in opened["Cache-Control"]
    body = opened.content.decode()
    assert license.identifier in body and row.sha256 in body and license.holder_name in body
    assert CaseAccessLog.objects.filter(case=case, target=f"evidence:{row.pk}").exists()

    REVOKE(actor=user("jn_approver"), license_id=license.pk, reason="登记被撤销")
    page = client.get(reverse("workbench:case", args=[case.number])).content.decode()
    assert f"营业执照 {license.number}" in page and "已撤销" in page


def test_nobody_else_opens_the_evidence(world: None, login_as) -> None:  # type: ignore[no-untyped-def]
    _business_license(enterprise=_enterprise())
    with flows.on(DAY):
        case = _submit(_apply(_food_version(), enterprise=_enterprise()))
    row = CaseEvidence.objects.get(case=case)
    url = reverse("workbench:case_evidence", args=[case.number, row.pk])
    outsider = login_as("sd_catalog")
    assert outsider.get(reverse("workbench:case", args=[case.number]), {"reason": "受理"}).status_code == 404
    assert outsider.get(url).status_code == 302  # no reason stored: back to the case page, which is 404
    for name in ("sd_catalog", "lisi"):  # a catalog administrator; the applicant (they see the message)
        with pytest.raises(NotFound):
            selectors.evidence_for(user(name), row.pk, number=case.number, reason="受理")
    with pytest.raises(ValidationFailed):
        selectors.evidence_for(user("jn_window"), row.pk, number=case.number, reason=" ")
    with pytest.raises(NotFound):
        selectors.evidence_for(user("jn_window"), row.pk, number="370100-20260302-999999", reason="受理")
    assert not CaseAccessLog.objects.filter(target=f"evidence:{row.pk}").exists()


def test_the_application_page_tells_the_applicant_before_submitting(world: None, login_as) -> None:  # type: ignore[no-untyped-def]
    version = _food_version()
    with flows.on(DAY):
        draft = _apply(version, enterprise=_enterprise())
    client = login_as("lisi")
    page = client.get(reverse("portal:apply_draft", args=[draft.ref])).content.decode()
    assert "未找到“济南泉城餐饮管理有限公司”有效的营业执照电子证照，请上传“营业执照”" in page
    assert 'name="m-business_license"' in page  # the upload field instead
    license = _business_license(enterprise=_enterprise())
    page = client.get(reverse("portal:apply_draft", args=[draft.ref])).content.decode()
    assert f"将自动调取“济南泉城餐饮管理有限公司”的电子证照：营业执照（编号 {license.number}，有效）" in page
    assert 'name="m-business_license"' not in page and 'name="m-layout"' in page


def test_the_blank_application_page_looks_up_the_persons_own_license(world: None, login_as) -> None:  # type: ignore[no-untyped-def]
    version = _food_version()
    client = login_as("zhangsan")
    page = client.get(reverse("portal:apply", args=[version.pk])).content.decode()
    assert "未找到您有效的营业执照电子证照，请上传“营业执照”" in page and 'name="m-business_license"' in page
    license = _business_license(enterprise=None)
    page = client.get(reverse("portal:apply", args=[version.pk])).content.decode()
    assert f"将自动调取您的电子证照：营业执照（编号 {license.number}，有效）" in page
    assert 'name="m-business_license"' not in page


def test_a_license_another_system_issues_stays_the_departments_to_obtain(world: None) -> None:
    materials = [dict(m) for m in DEFAULT_MATERIALS]
    next(m for m in materials if m["key"] == "business_license").update(
        source=MaterialSource.LICENSE, source_reference="不动产权证书（电子证照）"
    )
    with flows.on(DAY):
        draft = _apply(ImplementationVersionFactory(materials=materials), enterprise=None)
        need = _need(draft, "zhangsan")
        assert not need.needed and need.supply is None
        with pytest.raises(ValidationFailed) as refused:
            services.case_material_upload(
                actor=user("zhangsan"), case=draft, material_key="business_license", upload=flows.pdf()
            )
        assert refused.value.errors["material_key"] == ["材料“营业执照”由部门通过电子证照获取，无需上传"]
        case = _submit(draft, "zhangsan")
    assert not CaseEvidence.objects.filter(case=case).exists()


def test_the_file_uploaded_instead_may_be_asked_for_again_a_fetched_license_not(world: None, login_as) -> None:  # type: ignore[no-untyped-def]
    version = _food_version()
    with flows.on(DAY):
        case = _submit(
            _apply(version, enterprise=_enterprise(), materials=("application", "layout", "business_license"))
        )
        services.case_supplement_request(
            actor=user("jn_window"), case=case, items=[{"material_key": "business_license", "note": "扫描件不清晰"}]
        )
    page = login_as("lisi").get(reverse("portal:my_case", args=[case.number])).content.decode()
    assert "未找到“济南泉城餐饮管理有限公司”有效的营业执照电子证照" in page
    assert 'name="m-business_license"' in page  # the 补正 offers the upload again
    with flows.on(DAY):
        services.case_material_upload(
            actor=user("lisi"), case=case, material_key="business_license", upload=flows.pdf("营业执照-清晰.pdf")
        )
    assert CaseMaterial.objects.get(case=case, superseded_at__isnull=True, material_key="business_license").supplement

    _business_license(enterprise=_enterprise())
    with flows.on(DAY):
        fetched = _submit(_apply(version, enterprise=_enterprise()))
        with pytest.raises(ValidationFailed) as refused:
            services.case_supplement_request(
                actor=user("jn_window"), case=fetched, items=[{"material_key": "business_license", "note": "请上传"}]
            )
    assert "不得要求申请人重复提交" in refused.value.errors["items.0.material_key"][0]
    page = login_as("lisi").get(reverse("portal:my_case", args=[fetched.number])).content.decode()
    assert "已自动调取电子证照：营业执照（编号" in page


def test_the_api_case_detail_carries_the_fetch_and_the_license_status_now(world: None, login_as) -> None:  # type: ignore[no-untyped-def]
    license = _business_license(enterprise=_enterprise())
    with flows.on(DAY):
        case = _submit(_apply(_food_version(), enterprise=_enterprise()))
    REVOKE(actor=user("jn_approver"), license_id=license.pk, reason="登记被撤销")
    answer = login_as("jn_window").get(f"/api/v1/cases/{case.number}", {"reason": "受理审查"})
    assert answer.status_code == 200
    need = next(m for m in answer.json()["materials"] if m["material_key"] == "business_license")
    supply = need["supply"]
    assert need["needed"] is False and need["uploaded"] is None
    assert supply["supplied"] is True and supply["reference"] == license.identifier
    assert supply["sha256"] == hashlib.sha256(license.note.encode()).hexdigest() and supply["fetched_at"]
    assert supply["license_status_label"] == "已撤销"
