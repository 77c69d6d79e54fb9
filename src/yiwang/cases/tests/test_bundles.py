"""一件事 applications: one form and one set of uploads become linked part cases."""

import copy
from typing import Any

import pytest

from yiwang.accounts.models import User
from yiwang.cases import services
from yiwang.cases.bundle_workflow import BUNDLE_TRANSITIONS, BundleStatus
from yiwang.cases.models import BundleCase, BundleCaseEvent, Case, CaseMaterial
from yiwang.cases.services import bundles
from yiwang.cases.tests.flows import open_task, pdf
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog import services as catalog_services
from yiwang.catalog.models import BundleVersion, Region
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.demo.bundles import RESTAURANT_CODE, restaurant_elements
from yiwang.notifications.models import Message

FORM = {
    "company_name": "济南泉城小馆餐饮有限公司",
    "address": "济南市历下区泉城路 188 号",
    "registered_capital": "50",
    "legal_rep_id": "370103198811224564",
    "business_scope": "餐饮服务；食品销售。",
    "business_items": ["hot_food", "drinks"],
    "public_venue": False,
    "has_sign": True,
    "sign_site": "泉城路 188 号门头",
    "sign_size": "6",
}
UPLOADS = ("company_application", "shareholders", "premises", "articles", "food_application", "layout")
UPLOADS += ("food_rules", "sign_application", "sign_design", "business_license")
PARALLEL = {"sign": {"after": []}}


def _publish(**members_change: Any) -> BundleVersion:
    drafter, reviewer = User.objects.get(username="sd_catalog"), User.objects.get(username="jn_catalog")
    elements = restaurant_elements()
    members = copy.deepcopy(elements["members"])
    for member in members["members"]:
        member.update(members_change.get(member["key"], {}))
    draft = catalog_services.bundle_version_draft(
        actor=drafter,
        code=RESTAURANT_CODE,
        region=Region.objects.get(code="370100000000"),
        change_kind="add",
        change_reason="整合",
        elements={**elements, "members": members},
    )
    catalog_services.bundle_version_submit(actor=drafter, version=draft)
    return catalog_services.bundle_version_publish(actor=reviewer, version=draft)


def _apply(version: BundleVersion, form: dict[str, Any] | None = None, idempotency_key: str = "bundle-1") -> BundleCase:
    lisi = User.objects.get(username="lisi")
    draft = bundles.bundle_draft_save(actor=lisi, bundle_version=version, form_data=form or FORM)
    for key in UPLOADS:
        bundles.bundle_material_upload(actor=lisi, bundle=draft, material_key=key, upload=pdf(f"{key}.pdf"))
    return bundles.bundle_submit(actor=lisi, draft=draft, idempotency_key=idempotency_key)


def _parts(bundle: BundleCase) -> dict[str, Case]:
    return {p.bundle_member: p for p in Case.objects.filter(bundle=bundle)}


def _bundle(bundle: BundleCase) -> BundleCase:
    return BundleCase.objects.get(pk=bundle.pk)


def test_one_submission_creates_the_included_parts_with_the_merged_form(world: None) -> None:
    bundle = _apply(_publish(**PARALLEL))
    parts = _parts(bundle)
    assert sorted(parts) == ["company", "food", "sign"]  # no public venue: no 公共场所卫生许可
    assert bundle.number and bundle.number.startswith("YJS-") and bundle.status == BundleStatus.IN_PROGRESS
    assert all(p.status == CaseStatus.SUBMITTED and p.number for p in parts.values())
    # the name typed once reaches the company's and the food permit's own fields
    assert parts["company"].form_data["company_name"] == FORM["company_name"]
    assert parts["food"].form_data["business_name"] == FORM["company_name"]
    assert parts["sign"].form_data["sign_site"] == FORM["sign_site"]
    # one upload of the premises proof serves the company and the sign permit: one stored file
    premises = CaseMaterial.objects.filter(
        case__bundle=bundle, sha256__isnull=False, material_key__in=["premises", "site_right"]
    )
    assert {m.case.bundle_member for m in premises} == {"company", "sign"}
    assert len({m.storage_name for m in premises}) == 1
    assert Message.objects.filter(recipient__username="lisi", subject__contains="一件事申请已提交").count() >= 1


def test_a_public_venue_adds_the_hygiene_permit_and_its_materials_are_named_once(world: None) -> None:
    form = {**FORM, "public_venue": True, "venue_area": "180"}
    with pytest.raises(ValidationFailed) as caught:
        _apply(_publish(**PARALLEL), form)
    # the hygiene part's missing materials are named by the merged list's keys, nothing was created
    assert "materials.hygiene_report" in caught.value.errors
    assert not Case.objects.filter(bundle__isnull=False).exclude(status=CaseStatus.DRAFT).exists()
    assert BundleCase.objects.get().status == BundleStatus.DRAFT


def test_a_part_waiting_on_another_is_submitted_once_it_is_approved(
    world: None, django_capture_on_commit_callbacks: Any
) -> None:
    bundle = _apply(_publish())
    parts = _parts(bundle)
    assert parts["sign"].status == CaseStatus.DRAFT and not parts["sign"].number
    with pytest.raises(Conflict):  # not submittable on its own
        services.case_submit(actor=User.objects.get(username="lisi"), draft=parts["sign"], idempotency_key="x")
    with django_capture_on_commit_callbacks(execute=True):  # 即办件: approved on acceptance
        services.case_accept(actor=User.objects.get(username="jn_window"), case=parts["company"])
    sign = _parts(bundle)["sign"]
    assert sign.status == CaseStatus.SUBMITTED and sign.number
    assert BundleCaseEvent.objects.filter(bundle_case=bundle, verb="bundle_part_released").exists()


def test_a_refused_prerequisite_blocks_its_dependent_and_the_bundle_says_so(world: None) -> None:
    bundle = _apply(_publish())
    company = _parts(bundle)["company"]
    services.case_refuse(
        actor=User.objects.get(username="jn_window"),
        case=company,
        reason="名称与已登记企业重复",
        legal_basis="《市场主体登记管理条例》",
    )
    parts = _parts(bundle)
    assert _bundle(bundle).status == BundleStatus.ATTENTION
    assert "无法继续办理" in bundles.part_blocked(parts["sign"], parts, bundles.document_of(bundle.bundle_version))
    assert parts["sign"].status == CaseStatus.DRAFT


# Who reviews and decides each part: the sign permit is the city management bureau's.
DECIDERS = {"sign": ("jn_urban_rev", "jn_urban_app"), "hygiene": ("jn_health_rev", "jn_health_app")}


def _decide(case: Case) -> None:
    staff = ("jn_window", *DECIDERS.get(case.bundle_member, ("jn_reviewer", "jn_approver")))
    window, reviewer, approver = (User.objects.get(username=u) for u in staff)
    case = services.case_accept(actor=window, case=case)
    if case.status != CaseStatus.IN_REVIEW:
        return  # 即办件
    services.task_complete(actor=reviewer, task=open_task(case, "review"), outcome="approve", opinion="符合条件")
    services.case_decide(actor=approver, case=case, outcome="approve", opinion="准予许可")


def test_the_results_arrive_together_when_the_last_part_is_decided(world: None) -> None:
    bundle = _apply(_publish(**PARALLEL))
    parts = _parts(bundle)
    _decide(parts["company"])
    _decide(parts["food"])
    assert _bundle(bundle).status == BundleStatus.IN_PROGRESS
    assert not Message.objects.filter(subject__contains="办理结果统一送达").exists()
    _decide(parts["sign"])
    assert _bundle(bundle).status == BundleStatus.CONCLUDED and _bundle(bundle).delivered_at
    notices = Message.objects.filter(recipient__username="lisi", subject__contains="办理结果统一送达", channel="in_app")
    assert notices.count() == 1
    assert all(p.number in notices.get().body for p in _parts(bundle).values() if p.number)


def _walked(bundle: BundleCase) -> set[tuple[str | None, str]]:
    """The (status before, status after) pairs the bundle went through, from its events."""
    pairs: set[tuple[str | None, str]] = set()
    before: str | None = None
    for event in BundleCaseEvent.objects.filter(bundle_case=bundle).order_by("id"):
        status = event.payload["status"]
        if event.verb != "bundle_delivered":
            pairs.add((before, status))
        before = status
    return pairs


def test_every_pair_of_the_bundle_table_is_walked_through_the_services(world: None) -> None:
    window, lisi = User.objects.get(username="jn_window"), User.objects.get(username="lisi")
    version = _publish(**PARALLEL)
    # in_progress -> attention (a 补正) -> in_progress (answered) -> concluded
    first = _apply(version)
    food = _parts(first)["food"]
    services.case_supplement_request(actor=window, case=food, items=[{"material_key": "layout", "note": "不清晰"}])
    assert _bundle(first).status == BundleStatus.ATTENTION
    services.case_material_upload(actor=lisi, case=food, material_key="layout", upload=pdf("layout.pdf"))
    services.case_supplement_answer(actor=lisi, case=food)
    assert _bundle(first).status == BundleStatus.IN_PROGRESS
    for part in _parts(first).values():
        _decide(part)
    # attention -> concluded: a refused part ends, the others are decided
    second = _apply(version, idempotency_key="bundle-2")
    services.case_refuse(
        actor=window, case=_parts(second)["sign"], reason="位置不符合规划", legal_basis="《城市市容和环境卫生管理条例》"
    )
    _decide(_parts(second)["company"])
    _decide(_parts(second)["food"])
    assert _bundle(second).status == BundleStatus.CONCLUDED
    walked = _walked(first) | _walked(second)
    assert walked == {(None if s is None else str(s), str(to)) for (s, _), to in BUNDLE_TRANSITIONS.items()}
    with pytest.raises(Conflict):  # a concluded bundle takes nothing more
        bundles.bundle_draft_save(actor=lisi, draft=second, form_data=FORM)


def _inbox(bundle: BundleCase) -> list[Message]:
    return list(Message.objects.filter(recipient=bundle.applicant, channel="in_app").order_by("id"))


def test_the_applicant_of_a_bundle_hears_once_at_receipt_once_at_delivery_and_when_to_act(
    world: None, django_capture_on_commit_callbacks: Any
) -> None:
    window, lisi = User.objects.get(username="jn_window"), User.objects.get(username="lisi")
    bundle = _apply(_publish())  # the sign permit waits for the company's registration
    with django_capture_on_commit_callbacks(execute=True):  # 即办件: approved, the sign part released
        _decide(_parts(bundle)["company"])
    _decide(_parts(bundle)["food"])
    sign = _parts(bundle)["sign"]
    services.case_supplement_request(actor=window, case=sign, items=[{"material_key": "design", "note": "尺寸不清"}])
    services.case_material_upload(actor=lisi, case=sign, material_key="design", upload=pdf("design.pdf"))
    services.case_supplement_answer(actor=lisi, case=sign)
    _decide(_parts(bundle)["sign"])
    assert _bundle(bundle).status == BundleStatus.CONCLUDED
    subjects = [m.subject for m in _inbox(bundle)]
    # three parts submitted, accepted, approved and concluded: none of their routine notices
    assert subjects == [
        "【开办餐饮店一件事】一件事申请已提交",
        "【户外广告设置许可】请补正材料",
        "【开办餐饮店一件事】办理结果统一送达",
    ]
    supplement = _inbox(bundle)[1]
    assert "其他事项照常办理" in supplement.body and _bundle(bundle).number in supplement.body


def test_a_refused_part_is_told_with_what_it_means_for_the_bundle(world: None) -> None:
    bundle = _apply(_publish())
    services.case_refuse(
        actor=User.objects.get(username="jn_window"),
        case=_parts(bundle)["company"],
        reason="名称与已登记企业重复",
        legal_basis="《市场主体登记管理条例》",
    )
    refusal = Message.objects.get(recipient=bundle.applicant, channel="in_app", subject__contains="不予受理")
    assert "“户外广告设置许可”将无法继续办理" in refusal.body and "统一送达" in refusal.body


def test_a_public_venue_with_a_sign_reaches_three_departments(world: None) -> None:
    lisi = User.objects.get(username="lisi")
    form = {**FORM, "public_venue": True, "venue_area": "180"}
    draft = bundles.bundle_draft_save(actor=lisi, bundle_version=_publish(**PARALLEL), form_data=form)
    for key in (*UPLOADS, "hygiene_application", "hygiene_report", "hygiene_rules"):
        bundles.bundle_material_upload(actor=lisi, bundle=draft, material_key=key, upload=pdf(f"{key}.pdf"))
    parts = _parts(bundles.bundle_submit(actor=lisi, draft=draft, idempotency_key="three"))
    assert {k: p.department.name for k, p in parts.items()} == {
        "company": "济南市行政审批服务局",
        "food": "济南市行政审批服务局",
        "hygiene": "济南市卫生健康委员会",
        "sign": "济南市城市管理局",
    }


def test_a_part_delivered_as_ready_keeps_its_result_notice(world: None) -> None:
    bundle = _apply(_publish(**PARALLEL))
    BundleVersion.objects.filter(pk=bundle.bundle_version_id).update(delivery="as_ready")
    _decide(_parts(bundle)["food"])
    subjects = [m.subject for m in _inbox(bundle)]
    assert "【食品经营许可】已作出审批决定" in subjects and "【食品经营许可】已受理" not in subjects
