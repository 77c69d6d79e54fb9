"""Bounded parameters and the session authentication shared by every router.

Input has bounds before it has meaning (architecture rule 11): an id or a count in a path or
a query string is checked for its number of digits before it is converted, then for its
range, so `?offset=1e999999` or a 30-digit id answers 422 naming the parameter instead of
reaching the database (where it overflowed into a 500).
"""

from typing import Annotated, Any

from annotated_types import Interval
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1  # the database's bigint
MAX_DIGITS = 19
MAX_OFFSET = 1_000_000
MAX_LIMIT = 100
MAX_PAGE = 100_000


def _digits_bounded(value: Any) -> Any:
    if isinstance(value, str) and len(value.strip().lstrip("+-")) > MAX_DIGITS:
        raise PydanticCustomError("int_too_long", "too many digits")
    return value


_DIGITS = BeforeValidator(_digits_bounded)  # last in Annotated, so it runs first, on the raw text
# An id of a row (bigint, positive); a count or size (zero allowed); paging.
Id = Annotated[int, Interval(ge=1, le=MAX_ID), _DIGITS]
Size = Annotated[int, Interval(ge=0, le=MAX_ID), _DIGITS]
Limit = Annotated[int, Interval(ge=1, le=MAX_LIMIT), _DIGITS]
Offset = Annotated[int, Interval(ge=0, le=MAX_OFFSET), _DIGITS]
PageNumber = Annotated[int, Interval(ge=1, le=MAX_PAGE), _DIGITS]
Days = Annotated[int, Interval(ge=1, le=3650), _DIGITS]


class BoundedLimitOffset(LimitOffsetPagination):
    """ninja's limit/offset pagination with both ends bounded (offset had no upper bound)."""

    class Input(Schema):
        limit: Limit = Field(50, description="每页条数（1–100）")
        offset: Offset = Field(0, description="跳过的条数（0–1000000）")


class SessionAuth(NinjaSessionAuth):
    """The browser session: anonymous callers get 401; a session without CSRF token gets 403.

    ninja's SessionAuth checks CSRF first, so an anonymous unsafe call got 403 with an
    English message; who the caller is comes first here, then the token.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # -> AuthenticationError -> 401 problem (api.root)
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "安全校验未通过：请求缺少有效的 CSRF 令牌（请求头 X-CSRFToken）。")
        return request.COOKIES.get(self.param_name)


session_auth = SessionAuth()
