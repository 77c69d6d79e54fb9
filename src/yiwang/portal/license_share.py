"""用证授权 pages: the holder shares a license; a third party uses the code or the link.

- `/me/licenses/<identifier>/share/` (holder): the license's authorisations with each use (who,
  for what, when), a form to grant one — the answer shows the code, the link and the link's QR
  once — and a withdraw button per active authorisation.
- `/licenses/use/` (anyone): the code with the user's organisation and purpose.
- `/licenses/use/<token>/` (anyone with the link): organisation and purpose, then the license.
  Opening the link uses nothing; only the posted form is a use, so a chat app's link preview
  does not spend a one-time authorisation.

Every page here is `no-store`. The link pages keep the platform's `Referrer-Policy:
same-origin`, so the token in their address never leaves for another site; `no-referrer` is not
used because browsers then send `Origin: null` with the form, which CSRF protection refuses.
Reads through licenses.sharing_selectors, writes through licenses.sharing.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from yiwang.accounts.client_address import client_address
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.licenses import sharing, sharing_selectors
from yiwang.licenses.models import License
from yiwang.licenses.render import qr_svg
from yiwang.licenses.sharing_workflow import AuthorisationStatus
from yiwang.licenses.throttle import TooManyAttempts
from yiwang.portal import forms
from yiwang.portal.apply import applicant_of

GENERAL = "__all__"
DAY_CHOICES = (1, 3, 7, 15, 30)
GRANT_ANCHORS = {
    "recipient": "share-recipient",
    "purpose": "share-purpose",
    "days": "share-days",
    "valid_from": "share-days",
    "valid_until": "share-days",
    "max_uses": "share-max-uses",
}
USE_ANCHORS = {"code": "use-code", "token": "use-code", "organisation": "use-organisation", "purpose": "use-purpose"}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _small_int(errors: dict[str, list[str]], name: str, label: str, raw: str, low: int, high: int) -> int:
    """A bounded integer typed in a form: digits only (at most 3) before it is converted."""
    raw = raw.strip()
    if not raw.isdigit() or not raw.isascii() or len(raw) > 3 or not low <= int(raw) <= high:
        errors[name] = [f"{label}：请填写 {low}–{high} 之间的整数"]
        return low
    return int(raw)


# --- the holder --------------------------------------------------------------------------


def _rows(license: License) -> list[dict[str, Any]]:
    now = clock.now()
    rows = []
    for authorisation in sharing_selectors.authorisations_of(license):
        status = authorisation.status
        lapsed = status == AuthorisationStatus.ACTIVE and authorisation.valid_until <= now
        rows.append(
            {
                "authorisation": authorisation,
                "status_label": "已过期" if lapsed else authorisation.get_status_display(),
                "tone": "success" if status == AuthorisationStatus.ACTIVE and not lapsed else "neutral",
                "can_withdraw": status == AuthorisationStatus.ACTIVE and not lapsed,
                "uses": list(authorisation.uses.all()),
            }
        )
    return rows


def _share_page(
    request: HttpRequest,
    license: License,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    context = {
        "license": license,
        "rows": _rows(license),
        "errors": errors,
        "general_errors": errors.get(GENERAL, []),
        "summary": forms.error_summary({k: v for k, v in errors.items() if k != GENERAL}, GRANT_ANCHORS),
        "values": values or {"days": "7", "max_uses": "1"},
        "day_choices": DAY_CHOICES,
        "max_uses_limit": sharing.MAX_USES_LIMIT,
        "usable_reason": sharing.license_unusable_reason(license),
    }
    return _no_store(render(request, "portal/license_share.html", context, status=status))


@login_required
def share(request: HttpRequest, identifier: str) -> HttpResponse:
    user = applicant_of(request)
    license = sharing_selectors.license_held(user, identifier)
    if request.method != "POST":
        return _share_page(request, license)
    post = request.POST
    values = {
        "recipient": post.get("recipient", ""),
        "purpose": post.get("purpose", ""),
        "days": post.get("days", ""),
        "max_uses": post.get("max_uses", ""),
        "disclose_holder_id": "on" if post.get("disclose_holder_id") else "",
    }
    # Every message at once: the texts as the service checks them, and the two numbers.
    errors = sharing.grant_text_errors(recipient=values["recipient"], purpose=values["purpose"])
    days = _small_int(errors, "days", "授权期限（天）", values["days"], 1, sharing.WINDOW_MAX_DAYS)
    max_uses = _small_int(errors, "max_uses", "可使用次数", values["max_uses"], 1, sharing.MAX_USES_LIMIT)
    try:
        if errors:
            raise ValidationFailed(errors)
        start = clock.now()
        granted = sharing.authorisation_grant(
            actor=user,
            license_id=license.pk,
            recipient=values["recipient"],
            purpose=values["purpose"],
            valid_from=start,
            valid_until=start + dt.timedelta(days=days),
            max_uses=max_uses,
            disclose_holder_id=bool(values["disclose_holder_id"]),
        )
    except ValidationFailed as exc:
        return _share_page(request, license, errors={**exc.errors, **errors}, values=values, status=422)
    except (Conflict, PermissionDenied) as exc:
        return _share_page(request, license, errors={GENERAL: [exc.message]}, values=values, status=409)
    link = request.build_absolute_uri(reverse("portal:license_use_link", args=[granted.token]))
    context = {
        "license": license,
        "granted": granted,
        "authorisation": granted.authorisation,
        "link": link,
        "qr": mark_safe(qr_svg(link)),  # noqa: S308 - segno's own SVG of our URL, no user markup
        "use_url": request.build_absolute_uri(reverse("portal:license_use")),
    }
    return _no_store(render(request, "portal/license_share_created.html", context, status=201))


@login_required
@require_POST
def withdraw(request: HttpRequest, identifier: str, authorisation_id: int) -> HttpResponse:
    user = applicant_of(request)
    license = sharing_selectors.license_held(user, identifier)
    try:
        authorisation = sharing.authorisation_withdraw(
            actor=user, authorisation_id=authorisation_id, license_id=license.pk
        )
    except Conflict as exc:
        return _share_page(request, license, errors={GENERAL: [exc.message]}, status=409)
    messages.success(request, f"已撤回对“{authorisation.recipient}”的用证授权，授权码和链接均已失效。")
    return redirect("portal:license_share", identifier=license.identifier)


# --- the third party ---------------------------------------------------------------------


def _use_page(
    request: HttpRequest,
    *,
    token: str = "",
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    context = {
        "by_link": bool(token),
        "action": reverse("portal:license_use_link", args=[token]) if token else reverse("portal:license_use"),
        "errors": errors,
        "general_errors": errors.get(GENERAL, []),
        "summary": forms.error_summary({k: v for k, v in errors.items() if k != GENERAL}, USE_ANCHORS),
        "values": values or {},
    }
    return _no_store(render(request, "portal/license_share_use.html", context, status=status))


def _use(request: HttpRequest, token: str = "") -> HttpResponse:
    if request.method != "POST":
        return _use_page(request, token=token)
    values = {
        "code": request.POST.get("code", "")[:100],
        "organisation": request.POST.get("organisation", ""),
        "purpose": request.POST.get("purpose", ""),
    }
    try:
        shown = sharing.authorisation_use(
            code="" if token else values["code"],
            token=token,
            organisation=values["organisation"],
            purpose=values["purpose"],
            channel="link" if token else "code",
            client_ip=client_address(request),
        )
    except ValidationFailed as exc:
        return _use_page(request, token=token, errors=exc.errors, values=values, status=422)
    except NotFound as exc:
        values["code"] = ""
        errors = {"code": [exc.message]} if not token else {GENERAL: [exc.message]}
        return _use_page(request, token=token, errors=errors, values=values, status=404)
    except (Conflict, TooManyAttempts) as exc:
        return _use_page(request, token=token, errors={GENERAL: [exc.message]}, values=values, status=exc.status)
    context = {"shown": shown, "verify_url": "/licenses/verify"}
    return _no_store(render(request, "portal/license_share_view.html", context))


def use_code(request: HttpRequest) -> HttpResponse:
    return _use(request)


def use_link(request: HttpRequest, token: str) -> HttpResponse:
    if len(token) > sharing.SECRET_INPUT_MAX:
        raise NotFound(sharing.WRONG_SECRET)
    return _use(request, token)
