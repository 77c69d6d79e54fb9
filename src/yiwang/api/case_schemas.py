"""Request and response schemas of the 办件 API (api/cases.py)."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel

from yiwang.api.params import Days, Id
from yiwang.cases.rows import CaseRow, TaskRow
from yiwang.core.calendar import working_calendar


class CaseMaterialOut(Schema):
    id: int
    material_key: str
    material_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class MaterialSupplyOut(Schema):
    """免提交: what the platform fetches for a material (docs/licenses.md), or why it cannot.
    Before submission a fresh lookup; afterwards the recorded fetch (`fetched_at`)."""

    source: str = Field(description="来源渠道：license（平台核发的电子证照）")
    supplied: bool
    failure: str = Field(description="未能调取的原因：not_found / suspended / revoked / cancelled / expired / …")
    message: str
    reference: str = Field(description="电子证照标识")
    number: str
    title: str
    issuer_name: str
    sha256: str = Field(description="签名载荷（二维码文本）的 SHA-256")
    fetched_at: dt.datetime | None
    license_status_label: str = Field(description="电子证照当前状态（已撤销的证照显示已撤销）")


class MaterialNeedOut(Schema):
    material_key: str
    name: str
    necessity: str
    needed: bool
    uploaded: CaseMaterialOut | None
    supply: MaterialSupplyOut | None = None


class DraftIn(Schema):
    implementation_version_id: Id
    form_data: dict[str, Any] = {}
    enterprise_credit_code: str | None = None
    delivery_method: Literal["electronic", "pickup", "mail"] | None = None
    delivery_address: str | None = None


class DraftUpdateIn(Schema):
    form_data: dict[str, Any] = {}
    enterprise_credit_code: str | None = None
    delivery_method: Literal["electronic", "pickup", "mail"] | None = None
    delivery_address: str | None = None


class DraftOut(Schema):
    ref: str
    item_name: str
    department_name: str
    form_data: dict[str, Any]
    delivery_method: str
    materials: list[MaterialNeedOut]
    commitment_allowed: bool
    commitment_text: str


class SubmitIn(Schema):
    draft_ref: str | None = None
    implementation_version_id: Id | None = None
    form_data: dict[str, Any] | None = None
    enterprise_credit_code: str | None = None
    commitment_signed: bool = False
    delivery_method: Literal["electronic", "pickup", "mail"] | None = None
    delivery_address: str | None = None
    # 异地代收代办: hand in at this window of another region (收件地; the guide lists them).
    intake_department_credit_code: str | None = None


class ReceiptMaterialOut(Schema):
    name: str
    file_name: str
    size: int
    sha256: str


class ReceiptOut(Schema):
    number: str
    status: str
    status_label: str
    item_name: str
    department_name: str
    applicant_label: str
    submitted_at: dt.datetime
    received_on: dt.date
    materials: list[ReceiptMaterialOut]
    statutory_limit_days: int
    committed_limit_days: int
    acceptance_note: str
    clock_explanation: str
    consultation_phone: str
    complaint_phone: str
    address: str


def provisional(day: dt.date | None) -> bool:
    """A date in a projected year of the working-day calendar (shown as 暂定)."""
    return day is not None and working_calendar().is_provisional(day)


# The list rows (CaseSummaryOut, TaskOut) are plain pydantic models validated from the dicts
# of `case_summary` / `task_out`: a ninja Schema reads every field of every row through its
# resolver machinery (DjangoGetter), ≈ 500 calls a page (issue 18).


class CaseSummaryOut(BaseModel):
    number: str | None
    status: str
    status_label: str
    item_name: str
    department_name: str
    submitted_at: dt.datetime | None
    due_date: dt.date | None
    committed_due_date: dt.date | None
    due_date_provisional: bool = Field(description="法定办结日期按暂定工作日历推算（该年度节假日安排尚未发布）")
    committed_due_date_provisional: bool = Field(description="承诺办结日期按暂定工作日历推算")


def case_summary(row: CaseRow) -> dict[str, Any]:
    """A case list's row as CaseSummaryOut (and VisibleCaseOut) shows it."""
    return {
        "number": row.number,
        "status": row.status,
        "status_label": row.status_label,
        "item_name": row.item_name,
        "department_name": row.department_name,
        "submitted_at": row.submitted_at,
        "due_date": row.due_date,
        "committed_due_date": row.committed_due_date,
        "due_date_provisional": provisional(row.due_date),
        "committed_due_date_provisional": provisional(row.committed_due_date),
    }


class ClockOut(Schema):
    state: str
    level: str
    due_date: dt.date | None
    committed_due_date: dt.date | None
    due_date_provisional: bool = Field(description="法定办结日期按暂定工作日历推算（该年度节假日安排尚未发布）")
    committed_due_date_provisional: bool = Field(description="承诺办结日期按暂定工作日历推算")
    used_days: int
    limit_days: int
    explanation: str
    committed_explanation: str


class CaseStatusOut(Schema):
    number: str
    status: str
    status_label: str
    clock: ClockOut


class TimelineOut(Schema):
    at: dt.datetime
    summary: str
    reason: str
    actor: str


class SupplementItemOut(Schema):
    material_key: str | None
    name: str
    note: str


class SupplementOut(Schema):
    requested_at: dt.datetime
    before_acceptance: bool
    items: list[SupplementItemOut]
    message: str


class OutcomeOut(Schema):
    title: str
    opinion: str
    basis: str
    remedies: list[str]
    rule: str


class TaskOut(BaseModel):
    id: int
    case_number: str
    item_name: str
    name: str
    kind: str
    role: str
    department_name: str
    status: str
    status_label: str
    assignee: str | None
    due_date: dt.date | None
    due_date_provisional: bool = Field(description="任务期限按暂定工作日历推算（该年度节假日安排尚未发布）")


def task_out(row: TaskRow) -> dict[str, Any]:
    """A task as TaskOut shows it (the inbox's rows, and the task an action returns)."""
    return {
        "id": row.pk,
        "case_number": row.case_number or "",
        "item_name": row.item_name,
        "name": row.name,
        "kind": row.kind,
        "role": row.role,
        "department_name": row.department_name,
        "status": row.status,
        "status_label": row.status_label,
        "assignee": row.assignee_label,
        "due_date": row.due_date,
        "due_date_provisional": provisional(row.due_date),
    }


class StageOut(Schema):
    name: str
    status: str
    parallel: bool
    join: str
    tasks: list[TaskOut]


class CaseOut(Schema):
    number: str
    status: str
    status_label: str
    item_name: str
    department_name: str
    submitted_at: dt.datetime | None
    received_on: dt.date | None
    accepted_on: dt.date | None
    acceptance_deadline: dt.date | None
    clock: ClockOut
    timeline: list[TimelineOut]
    form: dict[str, Any]
    materials: list[MaterialNeedOut]
    open_supplement: SupplementOut | None
    stages: list[StageOut]
    outcome: OutcomeOut | None
    actions: list[str]


class ReasonIn(Schema):
    reason: str = ""


class OpinionIn(Schema):
    opinion: str = ""


class NoteIn(Schema):
    note: str = ""


class RefuseIn(Schema):
    reason: str
    legal_basis: str


class SupplementItemIn(Schema):
    material_key: str | None = None
    name: str | None = None
    note: str = ""


class SupplementIn(Schema):
    items: list[SupplementItemIn]
    message: str = ""


class SuspendIn(Schema):
    procedure: Literal[
        "hearing", "auction", "bidding", "testing", "detection", "quarantine", "appraisal", "expert_review"
    ]
    reason: str
    expected_days: Days


class ExtendIn(Schema):
    reason: str


class DecideIn(Schema):
    outcome: Literal["approve", "deny"]
    opinion: str = ""
    legal_basis: str = ""


class TaskCompleteIn(Schema):
    outcome: Literal["approve", "reject", "pass", "fail"]
    opinion: str = ""


class ConcludeIn(Schema):
    reference: str = ""


class HandOverIn(Schema):
    mail_reference: str = ""  # the paper originals' tracking number, if they are mailed
