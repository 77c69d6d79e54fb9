"""阳光审批公示: published decisions, each verifiable against the signed ledger.

What the page shows is the ledger leaf itself (public by construction: personal data in a
leaf is only ever a salted commitment), so the reader verifies exactly what they read;
kind, subject and time come from the leaf too (ledger.selectors.PublicEntry), never from
the entry's query columns.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.ledger import selectors as ledger
from yiwang.ledger.events import label_of_kind


def _row(entry: ledger.PublicEntry) -> dict[str, Any]:
    leaf = json.loads(entry.leaf)
    return {"entry": entry, "leaf": leaf, "payload": leaf.get("payload", {}), "label": label_of_kind(entry.kind)}


def disclosure(request: HttpRequest) -> HttpResponse:
    page, entries = ledger.disclosed_entries(request.GET.get("page"))
    rows = [_row(e) for e in entries]
    return render(request, "portal/disclosure.html", {"page": page, "rows": rows})


def ledger_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = ledger.entry_get(entry_id)
    return render(
        request,
        "portal/ledger_entry.html",
        {"row": _row(entry), "leaf_pretty": json.dumps(json.loads(entry.leaf), ensure_ascii=False, indent=2)},
    )
