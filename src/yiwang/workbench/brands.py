"""城市品牌 for the platform administrator: the cities' brands, a draft's form with a preview,
publication by a second administrator (docs/brands.md). Thin: selectors read, services write."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.brands import selectors, services
from yiwang.brands.fields import LABELS, MAX_LENGTHS
from yiwang.brands.logo import MAX_BYTES
from yiwang.brands.models import Brand, BrandStatus
from yiwang.brands.policy import may_publish, require_brand_admin
from yiwang.brands.stylesheet import brand_css
from yiwang.core.errors import DomainError, ValidationFailed

GENERAL = "__all__"
HELP = {
    "hosts": "每行一个，如 taian.example.gov.cn；全部小写，不含端口。须同时列入部署配置 YIWANG_BRAND_HOSTS。",
    "hotline": "只含数字和连字符，如 0538-12345；页面同时显示 12345。",
    "primary_colour": "页头和导航的底色，白色文字须达到 4.5:1 的对比度，如 #2e6b34。",
    "accent_colour": "链接和按钮的颜色，在页面浅色背景上须达到 4.5:1 的对比度。",
}


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    require_brand_admin(user)
    return user


def _version(pk: int) -> Brand:
    brand = selectors.brand_version(pk)
    if brand is None:
        raise Http404("没有这个品牌版本。")
    return brand


def _fields(values: dict[str, str], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "label": label,
            "value": values.get(name, ""),
            "errors": errors.get(name, []),
            "help": HELP.get(name, ""),
            "maxlength": MAX_LENGTHS.get(name),
            "multiline": name == "hosts",
        }
        for name, label in LABELS.items()
    ]


def _values_of(brand: Brand) -> dict[str, str]:
    return {name: "\n".join(brand.hosts) if name == "hosts" else str(getattr(brand, name)) for name in LABELS}


def _save(
    request: HttpRequest, user: User, brand: Brand | None, region_code: str
) -> tuple[Brand | None, dict[str, list[str]], int]:
    values = {name: request.POST.get(name, "") for name in LABELS}
    upload = request.FILES.get("logo")
    logo = upload.read(MAX_BYTES + 1) if upload is not None else None
    try:
        if brand is None:
            region = next((r for r in selectors.brand_regions() if r.code == region_code), None)
            if region is None:
                raise ValidationFailed({"region": ["城市：请选择一个市级区划。"]})
            return services.brand_draft(actor=user, region=region, values=values, logo=logo), {}, 200
        return services.brand_update(actor=user, brand=brand, values=values, logo=logo), {}, 200
    except ValidationFailed as exc:
        return None, dict(exc.errors), 422
    except DomainError as exc:
        return None, {GENERAL: [exc.message]}, exc.status


@login_required
def brand_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    context = {"brands": selectors.live_brands(), "regions": selectors.brand_regions()}
    return render(request, "workbench/brands.html", context)


@login_required
def brand_new(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    region_code = request.POST.get("region") or request.GET.get("region", "")
    values: dict[str, str] = {"primary_colour": "#a8181e", "accent_colour": "#0b4a8f"}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        brand, errors, status = _save(request, user, None, region_code)
        if brand is not None:
            messages.success(
                request, f"{brand.region.name}的品牌草稿 v{brand.number} 已保存，请另一位平台管理员复核发布。"
            )
            return redirect("workbench:brand", pk=brand.pk)
        values = {name: request.POST.get(name, "") for name in LABELS}
    context = {
        "title": "起草城市品牌",
        "regions": selectors.brand_regions(),
        "region_code": region_code,
        "fields": _fields(values, errors),
        "errors": errors,
        "general_errors": errors.get(GENERAL, []) + errors.get("region", []),
        "logo_errors": errors.get("logo", []),
        "action": reverse("workbench:brand_new"),
    }
    return render(request, "workbench/brand_form.html", context, status=status)


@login_required
def brand_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    brand = _version(pk)
    errors: dict[str, list[str]] = {}
    status = 200
    values = _values_of(brand)
    if request.method == "POST":
        saved, errors, status = _save(request, user, brand, brand.region.code)
        if saved is not None:
            messages.success(request, f"品牌草稿 v{saved.number} 已修改；须由另一位平台管理员发布。")
            return redirect("workbench:brand", pk=saved.pk)
        values = {name: request.POST.get(name, "") for name in LABELS}
    context = {
        "brand": brand,
        "editable": brand.status == BrandStatus.DRAFT,
        "may_publish": brand.status == BrandStatus.DRAFT and may_publish(user, brand),
        "fields": _fields(values, errors),
        "general_errors": errors.get(GENERAL, []),
        "logo_errors": errors.get("logo", []),
        "events": selectors.brand_events(brand),
    }
    return render(request, "workbench/brand.html", context, status=status)


@login_required
@require_POST
def brand_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _admin(request)
    brand = _version(pk)
    try:
        if action == "publish":
            services.brand_publish(actor=user, brand=brand)
            messages.success(request, f"“{brand.name}”v{brand.number} 已发布，{brand.region.name}门户即刻使用。")
        elif action == "discard":
            services.brand_discard(actor=user, brand=brand, reason=request.POST.get("reason", ""))
            messages.success(request, f"品牌草稿 v{brand.number} 已废弃。")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("workbench:brand", pk=brand.pk)


@login_required
def brand_preview_css(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    brand = _version(pk)
    css = brand_css(primary=brand.primary_colour, accent=brand.accent_colour, scope=".brand-preview")
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@login_required
def brand_preview_logo(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    png = selectors.brand_logo_of(pk)
    if png is None:
        raise Http404("这个版本没有标志。")
    response = HttpResponse(png, content_type="image/png")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
