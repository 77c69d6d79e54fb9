"""事项库管理: the catalog administrators' change workflow (draft → submit → review → publish).

Thin views: forms shape the input, catalog services decide (permissions, four eyes, rules).
A refused action re-renders the page with the errors next to the fields and everything the
administrator typed still in place.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.catalog import selectors as catalog
from yiwang.catalog import services
from yiwang.catalog.forms import (
    ChangeForm,
    ImplementationElementsForm,
    ImplementationNewForm,
    ItemElementsForm,
    ItemNewForm,
    MaterialFormSet,
    material_initial,
    material_specs,
)
from yiwang.catalog.models import Implementation, ImplementationVersion, ItemVersion, VersionStatus
from yiwang.core.errors import DomainError, ValidationFailed
from yiwang.core.text import control_char_error


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not catalog.is_catalog_admin(user):
        raise PermissionDenied("事项库管理仅对事项管理员开放。")
    return user


def _attach(form: Any, exc: ValidationFailed) -> None:
    """Put each message next to its field; messages about other things go on top of the form."""
    for field, messages_ in exc.errors.items():
        form.add_error(field if field in form.fields else None, messages_)


def _nav(request: HttpRequest) -> dict[str, Any]:
    """The workbench side navigation, with this section's entries."""
    return {
        "nav_links": [
            {"title": "事项库管理", "href": reverse("workbench:catalog")},
            {"title": "新增事项", "href": reverse("workbench:catalog_item_new")},
        ]
    }


@login_required
def catalog_home(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    q = request.GET.get("q", "")
    item_drafts, implementation_drafts = catalog.drafts_of(user)
    context = {
        **_nav(request),
        "q": q,
        "rows": catalog.items_for_admin(q),
        "item_reviews": catalog.item_versions_to_review(user),
        "implementation_reviews": catalog.implementation_versions_to_review(user),
        "item_drafts": item_drafts,
        "implementation_drafts": implementation_drafts,
    }
    return render(request, "workbench/catalog_list.html", context)


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    form = ItemNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.item_version_draft(
                actor=user,
                basic_code=form.cleaned_data["basic_code"],
                change_kind="add",
                change_reason=form.cleaned_data["change_reason"],
                elements={k: v for k, v in form.elements().items() if k != "basic_code"},  # type: ignore[arg-type]
            )
        except ValidationFailed as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已创建事项草稿 v{version.number}，可继续修改后提交审核。")
            return redirect("workbench:catalog_item_version", pk=version.pk)
    return render(request, "workbench/catalog_item_new.html", {**_nav(request), "form": form})


@login_required
def item_detail(request: HttpRequest, basic_code: str) -> HttpResponse:
    user = _admin(request)
    item = catalog.item_by_code(basic_code)
    if item is None:
        raise Http404("事项不存在")
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.item_version_draft(actor=user, basic_code=basic_code, **form.cleaned_data)
        except ValidationFailed as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("workbench:catalog_item_version", pk=version.pk)
    context = {
        **_nav(request),
        "item": item,
        "versions": catalog.item_versions(item),
        "implementations": Implementation.objects.filter(item=item).select_related("region", "department"),
        "form": form,
        "events": catalog.events_of(f"item:{basic_code}"),
    }
    return render(request, "workbench/catalog_item.html", context)


def _review_or_workflow(request: HttpRequest, user: User, version: Any, *, publish: Any, reject: Any) -> str | None:
    """Handle the review and workflow buttons; returns an error message, or None when done."""
    action = request.POST.get("action")
    note = request.POST.get("note", "")
    refused = control_char_error("审核意见", note, multiline=True)  # no Django form here to refuse it
    if refused is not None:
        return refused
    try:
        if action == "publish":
            publish(actor=user, version=version, note=note)
            messages.success(request, f"v{version.number} 已发布，即时生效。")
        elif action == "reject":
            reject(actor=user, version=version, note=note)
            messages.success(request, f"v{version.number} 已退回起草人。")
        else:
            return "未知的操作。"
    except ValidationFailed as exc:
        return "；".join(m for msgs in exc.errors.values() for m in msgs)
    except DomainError as exc:
        return exc.message
    return None


@login_required
def item_version(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    version = get_object_or_404(ItemVersion.objects.select_related("item", "drafted_by", "reviewed_by"), pk=pk)
    editable = version.is_open and version.drafted_by_id == user.pk
    form = ItemElementsForm.for_version(version, request.POST if request.method == "POST" and editable else None)
    review_error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("publish", "reject"):
            review_error = _review_or_workflow(
                request, user, version, publish=services.item_version_publish, reject=services.item_version_reject
            )
            if review_error is None:
                return redirect("workbench:catalog_item_version", pk=pk)
        elif action == "withdraw":
            try:
                services.item_version_withdraw(actor=user, version=version)
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect("workbench:catalog_item_version", pk=pk)
        elif editable and form.is_valid():
            try:
                services.item_version_update(
                    actor=user,
                    version=version,
                    elements=form.elements(),  # type: ignore[arg-type]
                    change_reason=form.cleaned_data["change_reason"],
                )
                if action == "submit":
                    services.item_version_submit(actor=user, version=version)
                    messages.success(request, "已提交审核，请另一名事项管理员复核发布。")
                else:
                    messages.success(request, "草稿已保存。")
                return redirect("workbench:catalog_item_version", pk=pk)
            except ValidationFailed as exc:
                _attach(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
    version.refresh_from_db()
    baseline, changes = catalog.item_version_changes(version)
    context = {
        **_nav(request),
        "version": version,
        "form": form,
        "editable": editable,
        "reviewable": version.status == VersionStatus.IN_REVIEW and version.drafted_by_id != user.pk,
        "review_error": review_error,
        "baseline": baseline,
        "changes": changes,
    }
    return render(request, "workbench/catalog_item_version.html", context)


@login_required
def implementation_new(request: HttpRequest, basic_code: str) -> HttpResponse:
    user = _admin(request)
    item = catalog.item_by_code(basic_code)
    if item is None:
        raise Http404("事项不存在")
    form = ImplementationNewForm(request.POST or None, regions=catalog.admin_regions(user))
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data["department"]
        try:
            version = services.implementation_version_draft(
                actor=user,
                basic_code=basic_code,
                region=department.region,
                department=department,
                change_kind="add",
                change_reason=form.cleaned_data["change_reason"],
                code=form.cleaned_data["code"],
            )
        except ValidationFailed as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("workbench:catalog_implementation_version", pk=version.pk)
    context = {**_nav(request), "item": item, "form": form, "current": catalog.item_version_in_force(item)}
    return render(request, "workbench/catalog_implementation_new.html", context)


@login_required
def implementation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    implementation = get_object_or_404(Implementation.objects.select_related("item", "region", "department"), pk=pk)
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.implementation_version_draft(
                actor=user,
                basic_code=implementation.item.basic_code,
                region=implementation.region,
                department=implementation.department,
                **form.cleaned_data,
            )
        except ValidationFailed as exc:
            _attach(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("workbench:catalog_implementation_version", pk=version.pk)
    context = {
        **_nav(request),
        "implementation": implementation,
        "versions": catalog.implementation_versions(implementation),
        "form": form,
        "events": catalog.events_of(f"implementation:{implementation.code}"),
    }
    return render(request, "workbench/catalog_implementation.html", context)


@login_required
def implementation_version(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    version = get_object_or_404(
        ImplementationVersion.objects.select_related(
            "implementation__item", "implementation__region", "implementation__department", "item_version"
        ),
        pk=pk,
    )
    editable = version.is_open and version.drafted_by_id == user.pk
    posted = request.POST if request.method == "POST" and editable else None
    form = ImplementationElementsForm.for_version(version, posted)
    formset = MaterialFormSet(posted, initial=material_initial(version), prefix="materials")
    review_error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("publish", "reject"):
            review_error = _review_or_workflow(
                request,
                user,
                version,
                publish=services.implementation_version_publish,
                reject=services.implementation_version_reject,
            )
            if review_error is None:
                return redirect("workbench:catalog_implementation_version", pk=pk)
        elif action == "withdraw":
            try:
                services.implementation_version_withdraw(actor=user, version=version)
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect("workbench:catalog_implementation_version", pk=pk)
        elif editable and form.is_valid() & formset.is_valid():
            try:
                services.implementation_version_update(
                    actor=user,
                    version=version,
                    elements=form.elements(),  # type: ignore[arg-type]
                    materials=material_specs(formset),  # type: ignore[arg-type]
                    change_reason=form.cleaned_data["change_reason"],
                )
                if action == "submit":
                    services.implementation_version_submit(actor=user, version=version)
                    messages.success(request, "已提交审核，请另一名事项管理员复核发布。")
                else:
                    messages.success(request, "草稿已保存。")
                return redirect("workbench:catalog_implementation_version", pk=pk)
            except ValidationFailed as exc:
                _attach(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
    version.refresh_from_db()
    baseline, changes = catalog.implementation_version_changes(version)
    context = {
        **_nav(request),
        "version": version,
        "implementation": version.implementation,
        "form": form,
        "formset": formset,
        "editable": editable,
        "reviewable": version.status == VersionStatus.IN_REVIEW and version.drafted_by_id != user.pk,
        "review_error": review_error,
        "baseline": baseline,
        "changes": changes,
        "materials": catalog.materials_of(version),
        "steps": catalog.process_steps(version),
    }
    return render(request, "workbench/catalog_implementation_version.html", context)
