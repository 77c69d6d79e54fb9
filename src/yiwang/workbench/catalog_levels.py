"""事项认领与动态调整: the catalog at every level, for catalog administrators (docs/catalog-levels.md).

One page per region the administrator maintains: what its bodies have claimed (in force or
not), what it may still claim (with a 认领 action), the amendments it has yet to confirm
(with the diff and a 确认 action); for the province, who has not confirmed yet. Thin views:
level selectors read, catalog services decide (scope, exercising levels, the rules).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import Region, User
from yiwang.catalog import level_selectors as levels
from yiwang.catalog import selectors as catalog
from yiwang.catalog import services
from yiwang.core.errors import DomainError, ValidationFailed


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not catalog.is_catalog_admin(user):
        raise PermissionDenied("事项库管理仅对事项管理员开放。")
    return user


def _region(request: HttpRequest, user: User) -> Region:
    """The region asked for, among those the administrator maintains; else their own level's."""
    allowed = {r.code: r for r in catalog.admin_regions(user)}
    asked = request.GET.get("region") or request.POST.get("region") or ""
    if asked in allowed:
        return allowed[asked]
    home = levels.admin_home_regions(user)
    if not home:
        raise PermissionDenied("您没有可维护的区划。")
    return home[0]


def _refusal(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return "；".join(m for ms in exc.errors.values() for m in ms)
    return exc.message


@login_required
def levels_home(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    region = _region(request, user)
    pending = levels.amendments_pending(region)
    context: dict[str, Any] = {
        "nav_links": [
            {"title": "事项库管理", "href": reverse("workbench:catalog")},
            {"title": "事项认领与调整", "href": reverse("workbench:catalog_levels")},
        ],
        "region": region,
        "regions": catalog.admin_regions(user),
        "claims": levels.claims_of_region(region),
        "claimable": levels.claimable_items(region),
        "departments": levels.claim_departments(region),
        "pending": [(row, levels.amendment_changes(row.amendment)) for row in pending],
        # The province's view: who, anywhere, has not confirmed yet.
        "lagging": levels.amendments_pending() if not region.ancestors() else None,
    }
    return render(request, "workbench/catalog_levels.html", context)


@login_required
@require_POST
def claim(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    region = _region(request, user)
    department = next(
        (d for d in levels.claim_departments(region) if str(d.pk) == request.POST.get("department", "")), None
    )
    back = f"{reverse('workbench:catalog_levels')}?region={region.code}"
    if department is None:
        messages.error(request, "认领：请选择本区划的实施主体。")
        return redirect(back)
    try:
        version = services.implementation_claim(
            actor=user, basic_code=request.POST.get("basic_code", "")[:20], department=department
        )
    except DomainError as exc:
        messages.error(request, f"认领未成功：{_refusal(exc)}")
        return redirect(back)
    messages.success(request, f"已认领，实施清单草稿 v{version.number} 已按模板生成：请填写本级的实施要素后提交审核。")
    return redirect("workbench:catalog_implementation_version", pk=version.pk)


@login_required
@require_POST
def amendment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    amendment = levels.amendment_by_id(pk)
    if amendment is None:
        raise Http404("调整不存在")
    back = f"{reverse('workbench:catalog_levels')}?region={amendment.implementation.region.code}"
    try:
        version = services.amendment_confirm(actor=user, amendment=amendment)
    except DomainError as exc:
        messages.error(request, f"确认未成功：{_refusal(exc)}")
        return redirect(back)
    messages.success(request, f"已确认，实施清单 v{version.number} 按新的基本要素生效。")
    return redirect(back)
