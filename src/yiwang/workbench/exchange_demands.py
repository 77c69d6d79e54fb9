"""数据共享 in the workbench: demands (to answer, filed) and grants, for data stewards.

Each action is one `exchange.services` call; a refusal re-renders the page with the message
next to its field and what was typed kept; a done action redirects (POST-redirect-GET).
"""

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.cases.deadlines import warning_share
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.workdays import YearNotConfigured
from yiwang.exchange import policy, selectors, services
from yiwang.exchange.models import Demand, Grant, SharingClass
from yiwang.exchange.workflow import DemandStatus, GrantStatus
from yiwang.workbench.exchange import errors_of, nav, steward_of

MAX_ITEMS_TEXT = 2000
VERB_LABELS = {
    "demand_filed": "提出需求",
    "demand_approved": "同意共享",
    "demand_refused": "拒绝",
    "demand_lapsed": "逾期未答复",
    "demand_withdrawn": "撤回",
    "grant_suspended": "暂停授权",
    "grant_resumed": "恢复授权",
    "grant_revoked": "撤销授权",
    "grant_expired": "授权到期",
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(raw: str, label: str) -> tuple[dt.date | None, list[str]]:
    raw = raw.strip()
    if not raw:
        return None, []
    try:
        if not DATE.match(raw):
            raise ValueError
        return dt.date.fromisoformat(raw), []
    except ValueError:
        return None, [f"{label}：日期格式应为 年-月-日，如 2027-12-31"]


def parse_items(raw: str) -> list[str]:
    """服务事项: basic codes separated by spaces, commas or 、 (the service checks each)."""
    return [code for code in re.split(r"[\s,，、;；]+", raw[:MAX_ITEMS_TEXT].strip()) if code]


def due_badge(demand: Demand) -> dict[str, Any]:
    """The answer day on the working-day calendar: 逾期 after it, 临期 in its last share of days."""
    today = clock.today()
    if demand.status != DemandStatus.FILED:
        return {"state": "", "label": "", "days_left": None}
    try:
        days_left = working_calendar().working_days_between(today, demand.due_on)
    except YearNotConfigured:  # show the date without a count
        days_left = None
    if today > demand.due_on:
        return {"state": "overdue", "label": "逾期", "days_left": days_left}
    window = max(1, round(settings.EXCHANGE_DEMAND_ANSWER_DAYS * (1 - warning_share())))
    if days_left is not None and days_left <= window:
        return {"state": "warning", "label": "临期", "days_left": days_left}
    return {"state": "normal", "label": "", "days_left": days_left}


def labels_of(demand_or_grant: Demand | Grant, keys: list[str]) -> list[str]:
    names = {f["key"]: f["label"] for f in demand_or_grant.resource.fields}
    return [names.get(k, k) for k in keys]


# --- demands -------------------------------------------------------------------------------


@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    """共享需求: 待我答复 (soonest due first) and 本部门提出."""
    user = steward_of(request)
    tab = "filed" if request.GET.get("tab") == "filed" else "answer"
    source = selectors.demands_filed_by(user) if tab == "filed" else selectors.demands_to_answer(user)
    rows = [{"demand": d, "due": due_badge(d)} for d in source[:200]]
    context = {"nav_links": nav(user), "tab": tab, "rows": rows}
    return render(request, "workbench/exchange_demands.html", context)


def _file_form(
    request: HttpRequest,
    user: User,
    code: str,
    *,
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    resource = selectors.resource_by_code(code)
    consumers = [d for d in selectors.departments_stewarded(user) if d.pk != resource.provider_id]
    if not consumers:
        raise PermissionDenied("您担任数据管理员的部门中，没有可以申请该数据资源的部门。")
    chosen = post.getlist("fields") if post is not None else []
    context = {
        "nav_links": nav(user),
        "resource": resource,
        "consumers": consumers,
        "chosen_fields": chosen,
        "values": {k: post.get(k, "") for k in post} if post is not None else {},
        "errors": errors or {},
        "general_errors": [
            m
            for k, ms in (errors or {}).items()
            if k not in ("consumer", "fields", "purpose", "legal_basis", "items", "valid_until")
            for m in ms
        ],
        "not_shared": resource.sharing_class == SharingClass.NOT_SHARED,
        # `errors.items` / `values.items` would be the dicts' methods in a template
        "items_errors": (errors or {}).get("items", []),
        "items_value": post.get("items", "") if post is not None else "",
    }
    return render(request, "workbench/exchange_demand_new.html", context, status=status)


@login_required
def demand_new(request: HttpRequest, code: str) -> HttpResponse:
    """提出需求 for a resource, on behalf of one of the steward's departments."""
    user = steward_of(request)
    if request.method != "POST":
        return _file_form(request, user, code)
    resource = selectors.resource_by_code(code)
    post = request.POST
    consumers = [d for d in selectors.departments_stewarded(user) if d.pk != resource.provider_id]
    consumer = next((d for d in consumers if str(d.pk) == post.get("consumer", "")), None)
    if consumer is None and len(consumers) == 1:
        consumer = consumers[0]
    errors: dict[str, list[str]] = {}
    if consumer is None:
        errors["consumer"] = ["需求部门：请选择您担任数据管理员的部门"]
    valid_until, problems = parse_date(post.get("valid_until", ""), "申请使用期限")
    if problems:
        errors["valid_until"] = problems
    if errors:
        return _file_form(request, user, code, post=post, errors=errors, status=422)
    assert consumer is not None
    try:
        demand = services.demand_file(
            actor=user,
            consumer=consumer,
            resource_id=resource.pk,
            fields=post.getlist("fields"),
            purpose=post.get("purpose", ""),
            legal_basis=post.get("legal_basis", ""),
            items=parse_items(post.get("items", "")),
            valid_until=valid_until,
        )
    except DomainError as exc:
        errors, status = errors_of(exc)
        return _file_form(request, user, code, post=post, errors=errors, status=status)
    if demand.status == DemandStatus.APPROVED:
        messages.success(request, f"共享需求 {demand.number} 已提出；该资源无条件共享，平台已自动同意。")
    else:
        messages.success(request, f"共享需求 {demand.number} 已提出，提供部门应于 {demand.due_on:%Y-%m-%d} 前答复。")
    return redirect("workbench:exchange_demand", number=demand.number)


FORM_FIELDS = {"fields", "valid_until", "answer", "reason"}
DEMAND_DONE = {
    "approve": "已同意共享，共享授权已生效。",
    "refuse": "已拒绝该共享需求。",
    "withdraw": "已撤回该共享需求。",
}


def _demand_page(
    request: HttpRequest,
    user: User,
    number: str,
    *,
    failed: str = "",
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    demand = selectors.demand_for(user, number)
    errors = errors or {}
    grant = selectors.grant_of_demand(demand)
    filed = demand.status == DemandStatus.FILED
    answer_fields = post.getlist("fields") if post is not None and failed == "approve" else list(demand.fields)
    context = {
        "nav_links": nav(user),
        "demand": demand,
        "due": due_badge(demand),
        "asked": [
            {
                "key": f["key"],
                "label": f["label"],
                "sensitivity": f["sensitivity"],
                "checked": f["key"] in answer_fields,
            }
            for f in demand.resource.fields
            if f["key"] in demand.fields
        ],
        "asked_labels": labels_of(demand, list(demand.fields)),
        "grant": grant,
        "granted_labels": labels_of(demand, list(grant.fields)) if grant else [],
        "history": [{"event": e, "label": VERB_LABELS.get(e.verb, e.verb)} for e in selectors.history_of(demand)],
        "may_answer": filed and policy.may_answer(user, demand),
        "may_withdraw": filed and policy.is_steward_of(user, demand.consumer_id),
        "forms": {
            name: {
                "errors": errors if name == failed else {},
                "values": {k: post.get(k, "") for k in post} if post is not None and name == failed else {},
            }
            for name in DEMAND_DONE
        },
        "general_errors": [m for k, ms in errors.items() if k not in FORM_FIELDS for m in ms],
    }
    return render(request, "workbench/exchange_demand.html", context, status=status)


@login_required
def demand_page(request: HttpRequest, number: str) -> HttpResponse:
    user = steward_of(request)
    return _demand_page(request, user, number)


@login_required
@require_POST
def demand_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = steward_of(request)
    if action not in DEMAND_DONE:
        raise Http404("没有这个办理动作。")
    demand = selectors.demand_for(user, number)
    post = request.POST
    try:
        if action == "approve":
            valid_until, problems = parse_date(post.get("valid_until", ""), "授权期限")
            if problems:
                return _demand_page(
                    request, user, number, failed=action, post=post, errors={"valid_until": problems}, status=422
                )
            services.demand_approve(
                actor=user,
                demand_id=demand.pk,
                fields=post.getlist("fields"),
                valid_until=valid_until,
                answer=post.get("answer", ""),
            )
        elif action == "refuse":
            services.demand_refuse(actor=user, demand_id=demand.pk, answer=post.get("answer", ""))
        else:
            services.demand_withdraw(actor=user, demand_id=demand.pk, reason=post.get("reason", ""))
    except DomainError as exc:
        errors, status = errors_of(exc)
        return _demand_page(request, user, number, failed=action, post=post, errors=errors, status=status)
    messages.success(request, DEMAND_DONE[action])
    return redirect("workbench:exchange_demand", number=number)


# --- grants --------------------------------------------------------------------------------

GRANT_ACTIONS = {
    "suspend": (services.grant_suspend, "已暂停该共享授权。"),
    "resume": (services.grant_resume, "已恢复该共享授权。"),
    "revoke": (services.grant_revoke, "已撤销该共享授权。"),
}


def _grant_rows(user: User) -> list[dict[str, Any]]:
    mine = set(policy.steward_departments(user))
    return [
        {
            "grant": g,
            "field_labels": labels_of(g, list(g.fields)),
            "side": "提供" if g.resource.provider_id in mine else "使用",
            "may_manage": g.resource.provider_id in mine and g.status in (GrantStatus.ACTIVE, GrantStatus.SUSPENDED),
        }
        for g in selectors.grants_of(user)[:200]
    ]


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    """共享授权 of the steward's departments, both sides; the provider's steward acts on them."""
    user = steward_of(request)
    context = {"nav_links": nav(user), "rows": _grant_rows(user), "failed": None, "errors": [], "reason": ""}
    return render(request, "workbench/exchange_grants.html", context)


@login_required
@require_POST
def grant_action(request: HttpRequest, grant_id: int, action: str) -> HttpResponse:
    user = steward_of(request)
    if action not in GRANT_ACTIONS:
        raise Http404("没有这个办理动作。")
    call, done = GRANT_ACTIONS[action]
    if not selectors.grant_is_visible(user, grant_id):
        raise Http404("共享授权不存在。")  # no hint whether another department's grant exists
    try:
        call(actor=user, grant_id=grant_id, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        found, status = errors_of(exc)
        context = {
            "nav_links": nav(user),
            "rows": _grant_rows(user),
            "failed": grant_id,
            "errors": [m for ms in found.values() for m in ms],
            "reason": request.POST.get("reason", ""),
        }
        return render(request, "workbench/exchange_grants.html", context, status=status)
    messages.success(request, done)
    return redirect(reverse("workbench:exchange_grants") + f"#grant-{grant_id}")
