"""一件事 definitions in 事项库管理: a new bundle, a bundle's versions and a new change of it.

A bundle version's page is the catalog's shared version page (workbench.catalog, kind
"bundle"): the diff, the four-eyes review, the drafter's edit form with the members, merged
form and merged materials as JSON documents checked at submission (catalog.bundledoc).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from yiwang.catalog import selectors as catalog
from yiwang.catalog import services
from yiwang.catalog.forms import BundleNewForm, ChangeForm
from yiwang.workbench.catalog import KINDS, _admin, _draft_or_errors, _nav


@login_required
def bundle_new(request: HttpRequest) -> HttpResponse:
    """A new bundle: its code, name and region; members and documents on the version page."""
    user = _admin(request)
    form = BundleNewForm(request.POST or None, regions=catalog.admin_regions(user))
    version = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = _draft_or_errors(
            form,
            lambda: services.bundle_version_draft(
                actor=user,
                code=data["code"],
                region=data["region"],
                change_kind="add",
                change_reason=data["change_reason"],
                elements={"name": data["name"]},
            ),
        )
    if version is not None:
        messages.success(request, f"已创建一件事草稿 v{version.number}，请填写包含事项、合并申请表和材料后提交审核。")
        return redirect("workbench:catalog_bundle_version", pk=version.pk)
    context = {**_nav(request), "form": form, "title": "新增一件事", "back": reverse("workbench:catalog")}
    return render(request, "workbench/catalog_new.html", context)


@login_required
def bundle_owner(request: HttpRequest, code: str) -> HttpResponse:
    """A bundle: its versions, a new change, its record."""
    user = _admin(request)
    bundle = catalog.bundle_by_code(code)
    if bundle is None:
        raise Http404("一件事不存在")
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = _draft_or_errors(
            form,
            lambda: services.bundle_version_draft(actor=user, code=code, region=bundle.region, **form.cleaned_data),
        )
        if version is not None:
            return redirect("workbench:catalog_bundle_version", pk=version.pk)
    context = {
        **_nav(request),
        "kind": KINDS["bundle"],
        "owner": bundle,
        "versions": catalog.bundle_versions(bundle),
        "form": form,
        "events": catalog.events_of(f"bundle:{code}"),
    }
    return render(request, "workbench/catalog_owner.html", context)
