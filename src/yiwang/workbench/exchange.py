"""数据共享 in the workbench, for data stewards: the resource catalogue and its forms.

Thin views over `exchange.services` (each action one service call; the service checks the
steward's department, the state and the rules and says what is wrong in Chinese) and
`exchange.selectors`. A refused form comes back with what was typed and each message next to
its field; a done action redirects (POST-redirect-GET). Demands and grants: exchange_demands.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from yiwang.exchange import policy, rules, selectors, services
from yiwang.exchange.models import DataResource, FieldType, Sensitivity, SharingClass, UpdateFrequency
from yiwang.workbench import cases

GENERAL = "__all__"
MAX_FIELDS_TEXT = 12000
_TYPES = {v: v for v in FieldType.values} | {str(label): v for v, label in FieldType.choices}
_SENSITIVITIES = {v: v for v in Sensitivity.values} | {str(label): v for v, label in Sensitivity.choices}


def steward_of(request: HttpRequest) -> User:
    """A data steward (数据管理员) of some department; everyone else gets 403."""
    user = request.user
    if not isinstance(user, User) or not user.is_staff_member or not policy.is_steward(user):
        raise PermissionDenied("数据共享仅对数据管理员开放。")
    return user


def nav(user: User) -> list[dict[str, str]]:
    """The workbench side navigation with the data-sharing sections."""
    return [
        *cases.nav_links(user),
        {"title": "共享需求", "href": reverse("workbench:exchange_demands")},
        {"title": "共享授权", "href": reverse("workbench:exchange_grants")},
        {"title": "接口客户端", "href": reverse("workbench:exchange_clients")},
    ]


@dataclass(frozen=True)
class Spec:
    """One field of a form: how it is shown (the values and messages come per request)."""

    name: str
    label: str
    kind: str = "text"  # text | textarea | select | date
    required: bool = False
    help: str = ""
    options: tuple[tuple[str, str], ...] = ()
    maxlength: int = 0
    rows: int = 3


def bind(specs: list[Spec], values: Mapping[str, Any], errors: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {
            "spec": s,
            "id": f"f-{s.name}",
            "value": str(values.get(s.name, "") or ""),
            "errors": list(errors.get(s.name, [])),
        }
        for s in specs
    ]


def general_errors(errors: Mapping[str, list[str]], shown: set[str]) -> list[str]:
    """Messages about no field of the form (Conflict, PermissionDenied, other keys)."""
    return [m for key, ms in errors.items() if key not in shown for m in ms]


def errors_of(exc: DomainError) -> tuple[dict[str, list[str]], int]:
    """A refusal as messages by field and the page's status; NotFound stays a 404 page."""
    if isinstance(exc, NotFound):
        raise exc
    if isinstance(exc, ValidationFailed):
        return dict(exc.errors), 422
    if isinstance(exc, Conflict):
        return {GENERAL: [exc.message]}, 409
    if isinstance(exc, PermissionDenied):
        return {GENERAL: [exc.message]}, 403
    return {GENERAL: [exc.message]}, 422


# --- the resource form ------------------------------------------------------------------


RESOURCE_SPECS = [
    Spec(
        "code", "资源代码", required=True, help="如 scjg.enterprise_register；小写字母开头，3–60 个字符", maxlength=60
    ),
    Spec("name", "资源名称", required=True, maxlength=100),
    Spec("description", "资源摘要", kind="textarea", maxlength=2000),
    Spec(
        "fields",
        "信息项",
        kind="textarea",
        required=True,
        rows=8,
        help="每行一项：标识|名称|类型|敏感级别。类型：string/date/integer/boolean（或 字符串/日期/整数/是/否）；"
        "敏感级别：public/internal/personal/sensitive（或 公开/内部/个人信息/敏感个人信息）",
    ),
    Spec("sharing_class", "共享类型", kind="select", required=True, options=tuple(SharingClass.choices)),
    Spec("not_shared_basis", "不予共享依据", kind="textarea", help="共享类型为“不予共享”时必填", maxlength=500),
    Spec("update_frequency", "更新周期", kind="select", required=True, options=tuple(UpdateFrequency.choices)),
    Spec("system", "提供系统", required=True, help="提供数据的系统（适配器）代码，如 http:scjg-register", maxlength=60),
]
AMEND_SPECS = [s for s in RESOURCE_SPECS if s.name != "code"] + [
    Spec("reason", "变更理由", kind="textarea", required=True, maxlength=services.REASON_MAX)
]


def parse_fields(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """The 信息项 textarea, one `key|label|type|sensitivity` a line, with errors naming the line."""
    if len(text) > MAX_FIELDS_TEXT:
        return [], [f"信息项：最多 {MAX_FIELDS_TEXT} 个字符（现有 {len(text)} 个）"]
    specs: list[dict[str, str]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(specs) >= rules.MAX_FIELDS:
            errors.append(f"信息项：最多 {rules.MAX_FIELDS} 项")
            break
        where = f"信息项第 {n} 行"
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 4:
            errors.append(f"{where}：应为“标识|名称|类型|敏感级别”四段，以 | 分隔")
            continue
        key, label, kind, sensitivity = parts
        spec = {
            "key": key,
            "label": label,
            "type": _TYPES.get(kind, kind),
            "sensitivity": _SENSITIVITIES.get(sensitivity, sensitivity),
        }
        problems = [e.replace("信息项第 1 项", where, 1) for e in rules.resource_fields_errors([spec])]
        if not problems and key in seen:
            problems = [f"{where}：标识 {key} 重复"]
        seen.add(key)
        errors += problems
        specs.append(spec)
    if not specs and not errors:
        errors.append("信息项：至少一项")
    return specs, errors


def fields_text(fields: list[dict[str, str]]) -> str:
    return "\n".join(f"{f['key']}|{f['label']}|{f['type']}|{f['sensitivity']}" for f in fields)


def _resource_values(post: QueryDict) -> tuple[dict[str, Any], dict[str, list[str]]]:
    values: dict[str, Any] = {s.name: post.get(s.name, "").strip() for s in RESOURCE_SPECS if s.name != "fields"}
    fields, problems = parse_fields(post.get("fields", ""))
    values["fields"] = fields
    return values, ({"fields": problems} if problems else {})


def _resource_form(
    request: HttpRequest,
    user: User,
    *,
    specs: list[Spec],
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    title: str,
    action: str,
    submit: str,
    back: str,
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav_links": nav(user),
        "title": title,
        "action": action,
        "submit": submit,
        "back": back,
        "fields": bind(specs, values, errors),
        "general_errors": general_errors(errors, {s.name for s in specs}),
    }
    return render(request, "workbench/exchange_resource_form.html", context, status=status)


# --- pages --------------------------------------------------------------------------------


@login_required
def exchange_home(request: HttpRequest) -> HttpResponse:
    steward_of(request)
    return redirect("workbench:exchange_resources")


def _int_or_none(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


@login_required
def resource_list(request: HttpRequest) -> HttpResponse:
    """数据资源目录: every published resource, by provider and sharing class."""
    user = steward_of(request)
    provider = _int_or_none(request.GET.get("provider", ""))
    sharing = request.GET.get("sharing_class", "")
    sharing = sharing if sharing in SharingClass.values else ""
    mine = set(policy.steward_departments(user))
    rows = [
        {"resource": r, "mine": r.provider_id in mine}
        for r in selectors.resources_catalogue(provider_id=provider, sharing_class=sharing)
    ]
    context = {
        "nav_links": nav(user),
        "rows": rows,
        "providers": selectors.resource_providers(),
        "provider": provider,
        "sharing_class": sharing,
        "sharing_classes": SharingClass.choices,
        "publishers": selectors.departments_stewarded(user),
    }
    return render(request, "workbench/exchange_resources.html", context)


@login_required
def resource_new(request: HttpRequest) -> HttpResponse:
    """发布数据资源 for one of the departments the steward stewards."""
    user = steward_of(request)
    departments = list(selectors.departments_stewarded(user))
    specs = RESOURCE_SPECS
    if len(departments) > 1:
        options = tuple((str(d.pk), d.name) for d in departments)
        specs = [Spec("provider", "提供部门", kind="select", required=True, options=options), *RESOURCE_SPECS]
    values: dict[str, Any] = {"update_frequency": UpdateFrequency.DAILY, "sharing_class": SharingClass.CONDITIONAL}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values, errors = _resource_values(request.POST)
        chosen = request.POST.get("provider", str(departments[0].pk) if len(departments) == 1 else "")
        provider = next((d for d in departments if str(d.pk) == chosen), None)
        if provider is None:
            errors["provider"] = ["提供部门：请选择您担任数据管理员的部门"]
        if not errors and provider is not None:
            try:
                resource = services.resource_publish(actor=user, provider=provider, values=values)
            except DomainError as exc:
                errors, status = errors_of(exc)
            else:
                messages.success(request, f"数据资源“{resource.name}”已发布。")
                return redirect("workbench:exchange_resource", code=resource.code)
        status = status if errors and status != 200 else 422
        values = dict(request.POST.items())
    return _resource_form(
        request,
        user,
        specs=specs,
        values=values,
        errors=errors,
        title="发布数据资源",
        action=reverse("workbench:exchange_resource_new"),
        submit="发布",
        back=reverse("workbench:exchange_resources"),
        status=status,
    )


def _consumer_options(user: User, resource: DataResource) -> list[Any]:
    return [d for d in selectors.departments_stewarded(user) if d.pk != resource.provider_id]


@login_required
def resource_page(request: HttpRequest, code: str) -> HttpResponse:
    user = steward_of(request)
    resource = selectors.resource_by_code(code)
    context = {
        "nav_links": nav(user),
        "resource": resource,
        "may_manage": policy.may_manage(user, resource),
        "may_ask": bool(_consumer_options(user, resource)) and resource.sharing_class != SharingClass.NOT_SHARED,
        "retire_errors": [],
    }
    return render(request, "workbench/exchange_resource.html", context)


@login_required
def resource_amend(request: HttpRequest, code: str) -> HttpResponse:
    """变更: the published values to edit, and the reason."""
    user = steward_of(request)
    resource = selectors.resource_by_code(code)
    if not policy.may_manage(user, resource):
        raise PermissionDenied(f"只有{resource.provider.name}的数据管理员可以变更该数据资源。")
    values: dict[str, Any] = {s.name: getattr(resource, s.name) for s in RESOURCE_SPECS}
    values["fields"] = fields_text(resource.fields)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        changes, errors = _resource_values(request.POST)
        changes.pop("code", None)
        if not errors:
            try:
                services.resource_amend(
                    actor=user, resource_id=resource.pk, changes=changes, reason=request.POST.get("reason", "")
                )
            except DomainError as exc:
                errors, status = errors_of(exc)
            else:
                messages.success(request, f"数据资源“{changes['name']}”已变更。")
                return redirect("workbench:exchange_resource", code=resource.code)
        status = status if status != 200 else 422
        values = dict(request.POST.items())
    return _resource_form(
        request,
        user,
        specs=AMEND_SPECS,
        values=values,
        errors=errors,
        title=f"变更数据资源 · {resource.name}",
        action=reverse("workbench:exchange_resource_amend", args=[resource.code]),
        submit="保存变更",
        back=reverse("workbench:exchange_resource", args=[resource.code]),
        status=status,
    )


@login_required
@require_POST
def resource_retire(request: HttpRequest, code: str) -> HttpResponse:
    """停用: confirmed, with the reason; its grants are revoked and open demands refused."""
    user = steward_of(request)
    resource = selectors.resource_by_code(code)
    errors: list[str] = []
    if request.POST.get("confirm") != "yes":
        errors.append("确认停用：请勾选确认，停用后该资源的共享授权将被撤销、待答复需求将被拒绝")
    else:
        try:
            services.resource_retire(actor=user, resource_id=resource.pk, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            found, status = errors_of(exc)
            errors = [m for ms in found.values() for m in ms]
            if status == 403:
                raise
        else:
            messages.success(request, f"数据资源“{resource.name}”已停用。")
            return redirect("workbench:exchange_resources")
    context = {
        "nav_links": nav(user),
        "resource": resource,
        "may_manage": policy.may_manage(user, resource),
        "may_ask": False,
        "retire_errors": errors,
        "retire_reason": request.POST.get("reason", ""),
    }
    return render(request, "workbench/exchange_resource.html", context, status=422)
