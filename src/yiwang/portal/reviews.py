"""专家评审公开: every drawn panel's record — anyone downloads it with the checkpoint that
seeded it and re-runs the draw offline (`yiwang-verify draw`, docs/reviews.md) — and the
pool's codes, specialties and opinion-signing public keys. No expert is named before the
panel concludes; the recused stay masked."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from yiwang.ledger.selectors import verifier_key
from yiwang.reviews import selectors
from yiwang.reviews.pool import RECUSAL_REASONS
from yiwang.reviews.workflow import PanelStatus


def draws(request: HttpRequest) -> HttpResponse:
    context = {"panels": list(selectors.public_draws()[:100]), "experts": list(selectors.public_pool())}
    return render(request, "portal/review_draws.html", context)


def draw(request: HttpRequest, ref: str) -> HttpResponse:
    panel = selectors.public_panel(ref)
    record = selectors.draw_record(panel)
    context = {
        "panel": panel,
        "record": record,
        "waiting": panel.status == PanelStatus.WAITING_SEED,
        "excluded": [(x["commitment"], RECUSAL_REASONS.get(x["reason"], x["reason"])) for x in panel.excluded],
        "pretty": json.dumps(record, ensure_ascii=False, indent=2),
    }
    return render(request, "portal/review_draw.html", context)


def draw_json(request: HttpRequest, ref: str) -> JsonResponse:
    response = JsonResponse(
        selectors.draw_record(selectors.public_panel(ref)), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Disposition"] = f'attachment; filename="draw-{ref}.json"'
    return response


def draw_checkpoint(request: HttpRequest, ref: str) -> HttpResponse:
    note = selectors.seed_checkpoint_note(selectors.public_panel(ref))
    response = HttpResponse(note, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="checkpoint-{ref}.txt"'
    return response


def log_key(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(verifier_key() + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="log.vkey"'
    return response
