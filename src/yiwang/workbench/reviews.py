"""专家评审 in the workbench: the pool, requesting a panel on a case, the panel's draw and
opinions for the case's staff, and the expert's own invitations (accept, read, sign).
Each action is one `reviews.services` call; the services decide who may."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError, PermissionDenied, ValidationFailed
from yiwang.core.text import control_char_errors
from yiwang.reviews import policy, selectors, services
from yiwang.reviews import pool as services_pool
from yiwang.reviews.models import Expert, Invitation, Panel
from yiwang.reviews.workflow import OPEN_PANEL, ConclusionRule, InvitationStatus, PanelStatus
from yiwang.workbench import cases
from yiwang.workbench.ratings import refusal

GENERAL = "__all__"
REQUEST_FIELDS = {"summary": "案情摘要", "reason": "评审事由", "specialties": "专业要求"}
SIGN_FIELDS = {"reasons": "意见与理由"}


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_staff_member:
        raise PermissionDenied("专家评审仅对工作人员和评审专家开放。")
    return user


def panel_url(ref: str) -> str:
    return reverse("workbench:review_panel", args=[ref])


def invitation_url(pk: int) -> str:
    return reverse("workbench:review_invitation", args=[pk])


@login_required
def reviews_home(request: HttpRequest) -> HttpResponse:
    """The expert's invitations, the pool the user keeps, the panels of the user's departments."""
    user = _staff(request)
    context = {
        "nav_links": cases.nav_links(user),
        "invitations": selectors.expert_invitations(user),
        "is_expert": policy.expert_of(user) is not None,
        "pool": list(selectors.pool_of(user)),
        "keeps_pool": bool(policy.pool_departments(user)),
        "panels": selectors.staff_panels(user),
    }
    return render(request, "workbench/reviews/home.html", context)


def _int(value: str, field: str, label: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationFailed({field: [f"{label}：请填写整数"]}) from None


def _request_form(
    request: HttpRequest,
    user: User,
    number: str,
    *,
    post: QueryDict | None = None,
    errors: Any = None,
    status: int = 200,
) -> HttpResponse:
    offer = selectors.request_offer(user, number)
    errors = errors or {}
    chosen = {int(v) for v in post.getlist("materials") if v.isdigit()} if post is not None else set()
    context = {
        "nav_links": cases.nav_links(user),
        "offer": offer,
        "case": offer.case,
        "rules": ConclusionRule.choices,
        "size": post.get("size", "") if post is not None else str(offer.spec.panel_size),
        "specialties": post.get("specialties", "") if post is not None else "、".join(offer.spec.specialties),
        "rule": post.get("conclusion_rule", "") if post is not None else offer.spec.conclusion,
        "summary": post.get("summary", "") if post is not None else "",
        "reason": post.get("reason", "") if post is not None else "",
        "chosen": chosen,
        "errors": errors,
        "error_list": [m for ms in errors.values() for m in ms],
    }
    return render(request, "workbench/reviews/request.html", context, status=status)


@login_required
def panel_request(request: HttpRequest, number: str) -> HttpResponse:
    """申请专家评审 on a case in review: size, specialties, materials, summary; the draw follows."""
    user = _staff(request)
    if request.method != "POST":
        return _request_form(request, user, number)
    post = request.POST
    try:
        problems = control_char_errors(post, REQUEST_FIELDS)
        if problems:
            raise ValidationFailed(problems)
        offer = selectors.request_offer(user, number)
        specialties = [s.strip() for s in post.get("specialties", "").replace(",", "、").split("、") if s.strip()]
        panel = services.panel_request(
            actor=user,
            case=offer.case,
            summary=post.get("summary", ""),
            reason=post.get("reason", ""),
            material_ids=[int(v) for v in post.getlist("materials") if v.isdigit()],
            size=_int(post.get("size", ""), "size", "专家人数"),
            specialties=specialties,
            conclusion_rule=post.get("conclusion_rule", ""),
        )
    except DomainError as exc:
        errors, status = refusal(exc, "申请专家评审")
        return _request_form(request, user, number, post=post, errors=errors, status=status)
    messages.success(request, f"已申请专家评审 {panel.ref}，办件已中止计时；随机种子产生后自动抽取专家。")
    return redirect(panel_url(panel.ref))


@login_required
def panel_page(request: HttpRequest, ref: str) -> HttpResponse:
    """The panel for the case's staff: the draw (seed, source, recused, ranking), the seats and
    their opinions, and 形成评审结论 once the opinions are in."""
    user = _staff(request)
    panel = selectors.panel_for_staff(user, ref)
    return _panel(request, user, panel)


def _panel(
    request: HttpRequest,
    user: User,
    panel: Panel,
    *,
    errors: Any = None,
    status: int = 200,
    cancel_reason: str = "",
) -> HttpResponse:
    context = {
        "nav_links": cases.nav_links(user),
        "panel": panel,
        "case": panel.case,
        "seats": selectors.seats(panel),
        "excluded": selectors.excluded_for_staff(panel),
        "events": list(selectors.panel_events(panel)),
        "may_conclude": panel.status == PanelStatus.REVIEWING and policy.may_conclude(user, panel.case),
        "may_cancel": panel.status in OPEN_PANEL and policy.may_conclude(user, panel.case),
        "cancel_reason": cancel_reason,
        "errors": errors or {},
        "waiting": panel.status == PanelStatus.WAITING_SEED,
        "error_list": [m for ms in (errors or {}).values() for m in ms],
    }
    return render(request, "workbench/reviews/panel.html", context, status=status)


@login_required
@require_POST
def panel_action(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    user = _staff(request)
    panel = selectors.panel_for_staff(user, ref)
    try:
        if action == "conclude":
            services.panel_conclude(actor=user, panel=panel)
            messages.success(request, "已形成评审结论，办件恢复计时。")
        elif action == "cancel":
            services.panel_cancel(actor=user, panel=panel, reason=request.POST.get("reason", ""))
            messages.success(request, "已取消专家评审，办件恢复计时。")
        else:
            raise PermissionDenied("未知的操作。")
    except DomainError as exc:
        errors, status = refusal(exc, "取消评审" if action == "cancel" else "形成评审结论")
        panel = selectors.panel_for_staff(user, ref)
        reason = request.POST.get("reason", "") if action == "cancel" else ""
        return _panel(request, user, panel, errors=errors, status=status, cancel_reason=reason)
    return redirect(panel_url(ref))


def _invitation(
    request: HttpRequest, user: User, invitation: Invitation, *, post: QueryDict | None = None, errors: Any = None
) -> HttpResponse:
    errors = errors or {}
    panel = invitation.panel
    concluded = panel.status in (PanelStatus.CONCLUDED, PanelStatus.CANCELLED)
    context = {
        "nav_links": cases.nav_links(user),
        "invitation": invitation,
        "panel": panel,
        "materials": selectors.review_materials(user, invitation),
        "opinion": getattr(invitation, "opinion", None) if invitation.status == InvitationStatus.SIGNED else None,
        "open": invitation.status == InvitationStatus.INVITED and panel.status == PanelStatus.REVIEWING,
        "may_sign": invitation.status == InvitationStatus.ACCEPTED and panel.status == PanelStatus.REVIEWING,
        "concluded": concluded,
        "score": post.get("score", "") if post is not None else "",
        "approve": post.get("approve", "") if post is not None else "",
        "reasons": post.get("reasons", "") if post is not None else "",
        "errors": errors,
        "error_list": [m for ms in errors.values() for m in ms],
    }
    status = 200 if not errors else (409 if GENERAL in errors else 422)
    return render(request, "workbench/reviews/invitation.html", context, status=status)


@login_required
def invitation_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert's invitation: accept or decline; once accepted the summary, the chosen
    materials and the opinion form; after the conclusion, the panel's conclusion."""
    user = _staff(request)
    return _invitation(request, user, selectors.invitation_for(user, pk))


@login_required
@require_POST
def invitation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _staff(request)
    invitation = selectors.invitation_for(user, pk)
    post = request.POST
    try:
        if action == "accept":
            services.invitation_accept(actor=user, invitation=invitation)
            messages.success(request, "已接受邀请，可以查阅评审材料。")
        elif action == "decline":
            services.invitation_decline(actor=user, invitation=invitation, reason=post.get("decline_reason", ""))
            messages.success(request, "已拒绝邀请，将由排序下一名专家递补。")
        elif action == "sign":
            problems = control_char_errors(post, SIGN_FIELDS)
            if problems:
                raise ValidationFailed(problems)
            raw = post.get("score", "").strip()
            score: object = int(raw) if raw.isdigit() else raw
            approve = {"yes": True, "no": False}.get(post.get("approve", ""))
            services.opinion_sign(
                actor=user, invitation=invitation, score=score, approve=approve, reasons=post.get("reasons", "")
            )
            messages.success(request, "评审意见已签名并记入账本。")
        else:
            raise PermissionDenied("未知的操作。")
    except DomainError as exc:
        errors, _ = refusal(exc, "评审")
        return _invitation(request, user, selectors.invitation_for(user, pk), post=post, errors=errors)
    return redirect(invitation_url(pk))


@login_required
def invitation_material(request: HttpRequest, pk: int, material_id: int) -> FileResponse:
    user = _staff(request)
    material, handle = selectors.review_material_file(user, pk, material_id)
    response = FileResponse(
        handle, as_attachment=True, filename=material.original_name, content_type=material.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- 专家库: the pool keepers add, edit and pause experts (services.pool decides who may) ---

EXPERT_FIELDS = {
    "code": "专家编号",
    "name": "姓名",
    "specialties": "专业",
    "employer_name": "工作单位",
    "employer_credit_code": "工作单位统一社会信用代码",
    "qualifications": "职称/执业资格",
    "conflicts": "申报的利害关系",
    "account": "登录账号",
}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _split(value: str) -> list[str]:
    """A list typed one per line or separated by 、，, ; (specialties, declared relations)."""
    for sep in "、，,;；":
        value = value.replace(sep, "\n")
    return [v.strip() for v in value.splitlines() if v.strip()]


def _expert_form(
    request: HttpRequest,
    user: User,
    *,
    expert: Expert | None = None,
    post: QueryDict | None = None,
    errors: Any = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    departments = list(selectors.keeper_departments(user))
    if expert is not None:
        initial = {
            "code": expert.code,
            "name": expert.name,
            "specialties": "、".join(expert.specialties),
            "employer_name": expert.employer_name,
            "employer_credit_code": expert.employer_credit_code,
            "region": expert.region.code,
            "qualifications": expert.qualifications,
            "conflicts": "\n".join(expert.conflicts),
            "account": expert.user.username if expert.user is not None else "",
            "department": str(expert.department_id),
            "available": "yes" if expert.available else "",
        }
    else:
        default = departments[0] if departments else None
        initial = {
            "region": default.region.code if default is not None else "",
            "department": str(default.pk) if default is not None else "",
            "available": "yes",
        }
    form = {k: post.get(k, "") for k in (*EXPERT_FIELDS, "region", "department", "available")} if post else initial
    context = {
        "nav_links": cases.nav_links(user),
        "expert": expert,
        "departments": departments,
        "regions": selectors.pool_regions(user),
        "form": form,
        "errors": errors,
        "error_list": [m for ms in errors.values() for m in ms],
    }
    return _no_store(render(request, "workbench/reviews/expert_form.html", context, status=status))


def _posted_expert(post: QueryDict, user: User) -> dict[str, Any]:
    problems = control_char_errors(post, EXPERT_FIELDS)
    if problems:
        raise ValidationFailed(problems)
    return {
        "name": post.get("name", ""),
        "specialties": _split(post.get("specialties", "")),
        "employer_name": post.get("employer_name", ""),
        "employer_credit_code": post.get("employer_credit_code", ""),
        "region": selectors.pool_region(user, post.get("region", "")),
        "qualifications": post.get("qualifications", ""),
        "conflicts": _split(post.get("conflicts", "")),
        "user": services_pool.staff_account(post.get("account", "")),
    }


@login_required
def expert_new(request: HttpRequest) -> HttpResponse:
    """专家入库 by a keeper of the chosen department's pool."""
    user = _staff(request)
    if not selectors.keeper_departments(user).exists():
        raise PermissionDenied("只有机关负责人或审批决定人员可以管理专家库。")
    if request.method != "POST":
        return _expert_form(request, user)
    post = request.POST
    try:
        fields = _posted_expert(post, user)
        department = selectors.keeper_department(user, _int(post.get("department", ""), "department", "管理部门"))
        expert = services_pool.expert_add(
            actor=user,
            department=department,
            code=post.get("code", ""),
            available=post.get("available") == "yes",
            **fields,
        )
    except DomainError as exc:
        errors, status = refusal(exc, "专家入库")
        return _expert_form(request, user, post=post, errors=errors, status=status)
    messages.success(request, f"专家 {expert.code} 已入库，入库记录已记入账本。")
    return redirect(reverse("workbench:reviews") + "#pool-title")


@login_required
def expert_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change an expert's details (the code and the signing key stay)."""
    user = _staff(request)
    expert = selectors.expert_for_keeper(user, code)
    if request.method != "POST":
        return _expert_form(request, user, expert=expert)
    post = request.POST
    try:
        services_pool.expert_update(actor=user, expert=expert, **_posted_expert(post, user))
    except DomainError as exc:
        errors, status = refusal(exc, "修改专家信息")
        return _expert_form(request, user, expert=expert, post=post, errors=errors, status=status)
    messages.success(request, f"专家 {expert.code} 的信息已更新，变更记录已记入账本。")
    return redirect(reverse("workbench:reviews") + "#pool-title")


@login_required
@require_POST
def expert_availability(request: HttpRequest, code: str) -> HttpResponse:
    """暂停 / 恢复 an expert's taking part in draws."""
    user = _staff(request)
    expert = selectors.expert_for_keeper(user, code)
    available = request.POST.get("available") == "yes"
    services_pool.expert_update(actor=user, expert=expert, available=available)
    state = "恢复参加评审" if available else "暂停参加评审（不再进入抽取名单）"
    messages.success(request, f"专家 {expert.code} 已{state}。")
    return redirect(reverse("workbench:reviews") + "#pool-title")
