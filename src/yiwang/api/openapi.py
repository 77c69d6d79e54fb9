"""The problem responses every operation can give, written into the OpenAPI schema.

ninja documents only the success responses; clients (and the fuzzer in tests/fuzz) need to
know the RFC 9457 answers too. They are derived from what each operation has: parameters
or a body can be invalid (422), a body can be too large (413), a session-protected
operation can meet an anonymous caller (401), a missing CSRF token or permission (403)
and, when it changes state, a conflict (409). Every operation can meet a refused control
character (400), a missing resource (404) and the request-time budget (503).
"""

from typing import Any

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `detail` and each `errors[].message` are Simplified Chinese.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "问题类型 URI"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "中文说明"},
        "errors": {
            "type": "array",
            "description": "逐字段的中文错误说明",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
DESCRIPTIONS = {
    400: "请求有误（如查询参数、路径或 JSON 请求体含控制字符）",
    401: "未登录或凭证无效",
    403: "无权操作，或缺少 CSRF 令牌",
    404: "资源不存在",
    409: "状态已变化或请求冲突",
    413: "请求体过大",
    422: "参数或请求体不符合要求（逐字段说明）",
    503: "超过请求处理时限",
}
UNSAFE = {"post", "put", "patch", "delete"}


def _statuses(method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {400, 404, 503}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if operation.get("requestBody"):
        statuses.add(413)
    if operation.get("security"):
        statuses |= {401, 403}
        if method in UNSAFE:
            statuses.add(409)
    return statuses


def document_problems(schema: dict[str, Any]) -> None:
    """Add the Problem schema and each operation's problem responses (in place)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(method, operation)):
                # ninja keys responses by int status (written as strings in the JSON).
                responses.setdefault(
                    status, {"description": DESCRIPTIONS[status], "content": {PROBLEM: {"schema": reference}}}
                )
