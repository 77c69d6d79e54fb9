"""Public ledger endpoints: checkpoints, entries and proofs (no login: the log is public)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from yiwang.api.params import Id, Size
from yiwang.core.errors import NotFound
from yiwang.ledger import selectors

router = Router(tags=["区块链账本"])


class EntryOut(Schema):
    id: int
    kind: str
    subject: str
    leaf: str
    leaf_index: int | None


class InclusionOut(Schema):
    leaf_index: int
    tree_size: int
    leaf: dict[str, Any]
    leaf_hash: str
    proof: list[str]
    checkpoint: str


class ConsistencyOut(Schema):
    old_size: int
    new_size: int
    proof: list[str]
    old_checkpoint: str
    new_checkpoint: str


def _note(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@router.get("/key", summary="账本验证公钥（signed-note vkey）", auth=None, url_name="ledger_key")
def key(request: HttpRequest) -> HttpResponse:
    return _note(selectors.verifier_key() + "\n")


@router.get("/checkpoint", summary="最新签名检查点", auth=None)
def checkpoint_latest(request: HttpRequest) -> HttpResponse:
    checkpoint = selectors.checkpoint_latest()
    if checkpoint is None:
        raise NotFound("账本尚无检查点。")
    return _note(checkpoint.note)


@router.get("/checkpoints/{size}", summary="指定树大小的签名检查点", auth=None)
def checkpoint_at(request: HttpRequest, size: Size) -> HttpResponse:
    return _note(selectors.checkpoint_at(size).note)


@router.get("/entries/{entry_id}", response=EntryOut, summary="账本条目", auth=None)
def entry(request: HttpRequest, entry_id: Id) -> Any:
    return selectors.entry_get(entry_id)


@router.get("/entries/{entry_id}/proof", response=InclusionOut, summary="条目存在性证明（RFC 9162）", auth=None)
def inclusion(
    request: HttpRequest,
    entry_id: Id,
    tree_size: Size | None = None,
) -> Any:
    return selectors.inclusion_proof_for(selectors.entry_get(entry_id), tree_size=tree_size)


@router.get("/consistency", response=ConsistencyOut, summary="一致性证明（RFC 9162）", auth=None)
def consistency(
    request: HttpRequest,
    old_size: Size,
    new_size: Size,
) -> Any:
    return selectors.consistency_proof_between(old_size, new_size)
