"""接口客户端 in the workbench: the API clients of the departments a data steward stewards.

Thin views over `exchange.clients` (register, suspend, resume: one service call each; the
service checks the steward's department, the transition and what was typed) and
`exchange.selectors`. Registering answers with the client id and both secrets on a
`no-store` page, the only time they are ever shown (the OAuth secret is hashed at rest, the
webhook secret never leaves the server again). Suspending and resuming take a reason and a
confirmation page (the same checks, nothing written) whose button does it. A client's
subscriptions and deliveries are its own (it manages them over the API): read-only here.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import Department, User
from yiwang.core.errors import DomainError
from yiwang.exchange import clients, selectors
from yiwang.exchange.client_models import ApiClient, Scope, WebhookDelivery
from yiwang.exchange.client_workflow import ClientAction, ClientStatus, DeliveryStatus
from yiwang.workbench.exchange import errors_of, general_errors, nav, steward_of

FORM_FIELDS = {"department": "f-department", "name": "f-name", "scopes": "f-scopes-1"}  # field: anchor
ACTIONS: dict[str, tuple[ClientAction, Callable[..., ApiClient], str]] = {
    "suspend": (ClientAction.SUSPEND, clients.client_suspend, "已暂停该接口客户端，其访问令牌已作废。"),
    "resume": (ClientAction.RESUME, clients.client_resume, "已恢复该接口客户端，对方系统可重新申请访问令牌。"),
}
CONSEQUENCES = {
    "suspend": "暂停后，该客户端现有的访问令牌立即作废，调用开放接口将被拒绝，也不能再申请令牌；"
    "暂停期间发生的事件不再向其推送（已产生的推送仍会送出）。",
    "resume": "恢复后，对方系统可以用原有的客户端标识和密钥重新申请访问令牌，并继续接收所订阅事件的推送。",
}
HISTORY_LABELS = {
    "client_registered": "登记",
    "client_suspended": "暂停",
    "client_resumed": "恢复",
    "subscription_created": "订阅事件推送",
    "subscription_cancelled": "取消订阅",
}
STATUS_TONES = {
    DeliveryStatus.PENDING: "warning",
    DeliveryStatus.DELIVERED: "success",
    DeliveryStatus.FAILED: "danger",
}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    """接口客户端 of the steward's departments: status, scopes, registration, last use."""
    user = steward_of(request)
    context = {"nav_links": nav(user), "clients": list(selectors.clients_stewarded(user)[:200])}
    return render(request, "workbench/exchange_clients.html", context)


# --- registering ---------------------------------------------------------------------------


def _register_form(
    request: HttpRequest,
    user: User,
    departments: list[Department],
    *,
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    status: int = 200,
) -> HttpResponse:
    chosen = values.get("scopes", [])
    context = {
        "nav_links": nav(user),
        "departments": departments,
        "values": values,
        "scopes": [{"value": v, "label": label, "checked": v in chosen} for v, label in Scope.choices],
        "errors": errors,
        # every message at once, each field's linked to it (the general ones first)
        "summary": [("", m) for m in general_errors(errors, set(FORM_FIELDS))]
        + [(FORM_FIELDS[name], m) for name in FORM_FIELDS for m in errors.get(name, [])],
    }
    return render(request, "workbench/exchange_client_new.html", context, status=status)


@login_required
def client_new(request: HttpRequest) -> HttpResponse:
    """登记接口客户端 for one of the steward's departments; the secrets are shown once."""
    user = steward_of(request)
    departments = list(selectors.departments_stewarded(user))
    single = str(departments[0].pk) if len(departments) == 1 else ""
    if request.method != "POST":
        values = {"department": single, "name": "", "scopes": list(Scope.values)}
        return _register_form(request, user, departments, values=values, errors={})
    post = request.POST
    chosen, name, scopes = post.get("department", single), post.get("name", ""), post.getlist("scopes")
    values = {"department": chosen, "name": name, "scopes": scopes}
    department = next((d for d in departments if str(d.pk) == chosen), None)
    if department is None:
        errors = {"department": ["使用部门：请选择您担任数据管理员的部门"]}
        return _register_form(request, user, departments, values=values, errors=errors, status=422)
    try:
        registered = clients.client_register(actor=user, department=department, name=name, scopes=scopes)
    except DomainError as exc:
        errors, status = errors_of(exc)
        return _register_form(request, user, departments, values=values, errors=errors, status=status)
    context = {
        "nav_links": nav(user),
        "registered": registered,
        "client": registered.client,
        "token_url": request.build_absolute_uri(reverse("api:token")),
    }
    return _no_store(render(request, "workbench/exchange_client_created.html", context, status=201))


# --- one client ------------------------------------------------------------------------------


def _delivery_row(delivery: WebhookDelivery) -> dict[str, Any]:
    data = delivery.payload.get("data", {}) if isinstance(delivery.payload, dict) else {}
    return {
        "delivery": delivery,
        "case_number": data.get("case_number", ""),
        "item_name": data.get("item_name", ""),
        "tone": STATUS_TONES.get(DeliveryStatus(delivery.status), "neutral"),
        "waiting": delivery.status == DeliveryStatus.PENDING,
    }


def _client_page(
    request: HttpRequest,
    user: User,
    client_id: int,
    *,
    reason: str = "",
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    client = selectors.client_stewarded(user, client_id)
    errors = errors or {}
    active = client.status == ClientStatus.ACTIVE
    context = {
        "nav_links": nav(user),
        "client": client,
        "scope_labels": [label for value, label in Scope.choices if value in client.scopes],
        "subscriptions": list(selectors.client_subscriptions(client)),
        "deliveries": [_delivery_row(d) for d in selectors.client_deliveries(client)],
        "history": [
            {"event": e, "label": HISTORY_LABELS.get(e.verb, e.verb)} for e in selectors.client_history(client)
        ],
        "move": "suspend" if active else "resume",
        "move_label": "暂停" if active else "恢复",
        "reason": reason,
        "reason_errors": list(errors.get("reason", [])),
        "general_errors": general_errors(errors, {"reason"}),
    }
    return render(request, "workbench/exchange_client.html", context, status=status)


@login_required
def client_page(request: HttpRequest, client_id: int) -> HttpResponse:
    user = steward_of(request)
    return _client_page(request, user, client_id)


@login_required
@require_POST
def client_action(request: HttpRequest, client_id: int, action: str) -> HttpResponse:
    """暂停 / 恢复: the reason first shows a confirmation page; only its button moves the client."""
    user = steward_of(request)
    if action not in ACTIONS:
        raise Http404("没有这个办理动作。")
    client = selectors.client_stewarded(user, client_id)  # another department's: 404
    move, call, done = ACTIONS[action]
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("confirm") != "1":
            reason = clients.client_move_check(move, actor=user, client_id=client.pk, reason=reason)
            context = {
                "nav_links": nav(user),
                "client": client,
                "action": action,
                "action_label": move.label,
                "reason": reason,
                "consequence": CONSEQUENCES[action],
            }
            return render(request, "workbench/exchange_client_confirm.html", context)
        call(actor=user, client_id=client.pk, reason=reason)
    except DomainError as exc:
        errors, status = errors_of(exc)
        return _client_page(request, user, client.pk, reason=reason, errors=errors, status=status)
    messages.success(request, done)
    return redirect(reverse("workbench:exchange_client", args=[client.pk]))
