"""政务服务数据公开: volumes, on-time rate and satisfaction per department and item, for
everyone, computed by the same functions as the supervisors' dashboard (supervision.dashboard,
supervision.metrics). Counts and rates only: no case is ever listed here.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.accounts.selectors import region_switch_choices
from yiwang.catalog.selectors import guide_departments
from yiwang.supervision import dashboard, metrics

FILTER_KEYS = ["since", "until", "region", "department", "item", "by"]
BY_CHOICES = [("department", "部门"), ("item", "事项")]
# The public table: the dashboard's columns without the refusal and supplement details.
PUBLIC_COLUMNS = ["submitted", "concluded", "on_time_rate", "average_days", "online_rate", "good_rate"]


@require_GET
def public_data(request: HttpRequest) -> HttpResponse:
    values = {key: request.GET.get(key, "").strip()[:40] for key in FILTER_KEYS}
    filters, errors = dashboard.scope_from(values)
    if filters is not None and filters.by == "region":
        filters, errors = None, {"by": ["分组：请选择 部门 或 事项"]}
    items = dashboard.published_items()
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "regions": region_switch_choices(),
        "departments": guide_departments(),
        "items": items,
        "by_choices": BY_CHOICES,
    }
    if filters is None:
        return render(request, "portal/data.html", context, status=400)
    values |= {"since": filters.scope.since.isoformat(), "until": filters.scope.until.isoformat(), "by": filters.by}
    view = dashboard.board(filters, now_counts=False)  # counts and rates of the period only
    columns = [c for c in dashboard.COLUMNS if c[0] in PUBLIC_COLUMNS]
    context.update(
        view=view,
        columns=columns,
        rows=[
            {"label": row.label, "cells": [{"title": t, "value": row.value(n)} for n, t, _ in columns]}
            for row in view.rows
        ],
        by_label=dashboard.BY_LABELS[filters.by],
        formulas=[
            metrics.FORMULAS[key]
            for key in (
                "on_time_rate",
                "average_days",
                "online_rate",
                "zero_visit_rate",
                "good_rate",
                "rectification_rate",
            )
        ],
    )
    return render(request, "portal/data.html", context)
