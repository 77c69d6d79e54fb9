"""办件 endpoints: applicants submit and follow their cases; staff accept, review and decide.

Thin: every endpoint resolves what the caller may see through cases.selectors and hands
the change to one cases.services function, which checks permission and state itself.
Session authentication for now (django_auth, CSRF-protected). Errors are problem+json.
"""

from typing import Any, cast

from django.http import HttpRequest
from ninja import File, Form, Header, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import Department, Enterprise, User
from yiwang.api.case_pages import CaseListPagination, QueuePagination, StaffCases, VisibleCaseOut
from yiwang.api.case_schemas import (
    CaseMaterialOut,
    CaseOut,
    CaseStatusOut,
    CaseSummaryOut,
    ClockOut,
    ConcludeIn,
    DecideIn,
    DraftIn,
    DraftOut,
    DraftUpdateIn,
    ExtendIn,
    HandOverIn,
    MaterialNeedOut,
    MaterialSupplyOut,
    NoteIn,
    OpinionIn,
    OutcomeOut,
    ReasonIn,
    ReceiptMaterialOut,
    ReceiptOut,
    RefuseIn,
    SubmitIn,
    SupplementIn,
    SupplementItemOut,
    SupplementOut,
    SuspendIn,
    TaskCompleteIn,
    TaskOut,
    TimelineOut,
    task_out,
)
from yiwang.api.params import Id, session_auth
from yiwang.cases import inbox, selectors, services
from yiwang.cases.deadlines import case_clock_view
from yiwang.cases.evidence import Supply
from yiwang.cases.models import Case, CaseMaterial, Task
from yiwang.cases.rows import task_rows_by
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.models import ImplementationVersion
from yiwang.core.errors import NotFound

router = Router(tags=["办件"], auth=session_auth)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _enterprise(credit_code: str | None) -> Enterprise | None:
    if not credit_code:
        return None
    enterprise = accounts.enterprise_by_credit_code(credit_code)
    if enterprise is None:
        raise NotFound(f"统一社会信用代码为 {credit_code} 的企业不存在。", field="enterprise_credit_code")
    return enterprise


def _intake(credit_code: str | None) -> Department | None:
    if not credit_code:
        return None
    department = accounts.department_by_credit_code(credit_code)
    if department is None:
        raise NotFound(f"统一社会信用代码为 {credit_code} 的收件窗口不存在。", field="intake_department_credit_code")
    return department


def _version(version_id: int | None) -> ImplementationVersion | None:
    if version_id is None:
        return None
    version = selectors.implementation_version_get(version_id)
    if version is None:
        raise NotFound("办理事项不存在。", field="implementation_version_id")
    return version


# --- converters --------------------------------------------------------------------------


def _material(m: CaseMaterial) -> CaseMaterialOut:
    return CaseMaterialOut(
        id=m.pk,
        material_key=m.material_key,
        material_name=m.material_name,
        original_name=m.original_name,
        content_type=m.content_type,
        size=m.size,
        sha256=m.sha256,
        uploaded_at=m.uploaded_at,
    )


def _supply(supply: Supply) -> MaterialSupplyOut:
    return MaterialSupplyOut(
        source=supply.source,
        supplied=supply.supplied,
        failure=supply.failure,
        message=supply.message,
        reference=supply.reference,
        number=supply.number,
        title=supply.title,
        issuer_name=supply.issuer_name,
        sha256=supply.sha256,
        fetched_at=supply.fetched_at,
        license_status_label=supply.license_status_label,
    )


def _needs(needs: list[selectors.MaterialNeed]) -> list[MaterialNeedOut]:
    return [
        MaterialNeedOut(
            material_key=n.material.key,
            name=n.material.name,
            necessity=n.material.necessity,
            needed=n.needed,
            uploaded=_material(n.uploaded) if n.uploaded else None,
            supply=_supply(n.supply) if n.supply else None,
        )
        for n in needs
    ]


def _clock(case: Case) -> ClockOut:
    view = case_clock_view(case)
    return ClockOut(
        state=view.statutory.state,
        level=view.level,
        due_date=view.due_date,
        committed_due_date=view.committed_due_date,
        due_date_provisional=view.statutory.provisional,
        committed_due_date_provisional=view.committed.provisional,
        used_days=view.statutory.used_days,
        limit_days=view.statutory.limit_days,
        explanation=view.explanation,
        committed_explanation=view.committed_explanation,
    )


def _status(case: Case) -> CaseStatusOut:
    """The state after a service call: `case` is the copy the service returned (it changed it
    under its lock, so it is current)."""
    return CaseStatusOut(
        number=case.number or "", status=case.status, status_label=CaseStatus(case.status).label, clock=_clock(case)
    )


def _draft(user: User, ref: str) -> DraftOut:
    detail = selectors.draft_detail_for(user, ref)
    case = detail.case
    process = case.implementation_version.process or {}
    return DraftOut(
        ref=str(case.ref),
        item_name=detail.item_name,
        department_name=detail.department_name,
        form_data=case.form_data,
        delivery_method=case.delivery_method,
        materials=_needs(detail.materials),
        commitment_allowed=bool(process.get("commitment_allowed")),
        commitment_text=str(process.get("commitment_text", "")),
    )


def _receipt(case: Case) -> ReceiptOut:
    receipt = selectors.receipt_of(case)
    return ReceiptOut(
        number=receipt.number,
        status=case.status,
        status_label=receipt.status_label,
        item_name=receipt.item_name,
        department_name=receipt.department_name,
        applicant_label=receipt.applicant_label,
        submitted_at=receipt.submitted_at,
        received_on=receipt.received_on,
        materials=[ReceiptMaterialOut(**vars(m)) for m in receipt.materials],
        statutory_limit_days=receipt.statutory_limit_days,
        committed_limit_days=receipt.committed_limit_days,
        acceptance_note=receipt.acceptance_note,
        clock_explanation=receipt.clock_explanation,
        consultation_phone=receipt.consultation_phone,
        complaint_phone=receipt.complaint_phone,
        address=receipt.address,
    )


# --- applicant ---------------------------------------------------------------------------


@router.get("", response=list[VisibleCaseOut], summary="我的办件 / 可见办件列表")
@paginate(CaseListPagination)
def case_list(request: HttpRequest, status: str | None = Query(None, max_length=32, description="办件状态")) -> Any:
    """Applicants: their own cases and their enterprises', newest first, counted. Staff: the
    submitted cases in their scope, newest submission first, the newest 1,000 at most
    (offset + limit ≤ 1000; older ones by status), `count` null when more than was read."""
    user = _user(request)
    if user.is_authenticated and user.is_staff_member:
        return StaffCases(user, status or "")
    return selectors.case_list_visible_to(user, status=status or "")


@router.post("/drafts", response={201: DraftOut}, summary="新建申请草稿")
def draft_create(request: HttpRequest, payload: DraftIn) -> Status[DraftOut]:
    user = _user(request)
    case = services.case_draft_save(
        actor=user,
        implementation_version=_version(payload.implementation_version_id),
        form_data=payload.form_data,
        enterprise=_enterprise(payload.enterprise_credit_code),
        delivery_method=payload.delivery_method,
        delivery_address=payload.delivery_address,
    )
    return Status(201, _draft(user, str(case.ref)))


@router.get("/drafts/{ref}", response=DraftOut, summary="查看草稿")
def draft_get(request: HttpRequest, ref: str) -> DraftOut:
    return _draft(_user(request), ref)


@router.put("/drafts/{ref}", response=DraftOut, summary="保存草稿")
def draft_update(request: HttpRequest, ref: str, payload: DraftUpdateIn) -> DraftOut:
    user = _user(request)
    services.case_draft_save(
        actor=user,
        draft=selectors.draft_for(user, ref),
        form_data=payload.form_data,
        enterprise=_enterprise(payload.enterprise_credit_code),
        delivery_method=payload.delivery_method,
        delivery_address=payload.delivery_address,
    )
    return _draft(user, ref)


@router.post("/drafts/{ref}/materials", response={201: CaseMaterialOut}, summary="上传申请材料（草稿）")
def draft_material_upload(
    request: HttpRequest, ref: str, material_key: Form[str], file: File[UploadedFile]
) -> Status[CaseMaterialOut]:
    """PDF, JPEG, PNG or OFD, checked by content; size limit CASE_UPLOAD_MAX_BYTES."""
    user = _user(request)
    stored = services.case_material_upload(
        actor=user, case=selectors.draft_for(user, ref), material_key=material_key, upload=file
    )
    return Status(201, _material(stored))


@router.post("/submit", response={201: ReceiptOut}, summary="提交申请（幂等）")
def case_submit(
    request: HttpRequest, payload: SubmitIn, idempotency_key: str = Header(..., alias="Idempotency-Key")
) -> Status[ReceiptOut]:
    """Submit a draft (`draft_ref`) or a whole application (`implementation_version_id` +
    `form_data`). The same Idempotency-Key with the same body returns the same case and
    receipt; with another body it is refused with 409 (problem+json naming idempotency_key)."""
    user = _user(request)
    case = services.case_submit(
        actor=user,
        idempotency_key=idempotency_key,
        draft=selectors.own_case_by_ref(user, payload.draft_ref) if payload.draft_ref else None,
        implementation_version=_version(payload.implementation_version_id),
        form_data=payload.form_data,
        enterprise=_enterprise(payload.enterprise_credit_code),
        commitment_signed=payload.commitment_signed,
        delivery_method=payload.delivery_method,
        delivery_address=payload.delivery_address,
        intake_department=_intake(payload.intake_department_credit_code),
    )
    return Status(201, _receipt(case))


# --- staff queues ------------------------------------------------------------------------


@router.get("/intake", response=list[CaseSummaryOut], summary="待受理申请（窗口）")
@paginate(QueuePagination)
def intake_queue(request: HttpRequest) -> Any:
    """Oldest submission first; counted up to 1,000 (`count` null beyond), offset + limit ≤ 1000."""
    return selectors.intake_queue_for(_user(request))


@router.get("/tasks", response=list[TaskOut], summary="我的待办任务")
@paginate(QueuePagination)
def task_inbox(request: HttpRequest) -> Any:
    """Most urgent first; counted up to 1,000 (`count` null beyond), offset + limit ≤ 1000."""
    return inbox.task_inbox_for(_user(request))


@router.post("/tasks/{task_id}/claim", response=TaskOut, summary="领取任务")
def task_claim(request: HttpRequest, task_id: Id) -> dict[str, Any]:
    user = _user(request)
    return _task_out(services.task_claim(actor=user, task=selectors.task_for(user, task_id)))


@router.post("/tasks/{task_id}/release", response=TaskOut, summary="退回任务待重新领取")
def task_release(request: HttpRequest, task_id: Id) -> dict[str, Any]:
    user = _user(request)
    return _task_out(services.task_release(actor=user, task=selectors.task_for(user, task_id)))


@router.post("/tasks/{task_id}/complete", response=TaskOut, summary="完成审查/核查任务")
def task_complete(request: HttpRequest, task_id: Id, payload: TaskCompleteIn) -> dict[str, Any]:
    user = _user(request)
    task = services.task_complete(
        actor=user, task=selectors.task_for(user, task_id), outcome=payload.outcome, opinion=payload.opinion
    )
    return _task_out(task)


def _task_out(task: Task) -> dict[str, Any]:
    """The task the action changed, as its inbox row shows it (read after the change)."""
    return task_out(task_rows_by([task.pk])[0])


# --- one case ----------------------------------------------------------------------------


@router.get("/{number}", response=CaseOut, summary="办件详情（状态、时限说明、办理过程）")
def case_detail(
    request: HttpRequest, number: str, reason: str = Query("", max_length=500, description="工作人员查阅事由")
) -> dict[str, Any]:
    """Staff must give `reason` (why they look); the read is logged."""
    detail = selectors.case_detail_for(_user(request), number, reason=reason)
    case = detail.case
    supplement = detail.open_supplement
    staged = [t.task.pk for s in detail.stages for t in s.tasks] if detail.viewer_is_staff else []
    task_rows = {row.pk: task_out(row) for row in task_rows_by(staged)} if staged else {}
    # A plain dict, validated once as CaseOut on the way out; the stages' tasks as their
    # inbox rows show them (`task_out`), read in one query.
    return dict(
        number=case.number or "",
        status=case.status,
        status_label=detail.status_label,
        item_name=detail.item_name,
        department_name=detail.department_name,
        submitted_at=case.submitted_at,
        received_on=case.received_on,
        accepted_on=case.accepted_on,
        acceptance_deadline=detail.acceptance_deadline,
        clock=_clock(case),
        timeline=[
            TimelineOut(at=e.at, summary=e.summary, reason=e.reason, actor=e.actor_label) for e in detail.timeline
        ],
        form={v.name: v.value for v in detail.form},
        materials=_needs(detail.materials),
        open_supplement=(
            SupplementOut(
                requested_at=supplement.requested_at,
                before_acceptance=supplement.before_acceptance,
                items=[SupplementItemOut(**item) for item in supplement.items],
                message=supplement.message,
            )
            if supplement
            else None
        ),
        stages=[
            dict(
                name=s.stage.name,
                status=s.stage.status,
                parallel=s.stage.is_parallel,
                join=s.stage.join,
                tasks=[task_rows[t.task.pk] for t in s.tasks if t.task.pk in task_rows],
            )
            for s in detail.stages
        ],
        outcome=OutcomeOut(**vars(detail.outcome)) if detail.outcome else None,
        actions=[str(a) for a in detail.actions],
    )


@router.get("/{number}/receipt", response=ReceiptOut, summary="申请回执")
def case_receipt(request: HttpRequest, number: str) -> ReceiptOut:
    return _receipt(selectors.case_by_number_for(_user(request), number))


@router.post("/{number}/materials", response={201: CaseMaterialOut}, summary="上传补正材料")
def case_material_upload(
    request: HttpRequest, number: str, material_key: Form[str], file: File[UploadedFile]
) -> Status[CaseMaterialOut]:
    user = _user(request)
    case = selectors.case_by_number_for(user, number)
    return Status(
        201, _material(services.case_material_upload(actor=user, case=case, material_key=material_key, upload=file))
    )


@router.post("/{number}/supplement-answer", response=CaseStatusOut, summary="提交补正")
def case_supplement_answer(request: HttpRequest, number: str, payload: NoteIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_supplement_answer(
        actor=user, case=selectors.case_by_number_for(user, number), note=payload.note
    )
    return _status(case)


@router.post("/{number}/withdraw", response=CaseStatusOut, summary="撤回申请")
def case_withdraw(request: HttpRequest, number: str, payload: ReasonIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_withdraw(actor=user, case=selectors.case_by_number_for(user, number), reason=payload.reason)
    return _status(case)


@router.post("/{number}/accept", response=CaseStatusOut, summary="受理（窗口）")
def case_accept(request: HttpRequest, number: str, payload: OpinionIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_accept(actor=user, case=selectors.case_by_number_for(user, number), opinion=payload.opinion)
    return _status(case)


@router.post("/{number}/refuse", response=CaseStatusOut, summary="不予受理（窗口）")
def case_refuse(request: HttpRequest, number: str, payload: RefuseIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_refuse(
        actor=user,
        case=selectors.case_by_number_for(user, number),
        reason=payload.reason,
        legal_basis=payload.legal_basis,
    )
    return _status(case)


@router.post("/{number}/supplement-request", response=CaseStatusOut, summary="一次性告知补正")
def case_supplement_request(request: HttpRequest, number: str, payload: SupplementIn) -> CaseStatusOut:
    user = _user(request)
    case = selectors.case_by_number_for(user, number)
    services.case_supplement_request(
        actor=user, case=case, items=[item.dict() for item in payload.items], message=payload.message
    )
    case.refresh_from_db()  # the service returns the request, not the case
    return _status(case)


@router.post("/{number}/suspend", response=CaseStatusOut, summary="启动特别程序（中止计时）")
def case_suspend(request: HttpRequest, number: str, payload: SuspendIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_suspend(
        actor=user,
        case=selectors.case_by_number_for(user, number),
        procedure=payload.procedure,
        reason=payload.reason,
        expected_days=payload.expected_days,
    )
    return _status(case)


@router.post("/{number}/resume", response=CaseStatusOut, summary="结束特别程序（恢复计时）")
def case_resume(request: HttpRequest, number: str, payload: NoteIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_resume(actor=user, case=selectors.case_by_number_for(user, number), note=payload.note)
    return _status(case)


@router.post("/{number}/extend", response=CaseStatusOut, summary="延长办理时限（机关负责人）")
def case_extend(request: HttpRequest, number: str, payload: ExtendIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_extend(actor=user, case=selectors.case_by_number_for(user, number), reason=payload.reason)
    return _status(case)


@router.post("/{number}/decide", response=CaseStatusOut, summary="作出审批决定")
def case_decide(request: HttpRequest, number: str, payload: DecideIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_decide(
        actor=user,
        case=selectors.case_by_number_for(user, number),
        outcome=payload.outcome,
        opinion=payload.opinion,
        legal_basis=payload.legal_basis,
    )
    return _status(case)


@router.post("/{number}/conclude", response=CaseStatusOut, summary="送达结果并办结（窗口领取/邮寄）")
def case_conclude(request: HttpRequest, number: str, payload: ConcludeIn) -> CaseStatusOut:
    user = _user(request)
    case = services.case_conclude(
        actor=user, case=selectors.case_by_number_for(user, number), reference=payload.reference
    )
    return _status(case)


@router.post("/{number}/hand-over", response=CaseStatusOut, summary="移交实施机关（异地收件窗口）")
def case_hand_over(request: HttpRequest, number: str, payload: HandOverIn) -> CaseStatusOut:
    """异地代收代办: the intake window hands the checked application over (docs/cross-region.md)."""
    user = _user(request)
    case = selectors.case_by_number_for(user, number)
    services.handover_send(actor=user, case=case, mail_reference=payload.mail_reference)
    return _status(selectors.case_by_number_for(user, number))


@router.post("/{number}/handover-receive", response=CaseStatusOut, summary="确认接收移交（实施机关窗口）")
def case_handover_receive(request: HttpRequest, number: str) -> CaseStatusOut:
    """异地代收代办: the implementing authority confirms receipt; its acceptance window starts."""
    user = _user(request)
    case = selectors.case_by_number_for(user, number)
    services.handover_receive(actor=user, case=case)
    return _status(selectors.case_by_number_for(user, number))
