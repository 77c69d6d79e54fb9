"""The platform's URLs plus the baseline endpoints under /api/v1/bench/ (a NinjaAPI of their own,
so the platform's API and its OpenAPI document never carry them)."""

from django.urls import path
from ninja import NinjaAPI

from benchapp.api import router
from yiwang.config import urls as platform

bench_api = NinjaAPI(title="基准测试", version="1", docs_url=None, openapi_url=None, urls_namespace="bench-api")
bench_api.add_router("/", router)

urlpatterns = [path("api/v1/bench/", bench_api.urls), *platform.urlpatterns]
handler400 = platform.handler400
handler403 = platform.handler403
handler404 = platform.handler404
handler500 = platform.handler500
