"""免提交 by data sharing, through the pages: 食品经营许可's 营业执照 is read from 市场监管's
register (the stand-in process) under 行政审批服务局's grant at submission; the window sees
it with its source; the applicant's 数据使用记录 lists the read; when the register fails the
applicant is told plainly, keeps what they typed and uploads instead (cases.evidence)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseEvent, CaseEvidence, CaseMaterial
from yiwang.core.errors import ValidationFailed
from yiwang.demo.exchange import load_exchange
from yiwang.demo.registry import ENTERPRISE_REGISTER, records
from yiwang.demo.world import ENTERPRISE
from yiwang.exchange import providers
from yiwang.exchange.models import DataRead, ReadOutcome
from yiwang.ledger.models import Entry
from yiwang.portal.tests.test_apply import FOOD_FORM, apply_url, key_of, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry_records() -> dict[str, Any]:
    return records()


@pytest.fixture
def shared(world: None, registry: Any, settings: Any) -> Any:
    """The demo's resources, demands and grants; the stand-in process answers for both demo
    systems (the register and 户籍)."""
    settings.EXCHANGE_SYSTEMS = {**settings.EXCHANGE_SYSTEMS, "gaj-hukou": {"url": registry.url, "key": "-test-key"}}
    providers._Breaker("gaj-hukou").reset()
    load_exchange()
    return registry


def _enterprise_form(client: Client, **overrides: Any) -> dict[str, Any]:
    lisi = User.objects.get(username="lisi")
    enterprise_id = lisi.person.agencies.get().enterprise_id
    key = key_of(client.get(apply_url("食品经营许可")).content.decode())
    return {**FOOD_FORM, "applicant_as": str(enterprise_id), "idempotency_key": key, **overrides}


def _files() -> dict[str, Any]:
    return {"m-application": pdf(), "m-layout": png(), "m-rules": pdf("制度目录.pdf")}


def _window(number: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="jn_window"))
    client.get(reverse("workbench:case", args=[number]), {"reason": "受理审查"})
    return client


def test_the_business_license_is_read_from_the_register_and_the_window_sees_its_source(
    shared: Any, login_as: Any
) -> None:
    lisi = login_as("lisi")
    page = lisi.get(apply_url("食品经营许可")).content.decode()
    assert "将通过数据共享从济南市市场监督管理局“市场主体登记信息”调取" in page
    assert 'name="m-business_license"' not in page
    assert DataRead.objects.count() == 0  # a page view reads nothing

    response = lisi.post(apply_url("食品经营许可"), {**_enterprise_form(lisi), "action": "submit", **_files()})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.exclude(number=None).get()
    row = CaseEvidence.objects.get(case=case, material_key="business_license")
    assert row.fetched and row.source == "sharing" and row.issuer_name == "济南市市场监督管理局"
    # only the granted fields: 市场监管 refused 法定代表人身份证号
    assert row.record["name"] == ENTERPRISE["name"] and "legal_rep_id" not in row.record
    read = row.data_read
    assert (
        read is not None
        and read.outcome == ReadOutcome.OK
        and read.subject_enterprise.credit_code == ENTERPRISE["credit_code"]
    )
    assert read.reference == f"draft:{case.pk}" and read.consumer.name == "济南市行政审批服务局"
    assert not CaseMaterial.objects.filter(case=case, material_key="business_license").exists()
    event = CaseEvent.objects.get(case=case, verb="fetch_evidence")
    assert event.payload["read_entry"] == read.ledger_entry_id
    assert Entry.objects.get(pk=read.ledger_entry_id).kind == "exchange.data_read"

    window = _window(case.number)
    detail = window.get(reverse("workbench:case", args=[case.number])).content.decode()
    assert "数据共享：济南市市场监督管理局·市场主体登记信息" in detail
    opened = window.get(reverse("workbench:case_evidence", args=[case.number, row.pk])).content.decode()
    assert "统一社会信用代码" in opened and ENTERPRISE["credit_code"] in opened and "法定代表人身份证号" not in opened
    assert f"#{read.ledger_entry_id}" in opened

    # lisi (and wangwu, the other agent) see the read of the enterprise's data, with its case
    mine = lisi.get("/me/data-reads/").content.decode()
    assert "市场主体登记信息" in mine and case.number in mine and "济南市行政审批服务局" in mine


def test_a_failing_register_is_told_plainly_and_the_applicant_uploads_instead(shared: Any, login_as: Any) -> None:
    lisi = login_as("lisi")
    shared.control(fail_next=10, status=503)
    form = _enterprise_form(lisi)
    response = lisi.post(apply_url("食品经营许可"), {**form, "action": "submit", **_files()})
    assert response.status_code == 422
    page = response.content.decode()
    assert "暂未能从济南市市场监督管理局“市场主体登记信息”调取“营业执照”" in page
    assert "请上传“营业执照”" in page and 'name="m-business_license"' in page
    assert 'value="泉城小馆"' in page  # what was typed is kept
    draft = Case.objects.get(status="draft", applicant__username="lisi")
    failed = CaseEvidence.objects.get(case=draft)
    assert failed.failure == "unavailable" and failed.data_read.outcome == ReadOutcome.FAILED
    assert "application" in set(CaseMaterial.objects.filter(case=draft).values_list("material_key", flat=True))

    # the applicant uploads the license and submits the saved draft: it goes through
    shared.control(reset=True)
    draft_url = reverse("portal:apply_draft", args=[draft.ref])
    key = key_of(lisi.get(draft_url).content.decode())
    done = lisi.post(
        draft_url,
        {**form, "idempotency_key": key, "action": "submit", "m-business_license": pdf("营业执照.pdf")},
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    case = Case.objects.get(pk=draft.pk)
    assert case.number and CaseMaterial.objects.filter(case=case, material_key="business_license").exists()
    # the case keeps why the fetch failed; the window sees it next to the upload
    assert CaseEvidence.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.get(case=case, verb="fetch_evidence").payload["outcome"] == "unavailable"
    detail = _window(case.number).get(reverse("workbench:case", args=[case.number])).content.decode()
    assert "未能调取" in detail and "营业执照.pdf" in detail


def test_without_a_record_the_applicant_is_told_none_was_found(shared: Any, login_as: Any) -> None:
    zhangsan = login_as("wangwu")  # a person: the register has no 个体工商户 of wangwu's
    key = key_of(zhangsan.get(apply_url("食品经营许可")).content.decode())
    response = zhangsan.post(
        apply_url("食品经营许可"), {**FOOD_FORM, "idempotency_key": key, "action": "submit", **_files()}
    )
    assert response.status_code == 422
    assert "提供系统中没有该主体的记录" in response.content.decode()
    assert CaseEvidence.objects.get().failure == "not_found"
    assert ENTERPRISE_REGISTER in DataRead.objects.get().resource.code


def _birth(applicant: str, *, key: str) -> Case:
    from yiwang.cases import services
    from yiwang.portal.tests.test_apply import version_of

    version = version_of("生育登记")
    user = User.objects.get(username=applicant)
    form = {"mother_id": "11010519491231002X", "father_id": user.person.id_number, "child_order": 1}
    return services.case_submit(actor=user, implementation_version=version, form_data=form, idempotency_key=key)


def test_birth_registration_is_decided_at_once_on_the_household_register_not_on_a_checkbox(
    shared: Any, login_as: Any
) -> None:
    page = login_as("zhangsan").get(apply_url("生育登记")).content.decode()
    assert "一方为本市户籍" not in page  # nothing for the applicant to tick
    assert "将通过数据共享从济南市大数据局“户籍信息”调取" in page

    jinan = _birth("zhangsan", key="birth-zhangsan")  # 户籍 in 济南: 秒批
    assert jinan.status == "concluded" and "申请人为本市户籍且为第一至三孩" in jinan.decision_opinion
    row = CaseEvidence.objects.get(case=jinan, material_key="household")
    assert row.record["household_address"].startswith("山东省济南市") and set(row.record) == {
        "name",
        "id_number",
        "household_address",
    }
    taian = _birth("lisi", key="birth-lisi")  # 户籍 in 泰安: a person decides
    assert taian.status == "submitted" and taian.decided_at is None
    shared.control(fail_next=10, status=503)  # no 户籍 read: no 秒批, the applicant may upload
    with pytest.raises(ValidationFailed) as refused:
        _birth("wangwu", key="birth-wangwu")
    assert "请上传“申请人户口簿”" in str(refused.value.errors)


def test_a_rule_may_test_only_the_fields_of_a_shared_material() -> None:
    from yiwang.catalog.formschema import FormSchema
    from yiwang.catalog.process import AutoApprovalRule, ProcessDefinition, process_problems

    process = ProcessDefinition(
        case_kind="instant",
        auto_approval=[
            AutoApprovalRule(
                name="户籍", conditions=[{"field": "ids.household_address", "op": "startswith", "value": "山东"}]
            )
        ],
    )
    form = FormSchema(fields=[])
    assert process_problems(process, committed_limit_days=1, departments=set(), form=form, shared={"household"}) == [
        "秒批规则“户籍”：ids.household_address 不是数据共享获取的材料的信息项"
    ]
    assert process_problems(process, committed_limit_days=1, departments=set(), form=form, shared={"ids"}) == []
