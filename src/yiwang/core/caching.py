"""Personal pages are never stored by a browser cache or a proxy.

Policy (one place instead of a decorator on every view): a response is ``no-store, private``
when it answers an authenticated request (a session login or an ``Authorization`` header),
or when it writes the session (sets the session cookie). That covers 我的办件, the case pages,
the profile, every workbench page, authenticated API responses and material downloads.
Anonymous public pages (the home page, the guide, disclosures, the public API reads) keep
whatever caching their views chose.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether `response` may carry personal data under the policy above."""
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.modified) or settings.SESSION_COOKIE_NAME in response.cookies


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_personal(request, response):
            # no-store, private (plus no-cache / max-age=0 / Expires for old proxies); a
            # view's own "public" or "max-age" would be wrong for such a response, so drop it.
            cache_control = response.headers.get("Cache-Control", "")
            if "public" in cache_control or "max-age" in cache_control:
                del response.headers["Cache-Control"]
            add_never_cache_headers(response)
        return response
