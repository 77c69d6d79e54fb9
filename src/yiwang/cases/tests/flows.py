"""Short scripts that drive cases through the services, for the tests."""

import datetime as dt
import itertools
from typing import Any

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
