"""The JSON API root (/api/v1), its error format and its locally served docs page.

Errors follow RFC 9457 (application/problem+json): `type`, `title`, `status`, `detail`
and, for validation, `errors` — a list of {field, message} with Chinese messages. Errors
raised before a view runs (unknown route, wrong method, oversized body, control characters,
server error) get the same format from yiwang.config.errors and yiwang.core.middleware.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from yiwang.api import (
    bundles,
    cases,
    catalog,
    catalog_levels,
    exchange,
    health,
    ledger,
    license_share,
    licenses,
    ratings,
)
from yiwang.api.messages import error_message
from yiwang.api.openapi import document_problems
from yiwang.core.errors import DomainError, ValidationFailed
from yiwang.core.problems import PROBLEM, problem_response


class YiwangAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        return schema


api = YiwangAPI(
    title="一网通办开放接口",
    version="1",
    description=(
        "yiwang 一网通办政务服务平台的开放接口：事项库、办件、好差评、账本证明、共享数据与事件推送等。"
        "其他系统以 OAuth 2.0 客户端凭证在 /api/v1/oauth/token 申请访问令牌。错误一律以 RFC 9457 problem+json 返回。"
    ),
    docs_url=None,
    urls_namespace="api",
)
api.add_router("/", health.router)
api.add_router("/ledger", ledger.router)
api.add_router("/catalog", catalog.router)
api.add_router("/catalog", catalog_levels.router)  # 认领与动态调整
api.add_router("/cases", cases.router)
api.add_router("/cases", ratings.case_router)  # 评价我的办件
api.add_router("/licenses", licenses.router)
api.add_router("/licenses", license_share.router)  # 用证授权
api.add_router("/ratings", ratings.router)  # 好差评
api.add_router("/", exchange.router)  # API clients: /oauth/token, /exchange/…
api.add_router("/", bundles.router)  # 一件事: /bundles, /bundle-cases

__all__ = ["PROBLEM", "api", "docs_view", "problem"]


def problem(request: HttpRequest, *, status: int, title: str, detail: str, code: str, **extra: Any) -> HttpResponse:
    return problem_response(status=status, title=title, detail=detail, code=code, **extra)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = [{"field": field, "message": m} for field, msgs in exc.errors.items() for m in msgs]
    elif exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.message}]
    if exc.rule:
        extra["rule"] = exc.rule
    return problem(request, status=exc.status, title=type(exc).__name__, detail=exc.message, code=exc.code, **extra)


_WHERE = ("body", "query", "path", "payload", "header", "form", "cookie", "file", "filters", "pagination")


@api.exception_handler(NinjaValidationError)
def _schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in _WHERE]
        field = ".".join(loc) or "body"
        errors.append({"field": field, "message": f"{'.'.join(loc) or '请求体'}：{error_message(err)}"})
    return problem(
        request,
        status=422,
        title="请求格式不正确",
        detail=errors[0]["message"] if errors else "请求格式不正确",
        code="validation",
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, status=401, title="未认证", detail="请先登录或提供有效的接口凭证。", code="unauthenticated")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, status=404, title="资源不存在", detail="请求的资源不存在。", code="not_found")


# ninja's own HttpError messages are English ("Cannot parse request body"); ours are Chinese.
_HTTP_DETAIL = {400: "请求体不是有效的 JSON，无法解析。", 403: "您没有执行此操作的权限。"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if detail.isascii():
        detail = _HTTP_DETAIL.get(exc.status_code, "请求未能完成。")
    return problem(request, status=exc.status_code, title="请求失败", detail=detail, code="http")


def docs_view(request: HttpRequest) -> HttpResponse:
    """Swagger UI served from our own static files (ninja's default page uses a CDN)."""
    return render(request, "api/docs.html", {"openapi_url": reverse("api:openapi-json")})
