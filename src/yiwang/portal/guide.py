"""办事指南: the public service guide (no login). Search, filter, and read an item's guide.

Thin views over catalog selectors. The search form works without JavaScript; with htmx a
change of filter replaces only the results (the request carries HX-Request).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import Region
from yiwang.catalog import level_selectors as levels
from yiwang.catalog import selectors as catalog
from yiwang.catalog.diff import show
from yiwang.catalog.models import ExerciseLevel
from yiwang.catalog.search import GuideFilters
from yiwang.catalog.themes import THEMES
from yiwang.portal import rating_blocks

OBJECTS = [("", "全部对象"), ("person", "个人办事"), ("enterprise", "法人办事")]
DEPTH_LABELS = {
    1: "Ⅰ级（网上查询办事指南）",
    2: "Ⅱ级（网上预审）",
    3: "Ⅲ级（网上受理，需到现场）",
    4: "Ⅳ级（全程网办）",
}


class GuideFilterForm(forms.Form):
    q = forms.CharField(label="搜索事项", required=False, max_length=100)
    theme = forms.ChoiceField(label="主题", required=False, choices=[("", "全部主题")])
    department = forms.TypedChoiceField(label="部门", required=False, coerce=int, empty_value=None, choices=[])
    region = forms.ChoiceField(label="区划", required=False, choices=[])
    level = forms.ChoiceField(label="行使层级", required=False, choices=[("", "全部层级"), *ExerciseLevel.choices])
    object = forms.ChoiceField(label="服务对象", required=False, choices=OBJECTS)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, region: Region | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "全部主题"), *((t["slug"], t["name"]) for t in THEMES)]  # type: ignore[attr-defined]
        regions = [(r.code, r.name) for r in accounts.region_switch_choices()]
        if region is not None and region.code not in dict(regions):  # a town or village chosen below
            regions.append((region.code, region.name))
        self.fields["region"].choices = regions  # type: ignore[attr-defined]
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", "全部部门"),
            *((d.pk, d.name) for d in catalog.guide_departments(region)),
        ]


def _region(request: HttpRequest) -> Region | None:
    """The visitor's region: chosen here (and remembered), else the portal's own region (a city
    portal's brand), else the portal's region switcher."""
    remembered = request.session.get("region_code")
    portal_region: Region | None = getattr(request, "portal_region", None)
    default = portal_region.code if portal_region is not None else None
    code = request.GET.get("region") or default or remembered or settings.DEFAULT_REGION_CODE
    region = accounts.region_by_code(code) or accounts.region_by_code(settings.DEFAULT_REGION_CODE)
    if region is not None and request.GET.get("region") and region.code != (remembered or settings.DEFAULT_REGION_CODE):
        request.session["region_code"] = region.code  # written only when the choice changes
    return region


def guide(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    data = request.GET.copy()
    if region is not None:
        data["region"] = region.code
    form = GuideFilterForm(data, region=region)
    form.is_valid()  # an invalid filter is dropped; the valid ones still apply
    cleaned: dict[str, Any] = form.cleaned_data
    filters = GuideFilters(
        q=cleaned.get("q", ""),
        theme=cleaned.get("theme", ""),
        department_id=cleaned.get("department"),
        region=region,
        level=cleaned.get("level", ""),
        service_object=cleaned.get("object", ""),
    )
    page = catalog.guide_page(filters, page=cleaned.get("page") or 1)
    context = {
        "form": form,
        "page": page,
        "region": region,
        "filters": filters,
        "page_query": data,  # the page links keep the filters, the region too (it may come from the session)
        "chooser": levels.region_chooser(region) if region is not None else None,
        "theme_names": {t["slug"]: t["name"] for t in THEMES},
    }
    template = "portal/guide_results.html" if request.headers.get("HX-Request") else "portal/guide.html"
    return render(request, template, context)


def _lineage(basic_code: str) -> dict[str, Any] | None:
    """拆分/合并 history of an item: what it came from and what it became, with names."""
    item = catalog.item_by_code(basic_code)
    if item is None:
        return None
    found = levels.lineage_of(item)
    if not found.predecessors and not found.successors:
        return None
    names = levels.item_names(
        [link.predecessor for link in found.predecessors] + [item] + [link.successor for link in found.successors]
    )
    return {
        "item": item,
        "name": names.get(item.pk, basic_code),
        "predecessors": [(link, names.get(link.predecessor_id, "")) for link in found.predecessors],
        "successors": [(link, names.get(link.successor_id, "")) for link in found.successors],
        "versions": catalog.item_versions_public(item),
    }


def item(request: HttpRequest, basic_code: str) -> HttpResponse:
    documents = list(catalog.guide_implementations(basic_code))
    region = _region(request)
    chosen = catalog.guide_choose(documents, region, request.GET.get("impl", ""))
    lineage = _lineage(basic_code)
    if chosen is None and lineage is not None and lineage["successors"]:
        return render(
            request, "portal/guide_retired.html", {"lineage": lineage, **lineage}
        )  # split or merged: where it went
    if chosen is None:
        raise Http404("该事项不存在或已停止办理。")
    version = chosen.implementation_version
    item_version = version.item_version
    process = catalog.process_of(version)
    materials = catalog.materials_of(version)
    context = {
        "doc": chosen,
        "region": region,
        "documents": documents,
        "version": version,
        "item_version": item_version,
        "materials": materials,
        "shared": [m for m in materials if not m.asked_of_applicant],
        "steps": catalog.process_steps(version),
        "deciders": catalog.process_deciders(version),
        "process": process,
        "instant": process is not None and process.case_kind == "instant",
        "service_objects": show("service_objects", item_version.service_objects),
        "handling_forms": show("handling_forms", version.handling_forms),
        "cross_region": catalog.cross_region_lines(version),
        "depth_label": DEPTH_LABELS.get(version.online_depth, str(version.online_depth)),
        "online": chosen.online and not chosen.suspended,
        "apply_url": f"/apply/{version.pk}/",
        "theme_names": {t["slug"]: t["name"] for t in THEMES},
        "ratings": rating_blocks.item_box(basic_code),
        "improvements": rating_blocks.improvements_box(version),
        "lineage": lineage,
    }
    return render(request, "portal/guide_item.html", context)
