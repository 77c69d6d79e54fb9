"""The staff workbench (工作台): inbox first."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import User
from yiwang.workbench import cases


def staff_or_operator(request: HttpRequest) -> User:
    """A staff member or the platform operator (superuser); everyone else gets 403."""
    user = request.user
    if not isinstance(user, User) or not (user.is_staff_member or user.is_superuser):
        raise PermissionDenied("工作台仅对工作人员开放。")
    return user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = staff_or_operator(request)
    nav_links: list[dict[str, Any]] = list(cases.nav_links(user)) if user.is_staff_member else []
    if user.is_superuser:
        nav_links.append({"title": "后台管理", "href": "/admin/"})
    inbox = cases.inbox_rows(user) if user.is_staff_member else cases.Inbox([], more=False)
    context = {
        "staff_roles": accounts.staff_roles_of(user),
        "inbox": inbox.rows,
        "inbox_more": inbox.more,
        "nav_links": nav_links,
    }
    return render(request, "workbench/home.html", context)
