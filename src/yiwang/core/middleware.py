"""The edge: what every request passes before and after its view.

- SecurityHeadersMiddleware: Django 6.0 ships a CSP middleware; on 5.2 LTS this one sets
  the strict policy from settings.CONTENT_SECURITY_POLICY on every response.
- ControlCharacterMiddleware: control characters (NUL above all: PostgreSQL refuses it in
  text) in the path or the query string are refused before any view or query sees them.
- ApiProblemMiddleware: whatever answers an error under /api/ without a problem body
  (405 from the router, a bare 404) is turned into problem+json with a Chinese detail.
- RequestBudgetMiddleware: no request may hold the database for seconds (statement timeout
  on PostgreSQL, a progress handler on SQLite); a query stopped by the budget answers 503.
- DomainErrorMiddleware: a DomainError escaping a page view becomes a page with its message.
"""

import json
import re
import sqlite3
import time
import weakref
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template import loader

from yiwang.core.problems import PROBLEM, is_api, problem_response

Handler = Callable[[HttpRequest], HttpResponse]


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


# C0 controls and DEL; tab, line feed and carriage return are ordinary in a query value.
_CONTROL_IN_VALUE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")


def _refuse_control(request: HttpRequest, *, field: str, where: str) -> HttpResponse:
    message = f"{where}含有不允许的控制字符（如 NUL），请删除后重试。"
    if is_api(request):
        return problem_response(
            status=400,
            title="请求含有控制字符",
            detail=message,
            code="control-character",
            errors=[{"field": field, "message": message}],
        )
    return render(request, "400.html", {"message": message}, status=400)


class ControlCharacterMiddleware:
    """Refuse control characters in the path, the query string and an API call's JSON or form
    body, naming the parameter (for a JSON body: the JSON path of the value, e.g.
    `materials.0.name`).

    Page form bodies are not checked here: a page form re-shows what was typed with a message
    (the forms do that), which a refusal at the edge would lose. Lone UTF-16 surrogates in a
    JSON string (`"\\udb1c"`) are refused with the controls: they are not text either, and
    neither database would store them.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _CONTROL_IN_PATH.search(request.path):
            return _refuse_control(request, field="path", where="网址路径")
        for key, values in request.GET.lists():
            if _CONTROL_IN_VALUE.search(key):
                return _refuse_control(request, field="query", where="查询参数名")
            if any(_CONTROL_IN_VALUE.search(value) for value in values):
                return _refuse_control(request, field=key, where=f"查询参数 {key} ")
        if is_api(request) and request.content_type == "application/json":
            field = _control_in_json(request)
            if field is not None:
                return _refuse_control(request, field=field, where=f"请求体字段 {field} ")
        if is_api(request) and request.content_type in _FORM_TYPES:
            field = _control_in_form(request)
            if field is not None:
                return _refuse_control(request, field=field, where=f"请求体字段 {field} ")
        return self.get_response(request)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _control_in_form(request: HttpRequest) -> str | None:
    """The name of the first form field (of an API call, e.g. the OAuth token request) whose
    name or value holds a control character. A body too large or malformed is left to the
    view (413 / 400 as before); uploaded files are not text and are not looked at."""
    try:
        fields = list(request.POST.lists())
    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError):
        return None
    for key, values in fields:
        if _CONTROL_IN_VALUE.search(key):
            return "body"
        if any(_CONTROL_IN_VALUE.search(value) for value in values):
            return key
    return None


_CONTROL_IN_JSON_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _control_in_json(request: HttpRequest) -> str | None:
    """The JSON path of the first key or string value holding a control character, if any.

    A body that is too large or not JSON is left to the view (413 / 422 as before)."""
    try:
        data = json.loads(request.body) if request.body else None
    except (RequestDataTooBig, ValueError):
        return None
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _CONTROL_IN_JSON_TEXT.search(value):
                return path or "body"
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if _CONTROL_IN_JSON_TEXT.search(str(key)):
                    return path or "body"
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
    return None


_API_STATUS_TEXT = {
    400: ("请求有误", "请求格式不正确。"),
    401: ("未认证", "请先登录或提供有效的接口凭证。"),
    403: ("无权访问", "您没有执行此操作的权限。"),
    404: ("资源不存在", "请求的接口或资源不存在，请核对地址。"),
    405: ("请求方法不允许", "此接口不支持 {method} 方法。"),
    406: ("无法提供所需格式", "此接口只返回 JSON。"),
    413: ("请求过大", "请求体超过了平台的大小限制。"),
    415: ("请求格式不支持", "请求体的格式不受支持。"),
}


class ApiProblemMiddleware:
    """Under /api/, an error answered without a problem body becomes problem+json."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400 or response.get("Content-Type", "") == PROBLEM:
            return response
        title, detail = _API_STATUS_TEXT.get(response.status_code, ("请求失败", "请求未能完成。"))
        converted = problem_response(
            status=response.status_code,
            title=title,
            detail=detail.format(method=request.method),
            code=f"http-{response.status_code}",
        )
        if "Allow" in response:
            converted["Allow"] = response["Allow"]
        return converted


class QueryBudgetExceeded(OperationalError):
    """A query ran past the request's time budget and was stopped by the database."""


# PostgreSQL connections already given the budget (one SET per connection, not per request).
_pg_budget_applied: "weakref.WeakKeyDictionary[Any, tuple[int, int]]" = weakref.WeakKeyDictionary()
_PG_BUDGET_SQLSTATES = {"57014", "25P03"}  # query_canceled, idle_in_transaction_session_timeout


def _pg_budget_apply(statement_ms: int, idle_ms: int) -> None:
    """Set the timeouts on this process's PostgreSQL connection, once per connection.

    Run at the start of a request, outside any transaction, so the session-level SET
    stays (a SET inside a transaction that rolls back would be undone).
    """
    connection.ensure_connection()
    raw = connection.connection
    if _pg_budget_applied.get(raw) == (statement_ms, idle_ms):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false),"
            " set_config('idle_in_transaction_session_timeout', %s, false)",
            [str(statement_ms), str(idle_ms)],
        )
    _pg_budget_applied[raw] = (statement_ms, idle_ms)


class _Budget:
    """An execute wrapper that stops a query running past the request's deadline.

    PostgreSQL stops it itself (statement_timeout); SQLite has no timeout, so a progress
    handler checks the clock every few thousand virtual-machine steps.
    """

    def __init__(self, statement_ms: int) -> None:
        self.deadline = time.monotonic() + statement_ms / 1000

    def _past_deadline(self) -> bool:
        return time.monotonic() > self.deadline

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        raw = context["connection"].connection
        sqlite = isinstance(raw, sqlite3.Connection)
        if sqlite:
            raw.set_progress_handler(self._past_deadline, 10_000)
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            cause = exc.__cause__
            if getattr(cause, "sqlstate", None) in _PG_BUDGET_SQLSTATES or (
                sqlite and str(cause) == "interrupted" and self._past_deadline()
            ):
                raise QueryBudgetExceeded(str(exc)) from exc
            raise
        finally:
            if sqlite:
                raw.set_progress_handler(None, 10_000)


class RequestBudgetMiddleware:
    """Give every web request a database time budget (settings.DATABASE_STATEMENT_TIMEOUT_MS).

    Only web requests pass here: the worker and migrations run without the budget.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        statement_ms = settings.DATABASE_STATEMENT_TIMEOUT_MS
        if statement_ms <= 0:
            return self.get_response(request)
        # Behind a transaction pooler a session-level SET would land on whichever server
        # connection runs it: the pooler's database entry sets the timeouts (connect_query).
        if connection.vendor == "postgresql" and settings.DATABASE_POOL_MODE != "transaction":
            _pg_budget_apply(statement_ms, settings.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS)
        with connection.execute_wrapper(_Budget(statement_ms)):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, QueryBudgetExceeded):
            return None
        message = "系统繁忙，本次查询超过了处理时限，已停止。请稍后重试，或缩小查询范围。"
        if is_api(request):
            response = problem_response(status=503, title="处理超时", detail=message, code="time-budget")
        else:
            # The self-contained error page: the database may be what is slow.
            html = loader.get_template("500.html").render({"code": 503, "message": message})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = "5"
        return response


class DomainErrorMiddleware:
    """Turn a DomainError escaping a page view into a page with its Chinese message.

    Views normally catch ValidationFailed to re-show their form; this is the safety net for
    the rest (not found, forbidden, conflict), so the person sees why, not a server error.
    The API has its own problem+json handlers and never reaches this.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from yiwang.core.errors import DomainError

        if not isinstance(exception, DomainError):
            return None
        template = {403: "403.html", 404: "404.html"}.get(exception.status, "error.html")
        return render(request, template, {"message": exception.message}, status=exception.status)
