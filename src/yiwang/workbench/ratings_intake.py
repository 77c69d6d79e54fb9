"""Ratings the workbench takes in for the applicant: a supervisor records one the 12345
hotline took, and a window clerk shows the hall tablet a one-time link (with its QR code)
right after serving. Each is one `ratings.services` call; the service decides who may."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError, PermissionDenied, ValidationFailed
from yiwang.core.text import control_char_errors
from yiwang.licenses.render import qr_svg
from yiwang.ratings import policy, rules, services
from yiwang.ratings.links import RATE_PATH
from yiwang.ratings.models import Grade
from yiwang.workbench import cases
from yiwang.workbench.ratings import rating_url, ratings_staff_of, refusal

HOTLINE_FIELDS = {"case_number": "办件编号", "grade": "评价等级", "tags": "评价标签", "text": "评价内容"}
HALL_LINK_HOURS = 2  # services.hall_link_issue


def _hotline_form(
    request: HttpRequest,
    user: User,
    *,
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    context = {
        "nav_links": cases.nav_links(user),
        "grades": Grade.choices,
        "tags": list(rules.TAGS.items()),
        "case_number": post.get("case_number", "") if post is not None else "",
        "grade": post.get("grade", "") if post is not None else "",
        "chosen_tags": post.getlist("tags") if post is not None else [],
        "text": post.get("text", "") if post is not None else "",
        "text_max": rules.TEXT_MAX,
        "errors": {name: errors.get(name, []) for name in HOTLINE_FIELDS},
        "general_errors": [m for key, ms in errors.items() if key not in HOTLINE_FIELDS for m in ms],
        "has_errors": bool(errors),
    }
    return render(request, "workbench/ratings/hotline.html", context, status=status)


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    """代录 12345 热线评价: the applicant's rating as the hotline took it, marked as recorded."""
    user = ratings_staff_of(request)
    if not policy.may_record_hotline(user):
        raise PermissionDenied("只有监督人员可以代录 12345 热线评价。")
    if request.method != "POST":
        return _hotline_form(request, user)
    post = request.POST
    try:
        problems = control_char_errors(post, HOTLINE_FIELDS)
        if problems:
            raise ValidationFailed(problems)
        number = post.get("case_number", "").strip()
        if not number:
            raise ValidationFailed({"case_number": ["办件编号：必填"]})
        raw_grade = post.get("grade", "").strip()
        grade = int(raw_grade) if raw_grade in {"1", "2", "3", "4", "5"} else raw_grade  # the service names it
        rating = services.rating_record_hotline(
            actor=user, case_number=number, grade=grade, tags=post.getlist("tags"), text=post.get("text", "")
        )
    except DomainError as exc:
        if exc.status == 404:  # an unknown case number: the field's message, not a 404 page
            errors, status = {"case_number": [f"办件编号：{exc.message}"]}, 422
        else:
            errors, status = refusal(exc, "代录热线评价")
        return _hotline_form(request, user, post=post, errors=errors, status=status)
    messages.success(request, f"已代录办件 {rating.case.number} 的 12345 热线评价（{rating.get_grade_display()}）。")
    return redirect(rating_url(rating.pk))


@login_required
@require_POST
def hall_link(request: HttpRequest, number: str) -> HttpResponse:
    """生成现场评价码: the one-time link for the hall tablet, as text and as a QR code. Shown
    once (only its digest is kept); issuing again replaces the previous link."""
    user = cases.staff_of(request)
    token = services.hall_link_issue(actor=user, case_number=number)  # 403 / 404 pages for refusals
    base = settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    link = f"{base}{RATE_PATH}{token}"
    context = {
        "nav_links": cases.nav_links(user),
        "number": number,
        "case_url": cases.case_url(number),
        "link": link,
        "qr": mark_safe(qr_svg(link)),  # noqa: S308 - segno's own SVG of our URL, no user markup
        "hours": HALL_LINK_HOURS,
    }
    return render(request, "workbench/ratings/hall_link.html", context)
