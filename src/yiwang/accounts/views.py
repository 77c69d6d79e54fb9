"""Login, logout and the per-role home page. Thin: rules live in services and selectors."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yiwang.accounts.forms import LoginForm
from yiwang.accounts.models import User


def login_view(request: HttpRequest) -> HttpResponse:
    """Password login for applicants and staff.

    Throttled by django-axes inside authenticate(): a locked-out account/address pair gets
    None here without its password being checked, and AxesMiddleware answers with the lockout
    page (yiwang.accounts.lockout) instead of this one.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
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
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the home page of their role."""
    user = request.user
    assert isinstance(user, User)
    if user.is_staff_member:
        return redirect("workbench:home")
    return redirect("portal:my_space")
