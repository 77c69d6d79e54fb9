"""阳光审批公示: published decisions, each verifiable against the signed ledger.

What the page shows is the ledger leaf itself (public by construction: personal data in a
leaf is only ever a salted commitment), so the reader verifies exactly what they read.
"""

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.ledger import selectors as ledger
from yiwang.ledger.models import Entry

# Ledger entry kinds that are decisions to disclose.
DISCLOSURE_KINDS = ["cases.approve", "cases.deny", "cases.revoke"]


def _row(entry: Entry) -> dict[str, Any]:
    leaf = json.loads(entry.leaf)
    return {"entry": entry, "leaf": leaf, "payload": leaf.get("payload", {})}


def disclosure(request: HttpRequest) -> HttpResponse:
    entries = Entry.objects.filter(kind__in=DISCLOSURE_KINDS).order_by("-id")
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    return render(request, "portal/disclosure.html", {"page": page, "rows": [_row(e) for e in page]})


def ledger_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = ledger.entry_get(entry_id)
    return render(
        request,
        "portal/ledger_entry.html",
        {"row": _row(entry), "leaf_pretty": json.dumps(json.loads(entry.leaf), ensure_ascii=False, indent=2)},
    )
