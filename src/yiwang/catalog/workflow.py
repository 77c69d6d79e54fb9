"""The catalog's transition table: what may happen to a version (of either kind) in each status.

`VERSION_TRANSITIONS[(status, action)]` is the status after the action; `None` as the status
is a version that does not exist yet. A pair not in the table is forbidden, and
`version_next_status` says so in Chinese. Every status assignment in `catalog.services` goes
through it; a test walks every pair through the real services.

| action    | from                          | to          | who                           |
|-----------|-------------------------------|-------------|-------------------------------|
| draft     | (new)                         | draft       | an administrator              |
| update    | draft, in review, rejected    | draft       | the drafter                   |
| submit    | draft, rejected               | in review   | the drafter                   |
| withdraw  | draft, in review, rejected    | withdrawn   | the drafter                   |
| reject    | in review                     | rejected    | another administrator         |
| publish   | in review                     | published   | another administrator         |
| supersede | published                     | superseded  | a publication of the same owner |
| copy      | (new)                         | published   | a suspension, a confirmed amendment |
"""

from enum import StrEnum

from yiwang.catalog.models import AmendmentStatus, VersionStatus
from yiwang.core.errors import Conflict


class VersionAction(StrEnum):
    DRAFT = "draft"
    UPDATE = "update"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    REJECT = "reject"
    PUBLISH = "publish"
    SUPERSEDE = "supersede"
    COPY = "copy"


ACTION_LABELS = {
    VersionAction.DRAFT: "起草",
    VersionAction.UPDATE: "修改",
    VersionAction.SUBMIT: "提交审核",
    VersionAction.WITHDRAW: "撤回",
    VersionAction.REJECT: "退回",
    VersionAction.PUBLISH: "发布",
    VersionAction.SUPERSEDE: "替代",
    VersionAction.COPY: "随基本要素复制发布",
}

_S = VersionStatus
VERSION_TRANSITIONS: dict[tuple[VersionStatus | None, VersionAction], VersionStatus] = {
    (None, VersionAction.DRAFT): _S.DRAFT,
    (None, VersionAction.COPY): _S.PUBLISHED,
    **{(s, VersionAction.UPDATE): _S.DRAFT for s in (_S.DRAFT, _S.IN_REVIEW, _S.REJECTED)},
    **{(s, VersionAction.SUBMIT): _S.IN_REVIEW for s in (_S.DRAFT, _S.REJECTED)},
    **{(s, VersionAction.WITHDRAW): _S.WITHDRAWN for s in (_S.DRAFT, _S.IN_REVIEW, _S.REJECTED)},
    (_S.IN_REVIEW, VersionAction.REJECT): _S.REJECTED,
    (_S.IN_REVIEW, VersionAction.PUBLISH): _S.PUBLISHED,
    (_S.PUBLISHED, VersionAction.SUPERSEDE): _S.SUPERSEDED,
}


def version_next_status(status: VersionStatus | str | None, action: VersionAction, *, number: int = 0) -> VersionStatus:
    """The status after `action`, or a Conflict naming the status and the refused action."""
    current = VersionStatus(status) if status else None
    found = VERSION_TRANSITIONS.get((current, action))
    if found is None:
        label = current.label if current else "（尚不存在）"
        raise Conflict(
            f"版本 v{number} 状态为“{label}”，不能{ACTION_LABELS[action]}"
            + ("（已发布的版本永不修改）。" if current in (_S.PUBLISHED, _S.SUPERSEDED) else "。"),
            rule="version_transition",
        )
    return found


class AmendmentAction(StrEnum):
    ARRIVE = "arrive"  # an item publication reaches an implementation
    CONFIRM = "confirm"  # its level confirms (or publishes a version on the new basic elements)
    REPLACE = "replace"  # a newer amendment of the same item arrives first


AMENDMENT_TRANSITIONS: dict[tuple[AmendmentStatus | None, AmendmentAction], AmendmentStatus] = {
    (None, AmendmentAction.ARRIVE): AmendmentStatus.PENDING,
    (AmendmentStatus.PENDING, AmendmentAction.CONFIRM): AmendmentStatus.CONFIRMED,
    (AmendmentStatus.PENDING, AmendmentAction.REPLACE): AmendmentStatus.REPLACED,
}


def amendment_next_status(status: AmendmentStatus | str | None, action: AmendmentAction) -> AmendmentStatus:
    """The status of a pending amendment after `action`, or a Conflict in Chinese."""
    current = AmendmentStatus(status) if status else None
    found = AMENDMENT_TRANSITIONS.get((current, action))
    if found is None:
        label = current.label if current else "（尚不存在）"
        raise Conflict(f"该调整状态为“{label}”，不能再处理。", rule="amendment_transition")
    return found
