"""The error views: Chinese pages for the portal and the workbench, problem+json under /api/.

Wired in urls.py (handler400/403/404/500) and settings.CSRF_FAILURE_VIEW. The 500 view
touches neither the database nor the session: it renders a self-contained template.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from yiwang.core.middleware import QueryBudgetExceeded
from yiwang.core.problems import is_api, problem_response

_TOO_BIG = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def _back_url(request: HttpRequest) -> str:
    """The page the person came from, if it is one of ours (the 返回上一页 link without script)."""
    referer = request.headers.get("Referer", "")
    try:
        safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    except Exception:  # DisallowedHost: the 400 for a bad Host header must still render
        safe = False
    return referer if referer and safe else ""


def _page(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    return render(request, template, {"back_url": _back_url(request), **context}, status=status)


def _limit_text() -> str:
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, _TOO_BIG):
        if isinstance(exception, RequestDataTooBig):
            detail = f"提交的内容超过了 {_limit_text()} 的大小限制。"
        elif isinstance(exception, TooManyFieldsSent):
            detail = f"提交的字段过多（上限 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个）。"
        else:
            detail = f"一次上传的文件过多（上限 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个）。"
        if is_api(request):
            return problem_response(status=413, title="请求过大", detail=detail, code="too-large")
        return _page(request, "413.html", 413, message=detail, limit=_limit_text())
    detail = "请求格式有误，平台无法处理。请返回上一页检查后重试。"
    if is_api(request):
        return problem_response(status=400, title="请求有误", detail=detail, code="bad-request")
    return _page(request, "400.html", 400, message=detail)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return problem_response(status=403, title="无权访问", detail="您没有执行此操作的权限。", code="forbidden")
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return problem_response(
            status=404,
            title="资源不存在",
            detail=f"接口 {request.method} {request.path} 不存在，请核对地址（接口文档见 /api/v1/docs）。",
            code="not-found",
        )
    return _page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """No database, no session, no URL reversing: whatever broke may be one of those."""
    budget = isinstance(sys.exc_info()[1], QueryBudgetExceeded)
    status = 503 if budget else 500
    detail = (
        "系统繁忙，本次请求超过了处理时限，已停止。请稍后重试。"
        if budget
        else "服务器处理您的请求时出现了问题，我们已记录此错误。请稍后重试；如问题持续，请拨打 12345 咨询。"
    )
    if is_api(request):
        return problem_response(
            status=status, title="处理超时" if budget else "服务器内部错误", detail=detail, code=f"http-{status}"
        )
    html = loader.get_template("500.html").render({"code": status, "message": detail})
    return HttpResponse(html, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    detail = "安全校验未通过：页面可能已过期，或浏览器禁用了 Cookie。请返回上一页，刷新后重新提交。"
    if is_api(request):
        return problem_response(status=403, title="安全校验未通过", detail=detail, code="csrf")
    return _page(request, "csrf_failure.html", 403, message=detail)
