"""好差评 pages of the portal (issue 14; docs/ratings.md).

- From the applicant's case page (`/me/cases/<number>/`): rate the case (一事一评), add to a
  rating (追评), rate the rectification of a bad review. A refused form re-shows the case page
  with what was typed and the message naming the field.
- `/rate/<token>` (ratings.links.RATE_PATH): the one-time link of the conclusion notice, or
  the hall tablet's link; no login. It shows the item and the case number only, and is
  `no-store`. Opening it uses nothing: only the posted rating spends the link.
- `/ratings/` (好差评公示): figures overall or by item, department and region, with their
  formulas, and examples of rectified bad reviews (never the rater nor their text).

Writes only through ratings.services; who may do what is ratings.policy's.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts import selectors as accounts
from yiwang.cases import selectors as cases
from yiwang.catalog import selectors as catalog
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.portal import display, forms, mycases
from yiwang.portal.apply import applicant_of
from yiwang.portal.rating_blocks import figures_view, grade_of, public_url, read_form
from yiwang.ratings import rules, selectors, services
from yiwang.ratings.models import Channel, Grade, NoticeToken

GENERAL = "__all__"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


# --- the applicant's case page -------------------------------------------------------------


def _refused(request: HttpRequest, number: str, form: str, values: dict[str, Any], exc: Exception) -> HttpResponse:
    user = applicant_of(request)
    if isinstance(exc, ValidationFailed):
        errors, status = exc.errors, 422
    else:
        assert isinstance(exc, Conflict | PermissionDenied)
        errors, status = {GENERAL: [exc.message]}, exc.status
    return mycases.detail_page(
        request, user, number, errors=errors, rating_form=form, rating_values=values, status=status
    )


@login_required
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """一事一评 from the case page (网上办事大厅)."""
    user = applicant_of(request)
    case = cases.case_by_number_for(user, number)
    values = read_form(request.POST)
    try:
        services.rating_give(
            actor=user,
            case_number=number,
            grade=grade_of(values["grade"]),
            tags=values["tags"],
            text=values["text"],
            channel=Channel.PC,
        )
    except (ValidationFailed, Conflict, PermissionDenied) as exc:
        return _refused(request, number, "rate", values, exc)
    messages.success(request, "感谢您的评价！评价已存证，不能修改，可在下方追加评价。")
    return redirect(mycases.case_url(case) + "#rating")


@login_required
@require_POST
def add(request: HttpRequest, number: str, rating_id: int) -> HttpResponse:
    """追评 within RATINGS_ADDITION_DAYS."""
    user = applicant_of(request)
    case = cases.case_by_number_for(user, number)
    values = {"text": request.POST.get("text", "")}
    try:
        services.rating_add(actor=user, rating_id=rating_id, text=values["text"])
    except (ValidationFailed, Conflict, PermissionDenied) as exc:
        return _refused(request, number, f"add-{rating_id}", values, exc)
    messages.success(request, "追加评价已提交。")
    return redirect(mycases.case_url(case) + "#rating")


@login_required
@require_POST
def rate_rectification(request: HttpRequest, number: str, rating_id: int) -> HttpResponse:
    """The second rating: of what the department did about the bad review."""
    user = applicant_of(request)
    case = cases.case_by_number_for(user, number)
    values = {"grade": request.POST.get("grade", "")[:5], "text": request.POST.get("text", "")}
    try:
        services.rectification_rate(
            actor=user, rating_id=rating_id, grade=grade_of(values["grade"]), text=values["text"]
        )
    except (ValidationFailed, Conflict, PermissionDenied) as exc:
        return _refused(request, number, f"second-{rating_id}", values, exc)
    messages.success(request, "感谢您对整改结果的评价。")
    return redirect(mycases.case_url(case) + "#rating")


# --- the one-time link (no login) ------------------------------------------------------------


def _closed(request: HttpRequest, exc: NotFound | Conflict | PermissionDenied) -> HttpResponse:
    return _no_store(render(request, "portal/ratings/link_closed.html", {"message": exc.message}, status=exc.status))


def _link_page(
    request: HttpRequest,
    link: NoticeToken,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    case = link.case
    context = {
        "item_name": case.implementation_version.item_version.name,
        "number": case.number,
        "hall": link.channel == Channel.HALL_TABLET,
        "form": {"prefix": "rate", "errors": errors, "values": values or {"grade": "", "tags": [], "text": ""}},
        "grades": [(grade.value, grade.label) for grade in Grade],
        "tags": list(rules.TAGS.items()),
        "text_max": rules.TEXT_MAX,
        "general_errors": errors.get(GENERAL, []),
        "summary": forms.error_summary(
            {k: v for k, v in errors.items() if k != GENERAL},
            {"grade": "rate-grade", "tags": "rate-tags", "text": "rate-text"},
        ),
    }
    return _no_store(render(request, "portal/ratings/link.html", context, status=status))


@require_http_methods(["GET", "POST"])
def rate_by_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = services.case_of_link(token)
    except (NotFound, Conflict) as exc:
        return _closed(request, exc)
    display.show_as_chosen_by(request, link.case.applicant)  # 长辈版 if the applicant chose it
    if request.method != "POST":
        return _link_page(request, link)
    values = read_form(request.POST)
    try:
        rating = services.rating_give_by_link(
            token=token, grade=grade_of(values["grade"]), tags=values["tags"], text=values["text"]
        )
    except ValidationFailed as exc:
        return _link_page(request, link, errors=exc.errors, values=values, status=422)
    except (NotFound, Conflict, PermissionDenied) as exc:
        return _closed(request, exc)
    context = {
        "grade_label": Grade(rating.grade).label,
        "bad": rating.is_bad,
        "hall": link.channel == Channel.HALL_TABLET,
    }
    return _no_store(render(request, "portal/ratings/link_done.html", context))


# --- 好差评公示 ---------------------------------------------------------------------------------


FILTER_LABELS = {"item": "事项", "department": "部门", "region": "区划"}


def _scope(values: dict[str, str]) -> tuple[selectors.Scope | None, dict[str, list[str]], dict[str, str]]:
    """The scope the filters ask for, or the errors naming each bad filter; and what they name."""
    errors: dict[str, list[str]] = {}
    named: dict[str, str] = {}
    scope: dict[str, Any] = {}
    if code := values["item"]:
        item = catalog.item_by_code(code) if code.isascii() and code.isalnum() and len(code) <= 20 else None
        version = catalog.item_version_in_force(item) if item else None
        if version is None:
            errors["item"] = [f"事项：没有基本编码为“{code[:20]}”的事项"]
        else:
            scope["item_code"], named["item"] = code, version.name
    if credit_code := values["department"]:
        department = accounts.department_by_credit_code(credit_code) if len(credit_code) <= 18 else None
        if department is None:
            errors["department"] = ["部门：没有这个部门，请从列表中选择"]
        else:
            scope["department_id"], named["department"] = department.pk, department.name
    if region_code := values["region"]:
        region = accounts.region_by_code(region_code) if len(region_code) <= 12 else None
        if region is None:
            errors["region"] = ["区划：没有这个区划，请从列表中选择"]
        else:
            scope["region_prefix"], named["region"] = region.code_prefix, region.name
    return (None if errors else selectors.Scope(**scope)), errors, named


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    values = {key: request.GET.get(key, "").strip() for key in FILTER_LABELS}
    scope, errors, named = _scope(values)
    context: dict[str, Any] = {
        "values": values,
        "named": named,
        "errors": errors,
        "summary": forms.error_summary(errors, {key: f"filter-{key}" for key in FILTER_LABELS}),
        "departments": catalog.guide_departments(),
        "regions": accounts.region_switch_choices(),
        "all_url": public_url(),
    }
    if scope is None:
        return render(request, "portal/ratings/public.html", context, status=400)
    examples = list(selectors.rectified_examples(scope))
    answers = selectors.department_answers(examples)
    context["view"] = figures_view(selectors.figures(scope))
    context["examples"] = [
        {
            "item_name": rating.implementation_version.item_version.name,
            "department": rating.department.name,
            "month": rating.rated_at,
            "grade_label": Grade(rating.grade).label,
            "tag_labels": [rules.TAGS.get(tag, tag) for tag in rating.tags],
            "handling_label": rating.get_handling_display(),
            "answer": answers.get(rating.pk, ""),
        }
        for rating in examples
    ]
    return render(request, "portal/ratings/public.html", context)
