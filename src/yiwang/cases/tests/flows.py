"""Short scripts that drive cases through the services, for the tests."""

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.accounts.models import Enterprise
from yiwang.cases import services
from yiwang.cases.models import Case, Task
from yiwang.cases.tests.factories import GOOD_DATA, PDF, user
from yiwang.catalog.models import ImplementationVersion
from yiwang.core import clock

_keys = itertools.count(1)


def pdf(name: str = "申请书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def draft(
    version: ImplementationVersion,
    *,
    applicant: str = "zhangsan",
    data: dict[str, Any] | None = None,
    materials: tuple[str, ...] = ("application", "layout"),
    enterprise: Enterprise | None = None,
    **extra: Any,
) -> Case:
    actor = user(applicant)
    case = services.case_draft_save(
        actor=actor,
        implementation_version=version,
        form_data=GOOD_DATA if data is None else data,
        enterprise=enterprise,
        **extra,
    )
    for key in materials:
        services.case_material_upload(actor=actor, case=case, material_key=key, upload=pdf(f"{key}.pdf"))
    return case


def submit(version: ImplementationVersion, *, applicant: str = "zhangsan", commitment: bool = False, **kw: Any) -> Case:
    case = draft(version, applicant=applicant, **kw)
    return services.case_submit(
        actor=user(applicant), draft=case, idempotency_key=f"key-{next(_keys)}", commitment_signed=commitment
    )


def accepted(version: ImplementationVersion, **kw: Any) -> Case:
    case = submit(version, **kw)
    return services.case_accept(actor=user("jn_window"), case=case)


def open_task(case: Case, key: str) -> Task:
    return Task.objects.get(case=case, key=key, status__in=["open", "claimed"])


def review_done(case: Case) -> None:
    """Approve the single review task of the committed process."""
    services.task_complete(
        actor=user("jn_reviewer"), task=open_task(case, "review"), outcome="approve", opinion="符合条件"
    )


def on(day: dt.date) -> Any:
    return clock.frozen(day)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# The person's phone in tests: what the SMS channel sent, (reference, body) — the stored outbox
# row no longer holds a one-time code once it was delivered (notifications: secrets redacted).
PHONE: list[tuple[str, str]] = []


@pytest.fixture
def phone(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    from yiwang.notifications.channels import LogChannel

    PHONE.clear()
    original = LogChannel.send

    def send(self: LogChannel, message: Any) -> str | None:
        PHONE.append((message.reference, message.body))
        return original(self, message)

    monkeypatch.setattr(LogChannel, "send", send)
    return PHONE


def code_sent(reference: str) -> str:
    """The last one-time code the phone received for `reference` (the worker's delivery run
    first: a test's transaction never commits, so nothing kicked it)."""
    from yiwang.notifications.models import Message
    from yiwang.notifications.services import messages_deliver_pending

    pending = Message.objects.filter(reference=reference, channel="sms", status="pending")
    messages_deliver_pending(ids=list(pending.values_list("pk", flat=True)))
    bodies = [body for ref, body in PHONE if ref == reference]
    found = re.search(r"验证码 (\d{6})", bodies[-1]) if bodies else None
    assert found is not None, f"no code reached the phone for {reference}"
    return found.group(1)
