"""The demo 一件事: published once, lisi's application in progress, a second load changes nothing."""

from typing import Any

import pytest

from yiwang.cases.bundle_workflow import BundleStatus
from yiwang.cases.models import BundleCase, Case
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.models import BundleVersion
from yiwang.demo.bundles import load_demo_bundles

pytestmark = pytest.mark.django_db


def test_lisi_has_one_bundle_in_progress_and_a_second_load_changes_nothing(
    world: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo_bundles() == 1
    bundle = BundleCase.objects.get()
    assert bundle.status == BundleStatus.IN_PROGRESS and bundle.enterprise is not None
    parts = {p.bundle_member: p.status for p in Case.objects.filter(bundle=bundle)}
    assert parts["company"] in (CaseStatus.DECIDED_APPROVED, CaseStatus.CONCLUDED)
    assert parts["sign"] == CaseStatus.SUBMITTED  # released once the company was registered
    assert parts["food"] == CaseStatus.SUBMITTED and "hygiene" not in parts
    assert load_demo_bundles() == 0
    assert (BundleCase.objects.count(), BundleVersion.objects.count()) == (1, 1)
