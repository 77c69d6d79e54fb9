"""Idempotent submission: the same key replays the same application, never another one."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import GOOD_DATA, ImplementationVersionFactory, user
from yiwang.core import clock
from yiwang.core.errors import Conflict

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
BASE = "/api/v1/cases"


def _submit(key: str, **carried: Any) -> Case:
    return services.case_submit(actor=user("zhangsan"), idempotency_key=key, **carried)


def test_the_same_key_and_application_returns_the_first_case(world: None) -> None:
    version = ImplementationVersionFactory(materials=[])
    with clock.frozen(DAY):
        first = _submit("k-1", implementation_version=version, form_data=dict(GOOD_DATA))
        again = _submit("k-1", implementation_version=version, form_data=dict(reversed(GOOD_DATA.items())))
    assert again.pk == first.pk and Case.objects.filter(applicant=user("zhangsan")).count() == 1
    assert len(first.idempotency_fingerprint) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"form_data": {**GOOD_DATA, "shop_name": "历下小馆"}},
        {"delivery_method": "mail", "delivery_address": "济南市历下区泉城路 1 号"},
        {"commitment_signed": True},
    ],
    ids=["other form data", "other delivery", "other commitment"],
)
def test_the_same_key_with_another_application_is_a_conflict(world: None, change: dict[str, Any]) -> None:
    version = ImplementationVersionFactory(materials=[])
    carried: dict[str, Any] = {"implementation_version": version, "form_data": GOOD_DATA}
    with clock.frozen(DAY):
        first = _submit("k-1", **carried)
        with pytest.raises(Conflict) as info:
            _submit("k-1", **{**carried, **change})
    assert info.value.field == "idempotency_key"
    assert "幂等键（idempotency_key）已用于另一份内容不同的申请" in info.value.message
    assert first.number in info.value.message
    assert Case.objects.filter(applicant=user("zhangsan")).count() == 1


def test_the_same_key_for_another_draft_is_a_conflict(world: None) -> None:
    version = ImplementationVersionFactory()
    with clock.frozen(DAY):
        one, other = flows.draft(version), flows.draft(version, data={**GOOD_DATA, "shop_name": "历下小馆"})
        submitted = _submit("k-1", draft=one)
        assert _submit("k-1", draft=one).pk == submitted.pk  # a retry of the same draft
        with pytest.raises(Conflict) as info:
            _submit("k-1", draft=other)
    assert info.value.field == "idempotency_key"
    other.refresh_from_db()
    assert other.status == "draft" and other.number is None


def test_a_case_submitted_before_fingerprints_replays_by_its_draft(world: None) -> None:
    version = ImplementationVersionFactory()
    with clock.frozen(DAY):
        one, other = flows.draft(version), flows.draft(version)
        _submit("k-1", draft=one)
        Case.objects.filter(pk=one.pk).update(idempotency_fingerprint="")
        assert _submit("k-1", draft=one).pk == one.pk
        with pytest.raises(Conflict):
            _submit("k-1", draft=other)


def test_the_api_answers_409_for_a_key_reused_with_another_body(login_as: Callable[[str], Client]) -> None:
    version = ImplementationVersionFactory(materials=[])
    applicant = login_as("zhangsan")
    body = {"implementation_version_id": version.pk, "form_data": GOOD_DATA}

    def submit(payload: dict[str, Any]) -> Any:
        return applicant.post(f"{BASE}/submit", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")

    with clock.frozen(DAY):
        first, again = submit(body), submit(body)
        other = submit({**body, "form_data": {**GOOD_DATA, "area": "120"}})
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert other.status_code == 409, other.content
    assert other["Content-Type"] == "application/problem+json"
    problem = other.json()
    assert problem["status"] == 409 and "idempotency_key" in problem["detail"]
    assert problem["errors"] == [{"field": "idempotency_key", "message": problem["detail"]}]
    assert [c["number"] for c in applicant.get(BASE).json()["items"]] == [first.json()["number"]]
