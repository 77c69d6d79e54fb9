"""Login, logout and the per-role home page. Thin: rules live in services and selectors."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts import oidc, services
from yiwang.accounts.forms import LoginForm
from yiwang.accounts.models import User

OIDC_BACKEND = "yiwang.accounts.backends.OidcBackend"
OIDC_PENDING_KEY = "oidc_pending"  # state -> what the callback checks (yiwang.accounts.oidc.begin)
OIDC_SIGNED_IN_KEY = "oidc_signed_in"  # this session began at the identity platform
# Its ID token, kept server-side in the session row only to be the `id_token_hint` of the
# RP-initiated logout; it goes with the session (logout, or expiry after SESSION_COOKIE_AGE).
OIDC_ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 - a session key's name, not a secret
OIDC_PENDING_MAX = 3  # logins begun in other tabs that may still come back
OIDC_FAILURE_STATUS = {
    "not_configured": 404,
    "unavailable": 503,
    "denied": 403,
    "state": 400,
    "rejected": 400,
    "bad_token": 502,
    "expired": 502,
}


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return next_url


def login_view(request: HttpRequest) -> HttpResponse:
    """Password login for applicants and staff.

    Throttled by django-axes inside authenticate(): a locked-out account/address pair gets
    None here without its password being checked, and AxesMiddleware answers with the lockout
    page (yiwang.accounts.lockout) instead of this one.
    """
    next_url = _safe_next(request)
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, "用户名或密码不正确。")
            status = 401
        else:
            login(request, user)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    context = {"form": form, "next": next_url, "oidc_enabled": oidc.enabled()}
    return render(request, "accounts/login.html", context, status=status)


def _oidc_redirect_uri(request: HttpRequest) -> str:
    return settings.OIDC_REDIRECT_URI or request.build_absolute_uri(reverse("accounts:oidc_callback"))


def _oidc_failed(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "accounts/oidc_failed.html", {"message": message}, status=status)


@require_GET
def oidc_login(request: HttpRequest) -> HttpResponse:
    """统一身份认证登录: off to the identity platform's login page (ADR 0031)."""
    try:
        url, pending = oidc.begin(_oidc_redirect_uri(request))
    except oidc.OidcFailed as failure:
        return _oidc_failed(request, failure.message, OIDC_FAILURE_STATUS[failure.code])
    pending["next"] = _safe_next(request)
    waiting = dict(request.session.get(OIDC_PENDING_KEY) or {})
    waiting[pending["state"]] = pending
    request.session[OIDC_PENDING_KEY] = dict(list(waiting.items())[-OIDC_PENDING_MAX:])
    return redirect(url)


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Back from the identity platform: check the answer, find or link the account, log in.
    A pending login is used once, whatever the outcome."""
    query = {key: request.GET.get(key, "")[:4096] for key in ("state", "code", "error")}
    waiting = dict(request.session.get(OIDC_PENDING_KEY) or {})
    pending = waiting.pop(query["state"], None)
    request.session[OIDC_PENDING_KEY] = waiting
    try:
        claims, id_token = oidc.finish(pending, query, _oidc_redirect_uri(request))
    except oidc.OidcFailed as failure:
        return _oidc_failed(request, failure.message, OIDC_FAILURE_STATUS[failure.code])
    try:
        user = services.external_identity_sign_in(
            issuer=settings.OIDC_ISSUER,
            claims=claims,
            id_number_claim=settings.OIDC_ID_NUMBER_CLAIM,
            allow_staff=settings.OIDC_ALLOW_STAFF,
        )
    except services.SignInRefused as refused:
        return _oidc_failed(request, refused.message, 403)
    assert pending is not None  # finish() refuses an answer without one
    login(request, user, backend=OIDC_BACKEND)
    request.session[OIDC_SIGNED_IN_KEY] = True
    request.session[OIDC_ID_TOKEN_KEY] = id_token
    return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out here; a session begun at the identity platform is also ended there when the
    platform advertises RP-initiated logout, naming the session by its ID token: a page whose
    form POSTs the token to the platform (submitted by script, or by its 继续退出 button
    without), which sends the browser back to the portal. The token is in no URL and the page
    is not stored (no-store); the session — and the token with it — is gone before the page
    is built."""
    via_platform = bool(request.session.get(OIDC_SIGNED_IN_KEY))
    hint = request.session.pop(OIDC_ID_TOKEN_KEY, None)
    logout(request)
    messages.info(request, "您已安全退出。")
    if via_platform:
        back = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
        ending = oidc.end_session_form(back, hint if isinstance(hint, str) else "")
        if ending is not None:
            endpoint, fields = ending
            page = render(request, "accounts/provider_logout.html", {"endpoint": endpoint, "fields": fields})
            page["Cache-Control"] = "no-store"
            return page
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the home page of their role."""
    user = request.user
    assert isinstance(user, User)
    if user.is_staff_member:
        return redirect("workbench:home")
    return redirect("portal:my_space")
