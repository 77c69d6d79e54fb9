"""The answer to a login refused by django-axes (AXES_LOCKOUT_CALLABLE): a Chinese page, 429.

Every login path (our login page for applicants and staff, /admin/login/) ends in
django.contrib.auth.authenticate(), where AxesStandaloneBackend refuses a locked-out
(account, client address) pair; AxesMiddleware then replaces the page with this one. It
says when the lock ends: the pair's last recorded failure plus the cool-off period (a guess
during the lockout is not recorded, settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
"""

import math
from typing import Any

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    username = get_client_username(request, credentials) or ""
    address = getattr(request, "axes_ip_address", None)
    cool_off = get_cool_off(request)
    assert cool_off is not None, "settings.AXES_COOLOFF_TIME is always set (LOGIN_FAILURE_WINDOW_SECONDS)"
    now = timezone.now()
    last_failure = AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(
        last=Max("attempt_time")
    )["last"]
    retry_at = (last_failure or now) + cool_off
    seconds = max(0, math.ceil((retry_at - now).total_seconds()))
    response = render(
        request,
        "accounts/locked_out.html",
        {
            "username": username,
            "failure_limit": get_failure_limit(request, credentials),
            "retry_at": retry_at,
            "minutes": max(1, math.ceil(seconds / 60)),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
