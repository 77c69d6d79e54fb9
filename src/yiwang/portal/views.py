"""The citizen portal (门户): home, the applicant's own space. Thin views over selectors."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from yiwang.accounts import selectors as accounts
from yiwang.accounts.models import Region, User
from yiwang.catalog import selectors as catalog
from yiwang.catalog import themes as catalog_themes
from yiwang.licenses import selectors as licenses
from yiwang.portal import mycases
from yiwang.portal.licenses import license_cards

# Life-event themes for people and enterprises live with the catalog (items are tagged with them).
THEMES = catalog_themes.THEMES


def _current_region(request: HttpRequest) -> Region | None:
    """The region chosen with the switcher (remembered in the session), else the portal's
    (a city brand's region: request.portal_region), else the platform's default.

    Only an explicit choice of another region is written: storing the default on every visit
    made each anonymous home-page view create a session row (and a cookie) for nothing."""
    portal_region: Region | None = getattr(request, "portal_region", None)
    default = portal_region.code if portal_region is not None else settings.DEFAULT_REGION_CODE
    remembered = request.session.get("region_code")
    code = request.GET.get("region") or remembered or default
    region = accounts.region_by_code(code) or accounts.region_by_code(default)
    if region is not None and request.GET.get("region") and region.code != (remembered or default):
        request.session["region_code"] = region.code
    return region


def home(request: HttpRequest) -> HttpResponse:
    guide = reverse("portal:guide")
    context: dict[str, object] = {
        "current_region": _current_region(request),
        "region_choices": accounts.region_switch_choices(),
        "themes": THEMES,
        "person_entries": [
            {"title": "户籍与身份", "href": f"{guide}?object=person&theme=household"},
            {"title": "社保与医保", "href": f"{guide}?object=person&theme=social-security"},
            {"title": "教育与考试", "href": f"{guide}?object=person&theme=education"},
            {
                "title": "新生儿出生一件事",
                "href": _bundle_href("xinshenger-chusheng", f"{guide}?object=person&theme=health"),
            },
            {"title": "全部个人事项", "href": f"{guide}?object=person"},
        ],
        "enterprise_entries": [
            {"title": "企业开办", "href": f"{guide}?object=enterprise&theme=enterprise-start"},
            {
                "title": "开办餐饮店一件事",
                "href": _bundle_href("kaiban-canyindian", f"{guide}?object=enterprise&theme=catering"),
            },
            {"title": "工程建设项目审批", "href": f"{guide}?object=enterprise&theme=construction"},
            {"title": "全部法人事项", "href": f"{guide}?object=enterprise"},
        ],
        "stats": {
            "items": catalog.guide_item_count(),
            **accounts.directory_counts(),
        },
    }
    return render(request, "portal/home.html", context)


def _bundle_href(code: str, otherwise: str) -> str:
    """The bundle's guide when it is in force, else the theme's list of items."""
    return reverse("portal:bundle", args=[code]) if catalog.bundle_in_force(code) else otherwise


@login_required
def my_space(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.is_staff_member:
        return redirect("workbench:home")
    context: dict[str, object] = {
        "person": accounts.person_of(user),
        "agencies": accounts.agencies_of(user),
        "recent_cases": mycases.recent_cases(user),
        "licenses": license_cards(user, list(licenses.licenses_held_by(user, valid_only=True)[:3])),
        "license_count": licenses.licenses_held_by(user).count(),
    }
    return render(request, "accounts/applicant_home.html", context)
