"""事项库管理: the catalog administrators' change workflow (draft → submit → review → publish).

Thin views: forms shape the input, catalog services decide (permissions, four eyes, rules).
One handler per page serves every document kind (item, implementation and bundle versions);
a `PageKind` says which selectors, services and form each uses. A refused action re-renders
the page with the errors next to the fields and everything the administrator typed in place.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.catalog import selectors as catalog
from yiwang.catalog import services
from yiwang.catalog.diff import show
from yiwang.catalog.forms import (
    BundleElementsForm,
    ChangeForm,
    ElementsForm,
    ImplementationElementsForm,
    ImplementationNewForm,
    ItemElementsForm,
    ItemNewForm,
    MaterialFormSet,
    material_initial,
    material_specs,
)
from yiwang.catalog.models import MaterialSource, VersionStatus
from yiwang.core.errors import DomainError, ValidationFailed
from yiwang.core.text import control_char_error
from yiwang.exchange import selectors as exchange


@dataclass(frozen=True)
class PageKind:
    """What the pages of one document kind use: selectors, services, form, names."""

    key: str  # "item" | "implementation" | "bundle"
    title: str
    form: type[ElementsForm]
    version: Callable[[int], Any]
    changes: Callable[[Any], Any]
    update: Callable[..., Any]
    submit: Callable[..., Any]
    withdraw: Callable[..., Any]
    publish: Callable[..., Any]
    reject: Callable[..., Any]
    materials: bool

    @property
    def version_url(self) -> str:
        return f"workbench:catalog_{self.key}_version"


KINDS = {
    "item": PageKind(
        "item",
        "基本要素",
        ItemElementsForm,
        catalog.item_version_by_id,
        catalog.item_version_changes,
        services.item_version_update,
        services.item_version_submit,
        services.item_version_withdraw,
        services.item_version_publish,
        services.item_version_reject,
        materials=False,
    ),
    "implementation": PageKind(
        "implementation",
        "实施清单",
        ImplementationElementsForm,
        catalog.implementation_version_by_id,
        catalog.implementation_version_changes,
        services.implementation_version_update,
        services.implementation_version_submit,
        services.implementation_version_withdraw,
        services.implementation_version_publish,
        services.implementation_version_reject,
        materials=True,
    ),
    "bundle": PageKind(
        "bundle",
        "一件事",
        BundleElementsForm,
        catalog.bundle_version_by_id,
        catalog.bundle_version_changes,
        services.bundle_version_update,
        services.bundle_version_submit,
        services.bundle_version_withdraw,
        services.bundle_version_publish,
        services.bundle_version_reject,
        materials=False,
    ),
}


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
            {"title": "新增一件事", "href": reverse("workbench:catalog_bundle_new")},
            {"title": "事项认领与调整", "href": reverse("workbench:catalog_levels")},
        ]
    }


def _draft_or_errors(form: Any, call: Callable[[], Any]) -> Any:
    """Call a service; its refusals go onto `form`. What it returned, or None when refused."""
    try:
        return call()
    except ValidationFailed as exc:
        _attach(form, exc)
    except DomainError as exc:
        form.add_error(None, exc.message)
    return None


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
        "bundles": catalog.bundles_for_admin(),
        "bundle_reviews": catalog.bundle_versions_to_review(user),
        "bundle_drafts": catalog.bundle_drafts_of(user),
    }
    return render(request, "workbench/catalog_list.html", context)


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    """A new item: its basic elements at once."""
    user = _admin(request)
    form = ItemNewForm(request.POST or None)
    version = None
    if request.method == "POST" and form.is_valid():
        version = _draft_or_errors(
            form,
            lambda: services.item_version_draft(
                actor=user,
                basic_code=form.cleaned_data["basic_code"],
                change_kind="add",
                change_reason=form.cleaned_data["change_reason"],
                elements=form.elements(),
            ),
        )
    if version is not None:
        messages.success(request, f"已创建事项草稿 v{version.number}，可继续修改后提交审核。")
        return redirect("workbench:catalog_item_version", pk=version.pk)
    context = {**_nav(request), "form": form, "title": "新增事项", "back": reverse("workbench:catalog")}
    return render(request, "workbench/catalog_new.html", context)


@login_required
def implementation_new(request: HttpRequest, basic_code: str) -> HttpResponse:
    """A new implementation of an item: the department and the code; elements start from defaults."""
    user = _admin(request)
    item = catalog.item_by_code(basic_code)
    if item is None:
        raise Http404("事项不存在")
    form = ImplementationNewForm(request.POST or None, regions=catalog.admin_regions(user))
    version = None
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data["department"]
        version = _draft_or_errors(
            form,
            lambda: services.implementation_version_draft(
                actor=user,
                basic_code=basic_code,
                region=department.region,
                department=department,
                change_kind="add",
                change_reason=form.cleaned_data["change_reason"],
                code=form.cleaned_data["code"],
            ),
        )
    if version is not None:
        return redirect("workbench:catalog_implementation_version", pk=version.pk)
    current = catalog.item_version_in_force(item)
    context = {
        **_nav(request),
        "form": form,
        "title": f"新增实施清单 · {current.name if current else basic_code}",
        "back": reverse("workbench:catalog_item", args=[basic_code]),
    }
    return render(request, "workbench/catalog_new.html", context)


@dataclass(frozen=True)
class Owner:
    """What the versions of one item or implementation belong to, and how to open a change of it."""

    obj: Any
    basic_code: str
    subject: str
    versions: Any
    draft: Callable[..., Any]  # (actor, change_kind, change_reason) -> the new draft


def _item_owner(basic_code: str) -> Owner | None:
    item = catalog.item_by_code(basic_code)
    if item is None:
        return None
    return Owner(
        item,
        basic_code,
        f"item:{basic_code}",
        catalog.item_versions(item),
        lambda **change: services.item_version_draft(basic_code=basic_code, **change),
    )


def _implementation_owner(pk: int) -> Owner | None:
    implementation = catalog.implementation_by_id(pk)
    if implementation is None:
        return None
    return Owner(
        implementation,
        implementation.item.basic_code,
        f"implementation:{implementation.code}",
        catalog.implementation_versions(implementation),
        lambda **change: services.implementation_version_draft(
            basic_code=implementation.item.basic_code,
            region=implementation.region,
            department=implementation.department,
            **change,
        ),
    )


@login_required
def owner_page(request: HttpRequest, kind: str, key: str | int) -> HttpResponse:
    """An item (by basic code) or an implementation (by id): its versions, a new change, its record."""
    user = _admin(request)
    owner = _item_owner(key) if isinstance(key, str) else _implementation_owner(key)
    if owner is None:
        raise Http404("不存在")
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = _draft_or_errors(form, lambda: owner.draft(actor=user, **form.cleaned_data))
        if version is not None:
            return redirect(KINDS[kind].version_url, pk=version.pk)
    context = {
        **_nav(request),
        "kind": KINDS[kind],
        "owner": owner.obj,
        "basic_code": owner.basic_code,
        "versions": owner.versions,
        "implementations": catalog.implementations_of(owner.obj) if kind == "item" else None,
        "form": form,
        "events": catalog.events_of(owner.subject),
    }
    return render(request, "workbench/catalog_owner.html", context)


def _review(request: HttpRequest, user: User, kind: PageKind, version: Any) -> str | None:
    """Handle the review buttons; returns an error message, or None when done."""
    action = request.POST.get("action")
    note = request.POST.get("note", "")
    refused = control_char_error("审核意见", note, multiline=True)  # no Django form here to refuse it
    if refused is not None:
        return refused
    try:
        if action == "publish":
            kind.publish(actor=user, version=version, note=note)
            messages.success(request, f"v{version.number} 已发布，即时生效。")
        else:
            kind.reject(actor=user, version=version, note=note)
            messages.success(request, f"v{version.number} 已退回起草人。")
    except ValidationFailed as exc:
        return "；".join(m for msgs in exc.errors.values() for m in msgs)
    except DomainError as exc:
        return exc.message
    return None


def _save(request: HttpRequest, user: User, kind: PageKind, version: Any, form: Any, formset: Any) -> bool:
    """Save the draft (and submit it when asked); refusals go onto the form. True when done."""
    extra = {"materials": material_specs(formset)} if formset is not None else {}
    submit = request.POST.get("action") == "submit"

    def save() -> bool:
        reason = form.cleaned_data["change_reason"]
        kind.update(actor=user, version=version, elements=form.elements(), change_reason=reason, **extra)
        if submit:
            kind.submit(actor=user, version=version)
        return True

    if _draft_or_errors(form, save) is None:
        return False
    messages.success(request, "已提交审核，请另一名事项管理员复核发布。" if submit else "草稿已保存。")
    return True


def material_rows(version: Any) -> list[dict[str, Any]]:
    """The implementation version's materials; one fetched by data sharing (免提交) with the
    resource it names and the implementing department's grant it relies on (or the lack of
    one), as `cases.evidence` will find them at submission."""
    department_id = version.implementation.department_id
    return [
        {
            "material": m,
            "basis": exchange.grant_for_material(department_id, m.source_reference)
            if m.source == MaterialSource.SHARING
            else None,
        }
        for m in catalog.materials_of(version)
    ]


@login_required
def version_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One version of either kind: the diff, the review buttons, the draft's edit form."""
    user = _admin(request)
    page = KINDS[kind]
    version = page.version(pk)
    if version is None:
        raise Http404("版本不存在")
    editable = version.is_open and version.drafted_by_id == user.pk
    posted = request.POST if request.method == "POST" and editable else None
    form = page.form.for_version(version, posted)
    formset = MaterialFormSet(posted, initial=material_initial(version), prefix="materials") if page.materials else None
    review_error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("publish", "reject"):
            review_error = _review(request, user, page, version)
            if review_error is None:
                return redirect(page.version_url, pk=pk)
        elif action == "withdraw":
            try:
                page.withdraw(actor=user, version=version)
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect(page.version_url, pk=pk)
        elif (
            editable
            and form.is_valid() & (formset is None or formset.is_valid())
            and _save(request, user, page, version, form, formset)
        ):
            return redirect(page.version_url, pk=pk)
    version = page.version(pk)
    baseline, changes = page.changes(version)
    documents = [e.name for e in form.spec if e.kind == "document"]
    materials = material_rows(version) if page.materials else []
    context = {
        **_nav(request),
        "kind": page,
        "version": version,
        "form": form,
        "formset": formset,
        "editable": editable,
        "reviewable": version.status == VersionStatus.IN_REVIEW and version.drafted_by_id != user.pk,
        "review_error": review_error,
        "baseline": baseline,
        "changes": changes,
        "fields": [form[n] for n in form.fields if n not in documents],
        "documents": [form[n] for n in documents],
        "facts": [(e.label, show(e.name, getattr(version, e.name))) for e in form.spec if e.kind != "document"],
        "materials": materials,
        "shared_materials": [row for row in materials if row["basis"] is not None],
        "steps": catalog.process_steps(version) if page.materials else [],
    }
    return render(request, "workbench/catalog_version.html", context)
