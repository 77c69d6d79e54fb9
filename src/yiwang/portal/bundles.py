"""一件事 on the portal: the public guide of a bundle, the one application (one merged form,
one list of materials), and the applicant's bundle page with each part's progress.

The apply page is one multipart form that works without JavaScript (conditional fields and
materials are shown/hidden by apply.js as on the single-item page; without it they stay
visible with the sentence saying when they apply). A POST saves the draft, stores each
file chosen, and with 提交申请 submits everything at once (`bundle_submit`).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import Enterprise, User
from yiwang.cases import bundle_selectors
from yiwang.cases.models import BundleCase
from yiwang.cases.services import bundles as services
from yiwang.catalog import selectors as catalog
from yiwang.catalog.bundledoc import BundleMaterials, BundleMembers
from yiwang.catalog.formschema import FormSchema
from yiwang.catalog.models import BundleVersion
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.portal import forms
from yiwang.portal.apply import applicant_of


def _in_force(code: str) -> BundleVersion:
    version = catalog.bundle_in_force(code)
    if version is None:
        raise NotFound("该一件事不存在或暂停办理。")
    return version


def guide(request: HttpRequest, code: str) -> HttpResponse:
    """`/bundles/<code>/`: what the bundle includes, when, the materials asked once."""
    version = _in_force(code)
    members = BundleMembers.model_validate(version.members).members
    form = FormSchema.model_validate(version.form)
    conditions = {m.key: _label(form, m.condition_field) for m in members}
    return render(
        request,
        "portal/bundle_guide.html",
        {
            "version": version,
            "members": [
                {"member": m, "condition": conditions[m.key], "after": _labels(members, m.after)} for m in members
            ],
            "materials": _materials(version, members),
        },
    )


def _label(form: FormSchema, name: str) -> str:
    spec = form.field(name)
    return spec.label if spec is not None else ""


def _labels(members: list[Any], keys: list[str]) -> str:
    return "、".join(m.label for m in members if m.key in keys)


def _materials(version: BundleVersion, members: list[Any]) -> list[dict[str, Any]]:
    return [
        {"material": m, "serves": _labels(members, list(m.serves))}
        for m in BundleMaterials.model_validate(version.materials).materials
    ]


@login_required
@never_cache
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """`/bundles/<code>/apply/`: a blank bundle application."""
    user = applicant_of(request)
    version = _in_force(code)
    if request.method == "POST":
        return _post(request, user, version, None)
    return _page(request, user, version, None, {}, {})


@login_required
@never_cache
def draft(request: HttpRequest, ref: str) -> HttpResponse:
    """`/me/bundles/<ref>/edit/`: continue a bundle draft."""
    user = applicant_of(request)
    bundle = bundle_selectors.bundle_case_for(user, ref)
    if bundle.status != "draft":
        return redirect("portal:my_bundle", ref=bundle.number)
    if request.method == "POST":
        return _post(request, user, bundle.bundle_version, bundle)
    return _page(request, user, bundle.bundle_version, bundle, bundle.form_data, {})


def _enterprise(user: User, choice: str) -> Enterprise | None:
    agency = next((a for a in accounts.agencies_of(user) if str(a.enterprise_id) == choice), None)
    return agency.enterprise if agency is not None else None


def _post(request: HttpRequest, user: User, version: BundleVersion, bundle: BundleCase | None) -> HttpResponse:
    key = forms.new_idempotency_key(request.POST.get("idempotency_key"))
    done = bundle_selectors.bundle_case_by_key(user, key)
    if done is not None:  # the same page posted twice: the first POST already submitted it
        return redirect("portal:my_bundle", ref=done.number)
    schema = FormSchema.model_validate(version.form)
    data = forms.form_data_from(schema, request.POST)
    errors: dict[str, list[str]] = {}
    try:
        bundle = services.bundle_draft_save(
            actor=user,
            form_data=data,
            bundle_version=version if bundle is None else None,
            draft=bundle,
            enterprise=_enterprise(user, request.POST.get("applicant_as", "")) if bundle is None else None,
        )
    except ValidationFailed as exc:
        return _page(request, user, version, bundle, data, exc.errors, status=422)
    for material in BundleMaterials.model_validate(version.materials).materials:
        upload = request.FILES.get(f"m-{material.key}")
        if upload is None:
            continue
        try:
            services.bundle_material_upload(actor=user, bundle=bundle, material_key=material.key, upload=upload)
        except (ValidationFailed, Conflict) as exc:
            errors[f"materials.{material.key}"] = (
                forms.flatten(exc.errors) if isinstance(exc, ValidationFailed) else [exc.message]
            )
    if errors:
        return _page(request, user, version, bundle, data, errors, status=422)
    if request.POST.get("action") != "submit":
        messages.success(request, "草稿已保存，可在“我的办件”中继续填写。")
        return redirect("portal:bundle_draft", ref=bundle.ref)
    try:
        bundle = services.bundle_submit(actor=user, draft=bundle, idempotency_key=key)
    except ValidationFailed as exc:
        return _page(request, user, version, bundle, data, exc.errors, status=422)
    except (Conflict, PermissionDenied) as exc:
        return _page(request, user, version, bundle, data, {"__all__": [exc.message]}, status=409)
    messages.success(request, f"一件事申请已提交，受理编号 {bundle.number}。")
    return redirect("portal:my_bundle", ref=bundle.number)


def _page(
    request: HttpRequest,
    user: User,
    version: BundleVersion,
    bundle: BundleCase | None,
    data: dict[str, Any],
    errors: dict[str, list[str]],
    *,
    status: int = 200,
) -> HttpResponse:
    schema = FormSchema.model_validate(version.form)
    members = BundleMembers.model_validate(version.members).members
    fields = forms.field_views(schema, data, errors)
    uploads = bundle_selectors.bundle_uploads(bundle) if bundle is not None else {}
    materials = [
        {
            **row,
            "uploaded": uploads.get(row["material"].key),
            "errors": errors.get(f"materials.{row['material'].key}", []),
        }
        for row in _materials(version, members)
    ]
    anchors = {f.name: f.anchor for f in fields} | {
        f"materials.{m['material'].key}": f"m-{m['material'].key}" for m in materials
    }
    context = {
        "version": version,
        "bundle": bundle,
        "fields": fields,
        "materials": materials,
        "identities": forms.identity_choices(user, accounts.agencies_of(user), request.POST.get("applicant_as", "")),
        "summary": forms.error_summary(errors, anchors),
        "general_errors": errors.get("__all__", []),
        "action_url": reverse("portal:bundle_draft", args=[bundle.ref])
        if bundle
        else reverse("portal:bundle_apply", args=[version.bundle.code]),
        "key": forms.new_idempotency_key(request.POST.get("idempotency_key")),
        "upload_hint": forms.upload_hint(),
    }
    return render(request, "portal/bundle_apply.html", context, status=status)


@login_required
@never_cache
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    """`/me/bundles/<number>/`: the bundle's status and each part's progress (and the receipt)."""
    user = applicant_of(request)
    bundle = bundle_selectors.bundle_case_for(user, ref)
    if bundle.status == "draft":
        return redirect("portal:bundle_draft", ref=bundle.ref)
    return render(
        request,
        "portal/bundle_detail.html",
        {
            "bundle": bundle,
            "parts": bundle_selectors.bundle_parts(bundle),
            "events": bundle_selectors.bundle_events(bundle),
        },
    )
