"""我的证照 (证照夹): the holder's e-licenses — the wallet, one license (facts, QR, versions,
status events with their ledger entries), the PDF download and 注销 at the holder's request.

Thin: reads through licenses.selectors (which return only what the signed-in person holds:
their own licenses and those of enterprises they currently act for; anything else is a 404),
the one change through licenses.services.license_cancel. Personal pages: the no-store
middleware (core/caching.py) keeps them out of caches; the PDF says so itself too.
"""

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from yiwang.accounts.models import User
from yiwang.cases import case_links
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.core.text import control_char_errors
from yiwang.ledger.events import Domain, event_type
from yiwang.licenses import printing, selectors, services
from yiwang.licenses.document import chinese_date
from yiwang.licenses.models import License
from yiwang.licenses.policy import may_act
from yiwang.licenses.render import qr_svg
from yiwang.licenses.services import REASON_MAX
from yiwang.licenses.workflow import LicenseAction, LicenseStatus
from yiwang.portal import forms
from yiwang.portal.apply import applicant_of

FILTERS = {"": "全部证照", "valid": "仅有效证照"}
GENERAL = "__all__"
PAGE_SIZE = 20


def license_url(license: License) -> str:
    return reverse("portal:license", args=[license.identifier])


def validity_text(license: License) -> str:
    end = chinese_date(license.valid_until) if license.valid_until else "长期"
    return f"{chinese_date(license.valid_from)} 至 {end}"


def license_card(license: License, *, case_visible: bool) -> dict[str, Any]:
    """The card contract of the wallet (and of the case page's 电子证照 section)."""
    case = license.case
    return {
        "identifier": license.identifier,
        "type_name": license.license_type.name,
        "number": license.number,
        "version": license.version,
        "holder_name": license.holder_name,
        "enterprise": license.enterprise is not None,
        "issuer_name": license.issuer.name,
        "validity": validity_text(license),
        "status": license.effective_status,
        "status_label": license.effective_status_label,
        "case_number": case.number if case is not None else "",
        "case_url": reverse("portal:my_case", args=[case.number]) if case is not None and case_visible else "",
        "url": license_url(license),
        "pdf_url": reverse("portal:license_pdf", args=[license.identifier]),
    }


def license_cards(user: User, licenses: list[License]) -> list[dict[str, Any]]:
    """Cards for `licenses`, linking a case only where `user` may open it (an enterprise's
    legal representative holds a license an agent applied for, but not that agent's case)."""
    numbers = [lic.case.number for lic in licenses if lic.case is not None and lic.case.number]
    visible = case_links.case_numbers_visible_to(user, numbers)
    return [license_card(lic, case_visible=lic.case is not None and lic.case.number in visible) for lic in licenses]


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    user = applicant_of(request)
    chosen = request.GET.get("show", "")
    if chosen not in FILTERS:
        chosen = ""
    page = Paginator(selectors.licenses_held_by(user, valid_only=chosen == "valid"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "cards": license_cards(user, list(page.object_list)),
        "page": page,
        "filters": list(FILTERS.items()),
        "chosen": chosen,
    }
    return render(request, "portal/licenses.html", context)


def _events(license: License) -> list[dict[str, Any]]:
    rows = []
    for event in selectors.license_events(license):
        kind = event_type(Domain.LICENSES, event.verb)
        rows.append(
            {
                "label": kind.label,
                "at": event.at,
                # The holder is told why their license changed (ledger/events.py: reason_to_applicant).
                "reason": event.reason if kind.reason_to_applicant else "",
                "ledger_url": reverse("portal:ledger_entry", args=[event.ledger_entry_id])
                if event.ledger_entry_id
                else "",
            }
        )
    return rows


def _detail_page(
    request: HttpRequest,
    license: License,
    *,
    template: str = "portal/licenses_detail.html",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    user = applicant_of(request)
    versions = selectors.license_versions(user, license)
    context = {
        "license": license,
        "card": license_cards(user, [license])[0],
        "status_reason": license.status_reason,
        "facts": printing.license_fields(license),
        "holder_code": printing.holder_code(license),
        # segno's SVG of the signed note (no user-controlled markup: the note is ours).
        "qr": mark_safe(qr_svg(license.note)),  # noqa: S308
        "versions": [
            {
                "version": v.version,
                "number": v.number,
                "status_label": v.effective_status_label,
                "url": license_url(v),
            }
            for v in versions
        ],
        "events": _events(license),
        "can_cancel": may_act(user, license, LicenseAction.CANCEL),
        "in_force": license.effective_status == LicenseStatus.VALID,
        "share_url": reverse("portal:license_share", args=[license.identifier]),
        # A one-click check: the verify page reads the note from the fragment (never sent).
        "verify_url": printing.VERIFY_PATH + "#" + base64.urlsafe_b64encode(license.note.encode()).decode().rstrip("="),
        "reason_max": REASON_MAX,
        **extra,
    }
    return render(request, template, context, status=status)


@login_required
def detail(request: HttpRequest, identifier: str) -> HttpResponse:
    user = applicant_of(request)
    return _detail_page(request, selectors.license_held(user, identifier))


@login_required
def pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    """The license as a PDF (watermarked with its status when it is no longer 有效)."""
    user = applicant_of(request)
    license = selectors.license_held(user, identifier)
    body = printing.license_pdf(license, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = printing.pdf_disposition(license)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def cancel(request: HttpRequest, identifier: str) -> HttpResponse:
    """注销: a confirmation page with the required reason; POST asks license_cancel."""
    user = applicant_of(request)
    license = selectors.license_held(user, identifier)
    if request.method != "POST":
        return _cancel_page(request, license)
    reason = request.POST.get("reason", "")
    # Every problem of the form at once (the service checks the reason again).
    errors = control_char_errors({"reason": reason}, {"reason": "注销理由"})
    if not errors and not reason.strip():
        errors["reason"] = ["注销理由：必填"]
    elif not errors and len(reason.strip()) > REASON_MAX:
        errors["reason"] = [f"注销理由：最多 {REASON_MAX} 个字符"]
    if request.POST.get("confirm") != "yes":
        errors["confirm"] = ["请勾选“我已知晓注销后证照不可恢复”后再提交"]
    if errors:
        return _cancel_page(request, license, errors=errors, reason=reason, status=422)
    try:
        services.license_cancel(actor=user, license_id=license.pk, reason=reason)
    except ValidationFailed as exc:
        errors = {"reason": [m.replace("理由：", "注销理由：", 1) for m in forms.flatten(exc.errors)]}
        return _cancel_page(request, license, errors=errors, reason=reason, status=422)
    except (Conflict, PermissionDenied) as exc:
        return _cancel_page(request, license, errors={GENERAL: [exc.message]}, reason=reason, status=409)
    messages.success(request, f"{license.license_type.name}（{license.number}）已注销。")
    return redirect(license_url(license))


def _cancel_page(
    request: HttpRequest,
    license: License,
    *,
    errors: dict[str, list[str]] | None = None,
    reason: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    anchors = {"reason": "cancel-reason", "confirm": "cancel-confirm"}
    return _detail_page(
        request,
        license,
        template="portal/licenses_cancel.html",
        errors=errors,
        general_errors=errors.get(GENERAL, []),
        summary=forms.error_summary({k: v for k, v in errors.items() if k != GENERAL}, anchors),
        reason=reason,
        status=status,
    )
