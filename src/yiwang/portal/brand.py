"""City brands on the portal (docs/brands.md): the brand's stylesheet and logo, served from
our own origin, and /city/<code>/, the explicit choice of a city's brand (a cookie)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from yiwang.brands import selectors as brands
from yiwang.brands.selection import CITY_COOKIE
from yiwang.brands.stylesheet import brand_css, css_etag

# The URLs carry the version (?v=), so a long life is safe; revalidation by ETag otherwise.
ASSET_CACHE = "public, max-age=86400"
CITY_COOKIE_SECONDS = 365 * 24 * 3600


@require_GET
def stylesheet(request: HttpRequest, code: str) -> HttpResponse:
    brand = brands.published_brand(code)
    if brand is None:
        raise Http404("没有这个城市的品牌。")
    css = brand_css(primary=brand.primary_colour, accent=brand.accent_colour)
    etag = f'"{css_etag(css)}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = ASSET_CACHE
    return response


@require_GET
def logo(request: HttpRequest, code: str) -> HttpResponse:
    png = brands.published_logo(code)
    if png is None:
        raise Http404("这个城市的品牌没有标志。")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = ASSET_CACHE
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = f'inline; filename="brand-{code}.png"'
    return response


@require_GET
def choose_city(request: HttpRequest, code: str = "") -> HttpResponse:
    """/city/<code>/ shows the portal under that city's brand (remembered in a host-only
    cookie); /city/ goes back to the platform's own. A city without a published brand: 404."""
    response = redirect("portal:home")
    if not code:
        response.delete_cookie(CITY_COOKIE, samesite="Lax")
        return response
    if brands.published_brand(code) is None:
        raise Http404("没有这个城市的品牌。")
    response.set_cookie(
        CITY_COOKIE,
        code,
        max_age=CITY_COOKIE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
