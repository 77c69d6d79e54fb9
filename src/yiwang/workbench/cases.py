"""办件办理 in the workbench: the inbox rows, the case list, the case page and its actions.

Thin views. Reads go through cases.selectors (which decide what a staff member may see and
log every read of a case with its reason); every action button posts to a view that calls
exactly one cases.services function, which checks role, scope and state under a row lock.
A refused action (ValidationFailed, Conflict — another clerk acted first —, PermissionDenied)
re-renders the case page with the fresh state, the message, and what was typed kept.

查看事由: staff must say why they open a case (architecture rule 9). The page asks once per
case and session; when the case is in the person's own queue (intake or a task) the reason
is derived from that and logged without asking.
"""

from dataclasses import dataclass
from typing import Any, Literal, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.cases import assisted_selectors, bundle_selectors, handovers, inbox, selectors, services
from yiwang.cases import case_list as case_list_pages
from yiwang.cases import policy as case_policy
from yiwang.cases.models import Case
from yiwang.cases.rows import CaseRow, TaskRow, case_rows, case_values
from yiwang.cases.workflow import TASK_OPEN_STATES, CaseStatus, TaskKind
from yiwang.catalog import selectors as catalog
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.core.paths import path_of, path_with
from yiwang.core.text import control_char_errors
from yiwang.exchange import policy as exchange_policy
from yiwang.licenses import policy as license_policy
from yiwang.ratings import policy as rating_policy
from yiwang.reviews import policy as review_policy
from yiwang.reviews import selectors as review_selectors
from yiwang.supervision import policy as supervision_policy
from yiwang.workbench import forms

SESSION_REASONS = "case_view_reasons"  # case number → the reason given for looking at it
GENERAL = "__all__"
JOIN_LABELS = {"all": "全部通过", "any": "任一通过", "quorum": "达到法定人数"}


def staff_of(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_staff_member:
        raise PermissionDenied("办件办理仅对工作人员开放。")
    return user


def nav_links(user: User) -> list[dict[str, str]]:
    """The workbench side navigation entries of case handling, the department's e-licenses
    (for the posts the license policy lets see them), the catalog for its admins, data
    sharing for stewards, 好差评 for the posts that answer or supervise ratings, and the
    监察看板 and 月度考评 for supervisors."""
    links = [{"title": "办件查询", "href": path_of("workbench:cases")}]
    if case_policy.may_assist(user):
        links.append({"title": "帮办代办", "href": path_of("workbench:assisted_list")})
    if case_policy.lookup_log_scope(user) is not None:
        links.append({"title": "帮办查询记录", "href": path_of("workbench:assisted_lookups")})
    if license_policy.sees_issued_licenses(user):
        links.append({"title": "电子证照", "href": path_of("workbench:licenses")})
    if catalog.is_catalog_admin(user):
        links.append({"title": "事项库管理", "href": path_of("workbench:catalog")})
        links.append({"title": "服务改进", "href": path_of("workbench:improvements")})
    if exchange_policy.is_steward(user):
        links.append({"title": "数据共享", "href": path_of("workbench:exchange_resources")})
    if rating_policy.sees_ratings(user):
        links.append({"title": "好差评", "href": path_of("workbench:ratings")})
    if review_policy.sees_reviews(user):
        links.append({"title": "专家评审", "href": path_of("workbench:reviews")})
    for title, name in supervision_policy.workbench_links(user):
        links.append({"title": title, "href": path_of(f"workbench:{name}")})
    return links


def case_url(number: str | None) -> str:
    return path_with("workbench:case", number)


# --- the inbox ---------------------------------------------------------------------------


def _row(number: str | None, item_name: str, applicant: str, stage: str, urgency: inbox.Urgency) -> dict[str, Any]:
    return {
        "number": number,
        "item_name": item_name,
        "applicant": applicant,
        "stage": stage,
        "due_date": urgency.due_date,
        "days_left": urgency.days_left,
        "state": urgency.state,
        "rank": (*urgency.rank, number or ""),
        "url": case_url(number),
    }


def _handover_row(case: handovers.HandoverRow, stage: str, urgency: inbox.Urgency) -> dict[str, Any]:
    return _row(case.number, case.item_name, case.applicant_masked, stage, urgency)


def _intake_row(case: CaseRow, urgency: inbox.Urgency) -> dict[str, Any]:
    if case.status == CaseStatus.SUBMITTED:
        stage = "窗口受理（5 个工作日内受理或一次性告知补正）"
    else:
        stage = "待申请人补正（受理前，不计时）"
    return _row(case.number, case.item_name, case.applicant_masked, stage, urgency)


def _task_row(task: TaskRow, user: User, urgency: inbox.Urgency) -> dict[str, Any]:
    where = task.stage_name if task.stage_name is not None else TaskKind(task.kind).label
    mine = "我已领取" if task.assignee_id == user.pk else "待领取"
    paused = "，暂停计时" if urgency.paused else ""
    stage = f"{where} · {task.name}（{task.department_name}，{mine}{paused}）"
    return _row(task.case_number, task.item_name, task.applicant_masked, stage, urgency)


@dataclass(frozen=True)
class Inbox:
    """The workbench home's inbox: its rows, most urgent first, and whether a queue holds
    more than the rows shown (the page then says "50+ 件", not a count it did not make)."""

    rows: list[dict[str, Any]]
    more: bool


INBOX_LIMIT = 50  # the rows of each queue the home lists


def inbox_rows(user: User) -> Inbox:
    """The workbench home's inbox: new applications to accept (window clerks) and the tasks
    of the user's roles (reviewers, approvers, heads…), most urgent first.

    Both queues come ordered by urgency (oldest submission, earliest due date), so the first
    `INBOX_LIMIT` of each hold the most urgent rows. The rows are read with what they show and
    their dates come from stored columns (the paused and overdue tasks' from their ledgers,
    read together): a constant number of queries whatever the number of rows (办件查询 lists
    everything, paged). Each queue reads one row more than it shows, to tell whether there
    are more; nothing is counted."""
    limit = INBOX_LIMIT
    today, calendar = clock.today(), working_calendar()
    intake = case_rows(case_values(selectors.intake_queue_for(user))[: limit + 1])
    found = [_intake_row(case, inbox.intake_urgency(case, today, calendar)) for case in intake[:limit]]
    # 异地代收代办: what the user's window received for other regions, and what they sent here.
    awaiting, arriving = handovers.handover_inbox(user, limit=limit)

    found += [
        _handover_row(
            case, f"异地收件：核对后移交{case.department_name}", handovers.handover_urgency(case, today, calendar)
        )
        for case in awaiting[:limit]
    ]
    found += [
        _handover_row(case, f"待接收：{case.intake_department_name}移交的申请", inbox.Urgency())
        for case in arriving[:limit]
    ]
    tasks = inbox.task_inbox_for(user)[: limit + 1]
    if tasks:
        urgencies = inbox.task_urgencies(tasks[:limit], today, calendar)
        found += [_task_row(task, user, urgencies[task.pk]) for task in tasks[:limit]]
    found.sort(key=lambda r: r["rank"])
    more = any(len(queue) > limit for queue in (intake, tasks, awaiting, arriving))
    return Inbox(found, more=more)


# --- the case list -----------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """办件查询: every case the user may see, newest first, by number (prefix) or status."""
    user = staff_of(request)
    q = request.GET.get("q", "").strip()[:40]
    chosen = request.GET.get("status", "")
    error = ""
    try:
        number = case_list_pages.number_prefix(q)
    except ValidationFailed as failed:
        number, error = "", failed.errors["q"][0]
    page = (
        case_list_pages.staff_case_page(
            user,
            number=number,
            statuses=[chosen] if chosen in CaseStatus.values else None,
            after=case_list_pages.parse_cursor(request.GET.get("after")),
            before=case_list_pages.parse_cursor(request.GET.get("before")),
            page=case_list_pages.page_number(request.GET.get("page")),
        )
        if not error
        else None
    )
    shown = [
        {
            "number": c.number,
            "item_name": c.item_name,
            "department_name": c.department_name,
            "applicant_label": c.applicant_masked,
            "status_label": c.status_label,
            "status": c.status,
            "submitted_at": c.submitted_at,
            "due_date": c.committed_due_date or c.due_date,
            "url": case_url(c.number),
        }
        for c in (page.cases if page else [])
    ]
    context = {
        "nav_links": nav_links(user),
        "rows": shown,
        "page": page,
        "q": q,
        "q_error": error,
        "chosen": chosen,
        "statuses": [(v, label) for v, label in CaseStatus.choices if v != CaseStatus.DRAFT],
    }
    return render(request, "workbench/cases.html", context)


# --- 查看事由 ------------------------------------------------------------------------------


def _stored_reason(request: HttpRequest, number: str) -> str:
    return str(request.session.get(SESSION_REASONS, {}).get(number, ""))


def _store_reason(request: HttpRequest, number: str, reason: str) -> None:
    reasons: dict[str, str] = dict(request.session.get(SESSION_REASONS, {}))
    reasons.pop(number, None)
    reasons[number] = reason[:200]
    request.session[SESSION_REASONS] = dict(list(reasons.items())[-50:])


def _derived_reason(user: User, number: str) -> str:
    """The reason when the case is in the user's own queue: they open it to do that work."""
    if selectors.in_intake_queue(user, number):
        return "窗口受理：审查申请材料（本人待受理队列）"
    task = inbox.inbox_task_of_case(user, number)
    if task is not None:
        return f"办理本人待办任务“{task.name}”"
    return ""


# --- the case page -----------------------------------------------------------------------


@login_required
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_of(request)
    case = selectors.case_by_number_for(user, number)  # 404 for what the user may not see, before any log
    asked = "reason" in request.GET
    reason = forms.view_reason(request.GET) if asked else ""
    if not reason and not request.GET.get("change_reason"):
        reason = _stored_reason(request, number) or _derived_reason(user, number)
    if not reason:
        error = "查看事由：请选择或填写查看本办件的事由" if asked else ""
        context = {
            "nav_links": nav_links(user),
            "case": case,
            "item_name": case.implementation_version.item_version.name,
            "reasons": forms.VIEW_REASONS,
            "other": forms.OTHER_REASON,
            "error": error,
            "chosen": request.GET.get("reason", ""),
            "other_text": request.GET.get("reason_other", ""),
        }
        return render(request, "workbench/case_reason.html", context, status=422 if error else 200)
    _store_reason(request, number, reason)
    if asked:  # the reason is in the session now: keep it out of the address bar and history
        return redirect(case_url(number))
    return _case_page(request, user, number, reason)


def _case_page(
    request: HttpRequest,
    user: User,
    number: str,
    reason: str,
    *,
    failed: str = "",
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    detail = selectors.case_detail_for(user, number, reason=reason)
    case = detail.case
    actions = {str(a) for a in detail.actions}
    data = {name: post.get(name, "") for name in post} if post is not None else {}

    def form(action: str) -> forms.ActionForm:
        if action == failed:
            return forms.ActionForm(action, data, errors)
        return forms.ActionForm(action)

    def task_row(view: selectors.TaskView) -> dict[str, Any]:
        task = view.task
        return {
            "task": task,
            "explanation": view.clock_explanation,
            "open": task.status in TASK_OPEN_STATES,
            "mine": task.assignee_id == user.pk,
            "controls": view.controls,
            "form": form(f"task-{task.pk}"),
        }

    stages = [
        {
            "stage": s.stage,
            "join_label": JOIN_LABELS.get(s.stage.join, s.stage.join),
            "tasks": [task_row(t) for t in s.tasks],
        }
        for s in detail.stages
    ]
    inspections = [task_row(t) for t in detail.inspection_tasks]
    posted_positions = forms.supplement_items(post)[1] if post is not None and failed == "supplement" else []
    person = getattr(case.applicant, "person", None)
    summary = [m for key, ms in errors.items() for m in ms if key == GENERAL]
    context = {
        "nav_links": nav_links(user),
        "detail": detail,
        "case": case,
        "person": person,
        "assisted": assisted_selectors.assisted_label(case),
        "reason": reason,
        "actions": actions,
        "stages": stages,
        "inspections": inspections,
        "materials": detail.materials,
        "askable": forms.askable(detail.materials),
        "supplement_rows": forms.supplement_rows(
            post if failed == "supplement" else None, errors if failed == "supplement" else {}, posted_positions
        ),
        "supplement_errors": errors.get("items", []) if failed == "supplement" else [],
        "forms": {
            name: form(name)
            for name in (
                "accept",
                "refuse",
                "supplement",
                "decide",
                "conclude",
                "suspend",
                "resume",
                "extend",
                "hand_over",
            )
        },
        "handover": handovers.handover_view(case),
        "procedures": list(services.SPECIAL_PROCEDURES.items()),
        "failed": failed,
        "general_errors": summary,
        "field_errors": [m for key, ms in errors.items() if key != GENERAL for m in ms],
        "conflict": status == 409,
        "hall_link": rating_policy.may_issue_hall_link(user, case),
        "bundle": bundle_selectors.bundle_of_case(user, case),  # 属于一件事: the sibling parts' progress
        "review_panels": review_selectors.panels_of_case(user, case),
        "review_offer": review_selectors.may_offer_request(user, case),
    }
    return render(request, "workbench/case.html", context, status=status)


def _reason_for_action(request: HttpRequest, user: User, number: str, label: str) -> str:
    return _stored_reason(request, number) or _derived_reason(user, number) or f"办理：{label}"


# --- actions: one service each -----------------------------------------------------------


def _accept(user: User, case: Case, post: QueryDict) -> str:
    services.case_accept(actor=user, case=case, opinion=post.get("opinion", ""))
    return "已受理，法定办理时限自今日起计算。"


def _refuse(user: User, case: Case, post: QueryDict) -> str:
    services.case_refuse(actor=user, case=case, reason=post.get("reason", ""), legal_basis=post.get("legal_basis", ""))
    return "已作出不予受理决定，并已告知申请人理由、依据和救济途径。"


def _supplement(user: User, case: Case, post: QueryDict) -> str:
    items, _ = forms.supplement_items(post)
    request = services.case_supplement_request(actor=user, case=case, items=items, message=post.get("message", ""))
    return f"已一次性告知申请人补正 {len(request.items)} 项。"


def _decide(user: User, case: Case, post: QueryDict) -> str:
    outcome = post.get("outcome", "")
    services.case_decide(
        actor=user,
        case=case,
        outcome=cast(Literal["approve", "deny"], outcome),
        opinion=post.get("opinion", ""),
        legal_basis=post.get("legal_basis", ""),
    )
    return "已作出准予许可决定。" if outcome == "approve" else "已作出不予许可决定，并已告知申请人理由和救济途径。"


def _hand_over(user: User, case: Case, post: QueryDict) -> str:
    services.handover_send(actor=user, case=case, mail_reference=post.get("mail_reference", ""))
    return f"已移交{case.department.name}，等待其确认接收。"


def _receive(user: User, case: Case, post: QueryDict) -> str:
    services.handover_receive(actor=user, case=case)
    return "已确认接收移交，请在 5 个工作日内受理或一次性告知补正。"


def _conclude(user: User, case: Case, post: QueryDict) -> str:
    services.case_conclude(actor=user, case=case, reference=post.get("reference", ""))
    return "审批结果已送达，办件已办结。"


def _suspend(user: User, case: Case, post: QueryDict) -> str:
    raw_days = post.get("expected_days", "").strip()
    days = (
        int(raw_days) if raw_days.isascii() and raw_days.isdigit() and len(raw_days) <= 4 else 0
    )  # else the service says what is expected
    services.case_suspend(
        actor=user, case=case, procedure=post.get("procedure", ""), reason=post.get("reason", ""), expected_days=days
    )
    return "已启动特别程序，中止计时，并已告知申请人所需时间。"


def _resume(user: User, case: Case, post: QueryDict) -> str:
    services.case_resume(actor=user, case=case, note=post.get("note", ""))
    return "特别程序已结束，恢复计时。"


def _extend(user: User, case: Case, post: QueryDict) -> str:
    services.case_extend(actor=user, case=case, reason=post.get("reason", ""))
    return "已批准延长办理时限，并已告知申请人。"


# What the action forms call their fields, for messages about a refused control character.
ACTION_FIELD_LABELS = {
    "opinion": "意见",
    "reason": "理由",
    "legal_basis": "法律依据",
    "message": "补正说明",
    "reference": "送达凭据",
    "procedure": "特别程序",
    "note": "说明",
    "expected_days": "预计所需时间",
    "mail_reference": "原件寄递单号",
}


def _refuse_control_chars(post: QueryDict) -> None:
    """These forms reach the services without a Django form (which would refuse NUL): a
    control character is refused here, by field, before anything is written."""
    errors = control_char_errors(
        post, ACTION_FIELD_LABELS | {k: "补正材料清单" for k in post if k.startswith("items-")}
    )
    if errors:
        raise ValidationFailed(errors)


CASE_ACTIONS = {
    "accept": ("受理", _accept),
    "refuse": ("不予受理", _refuse),
    "supplement": ("一次性告知补正", _supplement),
    "decide": ("作出审批决定", _decide),
    "conclude": ("送达并办结", _conclude),
    "hand_over": ("移交实施机关", _hand_over),
    "receive_handover": ("确认接收移交", _receive),
    "suspend": ("启动特别程序", _suspend),
    "resume": ("结束特别程序", _resume),
    "extend": ("延长办理时限", _extend),
}


def _refused(request: HttpRequest, user: User, number: str, action: str, label: str, exc: Exception) -> HttpResponse:
    """The action was refused: the page again, fresh, with the message and what was typed."""
    if isinstance(exc, ValidationFailed):
        errors, status = dict(exc.errors), 422
    elif isinstance(exc, Conflict):
        errors, status = {GENERAL: [f"{label}未完成：{exc.message} 页面已显示最新状态。"]}, 409
    else:
        assert isinstance(exc, PermissionDenied)
        errors, status = {GENERAL: [exc.message]}, 403
    reason = _reason_for_action(request, user, number, label)
    return _case_page(request, user, number, reason, failed=action, post=request.POST, errors=errors, status=status)


@login_required
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = staff_of(request)
    if action not in CASE_ACTIONS:
        raise Http404("没有这个办理动作。")
    label, handler = CASE_ACTIONS[action]
    case = selectors.case_by_number_for(user, number)
    try:
        _refuse_control_chars(request.POST)
        message = handler(user, case, request.POST)
    except (ValidationFailed, Conflict, PermissionDenied) as exc:
        return _refused(request, user, number, action, label, exc)
    messages.success(request, message)
    return redirect(case_url(number))


TASK_LABELS = {"claim": "领取任务", "release": "退回任务", "complete": "办结任务"}


@login_required
@require_POST
def task_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    user = staff_of(request)
    if action not in TASK_LABELS:
        raise Http404("没有这个任务动作。")
    task = selectors.task_for(user, task_id)
    number = task.case.number or ""
    label = f"{TASK_LABELS[action]}“{task.name}”"
    try:
        _refuse_control_chars(request.POST)
        if action == "claim":
            services.task_claim(actor=user, task=task)
            message = f"已领取任务“{task.name}”。"
        elif action == "release":
            services.task_release(actor=user, task=task)
            message = f"任务“{task.name}”已退回待领取。"
        else:
            outcome = request.POST.get("outcome", "")
            services.task_complete(
                actor=user,
                task=task,
                outcome=cast(Literal["approve", "reject", "pass", "fail"], outcome),
                opinion=request.POST.get("opinion", ""),
            )
            message = f"任务“{task.name}”已办结。"
    except (ValidationFailed, Conflict, PermissionDenied) as exc:
        return _refused(request, user, number, f"task-{task.pk}", label, exc)
    messages.success(request, message)
    return redirect(case_url(number))


@login_required
def material_download(request: HttpRequest, number: str, material_id: int) -> HttpResponseBase:
    """An uploaded material, streamed after the permission check; the read is logged with
    the reason given for the case."""
    user = staff_of(request)
    reason = _stored_reason(request, number)
    if not reason:
        messages.info(request, "查看申请材料前，请先说明查看事由。")
        return redirect(case_url(number))
    stored, handle = selectors.material_file_for(user, material_id, reason=reason, number=number)
    response = FileResponse(handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def evidence_page(request: HttpRequest, number: str, evidence_id: int) -> HttpResponse:
    """A 免提交 material the platform fetched (an e-license): what was attached, when, its
    hash, and the license's status now; the read is logged with the reason given for the case."""
    user = staff_of(request)
    reason = _stored_reason(request, number)
    if not reason:
        messages.info(request, "查看申请材料前，请先说明查看事由。")
        return redirect(case_url(number))
    view = selectors.evidence_for(user, evidence_id, number=number, reason=reason)
    context = {"view": view, "row": view.evidence, "supply": view.supply, "license": view.evidence.license}
    return render(request, "workbench/case_evidence.html", context)  # no-store: the edge marks staff pages
