"""政务服务数据公开: volumes, on-time rate and satisfaction per department and item, for
everyone, computed by the same functions as the supervisors' dashboard (supervision.dashboard,
supervision.metrics). Counts and rates only: no case is ever listed here. A whole month
without a filter, once published (supervision.publication, ADR 0020), names its ledger
entry, so anyone can check the page against the signed log.
"""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from yiwang.accounts.selectors import region_switch_choices
from yiwang.catalog.selectors import guide_departments
from yiwang.core.dates import month_end
from yiwang.supervision import dashboard, metrics, publication
from yiwang.supervision.publication import PUBLIC_COLUMNS

FILTER_KEYS = ["since", "until", "region", "department", "item", "by"]
BY_CHOICES = [("department", "部门"), ("item", "事项")]
PUBLISHED_LISTED = 12  # the latest published months listed under the table


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
        "published": [_published(p) for p in publication.publications(limit=PUBLISHED_LISTED, with_payload=False)],
    }
    if filters is None:
        return render(request, "portal/data.html", context, status=400)
    values |= {"since": filters.scope.since.isoformat(), "until": filters.scope.until.isoformat(), "by": filters.by}
    view = dashboard.board(filters, now_counts=False)  # counts and rates of the period only
    columns = [c for c in dashboard.COLUMNS if c[0] in PUBLIC_COLUMNS]
    month = _whole_month(filters)
    found = publication.latest(month) if month else None
    context.update(
        publication=_published(found) if found else None,
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


def _whole_month(filters: dashboard.Filters) -> dt.date | None:
    """The month the page shows whole and unfiltered (what a publication holds), if it does."""
    scope = filters.scope
    if filters.named or scope.since.day != 1 or scope.until != month_end(scope.since):
        return None
    return scope.since


def _published(found: publication.Publication) -> dict[str, Any]:
    first = dt.date.fromisoformat(f"{found.month}-01")
    return {
        "month": found.month,
        "entry_id": found.entry_id,
        "leaf_index": found.leaf_index,
        "corrected": found.corrected,
        "at": found.at,
        "reason": found.payload.get("reason", ""),
        "sha256": found.payload.get("sha256", ""),
        "url": reverse("portal:ledger_entry", args=[found.entry_id]),
        "page": f"{reverse('portal:public_data')}?{urlencode({'since': first, 'until': month_end(first)})}",
    }
