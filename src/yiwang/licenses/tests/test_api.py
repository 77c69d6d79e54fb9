"""The license API: the issuer key, the public status with its provable ledger entry, the wallet."""

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client

from yiwang.accounts.models import EnterpriseAgent
from yiwang.cases.tests.factories import user
from yiwang.core.errors import PermissionDenied
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.license_note import open_license_note
from yiwang.ledger.note import parse_vkey
from yiwang.licenses import services
from yiwang.licenses.tests.helpers import issue

pytestmark = pytest.mark.django_db


def test_the_published_key_verifies_the_qr_note(world: None) -> None:
    license = issue()
    response = Client().get("/api/v1/licenses/key")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    vkey = response.content.decode().strip()
    assert vkey.startswith("yiwang.local/license+")
    assert open_license_note(license.note, parse_vkey(vkey)).identifier == license.identifier
    assert vkey != Client().get("/api/v1/ledger/key").content.decode().strip()  # not the log key


def test_public_status_follows_a_revocation_and_names_a_provable_entry(world: None) -> None:
    license = issue()
    url = f"/api/v1/licenses/status/{license.identifier}"
    assert Client().get(url).json()["status"] == "valid"
    services.license_revoke(actor=user("jn_approver"), license_id=license.pk, reason="违法经营")
    body = Client().get(url).json()
    assert body["status"] == "revoked" and body["status_label"] == "已撤销"
    assert body["type_name"] == "食品经营许可证" and body["superseded_by"] is None
    assert "张三" not in json.dumps(body, ensure_ascii=False)
    ledger_integrate()
    proof = Client().get(f"/api/v1/ledger/entries/{body['ledger_entry_id']}/proof").json()
    assert proof["leaf"]["kind"] == "licenses.revoked"
    assert proof["leaf"]["payload"]["identifier"] == license.identifier
    assert proof["leaf"]["payload"]["status"] == "revoked"


def test_status_of_an_unknown_or_malformed_identifier_is_a_problem(world: None) -> None:
    license = issue()
    wrong = license.identifier[:-1] + ("0" if license.identifier[-1] != "0" else "1")
    response = Client().get(f"/api/v1/licenses/status/{wrong}")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")
    assert "校验码" in response.json()["detail"]
    assert Client().get("/api/v1/licenses/status/" + "1" * 200).status_code == 422


def test_wallet_lists_only_the_holders_licenses(login_as: Callable[[str], Client]) -> None:
    mine = issue("zhangsan")
    issue("lisi")
    response = login_as("zhangsan").get("/api/v1/licenses/mine")
    assert response.status_code == 200
    assert [item["identifier"] for item in response.json()["items"]] == [mine.identifier]
    assert response.json()["items"][0]["status_label"] == "有效"
    assert Client().get("/api/v1/licenses/mine").status_code in (401, 403)


def test_an_enterprise_license_follows_the_agency_not_the_applicant(login_as: Callable[[str], Client]) -> None:
    """lisi applied for 泉城餐饮's license as its agent; once his agency ends he sees it no more
    and may not cancel it, while the legal representative still holds it."""
    agency = EnterpriseAgent.objects.get(person__user__username="lisi")
    license = issue("lisi", enterprise=agency.enterprise)
    assert [i["identifier"] for i in login_as("lisi").get("/api/v1/licenses/mine").json()["items"]] == [
        license.identifier
    ]
    EnterpriseAgent.objects.filter(pk=agency.pk).update(revoked_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    assert login_as("lisi").get("/api/v1/licenses/mine").json()["items"] == []
    with pytest.raises(PermissionDenied):
        services.license_cancel(actor=user("lisi"), license_id=license.pk, reason="不再经营")
    wangwu = login_as("wangwu").get("/api/v1/licenses/mine").json()["items"]
    assert [i["identifier"] for i in wangwu] == [license.identifier]
