"""新生儿出生一件事: a personal 一件事 in the demo, which zhangsan applies for once."""

from typing import Any

import pytest

from yiwang.accounts.models import User
from yiwang.cases.bundle_workflow import BundleStatus
from yiwang.cases.models import Case
from yiwang.cases.services import bundles
from yiwang.cases.tests.flows import pdf
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.selectors import bundle_in_force
from yiwang.demo.bundles_birth import BIRTH_BUNDLE_CODE, load_birth_bundle
from yiwang.demo.cases import SPOUSE_ID, ZHANGSAN_ID

pytestmark = pytest.mark.django_db

FORM = {
    "baby_name": "张小泉",
    "birth_date": "2026-11-28",
    "hospital": "山东省妇幼保健院",
    "mother_id": SPOUSE_ID,
    "father_id": ZHANGSAN_ID,
    "child_order": 1,
}


def test_the_birth_bundle_is_published_once_and_offered_on_the_home_page(world: None, client: Any) -> None:
    assert load_birth_bundle() == 1
    assert load_birth_bundle() == 0
    assert bundle_in_force(BIRTH_BUNDLE_CODE) is not None
    home = client.get("/").content.decode()
    assert f'href="/bundles/{BIRTH_BUNDLE_CODE}/"' in home and "新生儿出生一件事" in home
    guide = client.get(f"/bundles/{BIRTH_BUNDLE_CODE}/").content.decode()
    assert "生育登记" in guide and "出生医学证明" in guide


def test_zhangsan_applies_once_for_both_parts(world: None) -> None:
    load_birth_bundle()
    zhangsan = User.objects.get(username="zhangsan")
    version = bundle_in_force(BIRTH_BUNDLE_CODE)
    assert version is not None
    draft = bundles.bundle_draft_save(actor=zhangsan, bundle_version=version, form_data=FORM)
    for key in ("ids", "household"):  # the platform could not read them here: uploaded instead
        bundles.bundle_material_upload(actor=zhangsan, bundle=draft, material_key=key, upload=pdf(f"{key}.pdf"))
    bundle = bundles.bundle_submit(actor=zhangsan, draft=draft, idempotency_key="birth-1")
    assert bundle.number and bundle.status in (BundleStatus.IN_PROGRESS, BundleStatus.CONCLUDED)
    parts = {p.bundle_member: p for p in Case.objects.filter(bundle=bundle)}
    assert set(parts) == {"registration", "certificate"}
    assert all(p.number and p.status != CaseStatus.DRAFT for p in parts.values())
    assert parts["certificate"].form_data["baby_name"] == "张小泉"
    assert parts["registration"].department == parts["certificate"].department  # 卫生健康委员会
