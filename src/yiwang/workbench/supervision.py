"""电子监察 in the workbench: the monitoring dashboard, its Excel export and the cases behind
each figure (docs/supervision.md); 考评 is in supervision_evaluation.py.

Thin views over `supervision.dashboard` (the filters, the figures, the Excel file) and
`supervision.metrics.cases_behind` (the drill-down); `supervision.policy` decides who sees it
and for which regions. Bad filters come back with the message next to the field.
"""

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
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.supervision import dashboard, metrics, policy
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
