"""在线申请: the applicant fills in the form of an implementation, uploads the materials,
saves a draft (and comes back to it from 我的草稿) or submits and gets the 回执.

One page, one multipart form, so it works without JavaScript. A POST does what the person
asked in the order the services need it, each step one service call (its own transaction):
1. `case_draft_save` keeps everything typed (a new draft, or the draft being edited);
2. `case_material_upload` for each file chosen (a bad file is reported next to its material,
   the others are kept);
3. with 提交申请, `case_submit` with the page's idempotency key.
When anything is refused the page comes back with every message next to its field, the
values as typed, and the files already stored listed — nothing is lost.

Double submission: the page carries an idempotency key generated when it was first
rendered. A repeated POST with that key finds the case it already created (case_submit is
idempotent per applicant and key) and goes to its receipt; the session remembers which
draft a key started, so a double click on a blank form does not start two drafts.
"""

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import Enterprise, User
from yiwang.cases import selectors, services
from yiwang.cases.models import Case
from yiwang.catalog import selectors as catalog
from yiwang.catalog.formschema import FormSchema, form_clean
from yiwang.catalog.models import ImplementationVersion
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.portal import forms

SESSION_DRAFTS = "apply_drafts"  # idempotency key → draft ref started with it (this browser)
GENERAL = "__all__"
_CONTROL_ANCHORS = {
    "applicant_as": "applicant-self",
    "delivery_method": "delivery-electronic",
    "delivery_address": "delivery_address",
    "commitment_signed": "commitment_signed",
    "intake_department": "intake_department",
}


def applicant_of(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_applicant:
        raise PermissionDenied("在线申请仅对实名注册的申请人开放；工作人员请使用工作台。")
    return user


def _version(version_id: int) -> ImplementationVersion:
    version = selectors.implementation_version_get(version_id)
    if version is None:
        raise NotFound("该事项不存在或已停止办理。")
    return version


def _submitted_with(user: User, key: str) -> Case | None:
    """The case this applicant already submitted with `key` (a repeated POST), if any."""
    return selectors.own_case_by_idempotency_key(user, key)


def _remember(request: HttpRequest, key: str, draft: Case) -> None:
    started: dict[str, str] = dict(request.session.get(SESSION_DRAFTS, {}))
    started[key] = str(draft.ref)
    request.session[SESSION_DRAFTS] = dict(list(started.items())[-20:])


def _remembered(request: HttpRequest, user: User, key: str) -> Case | None:
    ref = request.session.get(SESSION_DRAFTS, {}).get(key)
    if not ref:
        return None
    try:
        return selectors.draft_for(user, ref)
    except NotFound:
        return None


def _receipt_url(case: Case) -> str:
    return reverse("portal:case_receipt", args=[case.number])


def _draft_url(case: Case) -> str:
    return reverse("portal:apply_draft", args=[case.ref])


# --- pages -------------------------------------------------------------------------------


@login_required
def start(request: HttpRequest, version_id: int) -> HttpResponse:
    """`/apply/<implementation_version_id>/`: a blank application (the guide's 在线办理)."""
    user = applicant_of(request)
    version = _version(version_id)
    current = catalog.implementation_version_in_force(version.implementation)
    if current is None or version.item_version.suspended:
        raise Conflict("该事项目前不能在线申请（尚未发布、已暂停或已停止办理），请查看办事指南或咨询办理部门。")
    if current.pk != version.pk and request.method == "GET":
        messages.info(request, "该事项的办理要求已更新，以下为最新版本的申请表。")
        return redirect("portal:apply", version_id=current.pk)
    if request.method == "POST":
        return _post(request, user, version, draft=None)
    return _page(request, user, version, draft=None, data={}, key=forms.new_idempotency_key())


@login_required
def draft(request: HttpRequest, ref: str) -> HttpResponse:
    """`/apply/drafts/<ref>/`: continue a saved draft."""
    user = applicant_of(request)
    if request.method == "POST":
        key = forms.new_idempotency_key(request.POST.get("idempotency_key"))
        done = _submitted_with(user, key)
        if done is not None:
            return redirect(_receipt_url(done))
        case = selectors.draft_for(user, ref)
        return _post(request, user, case.implementation_version, draft=case)
    case = selectors.draft_for(user, ref)
    return _page(
        request,
        user,
        case.implementation_version,
        draft=case,
        data=case.form_data,
        identity=str(case.enterprise_id) if case.enterprise_id else forms.SELF,
        delivery=case.delivery_method,
        address=case.delivery_address,
        key=forms.new_idempotency_key(),
    )


@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    """我的草稿: applications started and not yet submitted."""
    user = applicant_of(request)
    rows = [
        {
            "case": case,
            "item_name": case.implementation_version.item_version.name,
            "department_name": case.department.name,
            "applicant_label": case.enterprise.name if case.enterprise else "本人",
            "url": _draft_url(case),
            "discard_url": reverse("portal:apply_draft_discard", args=[case.ref]),
        }
        for case in selectors.drafts_of(user)
    ]
    return render(request, "portal/apply_drafts.html", {"rows": rows})


@login_required
@require_POST
def discard(request: HttpRequest, ref: str) -> HttpResponse:
    """放弃草稿 (the draft's files stay stored; the draft leaves the list)."""
    user = applicant_of(request)
    case = selectors.draft_for(user, ref)
    try:
        services.case_withdraw(actor=user, case=case, reason="申请人放弃草稿")
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已放弃“{case.implementation_version.item_version.name}”的草稿。")
    return redirect("portal:drafts")


# --- the POST ----------------------------------------------------------------------------


def _identity(
    user: User, choice: str, draft: Case | None, errors: dict[str, list[str]]
) -> tuple[Enterprise | None, bool]:
    """The enterprise chosen (None for oneself), and whether the choice is usable."""
    if choice in ("", forms.SELF):
        if draft is not None and draft.enterprise_id is not None:
            errors["applicant_as"] = [
                f"申请人身份：这份草稿以“{draft.enterprise}”的名义填写，不能改为以个人名义申请；"
                "如需以个人名义申请，请放弃此草稿后重新填写"
            ]
            return None, False
        return None, True
    agency = next((a for a in accounts.agencies_of(user) if str(a.enterprise_id) == choice), None)
    if agency is None:
        errors["applicant_as"] = ["申请人身份：请选择本人，或您当前有权代为办理的企业"]
        return None, False
    return agency.enterprise, True


def _post(request: HttpRequest, user: User, version: ImplementationVersion, *, draft: Case | None) -> HttpResponse:
    key = forms.new_idempotency_key(request.POST.get("idempotency_key"))
    done = _submitted_with(user, key)
    if done is not None:  # the same page posted twice: the first POST already submitted it
        return redirect(_receipt_url(done))
    if draft is None:
        draft = _remembered(request, user, key)
    schema = FormSchema.model_validate(version.form_schema)
    data = forms.form_data_from(schema, request.POST)
    identity = request.POST.get("applicant_as", forms.SELF)
    method = request.POST.get("delivery_method") or None
    address = request.POST.get("delivery_address", "")
    commitment = request.POST.get("commitment_signed") == "true"
    intake = request.POST.get("intake_department", "")
    submitting = request.POST.get("action") == "submit"
    errors: dict[str, list[str]] = {}
    failed_uploads: list[str] = []

    def again(status: int = 422) -> HttpResponse:
        return _page(
            request,
            user,
            version,
            draft=draft,
            data=data,
            identity=identity,
            delivery=method or "",
            address=address,
            commitment=commitment,
            intake=intake,
            key=key,
            errors=errors,
            failed_uploads=failed_uploads,
            status=status,
        )

    enterprise, usable = _identity(user, identity, draft, errors)
    if not usable:
        return again()
    # 收件地 (异地代收代办): one of the windows the item allows, or none (apply to the authority).
    intake_department = {str(d.pk): d for d in catalog.intake_windows(version)}.get(intake)
    if intake and intake_department is None:
        errors["intake_department"] = ["收件地：请从列表中选择"]

    # 1. Keep what was typed.
    try:
        if draft is None:
            draft = services.case_draft_save(
                actor=user,
                implementation_version=version,
                form_data=data,
                enterprise=enterprise,
                delivery_method=method,
                delivery_address=address,
            )
            _remember(request, key, draft)
        else:
            services.case_draft_save(
                actor=user,
                draft=draft,
                form_data=data,
                enterprise=enterprise,
                delivery_method=method,
                delivery_address=address,
            )
    except ValidationFailed as exc:
        errors.update(exc.errors)
    except (Conflict, PermissionDenied) as exc:
        errors[GENERAL] = [exc.message]
    if draft is None:
        return again(409 if GENERAL in errors else 422)

    # 2. Store each file chosen; a bad one is reported next to its material.
    for material in version.materials.all():
        upload = request.FILES.get(forms.MATERIAL_PREFIX + material.key)
        if upload is None:
            continue
        try:
            services.case_material_upload(actor=user, case=draft, material_key=material.key, upload=upload)
        except ValidationFailed as exc:
            errors[f"materials.{material.key}"] = forms.flatten(exc.errors)
            failed_uploads.append(material.key)
        except (Conflict, PermissionDenied) as exc:
            errors[f"materials.{material.key}"] = [exc.message]
            failed_uploads.append(material.key)

    # 3. Submit.
    if submitting and not errors:
        try:
            case = services.case_submit(
                actor=user,
                idempotency_key=key,
                draft=draft,
                commitment_signed=commitment,
                delivery_method=method,
                delivery_address=address,
                intake_department=intake_department,
            )
        except ValidationFailed as exc:
            errors.update(exc.errors)
        except Conflict as exc:
            lost = _lost_race(request, user, key, draft)
            if lost is not None:
                return lost
            errors[GENERAL] = [exc.message]
        except PermissionDenied as exc:
            errors[GENERAL] = [exc.message]
        else:
            messages.success(request, f"申请已提交，办件编号 {case.number}。请保存本回执。")
            return redirect(_receipt_url(case))
    elif submitting:
        # Show every problem at once: the form's own checks (the same the service runs).
        _, form_errors = form_clean(schema, data)
        for name, messages_ in form_errors.items():
            errors.setdefault(name, messages_)

    if errors:
        return again(409 if GENERAL in errors else 422)
    messages.success(request, "草稿已保存。您可以随时在“我的草稿”中继续填写。")
    return redirect(_draft_url(draft))


def _lost_race(request: HttpRequest, user: User, key: str, draft: Case) -> HttpResponse | None:
    """Two POSTs of the same blank page ran at once and each started a draft: the other one
    submitted with this key. Discard this request's duplicate draft and show that receipt."""
    done = _submitted_with(user, key)
    if done is None or done.pk == draft.pk:
        return None
    with contextlib.suppress(Conflict, PermissionDenied):  # else it stays in 我的草稿, to discard by hand
        services.case_withdraw(actor=user, case=draft, reason="重复提交的草稿")
    return redirect(_receipt_url(done))


# --- rendering ---------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    user: User,
    version: ImplementationVersion,
    *,
    draft: Case | None,
    data: dict[str, Any],
    key: str,
    identity: str = forms.SELF,
    delivery: str = "",
    address: str = "",
    commitment: bool = False,
    intake: str = "",
    errors: dict[str, list[str]] | None = None,
    failed_uploads: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    schema = FormSchema.model_validate(version.form_schema)
    process = catalog.process_of(version)
    if draft is not None:
        needs = selectors.draft_detail_for(user, str(draft.ref)).materials
        materials = [n.material for n in needs]
        uploaded = {n.material.key: n.uploaded for n in needs if n.uploaded is not None}
        supplies = {n.material.key: n.supply for n in needs if n.supply is not None}
    else:
        materials = catalog.materials_of(version)
        uploaded = {}
        enterprise_id = int(identity) if identity.isdigit() and len(identity) < 19 else None
        supplies = selectors.material_supplies_for(user, version, enterprise_id)
    fields = forms.field_views(schema, data, errors)
    material_views = forms.material_views(materials, uploaded, errors, failed_uploads or [], supplies)
    anchors = {"applicant_as": _CONTROL_ANCHORS["applicant_as"]}
    anchors.update({f.name: f.anchor for f in fields})
    anchors.update({f"materials.{m.key}": m.id for m in material_views})
    anchors.update(_CONTROL_ANCHORS)
    labels = {f.name: f.label for f in fields}
    context = {
        "version": version,
        "item_name": version.item_version.name,
        "department_name": version.implementation.department.name,
        "region_name": version.implementation.region.name,
        "guide_url": reverse("portal:item", args=[version.implementation.item.basic_code]),
        "draft": draft,
        "action_url": _draft_url(draft) if draft is not None else reverse("portal:apply", args=[version.pk]),
        "discard_url": reverse("portal:apply_draft_discard", args=[draft.ref]) if draft is not None else "",
        "key": key,
        "identities": forms.identity_choices(user, accounts.agencies_of(user), identity),
        "fields": fields,
        "field_labels": labels,
        "materials": material_views,
        "upload_hint": forms.upload_hint(),
        "accept": forms.ACCEPT_ATTR,
        "deliveries": forms.delivery_choices(delivery),
        "delivery_address": address,
        "process": process,
        "commitment_allowed": bool(process and process.commitment_allowed),
        "commitment_text": process.commitment_text if process else "",
        "commitment": commitment,
        "intake_windows": [(str(d.pk), d.name, str(d.pk) == intake) for d in catalog.intake_windows(version)],
        "instant": bool(process and process.case_kind == "instant"),
        "errors": errors,
        "general_errors": errors.get(GENERAL, []),
        "summary": forms.error_summary({k: v for k, v in errors.items() if k != GENERAL}, anchors),
    }
    return render(request, "portal/apply.html", context, status=status)
