"""电子监察 in the workbench: monitoring rules and their versions, rule hits, and 督办 for
supervisors and for the departments that answer them (docs/supervision.md).

Thin views over `supervision.rules` / `supervision.notices` (one service call per action; the
service checks who, the state and the input) and `supervision.policy` (what the user sees and
which forms the page offers). A refused form comes back with what was typed and the messages
next to their fields.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from yiwang.ledger.events import Domain, event_type
from yiwang.supervision import notices, policy, rules
from yiwang.supervision import rule_selectors as selectors
from yiwang.supervision.rule_kinds import KINDS
from yiwang.supervision.rule_models import Severity, SupervisionNotice
from yiwang.supervision.rule_workflow import NoticeStatus
from yiwang.workbench import cases
from yiwang.workbench.forms import ActionForm
from yiwang.workbench.ratings import GENERAL, refusal

PER_PAGE = 25


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_staff_member:
        raise PermissionDenied("电子监察仅对工作人员开放。")
    return user


def supervisor_of(request: HttpRequest) -> User:
    user = _staff(request)
    if not policy.is_supervisor(user):
        raise PermissionDenied("监察规则和规则命中仅对监督人员开放。")
    return user


def number_or_text(raw: str) -> int | str:
    """A whole number typed in ASCII digits (at most 6) as an int; anything else as typed
    (stripped), for the service to refuse by its field and bounds (1e9, NaN, full-width…)."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else raw


def small_number(raw: str, field: str, label: str, *, required: bool = True) -> int | None:
    value = number_or_text(raw)
    if value == "" and not required:
        return None
    if isinstance(value, int):
        return value
    raise ValidationFailed({field: [f"{label}：请填写整数"]})


# --- rules -------------------------------------------------------------------------------------


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    user = supervisor_of(request)
    rows = [{"rule": r, "kind": KINDS.get(r.kind), "version": v} for r, v in selectors.rules_in_force()]
    return render(request, "workbench/supervision/rules.html", {"nav_links": cases.nav_links(user), "rows": rows})


def _rule_page(
    request: HttpRequest,
    user: User,
    code: str,
    *,
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.rule_detail(code)
    rule, in_force = detail.rule, detail.in_force
    kind = KINDS[rule.kind]
    errors = errors or {}
    form_errors = {k.replace("params.", "param-"): v for k, v in errors.items() if k != GENERAL}
    data = {name: post.get(name, "") for name in post} if post is not None else {}
    if post is None:
        params = in_force.params if in_force else kind.defaults()
        data = {f"param-{name}": str(params.get(name, spec.default)) for name, spec in kind.params.items()}
        data["response_days"] = str(in_force.response_days if in_force else 3)
        data["severity"] = in_force.severity if in_force else Severity.YELLOW
    form = ActionForm("version", data, form_errors)
    context = {
        "nav_links": cases.nav_links(user),
        "rule": rule,
        "kind": kind,
        "versions": detail.versions,
        "publishable": {v.pk for v in detail.versions if v.status == "draft" and policy.may_publish(user, v)},
        "params": [
            {
                "spec": spec,
                "input": f"param-{name}",
                "field": form[f"param-{name}"],
                "help": f"{spec.low} 至 {spec.high}（参数 {name}）",
            }
            for name, spec in kind.params.items()
        ],
        "form": form,
        "severities": Severity.choices,
        "general_errors": errors.get(GENERAL, []),
        "field_errors": [m for k, ms in errors.items() if k != GENERAL for m in ms],
    }
    return render(request, "workbench/supervision/rule.html", context, status=status)


@login_required
def rule_page(request: HttpRequest, code: str) -> HttpResponse:
    return _rule_page(request, supervisor_of(request), code)


@login_required
@require_POST
def rule_version_new(request: HttpRequest, code: str) -> HttpResponse:
    user = supervisor_of(request)
    rule = selectors.rule_detail(code).rule
    try:
        params: dict[str, Any] = {}
        for name, spec in KINDS[rule.kind].params.items():
            value = small_number(request.POST.get(f"param-{name}", ""), f"params.{name}", spec.label)
            params[name] = value
        days = small_number(request.POST.get("response_days", ""), "response_days", "督办答复期限")
        version = rules.rule_version_draft(
            actor=user,
            rule_code=code,
            params=params,
            severity=request.POST.get("severity", ""),
            response_days=days,
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        errors, status = refusal(exc, "起草新版本")
        return _rule_page(request, user, code, post=request.POST, errors=errors, status=status)
    messages.success(request, f"已起草 {code} 第 {version.number} 版，发布后生效。")
    return redirect(reverse("workbench:supervision_rule", args=[code]))


@login_required
@require_POST
def rule_version_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    user = supervisor_of(request)
    version = selectors.rule_version(code, number)
    try:
        rules.rule_version_publish(actor=user, version_id=version.pk)
    except DomainError as exc:
        errors, status = refusal(exc, "发布")
        return _rule_page(request, user, code, errors=errors, status=status)
    messages.success(request, f"{code} 第 {number} 版已发布并写入账本，原生效版本已停用。")
    return redirect(reverse("workbench:supervision_rule", args=[code]))


TEXT_KEPT = 4000  # what a refused form gives back of a field (the service allows less)


# --- hits --------------------------------------------------------------------------------------


@login_required
def hit_list(request: HttpRequest) -> HttpResponse:
    user = supervisor_of(request)
    codes = selectors.rule_codes()
    chosen_rule = request.GET.get("rule", "")
    chosen_rule = chosen_rule if chosen_rule in dict(codes) else ""
    departments = selectors.hit_departments(user)
    chosen_department = request.GET.get("department", "")
    chosen_department = chosen_department if chosen_department in {str(d.pk) for d in departments} else ""
    found = selectors.hits_for(
        user, rule_code=chosen_rule, department_id=int(chosen_department) if chosen_department else None
    )
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "codes": codes,
        "chosen_rule": chosen_rule,
        "departments": departments,
        "chosen_department": chosen_department,
    }
    return _hits_page(request, user, page, context)


def _hits_page(
    request: HttpRequest,
    user: User,
    page: Any,
    context: dict[str, Any],
    *,
    kept: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The hits page; after a refused 督办, the one hit with what was typed and the messages."""
    errors = errors or {}
    rows = [
        {
            "hit": h,
            "case_url": cases.case_url(h.case.number) if h.case else "",
            "kept": kept,
            "errors": errors,
        }
        for h in page.object_list
    ]
    context = {
        "nav_links": cases.nav_links(user),
        "rows": rows,
        "page": page,
        "refused": kept is not None,
        "general_errors": errors.get(GENERAL, []),
        "field_errors": [m for k, ms in errors.items() if k != GENERAL for m in ms],
        "failed": f"hit-{page.object_list[0].pk}" if kept is not None and page.object_list else "",
        **context,
    }
    return render(request, "workbench/supervision/hits.html", context, status=status)


@login_required
@require_POST
def hit_notice(request: HttpRequest, hit_id: int) -> HttpResponse:
    user = supervisor_of(request)
    hit = selectors.hit_for(user, hit_id)
    kept = {key: request.POST.get(key, "")[:TEXT_KEPT] for key in ("text", "response_days")}
    try:
        days = small_number(kept["response_days"], "response_days", "答复期限", required=False)
        notice = notices.notice_send(actor=user, hit_id=hit.pk, text=request.POST.get("text", ""), response_days=days)
    except DomainError as exc:
        errors, status = refusal(exc, "发出督办")
        page = Paginator([hit], 1).get_page(1)
        return _hits_page(request, user, page, {}, kept=kept, errors=errors, status=status)
    messages.success(request, f"督办 {notice.code} 已发出，答复期限 {notice.deadline:%Y-%m-%d}。")
    return redirect(notice_url(notice.pk))


# --- 督办 ------------------------------------------------------------------------------------------


def notice_url(notice_id: int) -> str:
    return reverse("workbench:supervision_notice", args=[notice_id])


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    chosen = request.GET.get("status", "")
    chosen = chosen if chosen in NoticeStatus.values else ""
    page = Paginator(selectors.notices_for(user, status=chosen), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "nav_links": cases.nav_links(user),
        "page": page,
        "rows": [{"notice": n, "url": notice_url(n.pk)} for n in page.object_list],
        "statuses": NoticeStatus.choices,
        "chosen": chosen,
        "may_send": policy.may_send_notice(user),
    }
    return render(request, "workbench/supervision/notices.html", context)


def _notice_page(
    request: HttpRequest,
    user: User,
    notice_id: int,
    *,
    failed: str = "",
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    notice = selectors.notice_for(user, notice_id)
    errors = errors or {}
    data = {name: post.get(name, "") for name in post} if post is not None else {}
    context = {
        "nav_links": cases.nav_links(user),
        "notice": notice,
        "case_url": cases.case_url(notice.case.number) if notice.case else "",
        "timeline": [
            {
                "at": e.at,
                "label": event_type(Domain.SUPERVISION, e.verb).label,
                "actor": str(e.actor) if e.actor_id else "系统",
                "reason": e.reason,
            }
            for e in selectors.notice_timeline(notice)
        ],
        "actions": policy.notice_actions_for(user, notice),
        "forms": {name: ActionForm(name, data, errors) if name == failed else ActionForm(name) for name in ACTIONS},
        "failed": failed,
        "general_errors": errors.get(GENERAL, []),
        "field_errors": [m for k, ms in errors.items() if k != GENERAL for m in ms],
    }
    return render(request, "workbench/supervision/notice.html", context, status=status)


@login_required
def notice_page(request: HttpRequest, notice_id: int) -> HttpResponse:
    return _notice_page(request, _staff(request), notice_id)


def _answer(user: User, notice: SupervisionNotice, post: QueryDict) -> str:
    notices.notice_answer(actor=user, notice_id=notice.pk, answer=post.get("answer", ""))
    return "已答复督办，等待监督人员审核。"


def _close(user: User, notice: SupervisionNotice, post: QueryDict) -> str:
    notices.notice_close(actor=user, notice_id=notice.pk, note=post.get("note", ""))
    return "督办已办结。"


def _reopen(user: User, notice: SupervisionNotice, post: QueryDict) -> str:
    days = small_number(post.get("response_days", ""), "response_days", "答复期限", required=False)
    reopened = notices.notice_reopen(actor=user, notice_id=notice.pk, reason=post.get("reason", ""), response_days=days)
    return f"督办已退回部门重新办理，新的答复期限为 {reopened.deadline:%Y-%m-%d}。"


ACTIONS: dict[str, tuple[str, Callable[[User, SupervisionNotice, QueryDict], str]]] = {
    "answer": ("答复", _answer),
    "close": ("办结", _close),
    "reopen": ("重新办理", _reopen),
}


@login_required
@require_POST
def notice_action(request: HttpRequest, notice_id: int, action: str) -> HttpResponse:
    user = _staff(request)
    if action not in ACTIONS:
        raise Http404("没有这个操作。")
    notice = selectors.notice_for(user, notice_id)
    label, handler = ACTIONS[action]
    try:
        message = handler(user, notice, request.POST)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        errors, status = refusal(exc, label)
        return _notice_page(request, user, notice_id, failed=action, post=request.POST, errors=errors, status=status)
    messages.success(request, message)
    return redirect(notice_url(notice_id))
