"""The license API: the issuer key, the public status with its provable ledger entry, the wallet."""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import EnterpriseAgent
from yiwang.cases.tests.factories import user
from yiwang.core.errors import PermissionDenied
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.license_note import open_license_note
from yiwang.ledger.models import Entry
from yiwang.ledger.note import parse_vkey
from yiwang.licenses import services
from yiwang.licenses.tests.helpers import FOOD, issue

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
    services.license_revoke(
        actor=user("jn_approver"), license_id=license.pk, reason="违法经营", legal_basis="《食品安全法》"
    )
    body = Client().get(url).json()
    assert body["status"] == "revoked" and body["status_label"] == "已撤销"
    assert body["type_name"] == "食品经营许可证" and body["superseded_by"] is None
    assert "张三" not in json.dumps(body, ensure_ascii=False)
    ledger_integrate()
    proof = Client().get(f"/api/v1/ledger/entries/{body['ledger_entry_id']}/proof").json()
    assert proof["leaf"]["kind"] == "licenses.revoked"
    assert proof["leaf"]["payload"]["identifier"] == license.identifier
    assert proof["leaf"]["payload"]["status"] == "revoked"


def test_public_status_of_a_superseded_license_names_its_successor(world: None) -> None:
    old = issue()
    approver = user("jn_approver")
    new = services.license_reissue(actor=approver, license_id=old.pk, facts={"area": "95"}, reason="面积变更")
    body = Client().get(f"/api/v1/licenses/status/{old.identifier}").json()
    assert (body["status"], body["status_label"], body["superseded_by"]) == ("superseded", "已替代", new.identifier)
    assert body["issuer_name"] == new.issuer.name and body["type_name"] == "食品经营许可证"
    assert json.loads(Entry.objects.get(pk=body["ledger_entry_id"]).leaf)["kind"] == "licenses.superseded"
    assert Client().get(f"/api/v1/licenses/status/{new.identifier}").json()["superseded_by"] is None


def test_public_status_is_one_query_even_for_a_superseded_license(world: None) -> None:
    """A verifier's every scan reads the status: one indexed query, nothing loaded later."""
    old = issue()
    services.license_reissue(actor=user("jn_approver"), license_id=old.pk, facts={"area": "95"}, reason="面积变更")
    client = Client()
    with CaptureQueriesContext(connection) as seen:
        body = client.get(f"/api/v1/licenses/status/{old.identifier}").json()
    assert body["superseded_by"] and body["type_name"] and body["issuer_name"]
    assert len(seen.captured_queries) == 1, [q["sql"] for q in seen.captured_queries]


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

    def food(items: list[dict[str, Any]]) -> list[str]:  # the demo world's 营业执照 is the enterprise's too
        return [i["identifier"] for i in items if i["type_code"] == FOOD]

    assert food(login_as("lisi").get("/api/v1/licenses/mine").json()["items"]) == [license.identifier]
    EnterpriseAgent.objects.filter(pk=agency.pk).update(revoked_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    assert login_as("lisi").get("/api/v1/licenses/mine").json()["items"] == []
    with pytest.raises(PermissionDenied):
        services.license_cancel(actor=user("lisi"), license_id=license.pk, reason="不再经营")
    assert food(login_as("wangwu").get("/api/v1/licenses/mine").json()["items"]) == [license.identifier]
