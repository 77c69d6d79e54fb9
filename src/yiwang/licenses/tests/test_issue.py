"""Issuing on approval: the license, its signed QR note, its event and ledger entry."""

import datetime as dt
import json

import pytest
from django.db import transaction

from yiwang.accounts.models import Department
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.cases.workflow import CaseStatus
from yiwang.core.errors import Conflict
from yiwang.core.identifiers import validate_license_identifier
from yiwang.ledger.license_note import content_digest, holder_matches, open_license_note
from yiwang.ledger.models import Entry
from yiwang.ledger.note import InvalidSignatureError, UnverifiedNoteError, generate_key, parse_vkey
from yiwang.licenses.keys import license_verifier
from yiwang.licenses.models import License, LicenseEvent, LicenseType
from yiwang.licenses.services import license_issue
from yiwang.licenses.tests.helpers import FOOD, food_type, issue
from yiwang.licenses.workflow import LicenseStatus
from yiwang.notifications.models import Message

pytestmark = pytest.mark.django_db
D = dt.date
SMALL_SHOP = {"shop_name": "小小茶铺", "area": "60", "has_kitchen": False}


def test_auto_approval_issues_the_license_its_version_names(world: None) -> None:
    food_type()
    version = ImplementationVersionFactory(auto=True, license_type_code=FOOD)
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, data=SMALL_SHOP)
    assert case.status == CaseStatus.CONCLUDED
    license = License.objects.get(case=case)
    assert license.status == LicenseStatus.VALID and license.holder == user("zhangsan")
    assert license.issuer == case.department and license.holder_name == "张三"
    assert (license.valid_from, license.valid_until) == (D(2026, 3, 2), D(2031, 3, 1))
    assert license.facts == {"shop_name": "小小茶铺", "area": "60", "case_number": case.number}
    assert validate_license_identifier(license.identifier) == license.identifier
    note = open_license_note(license.note, license_verifier())
    assert note.identifier == license.identifier and note.type_code == FOOD
    assert note.issuer == case.department.credit_code
    assert note.content_digest == content_digest(license.facts)
    assert holder_matches(user("zhangsan").person.id_number, bytes.fromhex(license.holder_salt), note.holder_commitment)
    assert "张三" not in license.note and user("zhangsan").person.id_number not in license.note
    assert 300 < len(license.note.encode()) < 450  # fits a QR code of version ~15 at level M
    event = LicenseEvent.objects.get(license=license)
    leaf = json.loads(Entry.objects.get(pk=license.status_entry_id).leaf)
    assert event.verb == "issued" and event.ledger_entry_id == license.status_entry_id
    assert leaf["kind"] == "licenses.issued"
    assert leaf["payload"] == {"identifier": license.identifier, "status": "valid", "version": 1}
    notice = Message.objects.filter(
        recipient=case.applicant, subject__endswith="已作出审批决定", channel="in_app"
    ).get()
    assert "电子证照已签发" in notice.body


def test_one_changed_character_or_another_key_fails_the_signature(world: None) -> None:
    food_type()
    version = ImplementationVersionFactory(auto=True, license_type_code=FOOD)
    with flows.on(D(2026, 3, 2)):
        license = License.objects.get(case=flows.submit(version, data=SMALL_SHOP))
    tampered = license.note.replace("\n2031-03-01\n", "\n2036-03-01\n")
    assert tampered != license.note
    with pytest.raises(InvalidSignatureError):
        open_license_note(tampered, license_verifier())
    _, other = generate_key(license_verifier().name)
    with pytest.raises(UnverifiedNoteError):
        open_license_note(license.note, parse_vkey(other))


def test_an_item_without_a_license_type_issues_nothing(world: None) -> None:
    version = ImplementationVersionFactory(auto=True)
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, data=SMALL_SHOP)
    assert case.status == CaseStatus.CONCLUDED and not License.objects.filter(case=case).exists()


def test_a_missing_license_type_refuses_the_approval_whole(world: None) -> None:
    version = ImplementationVersionFactory(license_type_code=FOOD)  # no LicenseType row
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version)
        flows.review_done(case)
        with pytest.raises(Conflict, match=FOOD):
            from yiwang.cases import services

            services.case_decide(actor=user("jn_approver"), case=case, outcome="approve", opinion="符合条件")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    assert not License.objects.filter(case=case).exists()


def test_a_revoked_decision_revokes_its_license(world: None) -> None:
    from yiwang.cases import services
    from yiwang.cases.models import Task

    food_type()
    version = ImplementationVersionFactory(commitment=True, license_type_code=FOOD)
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, commitment=True, materials=("application",))
    license = License.objects.get(case=case)
    assert license.status == LicenseStatus.VALID
    check = Task.objects.get(case=case, kind="inspection")
    with flows.on(D(2026, 3, 20)):
        services.task_complete(actor=user("jn_reviewer"), task=check, outcome="fail", opinion="现场无后厨排烟设施")
    license.refresh_from_db()
    assert license.status == LicenseStatus.REVOKED and "现场无后厨排烟设施" in license.status_reason
    leaf = json.loads(Entry.objects.get(pk=license.status_entry_id).leaf)
    assert leaf["kind"] == "licenses.revoked" and leaf["payload"]["status"] == "revoked"


def test_a_person_holders_name_is_a_licensed_fact_when_the_type_asks_for_it(world: None) -> None:
    """持证人 printed from the person's real name (not blank because there is no enterprise)."""
    code = "11370000MB2858150P005"
    LicenseType.objects.create(
        code=code,
        name="个人执业证明",
        validity_years=3,
        fields=[{"key": "holder", "label": "持证人", "source": "holder:name"}],
    )
    version = ImplementationVersionFactory(auto=True, license_type_code=code)
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(version, data=SMALL_SHOP)
    assert License.objects.get(case=case).facts == {"holder": "张三"}


def test_serials_count_per_type_and_issuer(world: None) -> None:
    """The identifier's serial: 1, 2, … per license type and issuing department."""
    first, second = issue(), issue("lisi")
    other = Department.objects.exclude(pk=first.issuer_id).first()
    assert other is not None
    with transaction.atomic():
        elsewhere = license_issue(
            type_code=FOOD,
            holder=user("zhangsan"),
            enterprise=None,
            issuer=other,
            case_id=None,
            sources={"form": {"shop_name": "泉城小馆", "area": "80"}},
            valid_from=D(2026, 3, 2),
        )
    assert [first.serial, second.serial, elsewhere.serial] == ["00000001", "00000002", "00000001"]
    assert elsewhere.identifier.split(".")[-3] == "00000001" and elsewhere.issuer == other
    assert len({first.identifier, second.identifier, elsewhere.identifier}) == 3
