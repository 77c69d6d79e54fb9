"""The header's unread-message badge on every page, counted only if the page shows it."""

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from yiwang.notifications.selectors import unread_count


def inbox(request: HttpRequest) -> dict[str, Callable[[], int]]:
    user = getattr(request, "user", None)

    @cache
    def unread() -> int:  # templates call it; one indexed count per request at most
        return unread_count(user) if user is not None and user.is_authenticated else 0  # type: ignore[arg-type]

    return {"unread_messages": unread}
