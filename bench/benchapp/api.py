"""Baseline endpoints for bench/ (mounted only by `benchapp.settings`, never in production).

`POST /api/v1/bench/two-rows` is "a minimal django-ninja endpoint that inserts two rows":
the floor every write scenario is compared with, measured on the same server in the same
run. It parses a JSON body and inserts two rows in one transaction, nothing else.

`POST /api/v1/bench/submit-floor` is the least any submission must do here, without a single
check: the applicant's session (as /cases/submit), a case number, the case row, its ledger
entry (with the salted commitment of the form), its event and the applicant's notice — one
transaction, through the same model and ledger functions the real service uses. It is not a
submission (nothing is validated or read); it measures how close to the two-row write a
submission can come on this stack at all.
"""

from typing import Any, cast

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from benchapp.models import BenchRow
from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.numbering import case_number_next
from yiwang.core import clock
from yiwang.ledger.events import CaseVerb
from yiwang.ledger.services import ledger_append
from yiwang.notifications.services import message_enqueue

router = Router(tags=["基准测试"])


class In(Schema):
    value: int


class Out(Schema):
    ids: list[int]


@router.post("/two-rows", response=Out, auth=None)
def two_rows(request: HttpRequest, body: In) -> Out:
    with transaction.atomic():
        first = BenchRow.objects.create(kind="a", payload={"value": body.value})
        second = BenchRow.objects.create(kind="b", payload={"value": body.value})
    return Out(ids=[first.pk, second.pk])


class FloorIn(Schema):
    implementation_version_id: int
    department_id: int
    region_id: int
    form_data: dict[str, Any]


class FloorOut(Schema):
    number: str


@router.post("/submit-floor", response=FloorOut, auth=django_auth)
def submit_floor(request: HttpRequest, body: FloorIn) -> FloorOut:
    user, now = cast(User, request.user), clock.now()
    with transaction.atomic():
        number = case_number_next(region_code="370100", on=now.date())
        case = Case.objects.create(
            number=number,
            implementation_version_id=body.implementation_version_id,
            department_id=body.department_id,
            region_id=body.region_id,
            applicant=user,
            status="submitted",
            form_data=body.form_data,
            created_at=now,
            updated_at=now,
            submitted_at=now,
            received_on=now.date(),
        )
        entry = ledger_append(
            kind="bench.submit",
            subject=f"case:{number}",
            payload={"number": number},
            personal={"form": str(body.form_data)},
        )
        CaseEvent.objects.create(
            case=case, verb=CaseVerb.SUBMIT, to_status="submitted", actor=user, at=now, ledger_entry_id=entry.pk
        )
        message_enqueue(recipient=user, subject="申请已提交", body=f"办件编号 {number}")
    return FloorOut(number=number)
