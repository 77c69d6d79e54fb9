"""RFC 9457 problem+json responses, for the API and for the edge in front of it.

The API root (yiwang.api.root) and the error views (yiwang.config.errors) answer with these,
and so do the middlewares that refuse a request before any view runs. `detail` is always
Simplified Chinese; `errors` (when present) names each field with its message.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def problem_response(*, status: int, title: str, detail: str, code: str, **extra: Any) -> HttpResponse:
    body = {
        "type": f"https://yiwang.local/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    # JSON is UTF-8 by definition (RFC 8259), so the media type carries no charset.
    return HttpResponse(json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=PROBLEM)
