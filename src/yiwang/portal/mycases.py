"""我的办件: the applicant's cases — list, detail (status, due date and why, timeline, the
result), the 回执, answering a 补正 request, withdrawing, and downloading one's own files.

Thin: reads through cases.selectors (which decide what the applicant may see), changes
through one cases.services function per action; a refused action re-renders the case page
with the message next to the field and what was typed kept.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.cases import assisted_selectors, bundle_selectors, handovers, selectors, services
from yiwang.cases.models import Case
from yiwang.cases.rows import CaseRow, case_rows, case_values
from yiwang.cases.workflow import TASK_OPEN_STATES, CaseAction, StageStatus, TaskStatus, status_tone
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.core.paths import path_with
from yiwang.core.text import control_char_errors
from yiwang.ledger import selectors as ledger
from yiwang.ledger.events import label_of_kind
from yiwang.licenses import selectors as licenses
from yiwang.portal import forms, rating_blocks
from yiwang.portal.apply import applicant_of
from yiwang.portal.licenses import license_cards
from yiwang.reviews import selectors as review_selectors

GENERAL = "__all__"


def case_url(case: Case | CaseRow) -> str:
    return path_with("portal:my_case", case.number)


def case_row(case: CaseRow) -> dict[str, Any]:
    """The row contract of the applicant's lists (我的空间 recent_cases, 我的办件)."""
    return {
        "number": case.number,
        "item_name": case.item_name,
        "department_name": case.department_name,
        "applicant_label": case.enterprise_name if case.enterprise_name is not None else "本人",
        "status": case.status,
        "status_label": case.status_label,
        "submitted_at": case.submitted_at,
        "due_date": case.committed_due_date or case.due_date,
        "url": case_url(case),
    }


def recent_cases(user: User, limit: int = 5) -> list[dict[str, Any]]:
    """我的空间's 最近办件: unfinished drafts first (so they can be taken up again), then cases."""
    drafts = [
        {
            "number": "草稿",
            "item_name": d.item_name,
            "status": d.status,
            "status_label": "草稿，尚未提交",
            "submitted_at": None,
            "due_date": None,
            "url": reverse("portal:apply_draft", args=[d.ref]),
        }
        for d in case_rows(case_values(selectors.drafts_of(user))[:3])
    ]
    submitted = case_rows(case_values(selectors.submitted_cases_for(user))[:limit])
    return drafts + [case_row(c) for c in submitted]


def ledger_rows(case: Case) -> list[dict[str, Any]]:
    """The case's entries in the public ledger (no personal data in them), with their links."""
    rows = []
    for entry in ledger.entries_of_subject(case.subject):
        rows.append(
            {
                "id": entry.pk,
                "label": label_of_kind(entry.kind),
                "leaf_index": entry.leaf_index,
                "at": entry.created_at,
                "url": reverse("portal:ledger_entry", args=[entry.pk]),
            }
        )
    return rows


# --- lists -------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = applicant_of(request)
    chosen = request.GET.get("show", "")
    shown = selectors.APPLICANT_FILTERS.get(chosen)
    cases = selectors.submitted_cases_for(user, statuses=shown[1] if shown else None)
    page = Paginator(case_values(cases), 20).get_page(request.GET.get("page"))
    listed = case_rows(page.object_list)
    helped = assisted_selectors.assisted_labels(listed)
    context = {
        "rows": [{**case_row(c), "assisted": helped.get(c.pk, "")} for c in listed],
        "page": page,
        "filters": [("", "全部")] + [(k, v[0]) for k, v in selectors.APPLICANT_FILTERS.items()],
        "chosen": chosen,
        "draft_count": selectors.drafts_of(user).count(),
        "bundles": list(bundle_selectors.bundle_cases_of(user)[:20]),
    }
    return render(request, "portal/mycases.html", context)


# --- one case ----------------------------------------------------------------------------


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = applicant_of(request)
    return detail_page(request, user, number)


def detail_page(
    request: HttpRequest,
    user: User,
    number: str,
    *,
    errors: dict[str, list[str]] | None = None,
    note: str = "",
    withdraw_reason: str = "",
    rating_form: str = "",
    rating_values: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; `rating_form` names the 好差评 form that was posted and refused, if any."""
    errors = errors or {}
    detail = selectors.case_detail_for(user, number)
    case = detail.case
    needs = {n.material.key: n for n in detail.materials}
    supplement = detail.open_supplement
    supplement_rows: list[dict[str, Any]] = []
    if supplement is not None:
        for item in supplement.items:
            key = item.get("material_key")
            need = needs.get(key) if key else None
            row: dict[str, Any] = {"name": item.get("name", ""), "note": item.get("note", ""), "material": None}
            if need is not None:
                answered = need.uploaded if need.uploaded and need.uploaded.supplement_id == supplement.pk else None
                view = forms.MaterialView(
                    need.material,
                    answered,
                    list(errors.get(f"materials.{key}", [])),
                    requested_note=item.get("note", ""),
                    requested=True,
                    supply=need.supply,  # a license the platform could not fetch: its upload is asked again
                )
                row.update(material=view, previous=need.uploaded if answered is None else None)
            supplement_rows.append(row)
    stages = [
        {
            "name": s.stage.name,
            "status": s.stage.status,
            "status_label": StageStatus(s.stage.status).label,
            "parallel": s.stage.is_parallel,
            # 多地联办 (or another department's stage): say who handles it
            "elsewhere": any(t.task.department_id != case.department_id for t in s.tasks),
            "branches": [
                {"department": t.task.department.name, "name": t.task.name, "status_label": _branch_label(t.task)}
                for t in s.tasks
            ],
        }
        for s in detail.stages
    ]
    anchors = {f"materials.{r['material'].key}": r["material"].id for r in supplement_rows if r["material"]}
    anchors.update({"note": "supplement-note", "confirm": "withdraw-confirm", "reason": "withdraw-reason"})
    rating = rating_blocks.case_block(user, case, form=rating_form, errors=errors, values=rating_values)
    anchors.update(rating["anchors"])
    context = {
        "detail": detail,
        "case": case,
        "outcome_tone": status_tone(case.status),
        "enterprise": case.enterprise,
        "stages": stages,
        "handover": handovers.handover_view(case),
        "assisted": assisted_selectors.assisted_label(case),
        "supplement": supplement,
        "supplement_rows": supplement_rows,
        "can_answer": CaseAction.ANSWER_SUPPLEMENT in detail.actions,
        "can_upload": CaseAction.UPLOAD_MATERIAL in detail.actions,
        "can_withdraw": CaseAction.WITHDRAW in detail.actions,
        "materials": [forms.MaterialView(n.material, n.uploaded, supply=n.supply) for n in detail.materials],
        "ledger_rows": ledger_rows(case),
        "licenses": license_cards(user, licenses.licenses_issued_for_case(user, case.pk)),
        "upload_hint": forms.upload_hint(),
        "accept": forms.ACCEPT_ATTR,
        "errors": errors,
        "general_errors": errors.get(GENERAL, []),
        "summary": forms.error_summary({k: v for k, v in errors.items() if k != GENERAL}, anchors),
        "note": note,
        "withdraw_reason": withdraw_reason,
        "withdraw_open": bool(errors.get("confirm") or errors.get("reason")),
        "rating": rating,
        "expert_reviews": review_selectors.applicant_reviews(case),  # under way + expected end, no names
    }
    return render(request, "portal/mycases_detail.html", context, status=status)


def _branch_label(task: Any) -> str:
    """What the applicant is told about one branch: its state, never who works on it."""
    if task.status in TASK_OPEN_STATES:
        return "办理中"
    return TaskStatus(task.status).label


@login_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """回执: proof of submission (number, item, department, time received, time limits)."""
    user = applicant_of(request)
    data = selectors.case_receipt_for(user, number)
    case = selectors.case_by_number_for(user, number)
    context = {
        "receipt": data,
        "case": case,
        "ledger_rows": ledger_rows(case),
        "detail_url": case_url(case),
    }
    return render(request, "portal/receipt.html", context)


@login_required
@require_POST
def supplement_answer(request: HttpRequest, number: str) -> HttpResponse:
    """补正: upload the files asked for (each through case_material_upload), and with
    提交补正 answer the request (case_supplement_answer)."""
    user = applicant_of(request)
    case = selectors.case_by_number_for(user, number)
    note = request.POST.get("note", "")
    answering = request.POST.get("action") == "answer"
    errors = control_char_errors({"note": note}, {"note": "补正说明"})
    if errors:  # refused before any file is stored; the note comes back as typed
        return detail_page(request, user, number, errors=errors, note=note, status=422)
    supplement = selectors.case_detail_for(user, number).open_supplement
    if supplement is None:
        messages.info(request, "该办件没有待答复的补正告知。")
        return redirect(case_url(case))
    uploaded = 0
    for item in supplement.items:
        key = item.get("material_key")
        upload = request.FILES.get(forms.MATERIAL_PREFIX + key) if key else None
        if upload is None:
            continue
        try:
            services.case_material_upload(actor=user, case=case, material_key=key, upload=upload)
            uploaded += 1
        except ValidationFailed as exc:
            errors[f"materials.{key}"] = forms.flatten(exc.errors)
        except (Conflict, PermissionDenied) as exc:
            errors[f"materials.{key}"] = [exc.message]
    if answering and not errors:
        try:
            services.case_supplement_answer(actor=user, case=case, note=note)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        except (Conflict, PermissionDenied) as exc:
            errors[GENERAL] = [exc.message]
        else:
            messages.success(request, "补正材料已提交，办理部门将继续办理。")
            return redirect(case_url(case))
    if errors:
        return detail_page(request, user, number, errors=errors, note=note, status=409 if GENERAL in errors else 422)
    messages.success(request, f"已上传 {uploaded} 份补正材料。全部上传后请点击“提交补正”。")
    return redirect(case_url(case) + "#supplement")


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """撤回申请 (before a decision), after an explicit confirmation."""
    user = applicant_of(request)
    case = selectors.case_by_number_for(user, number)
    reason = request.POST.get("reason", "")
    errors = control_char_errors({"reason": reason}, {"reason": "撤回原因"})
    if request.POST.get("confirm") != "yes":
        errors.setdefault("confirm", ["请勾选“我确认撤回此申请”后再提交；撤回后该申请将不再办理"])
    if errors:
        return detail_page(request, user, number, errors=errors, withdraw_reason=reason, status=422)
    try:
        services.case_withdraw(actor=user, case=case, reason=reason)
    except ValidationFailed as exc:
        return detail_page(request, user, number, errors=exc.errors, withdraw_reason=reason, status=422)
    except (Conflict, PermissionDenied) as exc:
        return detail_page(request, user, number, errors={GENERAL: [exc.message]}, status=409)
    messages.success(request, f"申请 {number} 已撤回。")
    return redirect(case_url(case))


@login_required
def material(request: HttpRequest, material_id: int) -> FileResponse:
    """One of the applicant's own uploaded files (never a public URL)."""
    user = applicant_of(request)
    stored, handle = selectors.material_file_for(user, material_id)
    response = FileResponse(handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
