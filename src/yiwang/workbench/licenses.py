"""电子证照 in the workbench: the licenses a department issued, and its approvers' actions.

Thin views. Reads go through licenses.selectors (scoped by licenses.policy to the staff
member's departments; another department's license is a 404); each action posts to a view
that calls exactly one licenses.services function, which checks who (an approver or head of
the issuing department), when (the transition table, from the effective status) and what was
typed, under a row lock. A refused action re-renders the page with the fresh state, the
message next to its field and what was typed kept. 撤销 is final: its form first shows a
confirmation page (the same checks, nothing written), and only that page's button revokes.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.core.identifiers import IdentifierError, validate_license_identifier
from yiwang.core.text import control_char_error
from yiwang.licenses import policy, selectors, services
from yiwang.licenses.models import License
from yiwang.licenses.workflow import LicenseAction, LicenseStatus
from yiwang.workbench import cases
from yiwang.workbench.forms import ActionForm

GENERAL = "__all__"
QUERY_MAX = 120
STATUS_TONES = {
    LicenseStatus.VALID: "success",
    LicenseStatus.SUSPENDED: "warning",
    LicenseStatus.REVOKED: "danger",
    LicenseStatus.CANCELLED: "neutral",
    LicenseStatus.EXPIRED: "neutral",
    LicenseStatus.SUPERSEDED: "info",
}
ACTIONS = {
    "suspend": LicenseAction.SUSPEND,
    "resume": LicenseAction.RESUME,
    "revoke": LicenseAction.REVOKE,
    "reissue": LicenseAction.SUPERSEDE,
}
ACTION_LABELS = {"suspend": "暂停", "resume": "恢复", "revoke": "撤销", "reissue": "变更换发"}


def staff_of(request: HttpRequest) -> User:
    """A staff member holding a case-handling post (the policy's STAFF_ROLES); else 403."""
    user = cases.staff_of(request)
    if not policy.sees_issued_licenses(user):
        raise PermissionDenied("电子证照管理仅对发证机关的窗口受理、审查、审批决定和机关负责人岗位开放。")
    return user


def license_url(identifier: str) -> str:
    return reverse("workbench:license", args=[identifier])


def _badge(license: License) -> dict[str, str]:
    status = license.effective_status
    return {"status": str(status), "label": str(status.label), "tone": STATUS_TONES[status]}


# --- the list ------------------------------------------------------------------------------


@login_required
def license_list(request: HttpRequest) -> HttpResponse:
    """电子证照: the licenses of the user's departments, by number / holder / identifier,
    effective status and type, 25 a page."""
    user = staff_of(request)
    q = request.GET.get("q", "").strip()
    error = control_char_error("查询内容", q)
    if error is None and len(q) > QUERY_MAX:
        error = f"查询内容：最多 {QUERY_MAX} 个字符"
    types = list(selectors.license_types())
    codes = {t.code for t in types}
    chosen_type = request.GET.get("type", "")
    chosen_type = chosen_type if chosen_type in codes else ""
    chosen = request.GET.get("status", "")
    chosen = chosen if chosen in LicenseStatus.values else ""
    found = selectors.licenses_issued_for(user, q="" if error else q, status=chosen, type_code=chosen_type)
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    rows = [
        {
            "license": license,
            "type_name": license.license_type.name,
            "badge": _badge(license),
            "url": license_url(license.identifier),
        }
        for license in page.object_list
    ]
    context = {
        "nav_links": cases.nav_links(user),
        "rows": rows,
        "page": page,
        "q": "" if error else q,
        "error": error,
        "chosen": chosen,
        "chosen_type": chosen_type,
        "statuses": LicenseStatus.choices,
        "types": types,
    }
    return render(request, "workbench/licenses.html", context, status=422 if error else 200)


# --- the license page ----------------------------------------------------------------------


def _identifier(identifier: str) -> str:
    """The identifier of the address, checked (a malformed one is simply not found)."""
    try:
        return validate_license_identifier(identifier)
    except IdentifierError as exc:
        raise NotFound(exc.message) from exc


def _view(user: User, identifier: str) -> selectors.StaffLicenseView:
    return selectors.license_staff_view(user, _identifier(identifier))


def _reissue_fields(view: selectors.StaffLicenseView, form: ActionForm) -> list[dict[str, Any]]:
    """The re-issue form: one field per licensed fact in the type's order, prefilled with
    the current value (or what was typed); the case's own facts are shown, not editable."""
    specs = {str(spec["key"]): spec for spec in view.license.license_type.fields}
    fields = []
    for key, label, value in view.facts:
        current = "是" if value is True else "否" if value is False else str(value)
        state = form[f"fact-{key}"]
        typed = state.value if form.data else current
        fields.append(
            {
                "key": key,
                "label": label,
                "name": f"fact-{key}",
                "id": state.id,
                "value": typed,
                "errors": state.errors,
                "error_id": state.error_id,
                "editable": key in specs and services.fact_is_editable(specs[key]),
                "long": len(typed) > 60 or "\n" in typed,
            }
        )
    return fields


def _page(
    request: HttpRequest,
    user: User,
    identifier: str,
    *,
    failed: str = "",
    post: QueryDict | None = None,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    view = _view(user, identifier)
    license = view.license
    errors = dict(errors or {})
    # Field errors of a re-issue come as facts.<key>; the form's inputs are fact-<key>.
    errors = {key.replace("facts.", "fact-", 1): value for key, value in errors.items()}
    data = {name: post.get(name, "") for name in post} if post is not None else {}

    def form(action: str) -> ActionForm:
        return ActionForm(action, data, errors) if action == failed else ActionForm(action)

    reissue = form("reissue")
    field_names = {"reason", "legal_basis"} | {f"fact-{key}" for key, _, _ in view.facts}
    context = {
        "nav_links": cases.nav_links(user),
        "view": view,
        "license": license,
        "badge": _badge(license),
        "person": view.person,
        "events": [{"event": e, "label": e.label, "entry_url": _entry_url(e.ledger_entry_id)} for e in view.events],
        "versions": [
            {"license": v, "badge": _badge(v), "url": license_url(v.identifier), "current": v.pk == license.pk}
            for v in view.versions
        ],
        "newest": view.versions[-1] if view.versions and view.versions[-1].pk != license.pk else None,
        "actions": {name for name, action in ACTIONS.items() if action in view.actions},
        "forms": {name: form(name) for name in ACTIONS},
        "reissue_fields": _reissue_fields(view, reissue),
        "failed": failed,
        "general_errors": [m for key, ms in errors.items() if key not in field_names for m in ms],
        "field_errors": [m for key, ms in errors.items() if key in field_names for m in ms],
        "conflict": status == 409,
    }
    return render(request, "workbench/licenses_detail.html", context, status=status)


def _entry_url(entry_id: int | None) -> str:
    return reverse("portal:ledger_entry", args=[entry_id]) if entry_id else ""


@login_required
def license_page(request: HttpRequest, identifier: str) -> HttpResponse:
    user = staff_of(request)
    return _page(request, user, identifier)


# --- actions: one service each ---------------------------------------------------------------


def _reissue_changes(post: QueryDict) -> dict[str, str]:
    return {name[5:]: post.get(name, "") for name in post if name.startswith("fact-")}


def _refused(request: HttpRequest, user: User, identifier: str, action: str, exc: Exception) -> HttpResponse:
    label = ACTION_LABELS[action]
    if isinstance(exc, ValidationFailed):
        errors, status = dict(exc.errors), 422
    elif isinstance(exc, Conflict):
        errors, status = {GENERAL: [f"{label}未完成：{exc.message} 页面已显示最新状态。"]}, 409
    else:
        assert isinstance(exc, PermissionDenied)
        errors, status = {GENERAL: [exc.message]}, 403
    return _page(request, user, identifier, failed=action, post=request.POST, errors=errors, status=status)


@login_required
@require_POST
def license_action(request: HttpRequest, identifier: str, action: str) -> HttpResponse:
    user = staff_of(request)
    if action not in ACTIONS:
        raise Http404("没有这个证照操作。")
    license = selectors.license_issued_for(user, _identifier(identifier))  # 404: another department's
    post = request.POST
    reason, legal_basis = post.get("reason", ""), post.get("legal_basis", "")
    try:
        if action == "suspend":
            services.license_suspend(actor=user, license_id=license.pk, reason=reason)
            message = "电子证照已暂停，核验页面即时显示“已暂停”。"
        elif action == "resume":
            services.license_resume(actor=user, license_id=license.pk, reason=reason)
            message = "电子证照已恢复有效。"
        elif action == "revoke":
            if post.get("confirm") != "1":
                reason, legal_basis = services.license_revoke_check(
                    actor=user, license_id=license.pk, reason=reason, legal_basis=legal_basis
                )
                context = {
                    "nav_links": cases.nav_links(user),
                    "license": license,
                    "reason": reason,
                    "legal_basis": legal_basis,
                }
                return render(request, "workbench/licenses_revoke.html", context)
            services.license_revoke(actor=user, license_id=license.pk, reason=reason, legal_basis=legal_basis)
            message = "电子证照已撤销（不可恢复），核验页面即时显示“已撤销”。"
        else:
            new = services.license_reissue(
                actor=user, license_id=license.pk, facts=_reissue_changes(post), reason=reason
            )
            messages.success(request, f"已换发第 {new.version} 版电子证照，原版本已替代。")
            return redirect(license_url(new.identifier))
    except (ValidationFailed, Conflict, PermissionDenied) as exc:
        return _refused(request, user, identifier, action, exc)
    messages.success(request, message)
    return redirect(license_url(license.identifier))
