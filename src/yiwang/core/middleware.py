"""Security headers Django 5.2 does not set itself.

Django 6.0 ships a CSP middleware; on 5.2 LTS this one sets the strict policy from
settings.CONTENT_SECURITY_POLICY on every response (pages load only our own assets).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class DomainErrorMiddleware:
    """Turn a DomainError escaping a page view into a page with its Chinese message.

    Views normally catch ValidationFailed to re-show their form; this is the safety net for
    the rest (not found, forbidden, conflict), so the person sees why, not a server error.
    The API has its own problem+json handlers and never reaches this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from yiwang.core.errors import DomainError

        if not isinstance(exception, DomainError):
            return None
        template = {403: "403.html", 404: "404.html"}.get(exception.status, "error.html")
        return render(request, template, {"message": exception.message}, status=exception.status)
