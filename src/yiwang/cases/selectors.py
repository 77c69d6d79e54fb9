"""Case reads for the portal, the workbench and the API (architecture rule 7).

Visibility is enforced here, not in the views:
- `case_list_visible_to(user)`: an applicant's own cases (and drafts) plus those of the
  enterprises they are a current agent of; a staff member's cases of their departments,
  of tasks given to their departments, of their region's 综合窗口 (window clerks of an
  行政审批服务局) and, for supervisors/auditors, of their region and below.
- `case_detail_for(user, number, reason=...)`: everything the case page shows; every staff
  read writes a CaseAccessLog row with the reason given.
- the task inbox (open tasks for the user's posts, and the tasks they claimed) is in
  `yiwang.cases.inbox`.
Functions that take a number or id raise NotFound for what the user may not see (so the
existence of other people's cases is not revealed).
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from yiwang.accounts.models import EnterpriseAgent, Role, User
from yiwang.cases import evidence
from yiwang.cases.clock import deemed_acceptance_after
from yiwang.cases.deadlines import (
    ClockView,
    case_clock_view,
    task_clock_explanation,
)
from yiwang.cases.evidence import Supply
from yiwang.cases.models import (
    Case,
    CaseAccessLog,
    CaseEvent,
    CaseEvidence,
    CaseMaterial,
    Handover,
    Stage,
    SupplementRequest,
    Task,
)
from yiwang.cases.policy import (
    TaskControls,
    applicant_may_act,
    case_actions_for,
    may_work_task,
    posts_of,
    staff_case_filter,
    staff_may_see,
    task_controls_for,
)
from yiwang.cases.workflow import (
    CaseAction,
    CaseStatus,
    TaskKind,
)
from yiwang.catalog.formschema import FormSchema
from yiwang.catalog.models import ImplementationVersion, Material, Necessity
from yiwang.catalog.selectors import pinned_version
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.core.identifiers import mask_name
from yiwang.ledger import events as events_catalogue
from yiwang.ledger.events import Audience, CaseVerb

_CASE_RELATED = ("implementation_version__item_version", "department", "region", "enterprise", "applicant")


def _is_staff(user: User) -> bool:
    return user.is_authenticated and user.is_staff_member


def case_list_visible_to(user: User, *, status: str = "") -> QuerySet[Case]:
    """Cases `user` may see, newest first (drafts only to whoever started them), of one
    `status` when given."""
    cases = Case.objects.select_related(*_CASE_RELATED)
    if status:
        cases = cases.filter(status=status)
    if not user.is_authenticated:
        return cases.none()
    if _is_staff(user):
        return cases.filter(staff_case_filter(user)).exclude(status=CaseStatus.DRAFT)
    today = clock.today()
    # Resolved to a list first: with a subquery inside the OR, PostgreSQL scans cases_case
    # (measured: 140 ms at 1,000,000 cases); with literal ids it combines two index scans.
    agencies = list(
        EnterpriseAgent.objects.filter(person__user=user, revoked_at__isnull=True, valid_from__lte=today)
        .exclude(valid_until__lt=today)
        .values_list("enterprise_id", flat=True)
    )
    visible = Q(applicant=user)
    if agencies:
        visible |= Q(enterprise_id__in=agencies) & ~Q(status=CaseStatus.DRAFT)
    return cases.filter(visible).exclude(Q(status=CaseStatus.WITHDRAWN) & Q(submitted_at__isnull=True))


# The applicant's 我的办件 filters: label and the statuses each shows.
APPLICANT_FILTERS: dict[str, tuple[str, list[str]]] = {
    "open": ("办理中", [s.value for s in (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT_REQUESTED, CaseStatus.IN_REVIEW,
                                        CaseStatus.SUPPLEMENT_PENDING, CaseStatus.SUSPENDED)]),
    "action": ("待我补正", [CaseStatus.SUPPLEMENT_REQUESTED.value, CaseStatus.SUPPLEMENT_PENDING.value]),
    "done": ("已办结", [s.value for s in (CaseStatus.DECIDED_APPROVED, CaseStatus.DECIDED_DENIED, CaseStatus.CONCLUDED,
                                        CaseStatus.REFUSED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED)]),
}  # fmt: skip


def submitted_cases_for(user: User, *, number: str = "", statuses: Iterable[str] | None = None) -> QuerySet[Case]:
    """The submitted cases `user` may see (no drafts), newest submission first: those whose
    number contains `number`, in one of `statuses` when given (办件查询, 我的办件)."""
    cases = case_list_visible_to(user).exclude(status=CaseStatus.DRAFT).order_by("-submitted_at", "-id")
    if number:
        cases = cases.filter(number__icontains=number)
    if statuses is not None:
        cases = cases.filter(status__in=list(statuses))
    return cases


def own_case_by_idempotency_key(user: User, key: str) -> Case | None:
    """The case this applicant already submitted with `key` (a repeated POST), if any."""
    return case_list_visible_to(user).filter(applicant=user, idempotency_key=key).first()


def implementation_version_get(version_id: int) -> ImplementationVersion | None:
    """An implementation version to apply for, with what the application pages show of it
    (its department, region, item and item version); None when there is no such version."""
    return (
        ImplementationVersion.objects.select_related(
            "implementation__department", "implementation__region", "implementation__item", "item_version"
        )
        .filter(pk=version_id)
        .first()
    )


def _one(cases: QuerySet[Case]) -> Case | None:
    """The first of `cases` with what pages and services read of it; the pinned version
    from the catalog's per-process copy (a join of two wide tables saved per read)."""
    case = cases.select_related("department", "region", "enterprise", "applicant").first()
    if case is not None:
        case.implementation_version = pinned_version(case.implementation_version_id)
    return case


def case_by_number_for(user: User, number: str) -> Case:
    """The case to hand to a service (not a "view": no access-log row). NotFound if invisible.

    Read by its number first, then checked by the rules of `case_list_visible_to` (one
    simple query instead of the list's filter over every scope)."""
    case = _one(Case.objects.filter(number=number))
    if case is None or not may_see(user, case):
        raise NotFound(f"办件 {number} 不存在或您无权查看。")
    return case


def may_see(user: User, case: Case) -> bool:
    """Whether `case` is in `case_list_visible_to(user)`."""
    if not user.is_authenticated:
        return False
    if _is_staff(user):
        return case.status != CaseStatus.DRAFT and staff_may_see(user, case)
    if case.status == CaseStatus.WITHDRAWN and case.submitted_at is None:
        return False  # a discarded draft is gone for everyone
    return applicant_may_act(user, case)


def draft_for(user: User, ref: str) -> Case:
    """One of the user's own drafts by its ref (UUID)."""
    try:
        key = uuid.UUID(str(ref))
    except ValueError:
        raise NotFound("草稿不存在或已提交。") from None
    found = Case.objects.select_related(*_CASE_RELATED).filter(ref=key, applicant=user, status=CaseStatus.DRAFT).first()
    if found is None:
        raise NotFound("草稿不存在或已提交。")
    return found


def own_case_by_ref(user: User, ref: str) -> Case:
    """A case the user started, by its ref, whatever its state (a retried submission of a
    draft finds the case it became)."""
    try:
        key = uuid.UUID(str(ref))
    except ValueError:
        raise NotFound("申请不存在。") from None
    found = _one(Case.objects.filter(ref=key, applicant=user))
    if found is None:
        raise NotFound("申请不存在。")
    return found


def drafts_of(user: User) -> QuerySet[Case]:
    """The user's own drafts (a 一件事's waiting parts are listed with their bundle, not here)."""
    return (
        Case.objects.filter(applicant=user, status=CaseStatus.DRAFT, bundle__isnull=True)
        .select_related(*_CASE_RELATED)
        .order_by("-updated_at")
    )


def intake_queue_for(user: User) -> QuerySet[Case]:
    """New submissions a window clerk must accept, refuse or send back, oldest first: those
    of the departments (and, at an 行政审批服务局, the region) of their window posts."""
    scope = Q(pk__in=[])
    for post in posts_of(user):
        if post.role == Role.WINDOW_CLERK:
            scope |= post.case_scope()
    waiting = Case.objects.filter(scope, status__in=[CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT_REQUESTED])
    return waiting.order_by("submitted_at", "id")  # the queue's pages read it as rows (cases.rows)


def count_beyond(cases: QuerySet[Case], cap: int) -> int:
    """How many of `cases` there are, counted no further than `cap` + 1 (a LIMIT inside the
    COUNT): enough to tell "cap or fewer, exactly" from "more than cap"."""
    return cases.order_by()[: cap + 1].count()


def in_intake_queue(user: User, number: str) -> bool:
    """Whether case `number` waits in `user`'s intake queue (they open it to take it in)."""
    return intake_queue_for(user).filter(number=number).exists()


def task_for(user: User, task_id: int) -> Task:
    """A task the user may work on or see (its case is visible to them)."""
    task = Task.objects.select_related("department").filter(pk=task_id).first()
    if task is None or not (may_work_task(user, task) or may_see(user, task.case)):
        raise NotFound("任务不存在或您无权查看。")
    return task


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    verb: str
    summary: str
    reason: str
    actor_label: str


@dataclass(frozen=True)
class FormValue:
    name: str
    label: str
    value: Any


@dataclass(frozen=True)
class MaterialNeed:
    """A catalog material and where the case stands with it."""

    material: Material
    needed: bool
    uploaded: CaseMaterial | None
    supply: Supply | None = None  # what the platform supplies (免提交), or why it could not


@dataclass(frozen=True)
class TaskView:
    task: Task
    clock_explanation: str
    controls: TaskControls = field(default_factory=TaskControls)  # what the viewer may do with it (staff)


@dataclass(frozen=True)
class StageView:
    stage: Stage
    tasks: list[TaskView]


@dataclass(frozen=True)
class Outcome:
    """What the applicant is told about a refusal, a decision or a revocation."""

    title: str
    opinion: str
    basis: str
    remedies: list[str]
    rule: str = ""


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    item_name: str
    department_name: str
    status_label: str
    viewer_is_staff: bool
    clock: ClockView
    acceptance_deadline: dt.date | None
    timeline: list[TimelineEntry]
    form: list[FormValue]
    materials: list[MaterialNeed]
    open_supplement: SupplementRequest | None
    stages: list[StageView]
    inspection_tasks: list[TaskView]
    outcome: Outcome | None
    actions: list[CaseAction] = field(default_factory=list)


def case_timeline(case: Case, *, for_staff: bool) -> list[TimelineEntry]:
    """The case's history in plain Chinese. Applicants see the events the event catalogue
    shows them, with the department instead of the staff member's name, and no internal
    review opinions (yiwang.ledger.events decides both)."""
    events = CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")
    if not for_staff:
        shown = events_catalogue.applicant_verbs()
        events = events.filter(
            Q(verb__in=shown[Audience.APPLICANT])
            | (Q(verb__in=shown[Audience.ONCE_SUBMITTED]) & ~Q(from_status=CaseStatus.DRAFT))
        )
    hidden_reasons = events_catalogue.reason_hidden_from_applicant()
    entries = []
    for event in events:
        if event.actor_role == "applicant":
            who = "申请人"
        elif event.actor is None:
            who = "系统"
        elif for_staff:
            who = str(event.actor)
        else:
            who = str(event.payload.get("department_name") or case.department.name)
        reason = event.reason
        if not for_staff and event.verb in hidden_reasons:
            reason = ""
        entries.append(TimelineEntry(event.at, event.verb, event.summary, reason, who))
    return entries


def _form_values(case: Case) -> list[FormValue]:
    schema = FormSchema.model_validate(case.implementation_version.form_schema)
    values = []
    for spec in schema.fields:
        if spec.name not in case.form_data:
            continue
        raw = case.form_data[spec.name]
        labels = {o.value: o.label for o in spec.options}
        if isinstance(raw, list):
            shown: Any = "、".join(labels.get(str(v), str(v)) for v in raw)
        elif spec.type == "boolean":
            shown = "是" if raw else "否"
        else:
            shown = labels.get(str(raw), raw)
        values.append(FormValue(spec.name, spec.label, shown))
    return values


def material_needed(material: Material, form_data: dict[str, Any], supplies: Mapping[str, Supply]) -> bool:
    """Whether the applicant must upload `material` with this form: a required one, or a
    conditional one whose condition field is filled in — unless the platform supplies it.
    A 免提交 material a provider serves (cases.evidence: the platform's e-licenses) is needed
    exactly when its lookup in `supplies` (evidence.supplies_for / case_supplies) failed; one
    no provider serves (obtained by the department outside the platform: data sharing until
    it has a provider, licenses other systems issue) never is. The one rule submission and
    the pages both follow."""
    if material.necessity == Necessity.REQUIRED:
        applies = True
    elif material.necessity == Necessity.CONDITIONAL and material.condition_field:
        applies = bool(form_data.get(material.condition_field))
    else:
        applies = False
    if not applies:
        return False
    if material.asked_of_applicant:
        return True
    supply = supplies.get(material.key)
    return supply is not None and not supply.supplied


def _material_needs(case: Case) -> list[MaterialNeed]:
    current = {
        m.material_key: m for m in CaseMaterial.objects.filter(case=case, superseded_at__isnull=True).order_by("id")
    }
    materials = list(Material.objects.filter(version_id=case.implementation_version_id).order_by("sort_order", "id"))
    supplies = evidence.case_supplies(case, materials)
    return [
        MaterialNeed(m, material_needed(m, case.form_data, supplies), current.get(m.key), supplies.get(m.key))
        for m in materials
    ]


# The blank application page's lookup (no draft yet): cases.evidence answers it.
material_supplies_for = evidence.material_supplies_for


def _outcome(case: Case) -> Outcome | None:
    if case.status == CaseStatus.REFUSED:
        return Outcome("不予受理", case.refusal_reason, case.refusal_basis, list(case.decision_remedies))
    if case.status == CaseStatus.REVOKED:
        event = CaseEvent.objects.filter(case=case, verb=CaseVerb.REVOKE).last()
        return Outcome("许可决定已撤销", event.reason if event else "", "", list(case.decision_remedies))
    if case.decision:
        title = "准予许可" if case.decision == "approved" else "不予许可"
        return Outcome(
            title, case.decision_opinion, case.decision_basis, list(case.decision_remedies), case.decided_by_rule
        )
    return None


def case_detail_for(user: User, number: str, *, reason: str = "") -> CaseDetail:
    """Everything the case page shows, for `user`. A staff member must give the `reason`
    for looking (logged in CaseAccessLog with who and when); applicants need none."""
    case = case_by_number_for(user, number)
    staff = _is_staff(user)
    if staff:
        if not reason.strip():
            raise ValidationFailed({"reason": ["查看事由：工作人员查看办件须说明事由"]})
        CaseAccessLog.objects.create(case=case, user=user, at=clock.now(), reason=reason.strip()[:200])
    return _detail(user, case, staff=staff)


def draft_detail_for(user: User, ref: str) -> CaseDetail:
    """The detail of one of the user's drafts (form, materials, what is still missing)."""
    return _detail(user, draft_for(user, ref), staff=False)


def _detail(user: User, case: Case, *, staff: bool) -> CaseDetail:
    posts = posts_of(user) if staff else []

    def view(task: Task) -> TaskView:
        controls = task_controls_for(user, task, case, posts=posts) if staff else TaskControls()
        return TaskView(task, task_clock_explanation(task), controls)

    stages = []
    for stage in Stage.objects.filter(case=case).order_by("position"):
        tasks = [view(t) for t in Task.objects.filter(stage=stage).select_related("department", "assignee")]
        stages.append(StageView(stage, tasks))
    inspections = [
        view(t)
        for t in Task.objects.filter(case=case, kind=TaskKind.INSPECTION).select_related("department", "assignee")
    ]
    acceptance_deadline = None
    if case.status == CaseStatus.SUBMITTED and case.received_on is not None:
        acceptance_deadline = deemed_acceptance_after(case.received_on, working_calendar())
    return CaseDetail(
        case=case,
        item_name=case.implementation_version.item_version.name,
        department_name=case.department.name,
        status_label=CaseStatus(case.status).label,
        viewer_is_staff=staff,
        clock=case_clock_view(case),
        acceptance_deadline=acceptance_deadline,
        timeline=case_timeline(case, for_staff=staff),
        form=_form_values(case),
        materials=_material_needs(case),
        open_supplement=SupplementRequest.objects.filter(case=case, answered_at__isnull=True).last(),
        stages=stages,
        inspection_tasks=inspections if staff else [],
        outcome=_outcome(case),
        actions=case_actions_for(user, case),
    )


@dataclass(frozen=True)
class ReceiptMaterial:
    name: str
    file_name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Receipt:
    """回执: what the applicant keeps as proof of submission."""

    number: str
    item_name: str
    department_name: str
    applicant_label: str
    submitted_at: dt.datetime
    received_on: dt.date
    status_label: str
    materials: list[ReceiptMaterial]
    statutory_limit_days: int
    committed_limit_days: int
    acceptance_note: str
    clock_explanation: str
    consultation_phone: str
    complaint_phone: str
    address: str


def case_receipt_for(user: User, number: str) -> Receipt:
    return receipt_of(case_by_number_for(user, number))


def receipt_of(case: Case) -> Receipt:
    """The receipt of a case the caller already holds (e.g. the one a submission returned)."""
    handover = Handover.objects.select_related("intake_department").filter(case=case).first()
    received_on = case.received_on or (handover.intake_on if handover is not None else None)
    if case.submitted_at is None or received_on is None:
        raise NotFound("该申请尚未提交，没有回执。")
    version = case.implementation_version
    person = getattr(case.applicant, "person", None)
    who = (
        case.enterprise.name if case.enterprise else (person.masked_name if person else mask_name(str(case.applicant)))
    )
    last_day = deemed_acceptance_after(received_on, working_calendar())
    note = f"窗口将于 {last_day} 前受理或一次性告知需要补正的全部材料；逾期未告知的，自收到申请之日起即为受理。"
    if handover is not None and case.received_on is None:
        note = (
            f"收件窗口（{handover.intake_department.name}）将于 {handover.due_on} 前核对材料并移交"
            f"{case.department.name}；{case.department.name}自接收之日起 5 个工作日内受理或一次性告知补正。"
        )
    materials = [
        ReceiptMaterial(m.material_name, m.original_name, m.size, m.sha256)
        for m in CaseMaterial.objects.filter(case=case, superseded_at__isnull=True).order_by("id")
    ]
    return Receipt(
        number=case.number or "",
        item_name=version.item_version.name,
        department_name=case.department.name,
        applicant_label=who,
        submitted_at=case.submitted_at,
        received_on=received_on,
        status_label=CaseStatus(case.status).label,
        materials=materials,
        statutory_limit_days=version.statutory_limit_days,
        committed_limit_days=version.committed_limit_days,
        acceptance_note=note,
        clock_explanation=case_clock_view(case).explanation,
        consultation_phone=version.consultation_phone,
        complaint_phone=version.complaint_phone,
        address=version.address,
    )


def material_file_for(
    user: User, material_id: int, *, reason: str = "", number: str | None = None
) -> tuple[CaseMaterial, IO[bytes]]:
    """Open an uploaded material for someone entitled to it (the caller closes the file).

    Applicants may open their own case's files; staff must give a reason, and the read is
    logged in CaseAccessLog — only a read that happens: after the material, its case (when
    the page names one, `number`), the permission and the stored file are all found.
    """
    material = CaseMaterial.objects.select_related("case").filter(pk=material_id).first()
    if material is None or (number is not None and material.case.number != number):
        raise NotFound("材料不存在或您无权查看。")
    case = material.case
    staff = _is_staff(user)
    if staff:
        if not may_see(user, case):
            raise NotFound("材料不存在或您无权查看。")
        if not reason.strip():
            raise ValidationFailed({"reason": ["查看事由：工作人员查看申请材料须说明事由"]})
    elif not applicant_may_act(user, case):
        raise NotFound("材料不存在或您无权查看。")
    try:
        handle = default_storage.open(material.storage_name, "rb")
    except FileNotFoundError:
        raise NotFound("材料文件不存在，请联系办理部门。") from None
    if staff:
        CaseAccessLog.objects.create(
            case=case, user=user, at=clock.now(), reason=reason.strip()[:200], target=f"material:{material.pk}"
        )
    return material, handle


@dataclass(frozen=True)
class EvidenceView:
    """A fetched 免提交 material as staff open it: the recorded fetch and its license now."""

    evidence: CaseEvidence
    supply: Supply
    facts: list[tuple[str, str]]


def evidence_for(user: User, evidence_id: int, *, number: str, reason: str) -> EvidenceView:
    """Open a case's fetched 免提交 material — an e-license or shared data (staff of a case
    they may see, with a reason; logged in CaseAccessLog like a material, domain.md §7)."""
    row = (
        CaseEvidence.objects.select_related(
            "case", "license__license_type", "license__issuer", "data_read__resource", "data_read__consumer"
        )
        .filter(pk=evidence_id, case__number=number)
        .first()
    )
    if row is None or not _is_staff(user) or not may_see(user, row.case):
        raise NotFound("材料不存在或您无权查看。")
    if not reason.strip():
        raise ValidationFailed({"reason": ["查看事由：工作人员查看申请材料须说明事由"]})
    CaseAccessLog.objects.create(
        case=row.case, user=user, at=clock.now(), reason=reason.strip()[:200], target=f"evidence:{row.pk}"
    )
    supply = evidence.supply_of(row)
    facts: list[tuple[str, str]] = [
        (label, "" if value is None else str(value)) for label, value in supply.shared_facts
    ]
    if row.license is not None:
        labels = {str(f["key"]): str(f["label"]) for f in row.license.license_type.fields}
        facts = [(labels.get(key, key), str(value)) for key, value in row.license.facts.items()]
    return EvidenceView(row, supply, facts)
