"""电子监察 in the workbench: the monitoring dashboard, its Excel export and the cases behind
each figure (docs/supervision.md).

Thin views over `supervision.dashboard` (the filters, the figures, the Excel file) and
`supervision.metrics.cases_behind` (the drill-down); `supervision.policy` decides who sees it
and for which regions. Bad filters come back with the message next to the field.
"""

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from yiwang.accounts.models import User
from yiwang.cases.workflow import CaseStatus, status_tone
from yiwang.core import clock
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.supervision import dashboard, evaluation, metrics, policy
from yiwang.workbench import cases

FILTER_KEYS = ["since", "until", "region", "department", "item", "by", "exact"]
PER_PAGE = 25


def _supervisor(request: HttpRequest) -> tuple[User, list[str]]:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("监察看板仅对监督人员开放。")
    return user, policy.require_supervisor(user)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _choices(prefixes: list[str]) -> dict[str, Any]:
    return {**dashboard.filter_choices(prefixes), "by_choices": list(dashboard.BY_LABELS.items())}


def _filters(request: HttpRequest, prefixes: list[str]) -> tuple[dict[str, str], Any, dict[str, list[str]]]:
    values = {key: request.GET.get(key, "").strip()[:40] for key in FILTER_KEYS}
    filters, errors = dashboard.scope_from(values, prefixes=prefixes)
    if filters is not None:  # the form shows the period in force (the default when none was chosen)
        values |= {"since": filters.scope.since.isoformat(), "until": filters.scope.until.isoformat(), "by": filters.by}
    return values, filters, errors


def _query(values: dict[str, str], **more: str) -> str:
    return urlencode({k: v for k, v in {**values, **more}.items() if v})


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user, prefixes = _supervisor(request)
    values, filters, errors = _filters(request, prefixes)
    context: dict[str, Any] = {
        "nav_links": cases.nav_links(user),
        "values": values,
        "errors": errors,
        **_choices(prefixes),
    }
    if filters is None:
        return _no_store(render(request, "workbench/supervision/board.html", context, status=400))
    view = dashboard.board(filters)
    drill = reverse("workbench:supervision_cases")
    scope_query = _query(values)
    by_key = {"department": "department", "region": "region", "item": "item"}[filters.by]
    row_keys = dashboard.row_codes(filters.by, [row.key for row in view.rows])
    context.update(
        view=view,
        formulas=metrics.FORMULAS,
        columns=dashboard.COLUMNS,
        drill_url=f"{drill}?{scope_query}",
        export_url=f"{reverse('workbench:supervision_export')}?{scope_query}",
        states=[
            {
                "label": CaseStatus(state).label,
                "count": count,
                "tone": status_tone(state),
                "url": f"{drill}?{_query(values, drill=f'state:{state}')}",
            }
            for state, count in view.open_by_state.items()
        ],
        rows=[
            {
                "row": row,
                "cells": _cells(row, f"{drill}?{_query(values, **_row_filter(by_key, row_keys.get(row.key, '')))}"),
            }
            for row in view.rows
        ],
        by_label=dashboard.BY_LABELS[filters.by],
    )
    return _no_store(render(request, "workbench/supervision/board.html", context))


def _row_filter(by_key: str, code: str) -> dict[str, str]:
    """The filter that selects exactly a row's cases (a region's row: that region only)."""
    return {by_key: code, "exact": "1"} if by_key == "region" else {by_key: code}


# Columns whose number opens the cases behind it (the drill of metrics.DRILLS).
DRILLABLE = {"submitted": "submitted", "refused": "refused", "concluded": "concluded"}
DRILLABLE |= {"concluded_late": "concluded_late", "overdue_now": "overdue_now"}
DRILLABLE |= {"concluded_beyond_commitment": "concluded_beyond_commitment"}


def _cells(row: dashboard.Row, row_drill: str) -> list[dict[str, Any]]:
    return [
        {
            "title": title,
            "value": row.value(name),
            "url": f"{row_drill}&drill={DRILLABLE[name]}" if name in DRILLABLE else "",
        }
        for name, title, _ in dashboard.COLUMNS
    ]


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    _user, prefixes = _supervisor(request)
    _values, filters, errors = _filters(request, prefixes)
    if filters is None:
        raise NotFound("；".join(message for messages in errors.values() for message in messages))
    view = dashboard.board(filters)
    response = HttpResponse(
        dashboard.board_xlsx(view),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"jiancha-{filters.scope.since.isoformat()}-{filters.scope.until.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)


@login_required
@require_GET
def drill(request: HttpRequest) -> HttpResponse:
    user, prefixes = _supervisor(request)
    values, filters, errors = _filters(request, prefixes)
    chosen = request.GET.get("drill", "")[:40]
    if chosen not in metrics.DRILLS:
        errors["drill"] = ["明细：请从监察看板上的数字进入"]
    context: dict[str, Any] = {"nav_links": cases.nav_links(user), "values": values, "errors": errors}
    context["board_url"] = f"{reverse('workbench:supervision')}?{_query(values)}"
    if filters is None or errors:
        return _no_store(render(request, "workbench/supervision/cases.html", context, status=400))
    page = Paginator(dashboard.drill_list(filters, chosen), PER_PAGE).get_page(request.GET.get("page"))
    notice_new = reverse("workbench:supervision_notice_new")
    department = filters.scope.department_id
    context.update(
        title=metrics.DRILLS[chosen],
        filters=filters,
        page=page,
        department_notice_url=f"{notice_new}?{urlencode({'department': department})}" if department else "",
        rows=[
            {
                "case": case,
                "url": cases.case_url(case.number),
                "notice_url": f"{notice_new}?{urlencode({'case': case.number or ''})}",
                "item_name": case.implementation_version.item_version.name,
                "status_label": CaseStatus(case.status).label,
                "tone": status_tone(case.status),
            }
            for case in page.object_list
        ],
    )
    return _no_store(render(request, "workbench/supervision/cases.html", context))


# --- 考评: the monthly ranking ------------------------------------------------------------------


def _month(request: HttpRequest) -> tuple[str, dict[str, list[str]]]:
    month = request.GET.get("month", "").strip()[:7] or (clock.today().replace(day=1) - dt.timedelta(days=1)).strftime(
        "%Y-%m"
    )
    try:
        evaluation.month_bounds(month)
    except ValueError:
        return month, {"month": ["考评月份：请按 年-月 选择，例如 2026-11"]}
    return month, {}


def _ranking(scheme: evaluation.Scheme, month: str, prefixes: list[str]) -> list[evaluation.Score]:
    """The departments of every region the supervisor covers, ranked together (the prefixes
    are apart: a department is in one of them at most)."""
    return evaluation.ranked([s for p in prefixes for s in evaluation.ranking(scheme, month, region_prefix=p)])


@login_required
@require_GET
def evaluation_report(request: HttpRequest) -> HttpResponse:
    user, prefixes = _supervisor(request)
    month, errors = _month(request)
    context: dict[str, Any] = {"nav_links": cases.nav_links(user), "month": month, "errors": errors}
    if errors:
        return render(request, "workbench/supervision/evaluation.html", context, status=400)
    scheme = evaluation.DEFAULT_SCHEME
    context.update(
        scheme=scheme,
        indicators=[(w, evaluation.INDICATORS[w.key]) for w in scheme.indicators],
        scores=_ranking(scheme, month, prefixes),
        export_url=f"{reverse('workbench:supervision_evaluation_export')}?{urlencode({'month': month})}",
    )
    return render(request, "workbench/supervision/evaluation.html", context)


@login_required
@require_GET
def evaluation_export(request: HttpRequest) -> HttpResponse:
    _user, prefixes = _supervisor(request)
    month, errors = _month(request)
    if errors:
        raise NotFound(errors["month"][0])
    scheme = evaluation.DEFAULT_SCHEME
    scores = _ranking(scheme, month, prefixes)
    response = HttpResponse(
        evaluation.ranking_xlsx(scheme, month, scores),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="kaoping-{month}.xlsx"'
    return response
