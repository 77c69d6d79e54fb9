"""Sets `request.brand` (a `PublicBrand` or None) and `request.portal_region` (the brand's
`Region`, or None under the platform's own brand) on every page request; the guide and the
home page read `portal_region` as their default region. The API, static files and the
staff side (workbench, admin: they stay the platform's) carry no brand and cost no lookup."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port

from yiwang.brands.selection import CITY_COOKIE, select_brand

_UNBRANDED = ("/api/", "/static/", "/workbench/", "/admin/")


class BrandMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        brand, by_host = None, False
        if not request.path.startswith(_UNBRANDED):
            host, _port = split_domain_port(request.get_host())  # DisallowedHost (400) before any brand
            brand, by_host = select_brand(host=host, chosen_code=request.COOKIES.get(CITY_COOKIE))
        request.brand = brand  # type: ignore[attr-defined]
        request.brand_chosen = brand is not None and not by_host  # type: ignore[attr-defined]
        request.portal_region = brand.region if brand else None  # type: ignore[attr-defined]
        return self.get_response(request)
