"""服务改进 in the workbench: a catalog administrator opens an improvement from an
implementation's bad reviews, then answers it with the published amendment whose 调整理由
cites it (GJ-<id>), or drops it with the reason (docs/ratings.md "The loop back").

Thin views over `ratings.improvements` (the service checks who and what; a refused form comes
back with what was typed and the message by its field). The raters are never shown: the
reviews are listed by date, grade, tags and text.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.catalog.selectors import is_catalog_admin
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.ratings import improvements, rules
from yiwang.workbench import cases
from yiwang.workbench.ratings import GENERAL, refusal

FIELDS = {
    "title": "改进事项",
    "finding": "评价反映的问题",
    "ratings": "依据的差评",
    "version": "改进版本",
    "note": "说明",
}


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_catalog_admin(user):
        raise PermissionDenied("服务改进仅对事项管理员开放。")
    return user


def _errors(errors: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "errors": {name: errors.get(name, []) for name in FIELDS},
        "general_errors": [m for key, ms in errors.items() if key not in FIELDS or key == GENERAL for m in ms],
        "has_errors": bool(errors),
    }


@login_required
def improvement_list(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    context = {
        "nav_links": cases.nav_links(user),
        "candidates": improvements.implementations_with_bad_reviews(user),
        "improvements": improvements.improvements_for_admin(user)[:100],
    }
    return render(request, "workbench/ratings/improvements.html", context)


def _implementation(user: User, implementation_id: int) -> improvements.Candidate:
    for candidate in improvements.implementations_with_bad_reviews(user):
        if candidate.implementation.pk == implementation_id:
            return candidate
    raise NotFound("该实施清单不在您的维护范围内，或没有差评。")


def _new_page(
    request: HttpRequest,
    user: User,
    candidate: improvements.Candidate,
    *,
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    implementation = candidate.implementation
    context = {
        "nav_links": cases.nav_links(user),
        "implementation": implementation,
        "item_name": candidate.name,
        "reviews": improvements.bad_reviews_of(implementation)[:200],
        "tag_counts": [(rules.TAGS.get(tag, tag), n) for tag, n in improvements.tag_counts(implementation).items()],
        "tag_labels": rules.TAGS,
        "title": post.get("title", "") if post is not None else "",
        "finding": post.get("finding", "") if post is not None else "",
        "chosen": set(post.getlist("ratings")) if post is not None else set(),
        **_errors(errors or {}),
    }
    return render(request, "workbench/ratings/improvement_new.html", context, status=status)


@login_required
def improvement_new(request: HttpRequest, implementation_id: int) -> HttpResponse:
    user = _admin(request)
    candidate = _implementation(user, implementation_id)
    if request.method != "POST":
        return _new_page(request, user, candidate)
    post = request.POST
    chosen = post.getlist("ratings")
    try:
        ids = [int(value) for value in chosen if value.isdigit() and len(value) < 12]
        improvement = improvements.improvement_open(
            actor=user,
            implementation_id=candidate.implementation.pk,
            title=post.get("title", ""),
            finding=post.get("finding", ""),
            rating_ids=ids if len(ids) == len(chosen) else [],
        )
    except DomainError as exc:
        errors, status = refusal(exc, "提出服务改进")
        return _new_page(request, user, candidate, post=post, errors=errors, status=status)
    messages.success(
        request, f"已提出服务改进 {improvement.code}。发布改进版本时，请在调整理由中写明 {improvement.code}。"
    )
    return redirect(reverse("workbench:improvement", args=[improvement.pk]))


def _page(
    request: HttpRequest,
    user: User,
    improvement_id: int,
    *,
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    improvement = improvements.improvement_for_admin(user, improvement_id)
    before, after = improvements.before_after(improvement)
    context = {
        "nav_links": cases.nav_links(user),
        "improvement": improvement,
        "cited": improvements.cited_ratings(improvement),
        "tag_labels": rules.TAGS,
        "before": before,
        "after": after,
        "candidates": improvements.answer_candidates(improvement) if improvement.status == "open" else [],
        "note": post.get("note", "") if post is not None else "",
        **_errors(errors or {}),
    }
    return render(request, "workbench/ratings/improvement.html", context, status=status)


@login_required
def improvement_page(request: HttpRequest, improvement_id: int) -> HttpResponse:
    return _page(request, _admin(request), improvement_id)


@login_required
@require_POST
def improvement_answer(request: HttpRequest, improvement_id: int) -> HttpResponse:
    user = _admin(request)
    improvements.improvement_for_admin(user, improvement_id)  # 404 outside the user's regions
    raw = request.POST.get("version", "")
    try:
        improvements.improvement_answer(
            actor=user, improvement_id=improvement_id, version_id=int(raw) if raw.isdigit() and len(raw) < 12 else 0
        )
    except DomainError as exc:
        errors, status = refusal(exc, "关联改进版本")
        return _page(request, user, improvement_id, post=request.POST, errors=errors, status=status)
    messages.success(request, "已关联改进版本；办事指南页将显示改进前后的对比。")
    return redirect(reverse("workbench:improvement", args=[improvement_id]))


@login_required
@require_POST
def improvement_drop(request: HttpRequest, improvement_id: int) -> HttpResponse:
    user = _admin(request)
    improvements.improvement_for_admin(user, improvement_id)
    try:
        improvements.improvement_drop(actor=user, improvement_id=improvement_id, note=request.POST.get("note", ""))
    except DomainError as exc:
        errors, status = refusal(exc, "不予改进")
        return _page(request, user, improvement_id, post=request.POST, errors=errors, status=status)
    messages.success(request, "已办结：不予改进。")
    return redirect(reverse("workbench:improvement", args=[improvement_id]))
